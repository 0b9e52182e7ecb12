package config

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"
)

const minimal = `
targets:
  - name: prod
    region: eu-west-1
    discovery:
      - document_name_prefix: Patch-
      - name: restarts
      - {}
`

func mustParse(t *testing.T, yml string) *Config {
	t.Helper()
	c, err := Parse([]byte(yml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, minimal)
	if c.API != DefaultAPI {
		t.Errorf("api = %+v, want %+v", c.API, DefaultAPI)
	}
	want := DefaultAPI
	if want.RequestsPerSecond != 5 || want.Burst != 10 || want.MaxConcurrency != 4 ||
		want.CallTimeout != 10*time.Second || want.MaxAttempts != 5 {
		t.Errorf("DefaultAPI = %+v", want)
	}
	tg := c.Targets[0]
	if tg.Limits != (Limits{MaxExecutions: 1000, MaxStepsPerExecution: 5000, MaxLabelLength: 128}) {
		t.Errorf("limits = %+v", tg.Limits)
	}
	if tg.SessionName != "ssm_automation_exporter" || tg.Details != DetailsSteps || tg.MinRefreshInterval != 0 {
		t.Errorf("session_name %q, details %q, min_refresh_interval %s", tg.SessionName, tg.Details, tg.MinRefreshInterval)
	}
	if tg.Line != 3 {
		t.Errorf("line = %d, want 3", tg.Line)
	}
	var names []string
	for _, r := range tg.Discovery {
		names = append(names, r.Name)
		if r.Lookback != 24*time.Hour || r.MaxExecutions != 200 {
			t.Errorf("rule %s: lookback %s, max_executions %d", r.Name, r.Lookback, r.MaxExecutions)
		}
	}
	if got := strings.Join(names, ","); got != "rule0,restarts,rule2" {
		t.Errorf("rule names = %s", got)
	}
}

func TestExplicitValuesKept(t *testing.T) {
	c := mustParse(t, `
api: {requests_per_second: 0.5, burst: 1, max_concurrency: 64, call_timeout: 1m30s, refresh_timeout: 45s, max_attempts: 1, max_response_bytes: 65536}
targets:
  - name: prod
    region: eu-west-1
    session_name: me
    details: none
    min_refresh_interval: 1w
    limits: {max_executions: 1, max_steps_per_execution: 2, max_label_length: 16}
    discovery:
      - {name: r, lookback: 7d, max_executions: 1, include_children: true}
`)
	want := API{RequestsPerSecond: 0.5, Burst: 1, MaxConcurrency: 64, CallTimeout: 90 * time.Second, RefreshTimeout: 45 * time.Second, MaxAttempts: 1, MaxResponseBytes: 65536}
	if c.API != want {
		t.Errorf("api = %+v, want %+v", c.API, want)
	}
	tg := c.Targets[0]
	if tg.SessionName != "me" || tg.Details != DetailsNone || tg.MinRefreshInterval != 7*24*time.Hour {
		t.Errorf("target = %+v", tg)
	}
	if tg.Limits != (Limits{1, 2, 16}) {
		t.Errorf("limits = %+v", tg.Limits)
	}
	r := tg.Discovery[0]
	if r.Lookback != 7*24*time.Hour || r.MaxExecutions != 1 || !r.IncludeChildren {
		t.Errorf("rule = %+v", r)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	c := mustParse(t, `
targets:
  - &base
    name: a
    region: eu-west-1
    details: executions
    limits: {max_executions: 5, max_label_length: 20}
    executions: &ids [{id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab}]
  - <<: *base
    name: b
    limits: {max_executions: 7}
  - name: c
    region: eu-west-2
    executions: *ids
  - <<: [{name: d, region: eu-west-3}, {name: ignored, details: none}]
    executions: *ids
`)
	a, b, cc, d := c.Targets[0], c.Targets[1], c.Targets[2], c.Targets[3]
	// In a list of merged mappings the earlier ones win.
	if d.Name != "d" || d.Region != "eu-west-3" || d.Details != DetailsNone {
		t.Errorf("target merged from a list = %+v", d)
	}
	if b.Region != "eu-west-1" || b.Details != DetailsExecutions || len(b.Executions) != 1 {
		t.Errorf("merged target = %+v", b)
	}
	// An explicit key replaces the merged value as a whole.
	if b.Limits != (Limits{MaxExecutions: 7, MaxStepsPerExecution: 5000, MaxLabelLength: 128}) {
		t.Errorf("merged limits = %+v", b.Limits)
	}
	if a.Limits.MaxLabelLength != 20 || !reflect.DeepEqual(cc.Executions, a.Executions) {
		t.Errorf("anchored values: a = %+v, c = %+v", a, cc)
	}

	_, err := Parse([]byte(`
targets:
  - &base
    name: a
    region: eu-west-1
    executions: [{id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab}]
  - <<: *base
    limits: {max_executions: 0}
`))
	want := "line 4: targets[1].name: \"a\" is already the name of targets[0]\n" +
		"line 8: targets[1].limits.max_executions: must be positive, got 0"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestExampleLoads(t *testing.T) {
	c, err := Load("../example.yml")
	if err != nil {
		t.Fatalf("example.yml: %v", err)
	}
	if len(c.Targets) != 2 {
		t.Fatalf("%d targets, want 2", len(c.Targets))
	}
	prod := c.Targets[0]
	wantExec := []Execution{{
		ID:      "8a8e9f1c-2c4d-4e55-9a0b-0123456789ab",
		Filters: []Filter{{Key: "StepExecutionStatus", Values: []string{"Failed", "TimedOut"}}},
	}}
	if prod.Name != "prod-eu-west-1" || prod.Region != "eu-west-1" || !reflect.DeepEqual(prod.Executions, wantExec) {
		t.Errorf("first target = %+v", prod)
	}
	rule := c.Targets[1].Discovery[0]
	if rule.Name != "patching" || rule.Lookback != 48*time.Hour || rule.AutomationType != "Local" ||
		!rule.IncludeChildren || len(rule.Filters) != 1 || len(rule.StepFilters) != 1 {
		t.Errorf("first rule = %+v", rule)
	}
	if got := c.Targets[1].Discovery[1].Name; got != "rule1" {
		t.Errorf("second rule named %q, want rule1", got)
	}
	var names []string
	for _, e := range c.ExpandedTargets() {
		names = append(names, e.Name)
	}
	want := "prod-eu-west-1 fleet/111111111111/us-east-1 fleet/111111111111/eu-central-1 " +
		"fleet/222222222222/us-east-1 fleet/222222222222/eu-central-1"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("expanded targets:\n got %s\nwant %s", got, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want one wrapping fs.ErrNotExist", err)
	}
}

func TestErrorsFormat(t *testing.T) {
	errs := Errors{
		{Line: 3, Path: "targets[0].name", Message: "required"},
		{Path: "targets", Message: "no line"},
		{Line: 1, Message: "no path"},
	}
	want := "line 3: targets[0].name: required\ntargets: no line\nline 1: no path"
	if got := errs.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
