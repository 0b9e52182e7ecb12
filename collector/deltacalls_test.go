package collector

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// liveLoop is runningLoop with steps that always succeed in live mode: of
// its 180 iterations, done are over and the next one runs.
func liveLoop(done int) *ssmsim.Execution {
	e := runningLoop("ffffffff-0000-4000-8000-000000000001", 180, done)
	for _, s := range e.Steps[2:] {
		s.Action = "aws:sleep"
	}
	return e
}

// TestDeltaCallsOfLiveLoops pins, on a loop of 180 iterations (183 steps,
// four pages in full) moved on by the simulator's live mode, what its warm
// refresh costs, and checks that it exports what a full listing does:
//   - an iteration running, or waiting for an approval, or one that
//     failed with onFailure Continue: the steps started since, one call;
//   - the loop over and the step after it running: that call and the loop
//     step by id;
//   - the execution ended with the loop: the same two calls, the second
//     also fetching the steps it had not started (a step that ends it
//     drops those after it);
//   - an iteration that failed and jumped to the step after the loop,
//     skipping the others: the steps started since, then everything;
//   - an iteration that failed and aborted the execution, most of the
//     steps never started: everything, three pages, as fetching those
//     steps by id would cost more.
func TestDeltaCallsOfLiveLoops(t *testing.T) {
	for _, c := range []struct {
		name  string
		e     *ssmsim.Execution
		ticks int
		after func(e *ssmsim.Execution)
		want  float64
	}{
		{name: "iterating", e: liveLoop(100), ticks: 7, want: 1},
		{name: "waiting", e: approving(liveLoop(100)), ticks: 3, want: 1},
		{name: "failed, continues", e: liveLoop(100), ticks: 3, after: failStep("ffffffff-s0103", "Continue"), want: 1},
		{name: "loop over", e: liveLoop(177), ticks: 3, want: 2},
		{name: "ended", e: liveLoop(177), ticks: 4, want: 2},
		{name: "ended, one dropped", e: endingEarly(liveLoop(177)), ticks: 4, want: 2},
		{name: "failed, aborted", e: liveLoop(100), ticks: 3, after: abort("ffffffff-s0103"), want: 3},
		{name: "failed, jumped", e: liveLoop(100), ticks: 3, after: jump("ffffffff-s0104"), want: 1 + 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, []*ssmsim.Execution{c.e}, ssmsim.Options{})
			h.apply(t, deltaConfig)
			h.registry(t).Gather()
			rnd := rand.New(rand.NewPCG(1, 1))
			for range c.ticks {
				h.clock = h.clock.Add(2 * time.Second)
				ssmsim.Advance(h.store, h.clock, rnd)
			}
			if c.after != nil {
				e := h.store.Get("123456789012", "us-east-1", c.e.ID)
				c.after(e)
				h.store.Put("123456789012", "us-east-1", e)
			}
			before := h.calls("DescribeAutomationStepExecutions")
			reg := h.registry(t)
			if got := executionSeries(t, reg) + stepOrder(h.exp); got != fullListingSeries(t, h.store, h.clock, deltaConfig) {
				t.Fatalf("the delta refresh exports\n%s\n\nnot what a full listing does", got)
			}
			if got := h.calls("DescribeAutomationStepExecutions") - before; got != c.want {
				t.Fatalf("%v step calls, want %v", got, c.want)
			}
		})
	}
}

// approving makes the running iteration an approval, Waiting.
func approving(e *ssmsim.Execution) *ssmsim.Execution {
	for _, s := range e.Steps {
		if s.Status == "InProgress" && s.Action != "aws:loop" {
			s.Action, s.Status = "aws:approve", "Waiting"
		}
	}
	return e
}

// endingEarly makes the step after the loop end the execution, and adds a
// step after it, which never runs.
func endingEarly(e *ssmsim.Execution) *ssmsim.Execution {
	last := e.Steps[len(e.Steps)-1]
	last.IsEnd = boolp(true)
	e.Steps = append(e.Steps, &ssmsim.Step{StepExecutionID: "ffffffff-cleanup", StepName: "cleanup", Action: "aws:sleep", Status: "Pending"})
	return e
}

// failStep makes a step that ended since fail with onFailure onFailure,
// the runbook going on as the simulator did.
func failStep(id, onFailure string) func(e *ssmsim.Execution) {
	return func(e *ssmsim.Execution) {
		for _, s := range e.Steps {
			if s.StepExecutionID == id {
				s.Status, s.OnFailure = "Failed", onFailure
			}
		}
	}
}

// abort makes a step that ended since fail and abort the execution: the
// steps after it are dropped, the loop and the execution fail.
func abort(id string) func(e *ssmsim.Execution) {
	return func(e *ssmsim.Execution) {
		for i, s := range e.Steps {
			if s.StepExecutionID != id {
				continue
			}
			s.Status = "Failed"
			e.Steps = e.Steps[:i+1]
			e.Steps[1].Status, e.Steps[1].EndTime = "Failed", s.EndTime
			e.Status, e.EndTime = "Failed", s.EndTime
			return
		}
	}
}

// jump makes a step that ended since fail with onFailure step:report: the
// steps between are dropped, the loop ends, report runs.
func jump(id string) func(e *ssmsim.Execution) {
	return func(e *ssmsim.Execution) {
		for i, s := range e.Steps {
			if s.StepExecutionID != id {
				continue
			}
			s.Status, s.OnFailure = "Failed", "step:report"
			report := e.Steps[len(e.Steps)-1]
			report.Status, report.StartTime = "InProgress", s.EndTime
			e.Steps[1].Status, e.Steps[1].EndTime = "Success", s.EndTime
			e.Steps = append(e.Steps[:i+1], report)
			return
		}
	}
}
