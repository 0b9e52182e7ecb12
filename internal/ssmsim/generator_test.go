package ssmsim

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

var genTestNow = time.Date(2024, 6, 3, 12, 0, 0, 0, time.UTC)

func isFailure(st *Step) bool { return st.Status == "Failed" || st.Status == "TimedOut" }

// invariantProblems lists the ways e breaks what every simulated execution
// keeps: consistent statuses, ordered times, well-formed loops.
func invariantProblems(e *Execution) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, e.ID+": "+fmt.Sprintf(format, args...)) }
	running := e.Status == "InProgress" || e.Status == "Waiting"
	switch e.Status {
	case "Success", "Failed", "TimedOut", "Cancelled", "InProgress", "Waiting":
	default:
		bad("status %q", e.Status)
	}
	if len(e.ID) != 36 {
		bad("id %q is not 36 characters", e.ID)
	}
	if running != e.EndTime.IsZero() || (!running && e.EndTime.Before(e.StartTime)) {
		bad("status %s with end time %v", e.Status, e.EndTime)
	}
	if len(e.TriggeredAlarms) > 1 {
		bad("%d execution alarms", len(e.TriggeredAlarms))
	}
	ids := map[string]int{}
	for i, st := range e.Steps {
		if _, dup := ids[st.StepExecutionID]; dup || len(st.StepExecutionID) != 36 {
			bad("step id %q", st.StepExecutionID)
		}
		ids[st.StepExecutionID] = i
		stepShapeProblems(e, i, ids, bad)
	}
	active, lastRun := stepOrderProblems(e, running, bad)
	if !running {
		finishedProblems(e, lastRun, bad)
		return out
	}
	switch {
	case active < 0:
		bad("running without a running step")
	case e.Status != map[bool]string{true: "Waiting", false: "InProgress"}[e.Steps[active].Status == "Waiting"]:
		bad("status %s while step %d is %s", e.Status, active, e.Steps[active].Status)
	case e.CurrentStepName != e.Steps[active].StepName || e.CurrentAction != e.Steps[active].Action:
		bad("current step %s/%s, running %s", e.CurrentStepName, e.CurrentAction, e.Steps[active].StepName)
	}
	return out
}

// stepShapeProblems checks one step on its own and against its loop.
func stepShapeProblems(e *Execution, i int, ids map[string]int, bad func(string, ...any)) {
	st := e.Steps[i]
	if !scenarioActionRe.MatchString(st.Action) || st.StepName == "" {
		bad("step %d name %q action %q", i, st.StepName, st.Action)
	}
	if len(st.TriggeredAlarms) > 1 || (len(st.TriggeredAlarms) == 1 && st.TriggeredAlarms[0].State != "ALARM") {
		bad("step %d alarms %v", i, st.TriggeredAlarms)
	}
	if st.MaxAttempts != nil && (*st.MaxAttempts < 1 || *st.MaxAttempts > 3) {
		bad("step %d max attempts %d", i, *st.MaxAttempts)
	}
	if st.Status == "TimedOut" && st.Action != "aws:loop" && (st.TimeoutSeconds == nil ||
		st.EndTime.Sub(st.StartTime) != time.Duration(*st.TimeoutSeconds)*time.Second) {
		bad("step %d timed out without lasting its timeout", i)
	}
	if isFailure(st) && (st.FailureMessage == "" || st.FailureDetails == nil) {
		bad("step %d %s without failure message and details", i, st.Status)
	}
	ps := st.ParentStepDetails
	if ps == nil {
		return
	}
	j, ok := ids[ps.StepExecutionID]
	if !ok || j >= i || e.Steps[j].Action != "aws:loop" || e.Steps[j].StepName != ps.StepName ||
		ps.Action != "aws:loop" || ps.Iteration < 1 || ps.IteratorValue == "" {
		bad("step %d parent details %+v", i, *ps)
	} else if loop := e.Steps[j]; st.Status != "Pending" && (st.StartTime.Before(loop.StartTime) ||
		(!loop.EndTime.IsZero() && st.EndTime.After(loop.EndTime))) {
		bad("step %d outside its loop's times", i)
	}
}

