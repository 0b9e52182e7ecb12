package collector

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// exportedIDs lists the execution ids that have an execution_info series.
func exportedIDs(t *testing.T, g prometheus.Gatherer) []string {
	t.Helper()
	var ids []string
	for _, mf := range mustGather(t, g) {
		if mf.GetName() != "ssm_automation_execution_info" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "execution_id" {
					ids = append(ids, lp.GetValue())
				}
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// direct lists what DescribeAutomationExecutions returns for filters.
func direct(t *testing.T, h *harness, filters []types.AutomationExecutionFilter) []string {
	t.Helper()
	client := ssmsim.SDKClient(context.Background(), h.url, "AKIDTEST", "us-east-1")
	p := ssm.NewDescribeAutomationExecutionsPaginator(client, &ssm.DescribeAutomationExecutionsInput{Filters: filters})
	var ids []string
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.AutomationExecutionMetadataList {
			ids = append(ids, aws.ToString(m.AutomationExecutionId))
		}
	}
	sort.Strings(ids)
	return ids
}

func TestDiscoveryFiltersSelectWhatTheAPIReturns(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	execs := ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: 7, Executions: 60, StepsPerExecution: 6, Now: fixedNow, Spread: 12 * time.Hour})
	after := func(d time.Duration) types.AutomationExecutionFilter {
		return types.AutomationExecutionFilter{Key: "StartTimeAfter", Values: []string{fixedNow.Add(-d).UTC().Format(time.RFC3339)}}
	}
	someDoc, someAction := execs[0].DocumentName, ""
	for _, e := range execs {
		if e.CurrentAction != "" {
			someAction = e.CurrentAction
		}
	}
	cases := []struct {
		rule    string
		filters []types.AutomationExecutionFilter
	}{
		{"lookback: 6h", []types.AutomationExecutionFilter{after(6 * time.Hour)}},
		{"document_name_prefix: " + someDoc[:5], []types.AutomationExecutionFilter{{Key: "DocumentNamePrefix", Values: []string{someDoc[:5]}}, after(24 * time.Hour)}},
		{"statuses: [Failed, TimedOut]", []types.AutomationExecutionFilter{{Key: "ExecutionStatus", Values: []string{"Failed", "TimedOut"}}, after(24 * time.Hour)}},
		{"tag_key: team", []types.AutomationExecutionFilter{after(24 * time.Hour), {Key: "TagKey", Values: []string{"team"}}}},
		{"automation_type: CrossAccount", []types.AutomationExecutionFilter{after(24 * time.Hour), {Key: "AutomationType", Values: []string{"CrossAccount"}}}},
		{"filters: [{key: CurrentAction, values: [" + someAction + "]}]", []types.AutomationExecutionFilter{after(24 * time.Hour), {Key: "CurrentAction", Values: []string{someAction}}}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    details: executions
    discovery:
      - name: r
        max_executions: 1000
        `+c.rule+`
`)
			want := direct(t, h, c.filters)
			if len(want) == 0 || len(want) == len(execs) {
				t.Fatalf("the case should select some but not all executions: %d of %d", len(want), len(execs))
			}
			if got := exportedIDs(t, h.registry(t)); !slices.Equal(got, want) {
				t.Fatalf("exported %d executions, the API returns %d:\n got %v\nwant %v", len(got), len(want), got, want)
			}
		})
	}
}

func TestLookbackMovesWithTime(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	cfg := `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery:
      - name: recent
        lookback: 1h
`
	h.apply(t, cfg)
	if got := exportedIDs(t, h.registry(t)); !slices.Equal(got, []string{idFailed, idRunning, idChild}) {
		t.Fatalf("at noon: %v", got)
	}
	h.clock = fixedNow.Add(30 * time.Minute) // the failed run (started 11:00) leaves the window
	if got := exportedIDs(t, h.registry(t)); !slices.Equal(got, []string{idRunning, idChild}) {
		t.Fatalf("at 12:30: %v", got)
	}
}

func TestChildrenAreFollowed(t *testing.T) {
	for _, follow := range []bool{false, true} {
		t.Run(fmt.Sprint(follow), func(t *testing.T) {
			h := newHarness(t, scenario(), ssmsim.Options{})
			h.apply(t, fmt.Sprintf(`
targets:
  - name: t1
    region: us-east-1
    endpoint: %%s
    discovery:
      - name: parent
        include_children: %v
        filters:
          - key: ExecutionId
            values: [`+idRunning+`]
`, follow))
			want := []string{idRunning}
			if follow {
				want = []string{idRunning, idChild}
			}
			if got := exportedIDs(t, h.registry(t)); !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestMaxExecutionsCapsAndCounts(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery:
      - name: fleet
        document_name_prefix: AWS-Patch
        max_executions: 2
`)
	reg := h.registry(t)
	if got := exportedIDs(t, reg); !slices.Equal(got, []string{idRunning, idChild}) {
		t.Fatalf("kept %v, want the two newest", got)
	}
	rule := map[string]string{"target": "t1", "rule": "fleet"}
	if v, _ := value(t, reg, "ssm_automation_discovered_executions", rule); v != 3 {
		t.Fatalf("discovered = %v, want 3", v)
	}
	if v, _ := value(t, reg, "ssm_automation_discovery_dropped_executions", rule); v != 1 {
		t.Fatalf("dropped = %v, want 1", v)
	}
}

func TestExecutionFoundTwiceIsExportedOnce(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: `+idFailed+`
      - id: `+idRunning+`
    discovery:
      - name: a
      - name: b
        document_name_prefix: AWS-Patch
`)
	before := h.calls("DescribeAutomationStepExecutions")
	reg := h.registry(t) // Gather fails on a duplicate series
	if got := exportedIDs(t, reg); !slices.Equal(got, []string{idLoop, idFailed, idRunning, idChild}) {
		t.Fatalf("got %v", got)
	}
	if n := h.calls("DescribeAutomationStepExecutions") - before; n != 4 {
		t.Fatalf("%v step calls, want one per execution (4)", n)
	}
}
