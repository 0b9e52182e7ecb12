package collector

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestLimitsCutAndCount(t *testing.T) {
	execs := scenario()
	execs[1].DocumentName = strings.Repeat("Long-Document-Name-", 5) // 95 characters
	h := newHarness(t, execs, ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all}]
    limits:
      max_executions: 3
      max_steps_per_execution: 2
      max_label_length: 32
`)
	reg := h.registry(t)
	cut := func(limit string) float64 {
		v, _ := value(t, h.base, "ssm_automation_exporter_limit_cut_total", map[string]string{"target": "t1", "limit": limit})
		return v
	}
	if got := len(exportedIDs(t, reg)); got != 3 || cut("executions") != 1 {
		t.Fatalf("exported %d executions, cut %v; want 3 and 1", got, cut("executions"))
	}
	if v, _ := value(t, reg, "ssm_automation_execution_steps", map[string]string{"execution_id": idLoop, "status": "Success"}); v > 2 {
		t.Fatalf("kept %v steps of the loop execution, want at most 2", v)
	}
	if cut("steps") == 0 {
		t.Fatal("the steps cut were not counted")
	}
	if _, ok := value(t, reg, "ssm_automation_execution_info", map[string]string{"document_name": "Long-Document-Name-Long-Document"}); !ok || cut("label_length") == 0 {
		t.Fatalf("a long label value must be cut to 32 bytes and counted (cut %v)", cut("label_length"))
	}
}

func TestResponseBodyCap(t *testing.T) {
	execs := scenario()
	for _, s := range execs[2].Steps {
		s.Response = strings.Repeat("x", 40<<10) // two steps: 80 KiB in one page
	}
	h := newHarness(t, execs, ssmsim.Options{})
	h.apply(t, `
api:
  requests_per_second: 10000
  burst: 10000
  max_response_bytes: 65536
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all}]
`)
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_up", nil); v != 0 {
		t.Fatal("a response over the cap must fail its call")
	}
	if v, _ := value(t, h.base, "ssm_automation_exporter_limit_cut_total", map[string]string{"limit": "response_bytes"}); v == 0 {
		t.Fatal("the response cut was not counted")
	}
	if v := sum(t, h.base, "ssm_automation_exporter_api_requests_total", map[string]string{"code": "ResponseTooLarge"}); v == 0 {
		t.Fatal("the call was not counted as ResponseTooLarge")
	}
	if _, ok := value(t, reg, "ssm_automation_step_status", map[string]string{"step_execution_id": "s-f2"}); !ok {
		t.Fatal("the other executions must still be exported")
	}
}

// TestWarmCallsOnAGeneratedFleet checks, on a generated fleet with a fifth
// of its executions running, that a warm scrape costs exactly the discovery
// pages plus the pages of the executions still running.
func TestWarmCallsOnAGeneratedFleet(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	execs := ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: 11, Executions: 120, StepsPerExecution: 25, RunningFraction: 0.2, Now: fixedNow})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all, lookback: 48h, max_executions: 5000}]
`)
	pages := func(n int) float64 { return math.Max(1, math.Ceil(float64(n)/50)) }
	cold, warm := pages(len(execs)), pages(len(execs))
	running := 0
	for _, e := range execs {
		cold += pages(len(e.Steps))
		if !isTerminal(e.Status) || !settledSteps(e) {
			warm += pages(len(e.Steps))
			running++
		}
	}
	if running == 0 || running == len(execs) {
		t.Fatalf("%d of %d executions running: the fleet should mix both", running, len(execs))
	}
	h.registry(t).Gather()
	coldCalls := totalCalls(h)
	if coldCalls != cold {
		t.Fatalf("cold scrape: %v calls, want %v", coldCalls, cold)
	}
	h.clock = fixedNow.Add(time.Minute)
	h.registry(t).Gather()
	if got := totalCalls(h) - coldCalls; got != warm {
		t.Fatalf("warm scrape: %v calls, want %v (discovery pages + pages of the %d running executions)", got, warm, running)
	}
}

// settledSteps reports whether no step of a simulated execution still moves.
func settledSteps(e *ssmsim.Execution) bool {
	for _, s := range e.Steps {
		if !isTerminal(s.Status) && s.Status != "Pending" {
			return false
		}
	}
	return true
}
