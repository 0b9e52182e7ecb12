package collector

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestSettledExecutionsCountOnceEvenWhenIDsAreForgotten(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	h.exp.targets["t1"].finished.seen = newSeenMemory(3) // forgets almost at once
	failed := map[string]string{"document_name": "Custom-Remediate", "status": "Failed"}
	for i := range 4 {
		if v, _ := value(t, h.registry(t), "ssm_automation_executions_finished_total", failed); v != 1 {
			t.Fatalf("scrape %d: executions_finished_total = %v, want 1", i, v)
		}
	}
}

// A scrape out of time while a refresh goes on in the background answers
// with the last good series, and up stays that of the last completed
// refresh, which fetched everything: 1 (it was 0 before refreshes outlived
// their scrape).
func TestScrapeOutOfTimeKeepsUpOfTheLastCompletedRefresh(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	want := executionLines(t, h.registry(t))
	h.sim.SetFaults(ssmsim.Faults{Latency: 500 * time.Millisecond})
	for i := range 5 {
		reg := scrapeWithin(t, h, 50*time.Millisecond)
		if v, _ := value(t, reg, "ssm_automation_up", nil); v != 1 {
			t.Fatalf("scrape %d ran out of time while the last completed refresh was good, but reports up %v", i, v)
		}
		if v, _ := value(t, reg, "ssm_automation_pending_executions", nil); v != 0 {
			t.Fatalf("scrape %d: pending_executions %v, want 0", i, v)
		}
		if got := executionLines(t, reg); len(got) != len(want) {
			t.Fatalf("scrape %d: %d executions, want the last good %d", i, len(got), len(want))
		}
	}
}

func TestFailedDiscoveryKeepsWhatEachRuleFound(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery:
      - name: fleet
        document_name_prefix: AWS-Patch
      - name: remediation
        document_name_prefix: Custom
        step_filters: [{key: StepExecutionStatus, values: [Failed]}]
`)
	before := h.registry(t)
	ids, lines := exportedIDs(t, before), executionLines(t, before)
	stat := func(g prometheus.Gatherer, rule string) float64 {
		v, _ := value(t, g, "ssm_automation_discovered_executions", map[string]string{"rule": rule})
		return v
	}
	if stat(before, "fleet") != 3 || stat(before, "remediation") != 1 {
		t.Fatalf("discovered fleet %v, remediation %v; want 3 and 1", stat(before, "fleet"), stat(before, "remediation"))
	}
	h.sim.SetFaults(ssmsim.Faults{ErrorRates: map[string]float64{"InternalServerError": 1}})
	after := h.registry(t)
	if v, _ := value(t, after, "ssm_automation_up", nil); v != 0 {
		t.Fatal("failed discovery must report up 0")
	}
	if got := exportedIDs(t, after); !slices.Equal(got, ids) {
		t.Fatalf("executions after failed discovery %v, want %v", got, ids)
	}
	if stat(after, "fleet") != 3 || stat(after, "remediation") != 1 {
		t.Fatal("a failed rule must keep reporting what it found last")
	}
	for id, l := range lines {
		if got := executionLines(t, after)[id]; !slices.Equal(got, l) && id != idRunning {
			t.Fatalf("series of %s changed after failed discovery (step filters of the wrong rule?)", id)
		}
	}
}

func TestReloadWithOtherStepFiltersRefetches(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_execution_steps", map[string]string{"execution_id": idFailed, "status": "Success"}); v != 1 {
		t.Fatalf("unfiltered: %v successful steps, want 1", v)
	}
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: `+idFailed+`
        filters: [{key: StepExecutionStatus, values: [Failed, TimedOut]}]
`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reg = scraped(t, h.exp.Scrape(ctx, nil))
	if v, _ := value(t, reg, "ssm_automation_execution_steps", map[string]string{"execution_id": idFailed, "status": "Success"}); v != 0 {
		t.Fatalf("after the reload the filter must apply to the ended execution too: %v successful steps", v)
	}
	if v, _ := value(t, reg, "ssm_automation_steps_finished_total", map[string]string{"step_name": "fix", "status": "Failed"}); v != 1 {
		t.Fatalf("the refetch must not count again: %v", v)
	}
}