// stepOrderProblems checks statuses and times along the step list: finished
// steps, then the running one, then Pending ones, starts never decreasing.
// It returns the running step's index and the last started step's.
func stepOrderProblems(e *Execution, running bool, bad func(string, ...any)) (active, lastRun int) {
	active, lastRun = -1, -1
	var prevStart time.Time
	pendingSeen := false
	for i, st := range e.Steps {
		switch st.Status {
		case "Pending":
			pendingSeen = true
			if !running || !st.StartTime.IsZero() || !st.EndTime.IsZero() {
				bad("step %d pending with times %v %v in a %s execution", i, st.StartTime, st.EndTime, e.Status)
			}
			continue
		case "InProgress", "Waiting":
			if !running || !st.EndTime.IsZero() || (st.Status == "Waiting" && st.Action != "aws:approve") {
				bad("step %d %s %s in a %s execution", i, st.Action, st.Status, e.Status)
			}
			if st.Action != "aws:loop" {
				if active >= 0 {
					bad("steps %d and %d both running", active, i)
				}
				active = i
			}
		case "Success", "Failed", "TimedOut", "Cancelled":
			if st.EndTime.Before(st.StartTime) || (!running && st.EndTime.After(e.EndTime)) {
				bad("step %d ends at %v", i, st.EndTime)
			}
			if active >= 0 {
				bad("step %d finished after the running step %d", i, active)
			}
		default:
			bad("step %d status %q", i, st.Status)
		}
		if pendingSeen || st.StartTime.Before(e.StartTime) || st.StartTime.Before(prevStart) {
			bad("step %d starts at %v, out of order", i, st.StartTime)
		}
		prevStart = st.StartTime
		if st.Action != "aws:loop" {
			lastRun = i
		}
	}
	return active, lastRun
}

// finishedProblems checks that a finished execution's status follows from its steps.
func finishedProblems(e *Execution, lastRun int, bad func(string, ...any)) {
	var aborted, critical, cancelled *Step
	for i, st := range e.Steps {
		stops := st.Action != "aws:loop" && (isFailure(st) && isAbort(st.OnFailure) ||
			st.Status == "Cancelled" || (st.IsEnd != nil && *st.IsEnd))
		if stops && i != lastRun {
			bad("step %d (%s %s) should have been the last to run", i, st.StepName, st.Status)
		}
		switch {
		case st.Status == "Cancelled":
			cancelled = st
		case isFailure(st) && isAbort(st.OnFailure) && aborted == nil:
			aborted = st
		case isFailure(st) && (st.IsCritical == nil || *st.IsCritical) && critical == nil:
			critical = st
		}
	}
	want := "Success"
	switch {
	case cancelled != nil:
		want = "Cancelled"
	case aborted != nil:
		want = aborted.Status
	case critical != nil:
		want = "Failed"
	}
	if e.Status != want {
		bad("status %s, its steps say %s", e.Status, want)
	}
	if (e.Status == "Failed" || e.Status == "TimedOut") && e.FailureMessage == "" {
		bad("%s without a failure message", e.Status)
	}
}

