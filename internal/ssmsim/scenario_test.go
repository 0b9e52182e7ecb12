package ssmsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validScenario has one execution starting on line 7 and its step on line 13.
const validScenario = `now: 2024-06-03T12:00:00Z
accounts:
  - id: "111122223333"
    regions:
      - name: us-east-1
        executions:
          - id: bdd640fb-0667-4ad1-9c80-317fa3b1799d
            document_name: AWS-RestartEC2Instance
            status: Success
            start_time: 2024-06-03T09:00:00Z
            end_time: 2024-06-03T09:05:00Z
            steps:
              - step_execution_id: 23b8c1e9-3924-46de-beb1-3b9046685257
                step_name: stopInstances
                action: aws:changeInstanceState
                status: Success
`

func TestParseScenarioAcceptsAndDefaults(t *testing.T) {
	sc, err := ParseScenario([]byte(validScenario))
	if err != nil {
		t.Fatal(err)
	}
	e := sc.Accounts[0].Regions[0].Executions[0]
	if !sc.Now.Equal(time.Date(2024, 6, 3, 12, 0, 0, 0, time.UTC)) || e.AutomationType != "Local" || e.Mode != "Auto" {
		t.Fatalf("now %v, automation type %q, mode %q", sc.Now, e.AutomationType, e.Mode)
	}
}

func TestParseScenarioErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown field", "            status: Success\n", "            state: Success\n",
			"yaml: unmarshal errors:\n  line 9: field state not found in type ssmsim.Execution"},
		{"bad time", "start_time: 2024-06-03T09:00:00Z", "start_time: yesterday",
			`line 10: start_time "yesterday" is not an RFC 3339 time`},
		{"syntax", "    regions:\n", "    regions: [\n", "yaml: line 4: did not find expected node content"},
		{"no clock", "now: 2024-06-03T12:00:00Z\n", "", "line 1: now is required"},
		{"short id", "id: bdd640fb-0667-4ad1-9c80-317fa3b1799d", "id: bdd640fb",
			`line 7: execution id "bdd640fb" must be 36 characters`},
		{"duplicate id", "23b8c1e9-3924-46de-beb1-3b9046685257", "bdd640fb-0667-4ad1-9c80-317fa3b1799d",
			`line 13: duplicate step_execution_id "bdd640fb-0667-4ad1-9c80-317fa3b1799d"`},
		{"execution status", "            status: Success", "            status: Done",
			`line 9: status "Done" is not an AutomationExecutionStatus`},
		{"step status", "                status: Success", "                status: Skipped",
			`line 16: status "Skipped" is not an AutomationExecutionStatus`},
		{"running with an end", "            status: Success", "            status: InProgress",
			"line 11: a InProgress execution has no end_time"},
		{"finished without an end", "            end_time: 2024-06-03T09:05:00Z\n", "",
			"line 9: a Success execution needs an end_time"},
		{"end before start", "end_time: 2024-06-03T09:05:00Z", "end_time: 2024-06-03T08:05:00Z",
			"line 11: end_time is before start_time"},
		{"action", "action: aws:changeInstanceState", "action: changeInstanceState",
			`line 15: action "changeInstanceState" is not an automation action name`},
		{"two alarms", "            steps:", "            triggered_alarms: [{name: a, state: ALARM}, {name: b, state: ALARM}]\n            steps:",
			"line 12: at most one triggered alarm is allowed"},
		{"mode", "            steps:", "            mode: Manual\n            steps:", `line 12: "Manual" is not one of ["Auto" "Interactive"]`},
		{"loop parent", "                status: Success", "                status: Success\n                parent_step_details: {step_execution_id: x}",
			`line 17: parent step "x" is not an earlier step of this execution`},
		{"account", `id: "111122223333"`, `id: "1111"`, `line 3: account id "1111" is not a new 12-digit account id`},
		{"region", "name: us-east-1", "name: Virginia", `line 5: region "Virginia" is not a new region name`},
		{"generate", "accounts:", "generate: [{seed: 1, executions: 0}]\naccounts:", "line 2: executions must be positive"},
		{"empty", validScenario, "", "scenario is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Replace(validScenario, tc.old, tc.new, 1)
			if data == validScenario {
				t.Fatalf("%q is not in the scenario", tc.old)
			}
			_, err := ParseScenario([]byte(data))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestLoadScenarioNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(path, []byte("accounts: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadScenario(path); err == nil || err.Error() != path+": line 1: now is required" {
		t.Fatalf("error %v", err)
	}
	if _, err := LoadScenario(filepath.Join(t.TempDir(), "missing.yml")); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestScenarioApplyRunsTheGenerator(t *testing.T) {
	sc, err := ParseScenario([]byte(strings.Replace(validScenario, "accounts:",
		"generate:\n  - {seed: 3, executions: 12, steps: 8, account: \"444455556666\", region: eu-west-1, running_fraction: 0.5}\naccounts:", 1)))
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore()
	if err := sc.Apply(store); err != nil {
		t.Fatal(err)
	}
	generated := store.List("444455556666", "eu-west-1")
	if len(generated) != 12 || len(store.List("111122223333", "us-east-1")) != 1 {
		t.Fatalf("%d generated executions, want 12 beside the written one", len(generated))
	}
	for _, e := range generated {
		if e.StartTime.After(sc.Now) {
			t.Errorf("%s starts at %v, after the scenario's clock", e.ID, e.StartTime)
		}
	}
	if err := sc.Apply(store); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("applying twice: %v", err)
	}
}

func TestE2EScenario(t *testing.T) {
	sc, err := LoadScenario("testdata/e2e.yml")
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore()
	if err := sc.Apply(store); err != nil {
		t.Fatal(err)
	}
	all := liveSnapshot(store)
	checkExecutions(t, all)
	seen := map[string]bool{}
	steps := 0
	for _, e := range all {
		genFeatures(e, seen)
		steps += len(e.Steps)
	}
	if len(all) != 7 || steps != 43 || len(sc.Accounts) != 2 {
		t.Errorf("%d executions with %d steps in %d accounts; the fixture is meant to stay small", len(all), steps, len(sc.Accounts))
	}
	for _, f := range []string{
		"status Success", "status Failed", "status TimedOut", "status InProgress", "status Waiting",
		"failed critical", "failed Continue", "step TimedOut", "step alarm", "loop repeats step names", "child", "targets",
	} {
		if !seen[f] {
			t.Errorf("e2e.yml does not show %q", f)
		}
	}
}
