package ssmsim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// genDigest is a digest of every field of es.
func genDigest(t *testing.T, es []*Execution) string {
	t.Helper()
	b, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestGenerateWithoutSteadyStateIsUnchanged pins the data of the frozen
// workloads (W1, W2): generated without SteadyState, they stay what they
// were before the option existed.
func TestGenerateWithoutSteadyStateIsUnchanged(t *testing.T) {
	for _, c := range []struct {
		executions int
		want       string
	}{
		{200, "3978ec1a7d1ebd7cb907ab915f6337d283d3732231306e279f811a1e0f75ac9d"},
		{2000, "b746e77868d20eae7f77ce94a4cbe33cad842b9a03d28493c2930e242d3d8647"},
	} {
		es := GenerateAverage(nil, GenOptions{Seed: 1, Executions: c.executions, StepsPerExecution: 25,
			RunningFraction: 0.2, Now: genTestNow}, 25)
		if got := genDigest(t, es); got != c.want {
			t.Errorf("%d executions: digest %s, want %s", c.executions, got, c.want)
		}
	}
}

// TestSteadyCutIsProportionalToMeanDuration draws the running step of one
// run many times: each step is chosen in proportion to its action's mean
// duration, and a loop step never.
func TestSteadyCutIsProportionalToMeanDuration(t *testing.T) {
	var steps []*Step
	for _, a := range []string{"aws:executeAwsApi", "aws:runCommand", "aws:loop", "aws:approve", "aws:sleep", "aws:branch"} {
		st := &Step{Action: a}
		if a == "aws:sleep" {
			st.Inputs = map[string]string{"Duration": "PT1M"}
		}
		steps = append(steps, st)
	}
	total := 0.0
	for _, st := range steps {
		if st.Action != "aws:loop" {
			total += meanStepDuration(st).Seconds()
		}
	}
	const draws = 200000
	counts := make([]int, len(steps))
	r := rand.New(rand.NewPCG(1, 2))
	for range draws {
		counts[steadyCut(r, steps)]++
	}
	for i, st := range steps {
		got, want := float64(counts[i])/draws, 0.0
		if st.Action != "aws:loop" {
			want = meanStepDuration(st).Seconds() / total
		}
		// generous: a third either side, at least 0.05 points
		if math.Abs(got-want) > max(want/3, 0.0005) {
			t.Errorf("%s: chosen %.4f of the time, want %.4f", st.Action, got, want)
		}
	}
}

// TestMeanStepDuration checks the means against the log-scale spans.
func TestMeanStepDuration(t *testing.T) {
	for _, c := range []struct {
		st   *Step
		want time.Duration
	}{
		{&Step{Action: "aws:executeAwsApi"}, 2485 * time.Millisecond},                                // 4 s ÷ ln 5
		{&Step{Action: "aws:approve"}, 2171 * time.Second},                                           // 6900 s ÷ ln 24
		{&Step{Action: "aws:sleep", Inputs: map[string]string{"Duration": "PT5M"}}, 5 * time.Minute}, // its input
		{&Step{Action: "aws:approve", TimeoutSeconds: genPtr(int64(60))}, time.Minute},               // below the span
		{&Step{Action: "aws:runCommand", TimeoutSeconds: genPtr(int64(900))}, 255786 * time.Millisecond},
	} {
		got := meanStepDuration(c.st)
		if d := got - c.want; d < -time.Second || d > time.Second {
			t.Errorf("%s (timeout %v): %v, want %v", c.st.Action, c.st.TimeoutSeconds, got, c.want)
		}
	}
	// a timeout inside the span lowers the mean, above it changes nothing
	capped := meanStepDuration(&Step{Action: "aws:executeAutomation", TimeoutSeconds: genPtr(int64(600))})
	if full := meanStepDuration(&Step{Action: "aws:executeAutomation"}); capped >= full || capped < 2*time.Minute {
		t.Errorf("executeAutomation capped at 10 min: %v, uncapped %v", capped, full)
	}
}

// steadyTestOptions generate many running executions.
var steadyTestOptions = GenOptions{Seed: 3, Executions: 5000, RunningFraction: 0.9, Now: genTestNow, SteadyState: true, LiveSeed: 5}

// TestGenerateSteadyStatePlacesRunningExecutions checks where a
// steady-state fleet's running executions stand: inside long steps in
// proportion to their durations, rarely inside quick ones, each a uniform
// fraction into the time live mode draws for its step.
func TestGenerateSteadyStatePlacesRunningExecutions(t *testing.T) {
	opts := steadyTestOptions
	es := Generate(nil, opts)
	checkExecutions(t, es)
	shares := func(es []*Execution) (map[string]float64, []*Execution) {
		n, by := 0, map[string]float64{}
		var running []*Execution
		for _, e := range es {
			if e.Status == "InProgress" || e.Status == "Waiting" {
				n++
				by[e.CurrentAction]++
				running = append(running, e)
			}
		}
		for a := range by {
			by[a] /= float64(n)
		}
		return by, running
	}
	steady, running := shares(es)
	opts.SteadyState = false
	even, _ := shares(Generate(nil, opts))
	quick := func(by map[string]float64) float64 {
		return by["aws:branch"] + by["aws:executeAwsApi"] + by["aws:assertAwsResourceProperty"]
	}
	t.Logf("%d running; steady %v; even %v", len(running), steady, even)
	if q := quick(steady); q > 0.01 || quick(even) < 0.1 {
		t.Errorf("inside quick steps: %.3f steady, %.3f evenly", q, quick(even))
	}
	// approve's mean is ~870 times executeAwsApi's; the runbooks hold
	// more executeAwsApi steps (the loop's), so ask for a twentieth of it;
	// evenly by position, it is about 1
	if r := steady["aws:approve"] / max(steady["aws:executeAwsApi"], 1e-9); r < 40 {
		t.Errorf("approve ÷ executeAwsApi: %.0f", r)
	}
	sum := 0.0
	for _, e := range running {
		st := e.Steps[activeStep(e.Steps)]
		d := stepDuration(stepRand(opts.LiveSeed, st.StepExecutionID), st)
		elapsed := genTestNow.Sub(st.StartTime)
		if elapsed < 0 || elapsed > d+time.Millisecond {
			t.Fatalf("%s: %s running for %v of %v", e.ID, st.StepName, elapsed, d)
		}
		sum += float64(elapsed) / float64(d)
	}
	if mean := sum / float64(len(running)); mean < 0.45 || mean > 0.55 {
		t.Errorf("mean fraction of the step's time spent: %.3f", mean)
	}
}

// TestGenerateSteadyStateChangesOnlyTheRunning: the same executions, the
// finished ones identical, deterministic by seed.
func TestGenerateSteadyStateChangesOnlyTheRunning(t *testing.T) {
	opts := steadyTestOptions
	opts.Executions, opts.RunningFraction = 500, 0.2
	a, b := Generate(nil, opts), Generate(nil, opts)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed produced different data")
	}
	opts.SteadyState = false
	even := Generate(nil, opts)
	if len(even) != len(a) {
		t.Fatalf("%d executions, %d without SteadyState", len(a), len(even))
	}
	moved := 0
	for i, e := range a {
		running := e.Status == "InProgress" || e.Status == "Waiting"
		switch {
		case e.ID != even[i].ID || e.DocumentName != even[i].DocumentName:
			t.Fatalf("execution %d: %s %s, without SteadyState %s %s", i, e.ID, e.DocumentName, even[i].ID, even[i].DocumentName)
		case !running && !reflect.DeepEqual(e, even[i]):
			t.Errorf("finished %s differs", e.ID)
		case running && !reflect.DeepEqual(e, even[i]):
			moved++
		}
	}
	if moved == 0 {
		t.Error("SteadyState moved no running execution")
	}
}
