package collector

import (
	"slices"
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
// of its executions running and looping runbooks of hundreds of step
// executions, that a warm scrape costs exactly the warm listing of its
// rule (see warmDiscoveryCalls: the running executions and the newest
// second, 3 calls where the whole window takes 8) plus the delta of each
// execution still running (see warmStepCalls), and at most 1.1 step calls
// per running execution.
func TestWarmCallsOnAGeneratedFleet(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	execs := ssmsim.GenerateAverage(h.store, ssmsim.GenOptions{Seed: 11, Executions: 400, StepsPerExecution: 25, RunningFraction: 0.2, Now: fixedNow}, 25)
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all, lookback: 48h, max_executions: 5000}]
`)
	discovery := warmDiscoveryCalls(execs, execs)
	if discovery != 3 {
		t.Fatalf("the warm listing of the fleet takes %d calls, want 3 (a full one %d)", discovery, pagesOf(len(execs)))
	}
	cold, warm := float64(pagesOf(len(execs))), float64(discovery)
	running, full := 0, 0
	for _, e := range execs {
		cold += float64(pagesOf(len(e.Steps)))
		if !isTerminal(e.Status) || !settledSteps(e) {
			warm += float64(warmStepCalls(e))
			full += pagesOf(len(e.Steps))
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
	got := totalCalls(h) - coldCalls
	if got != warm {
		t.Fatalf("warm scrape: %v calls, want %v (warm listing + deltas of the %d running executions)", got, warm, running)
	}
	steps := got - float64(discovery)
	if per := steps / float64(running); per > 1.1 {
		t.Fatalf("%v step calls for %d running executions (%.2f each; a full listing of each takes %d)", steps, running, per, full)
	}
	t.Logf("warm: %v step calls for %d running executions (a full listing of each: %d)", steps, running, full)
}

// warmStepCalls is what refreshing an execution that can still change,
// and did not since the last whole listing, costs (see planDelta): the
// steps started in the second of the newest start, one page, and the
// unfinished steps started before, ten ids a call, but for a running loop
// step whose iteration is listed running. Once the execution has ended,
// the steps not started are fetched by id too. A whole listing when that
// costs no more (for an execution ended other than in Success, counting
// every step not started by id), or when nothing started.
func warmStepCalls(e *ssmsim.Execution) int {
	var newest time.Time
	for _, s := range e.Steps {
		newest = maxTime(newest, s.StartTime)
	}
	since, ended := newest.Truncate(time.Second), isTerminal(e.Status)
	var listed, loops []*ssmsim.Step
	started, open := 0, 0
	for _, s := range e.Steps {
		switch {
		case s.StartTime.IsZero():
			continue
		case !s.StartTime.Before(since):
			listed = append(listed, s)
			continue
		case isTerminal(s.Status):
		case !ended && s.Action == "aws:loop" && s.Status == "InProgress":
			loops = append(loops, s)
		default:
			open++
		}
		started++
	}
	byID := open
	for _, l := range loops {
		if !slices.ContainsFunc(listed, func(s *ssmsim.Step) bool {
			return s.ParentStepDetails != nil && s.ParentStepDetails.StepName == l.StepName && (s.Status == "InProgress" || s.Status == "Waiting")
		}) {
			byID++
		}
	}
	firm, worst, whole, notStarted := callsByID(open), callsByID(open+len(loops)), pagesOf(len(e.Steps)), len(e.Steps)-started-len(listed)
	if ended && e.Status != "Success" {
		firm = callsByID(open + notStarted) // they were most likely dropped
	}
	switch {
	case newest.IsZero(), ended && 1+firm >= pagesOf(started+len(listed)), !ended && worst > 0 && 1+firm >= whole:
		return whole
	case ended && callsByID(byID+notStarted) > pagesOf(started+len(listed)):
		return pagesOf(len(listed)) + whole
	case ended:
		return pagesOf(len(listed)) + callsByID(byID+notStarted)
	}
	return pagesOf(len(listed)) + callsByID(byID)
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
