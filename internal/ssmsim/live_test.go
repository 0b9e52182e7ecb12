package ssmsim

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func liveSnapshot(store *Store) []*Execution {
	var out []*Execution
	store.Update(func(account, region string, e *Execution) { out = append(out, e.Clone()) })
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func countRunning(es []*Execution) int {
	n := 0
	for _, e := range es {
		if e.EndTime.IsZero() {
			n++
		}
	}
	return n
}

// dump renders executions through every pointer, so that a later dump of
// the same values shows whether anything they share was written to.
func dump(t *testing.T, es []*Execution) string {
	t.Helper()
	b, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runLive advances store tick by tick until nothing runs, checking the
// invariants after every tick and that earlier copies are never written to.
func runLive(t *testing.T, store *Store, now time.Time, rnd *rand.Rand) time.Time {
	t.Helper()
	for tick := 0; countRunning(liveSnapshot(store)) > 0; tick++ {
		if tick == 1000 {
			t.Fatalf("%d executions still running after %d ticks", countRunning(liveSnapshot(store)), tick)
		}
		before := liveSnapshot(store)
		was := dump(t, before)
		now = now.Add(2 * time.Second)
		Advance(store, now, rnd)
		if dump(t, before) != was {
			t.Fatal("Advance wrote to values shared with earlier copies")
		}
		after := liveSnapshot(store)
		checkExecutions(t, after)
		if t.Failed() {
			t.Fatalf("invariants broken at tick %d", tick)
		}
		for _, e := range after {
			if i := activeStep(e.Steps); i >= 0 && e.Steps[i].StartTime.After(now) {
				t.Fatalf("%s: step starts at %v, after now %v", e.ID, e.Steps[i].StartTime, now)
			}
		}
	}
	return now
}

func TestAdvanceRunsGeneratedExecutionsToTheEnd(t *testing.T) {
	store := NewStore()
	Generate(store, GenOptions{Seed: 11, Executions: 40, Now: genTestNow, RunningFraction: 1})
	end := runLive(t, store, genTestNow, rand.New(rand.NewPCG(1, 2)))
	statuses := map[string]int{}
	finished := liveSnapshot(store)
	for _, e := range finished {
		statuses[e.Status]++
	}
	if statuses["Success"] == 0 || statuses["Failed"]+statuses["TimedOut"] == 0 {
		t.Errorf("final statuses %v, want successes and failures", statuses)
	}
	Advance(store, end.Add(time.Hour), rand.New(rand.NewPCG(1, 2)))
	if dump(t, liveSnapshot(store)) != dump(t, finished) {
		t.Error("Advance changed finished executions")
	}
}

func TestAdvanceRunsTheE2EScenarioToTheEnd(t *testing.T) {
	sc, err := LoadScenario("testdata/e2e.yml")
	if err != nil {
		t.Fatal(err)
	}
	completed := 0
	for seed := range uint64(20) {
		store := NewStore()
		if err := sc.Apply(store); err != nil {
			t.Fatal(err)
		}
		runLive(t, store, sc.Now, rand.New(rand.NewPCG(seed, 4)))
		e := store.Get("111122223333", "us-east-1", "b74d0fb1-32e7-4629-8fad-c1a606cb0fb3")
		loop := e.Steps[2]
		if loop.StepName != "encryptEachInstance" || loop.Status == "InProgress" || loop.EndTime.IsZero() {
			t.Fatalf("loop step after the run: %+v", *loop)
		}
		if loop.Status == "Success" && loop.Outputs["CurrentIteration"][0] == "2" {
			completed++
		}
	}
	if completed == 0 {
		t.Error("no run finished both loop iterations")
	}
}

// rollbackExecution is AWS-PatchInstanceWithRollback running installPatches
// for longer than its timeout.
func rollbackExecution(t0 time.Time) *Execution {
	step := func(id, name, action, status, onFailure string) *Step {
		return &Step{StepExecutionID: id, StepName: name, Action: action, Status: status, OnFailure: onFailure,
			IsCritical: genPtr(true), Inputs: map[string]string{"InstanceId": "i-0123456789abcdef0"}}
	}
	done := step("00000000-0000-4000-8000-000000000001", "checkConcurrency", "aws:executeScript", "Success", "Abort")
	done.StartTime, done.EndTime = t0, t0.Add(time.Minute)
	patch := step("00000000-0000-4000-8000-000000000002", "installPatches", "aws:runCommand", "InProgress", "step:restoreFromSnapshot")
	patch.StartTime, patch.TimeoutSeconds = t0.Add(time.Minute), genPtr(int64(3600))
	return &Execution{
		ID: "00000000-0000-4000-8000-0000000000aa", DocumentName: "AWS-PatchInstanceWithRollback",
		Status: "InProgress", StartTime: t0, CurrentStepName: "installPatches", CurrentAction: "aws:runCommand",
		Steps: []*Step{done, patch,
			step("00000000-0000-4000-8000-000000000003", "verifyPatchState", "aws:assertAwsResourceProperty", "Pending", "Abort"),
			step("00000000-0000-4000-8000-000000000004", "deleteSnapshot", "aws:executeAwsApi", "Pending", "Continue"),
		},
	}
}

func TestAdvanceTimesOutAndJumpsToTheRollbackStep(t *testing.T) {
	t0 := genTestNow
	store := NewStore()
	store.Put("123456789012", "us-east-1", rollbackExecution(t0))
	now := t0.Add(2 * time.Hour)
	Advance(store, now, rand.New(rand.NewPCG(1, 1)))
	e := store.Get("123456789012", "us-east-1", "00000000-0000-4000-8000-0000000000aa")
	var names []string
	for _, st := range e.Steps {
		names = append(names, st.StepName+"="+st.Status)
	}
	want := []string{"checkConcurrency=Success", "installPatches=TimedOut", "restoreFromSnapshot=InProgress"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("steps %v, want %v", names, want)
	}
	patch, restore := e.Steps[1], e.Steps[2]
	if got := patch.EndTime.Sub(patch.StartTime); got != time.Hour {
		t.Errorf("timed-out step lasted %v, want its timeout", got)
	}
	if !restore.StartTime.Equal(now) || e.Status != "InProgress" || e.CurrentStepName != "restoreFromSnapshot" {
		t.Errorf("rollback step start %v, execution %s at %s", restore.StartTime, e.Status, e.CurrentStepName)
	}
	runLive(t, store, now, rand.New(rand.NewPCG(1, 1)))
	if e := store.Get("123456789012", "us-east-1", e.ID); e.Status != "Failed" {
		t.Errorf("execution ended %s; a critical step timed out, want Failed", e.Status)
	}
}

func TestAdvanceAbortEndsTheExecution(t *testing.T) {
	e := rollbackExecution(genTestNow)
	e.Steps[1].OnFailure = "Abort"
	store := NewStore()
	store.Put("123456789012", "us-east-1", e)
	now := genTestNow.Add(2 * time.Hour)
	Advance(store, now, rand.New(rand.NewPCG(1, 1)))
	got := store.Get("123456789012", "us-east-1", e.ID)
	if got.Status != "TimedOut" || !got.EndTime.Equal(now) || len(got.Steps) != 2 || got.FailureMessage == "" {
		t.Fatalf("execution %s ending %v with %d steps and message %q; want TimedOut now with the pending steps dropped",
			got.Status, got.EndTime, len(got.Steps), got.FailureMessage)
	}
}

func TestAdvanceAnswersApprovalsAfterADelay(t *testing.T) {
	sc, err := LoadScenario("testdata/e2e.yml")
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore()
	if err := sc.Apply(store); err != nil {
		t.Fatal(err)
	}
	const account, region, id = "111122223333", "eu-west-1", "972a8469-1641-4f82-8b9d-2434e465e150"
	before := store.Get(account, region, id)
	approval := before.Steps[1].StartTime
	rnd := rand.New(rand.NewPCG(9, 9))
	Advance(store, approval.Add(approvalDelay-time.Second), rnd)
	if got := store.Get(account, region, id); !reflect.DeepEqual(got, before) {
		t.Fatal("the approval was answered before its delay")
	}
	Advance(store, approval.Add(approvalDelay), rnd)
	got := store.Get(account, region, id)
	if got.Steps[1].Status == "Waiting" || got.Status == "Waiting" {
		t.Fatalf("approval still waiting after the delay: step %s, execution %s", got.Steps[1].Status, got.Status)
	}
}

func TestLiveTickStartsExecutionsAndTrimsTheStore(t *testing.T) {
	store := NewStore()
	t0 := genTestNow
	l := newLive(store, LiveOptions{Seed: 4, Now: func() time.Time { return t0 }, MaxExecutions: 5})
	l.tick(t0.Add(29 * time.Second))
	if n := len(liveSnapshot(store)); n != 0 {
		t.Fatalf("%d executions before NewExecutionEvery passed", n)
	}
	now := t0.Add(30 * time.Second)
	l.tick(now)
	es := store.List("123456789012", "us-east-1")
	running := map[string]bool{"InProgress": true, "Waiting": true}
	if len(es) != 1 || !running[es[0].Status] || !es[0].StartTime.Equal(now) || !es[0].Steps[0].StartTime.Equal(now) {
		t.Fatalf("after the first due tick: %d executions, want one that starts now", len(es))
	}
	for range 400 {
		now = now.Add(10 * time.Second)
		l.tick(now)
		all := liveSnapshot(store)
		checkExecutions(t, all)
		if running := countRunning(all); len(all) > max(5, running) {
			t.Fatalf("%d executions kept, %d running, limit 5", len(all), running)
		}
	}
}

func TestStartLiveStopsWithItsContext(t *testing.T) {
	defer goleak.VerifyNone(t)
	var calls atomic.Int64
	clock := func() time.Time { return genTestNow.Add(time.Duration(calls.Add(1)) * time.Minute) }
	store := NewStore()
	ctx, cancel := context.WithCancel(context.Background())
	StartLive(ctx, store, LiveOptions{Tick: time.Millisecond, Now: clock})
	for deadline := time.Now().Add(10 * time.Second); len(liveSnapshot(store)) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("live mode started no execution")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
}
