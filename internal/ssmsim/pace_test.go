package ssmsim

import (
	"testing"
	"time"
)

// paceRun runs a generated fleet, all of it running, in live mode at
// PaceDurations, one tick every tick, until nothing runs, and returns the
// step executions by id.
func paceRun(t *testing.T, tick time.Duration) map[string]*Step {
	t.Helper()
	store := NewStore()
	Generate(store, GenOptions{Seed: 8, Executions: 30, Now: genTestNow, RunningFraction: 1})
	began := genTestNow.Add(time.Second)
	l := newLive(store, LiveOptions{Seed: 3, Now: func() time.Time { return began }, Pace: PaceDurations,
		NewExecutionEvery: 1000 * time.Hour})
	now := began
	for n := 0; countRunning(liveSnapshot(store)) > 0; n++ {
		if n == 20000 {
			t.Fatalf("still running after %d ticks", n)
		}
		now = now.Add(tick)
		l.tick(now)
	}
	all := liveSnapshot(store)
	checkExecutions(t, all)
	steps := map[string]*Step{}
	for _, e := range all {
		for _, st := range e.Steps {
			steps[st.StepExecutionID] = st
			if st.StartTime.Before(began) || st.EndTime.IsZero() {
				continue
			}
			// A step that started in live mode ran its drawn duration,
			// up to the tick after it.
			want := stepDuration(stepRand(3, st.StepExecutionID), st)
			if st.Action == "aws:loop" {
				continue
			}
			if ran := st.EndTime.Sub(st.StartTime); ran < want || ran >= want+tick && st.Status != "TimedOut" {
				t.Errorf("%s %s (%s) ran %v, drawn %v", e.ID, st.StepName, st.Action, ran, want)
			}
		}
	}
	return steps
}

// TestPaceDurationsDependsOnNothingButTheSeed runs the same fleet with a
// tick of 2 s and one of 3 s: every step runs its drawn duration, and both
// runs go through the same step executions with the same outcomes.
func TestPaceDurationsDependsOnNothingButTheSeed(t *testing.T) {
	a, b := paceRun(t, 2*time.Second), paceRun(t, 3*time.Second)
	if len(a) != len(b) {
		t.Fatalf("%d step executions with a tick of 2 s, %d with 3 s", len(a), len(b))
	}
	for id, st := range a {
		if o := b[id]; o == nil || o.Status != st.Status {
			t.Errorf("step %s (%s): %s with a tick of 2 s, %v with 3 s", id, st.Action, st.Status, o)
		}
	}
}

// signatures are the status of each running execution and its steps.
func signatures(store *Store) map[string]string {
	out := map[string]string{}
	store.Update(func(_, _ string, e *Execution) {
		if !e.EndTime.IsZero() {
			return
		}
		sig := e.Status
		for _, st := range e.Steps {
			sig += "," + st.StepExecutionID + ":" + st.Status
		}
		out[e.ID] = sig
	})
	return out
}

// TestPaceDurationsMovesOnlyWhatIsDue checks that a fleet at
// PaceDurations spends its time inside long steps: after the first
// minute, most running executions do not change between two scrapes 15 s
// apart, where at PaceEveryTick all but the approvals do (after 10 s: a minute
// ends nearly all).
func TestPaceDurationsMovesOnlyWhatIsDue(t *testing.T) {
	for _, c := range []struct {
		pace            Pace
		warm            time.Duration
		atLeast, atMost float64 // the share of running executions that change
	}{{PaceEveryTick, 10 * time.Second, 0.5, 1}, {PaceDurations, time.Minute, 0.01, 0.3}} {
		t.Run(string(c.pace), func(t *testing.T) {
			store := NewStore()
			Generate(store, GenOptions{Seed: 2, Executions: 400, StepsPerExecution: 25, RunningFraction: 0.3, Now: genTestNow})
			now := genTestNow
			l := newLive(store, LiveOptions{Seed: 2, Now: func() time.Time { return now }, Pace: c.pace,
				NewExecutionEvery: 1000 * time.Hour, MaxExecutions: 1 << 30})
			run := func(d time.Duration) {
				for end := now.Add(d); now.Before(end); {
					now = now.Add(2 * time.Second)
					l.tick(now)
				}
			}
			run(c.warm)
			before := signatures(store)
			run(15 * time.Second)
			after := signatures(store)
			changed := 0
			for id, sig := range before {
				if after[id] != sig {
					changed++
				}
			}
			share := float64(changed) / float64(max(len(before), 1))
			t.Logf("%d of %d running executions changed in 15 s", changed, len(before))
			if len(before) < 20 || share < c.atLeast || share > c.atMost {
				t.Errorf("%d of %d running executions changed in 15 s (%.2f), want %v to %v", changed, len(before), share, c.atLeast, c.atMost)
			}
		})
	}
}