// checkExecutions applies invariantProblems to every execution, checks ids
// are unique across them and that children sit inside their parents.
func checkExecutions(t *testing.T, es []*Execution) {
	t.Helper()
	byID := map[string]*Execution{}
	steps := map[string]bool{}
	for _, e := range es {
		for _, p := range invariantProblems(e) {
			t.Error(p)
		}
		if byID[e.ID] != nil {
			t.Errorf("duplicate execution id %s", e.ID)
		}
		byID[e.ID] = e
		for _, st := range e.Steps {
			if steps[st.StepExecutionID] {
				t.Errorf("%s: step id %s used twice", e.ID, st.StepExecutionID)
			}
			steps[st.StepExecutionID] = true
		}
	}
	for _, e := range es {
		if e.ParentExecutionID == "" {
			continue
		}
		p := byID[e.ParentExecutionID]
		switch {
		case p == nil:
			t.Errorf("%s: parent %s missing", e.ID, e.ParentExecutionID)
		case p.AutomationType != "CrossAccount" || e.StartTime.Before(p.StartTime) ||
			(!p.EndTime.IsZero() && e.EndTime.After(p.EndTime)):
			t.Errorf("%s: not inside its parent %s", e.ID, p.ID)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	opts := GenOptions{Seed: 7, Executions: 30, Now: genTestNow}
	a, b := Generate(nil, opts), Generate(nil, opts)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed produced different data")
	}
	opts.Seed = 8
	c := Generate(nil, opts)
	if a[0].ID == c[0].ID || reflect.DeepEqual(a, c) {
		t.Fatal("different seeds produced the same data")
	}
}

func TestGenerateKeepsInvariants(t *testing.T) {
	seen := map[string]bool{}
	for seed := int64(1); seed <= 40; seed++ {
		es := Generate(nil, GenOptions{Seed: seed, Executions: 40, Now: genTestNow})
		if len(es) != 40 {
			t.Fatalf("seed %d: %d executions, want 40", seed, len(es))
		}
		checkExecutions(t, es)
		for _, e := range es {
			genFeatures(e, seen)
		}
	}
	for _, f := range []string{
		"status Success", "status Failed", "status TimedOut", "status Cancelled", "status InProgress", "status Waiting",
		"loop repeats step names", "branch re-runs a step", "branch NextStep", "step TimedOut", "step Failed",
		"step alarm", "failed critical", "failed Continue", "jumped on failure", "child", "overridden parameters",
		"tags", "mode Interactive", "max attempts 1", "max attempts 3", "targets",
	} {
		if !seen[f] {
			t.Errorf("no generated execution shows %q", f)
		}
	}
}

// genFeatures records which behaviours of real runbooks e shows.
func genFeatures(e *Execution, seen map[string]bool) {
	seen["status "+e.Status] = true
	seen["child"] = seen["child"] || e.ParentExecutionID != ""
	seen["tags"] = seen["tags"] || e.Tags["team"] != ""
	seen["mode "+e.Mode] = true
	names := map[string]int{}
	for i, st := range e.Steps {
		seen["step "+st.Status] = true
		seen["step alarm"] = seen["step alarm"] || len(st.TriggeredAlarms) == 1
		seen["overridden parameters"] = seen["overridden parameters"] || st.OverriddenParameters != nil
		seen["targets"] = seen["targets"] || (st.TargetLocation != nil && len(st.Targets) > 0)
		seen["branch NextStep"] = seen["branch NextStep"] || (st.Action == "aws:branch" && st.NextStep != "")
		if st.MaxAttempts != nil {
			seen[fmt.Sprint("max attempts ", *st.MaxAttempts)] = true
		}
		if isFailure(st) {
			seen["failed critical"] = seen["failed critical"] || *st.IsCritical
			seen["failed "+st.OnFailure] = true
			if x := st.OnFailure; len(x) > 5 && x[:5] == "step:" && i+1 < len(e.Steps) && e.Steps[i+1].StepName == x[5:] {
				seen["jumped on failure"] = true
			}
		}
		key := st.StepName
		if st.ParentStepDetails != nil {
			key = "loop/" + key
		}
		names[key]++
		if names[key] > 1 && st.ParentStepDetails != nil {
			seen["loop repeats step names"] = true
		}
		if names[key] > 1 && st.ParentStepDetails == nil && st.Action != "aws:executeAutomation" {
			seen["branch re-runs a step"] = true
		}
	}
}

func TestGeneratePlacesExecutionsInTime(t *testing.T) {
	opts := GenOptions{Seed: 3, Executions: 200, Now: genTestNow, Spread: 2 * time.Hour}
	for _, e := range Generate(nil, opts) {
		if e.EndTime.IsZero() {
			started := e.Steps[activeStep(e.Steps)].StartTime
			if started.After(genTestNow) || started.Before(genTestNow.Add(-5*time.Minute)) {
				t.Errorf("%s: running step started at %v", e.ID, started)
			}
			continue
		}
		if e.EndTime.After(genTestNow) {
			t.Errorf("%s: ends at %v, after now", e.ID, e.EndTime)
		}
		if e.ParentExecutionID == "" && e.StartTime.Before(genTestNow.Add(-opts.Spread)) &&
			e.EndTime.Sub(e.StartTime) < opts.Spread {
			t.Errorf("%s: starts at %v, before the spread", e.ID, e.StartTime)
		}
	}
}

func TestGenerateRunningFraction(t *testing.T) {
	count := func(fraction float64) int {
		n := 0
		for _, e := range Generate(nil, GenOptions{Seed: 5, Executions: 100, Now: genTestNow, RunningFraction: fraction}) {
			if e.EndTime.IsZero() {
				n++
			}
		}
		return n
	}
	if n := count(-1); n != 0 {
		t.Errorf("negative fraction: %d running, want 0", n)
	}
	if n := count(1); n != 100 {
		t.Errorf("fraction 1: %d running, want 100", n)
	}
	if n := count(0); n < 10 || n > 30 {
		t.Errorf("default fraction: %d of 100 running, want about 20", n)
	}
}

func TestGenerateFillsStoreWithDefaults(t *testing.T) {
	store := NewStore()
	es := Generate(store, GenOptions{Seed: 1, Executions: 25, Now: genTestNow})
	listed := store.List("123456789012", "us-east-1")
	if len(listed) != 25 {
		t.Fatalf("store lists %d executions, want 25", len(listed))
	}
	if got := store.Get("123456789012", "us-east-1", es[0].ID); !reflect.DeepEqual(got, es[0]) {
		t.Fatalf("stored execution differs from the returned one")
	}
	other := NewStore()
	Generate(other, GenOptions{Seed: 1, Executions: 3, Account: "111122223333", Region: "eu-west-1", Now: genTestNow})
	if n := len(other.List("111122223333", "eu-west-1")); n != 3 {
		t.Fatalf("%d executions in the requested account and region, want 3", n)
	}
}

func TestGenerateStepsPerExecutionSizesLoops(t *testing.T) {
	loopSteps := func(steps int) int {
		total := 0
		for _, e := range Generate(nil, GenOptions{Seed: 2, Executions: 300, StepsPerExecution: steps, Now: genTestNow}) {
			for _, st := range e.Steps {
				if st.ParentStepDetails != nil {
					total++
				}
			}
		}
		return total
	}
	if small, large := loopSteps(6), loopSteps(40); large < 3*small {
		t.Errorf("loop body steps: %d with 6 steps, %d with 40; want loops to grow", small, large)
	}
}

func TestGenerateAverageReachesTheAverage(t *testing.T) {
	store := NewStore()
	opts := GenOptions{Seed: 1, Executions: 200, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	es := GenerateAverage(store, opts, 25)
	n := 0
	for _, e := range es {
		n += len(e.Steps)
	}
	if len(es) != 200 || n < 200*25 {
		t.Fatalf("%d executions, %d step executions; want 200 with at least %d", len(es), n, 200*25)
	}
	if got := len(store.List("123456789012", "us-east-1")); got != 200 {
		t.Fatalf("store holds %d executions, want 200", got)
	}
	again := GenerateAverage(nil, opts, 25)
	if len(again) != len(es) || again[0].ID != es[0].ID || len(again[7].Steps) != len(es[7].Steps) {
		t.Fatal("the same options gave other executions")
	}
}
