package ssmsim

import (
	"context"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LiveOptions controls StartLive.
type LiveOptions struct {
	Tick              time.Duration    // how often executions advance (default 2s)
	Seed              int64            // seeds outcomes and new executions
	Now               func() time.Time // the clock (default time.Now)
	NewExecutionEvery time.Duration    // how often an execution starts (default 30s)
	Account, Region   string           // where new executions start (defaults "123456789012", "us-east-1")
	MaxExecutions     int              // the oldest finished executions are deleted beyond it (default 100)
	// Events, when set, receives the EventBridge events of every change:
	// a step or an execution that changes status, an execution that starts.
	Events *Server
}

// approvalDelay is how long a Waiting approval stays unanswered in live mode.
const approvalDelay = 30 * time.Second

// StartLive starts a goroutine that makes the store's executions progress
// every opts.Tick until ctx is done.
func StartLive(ctx context.Context, store *Store, opts LiveOptions) {
	l := newLive(store, opts)
	go func() {
		t := time.NewTicker(l.opts.Tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				l.tick(l.opts.Now())
			}
		}
	}()
}

type live struct {
	store   *Store
	opts    LiveOptions
	rnd     *rand.Rand
	gen     *generator
	lastNew time.Time
}

func newLive(store *Store, opts LiveOptions) *live {
	if opts.Tick <= 0 {
		opts.Tick = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewExecutionEvery <= 0 {
		opts.NewExecutionEvery = 30 * time.Second
	}
	if opts.MaxExecutions <= 0 {
		opts.MaxExecutions = 100
	}
	now := opts.Now()
	g := GenOptions{Account: opts.Account, Region: opts.Region, Now: now}.withDefaults()
	opts.Account, opts.Region = g.Account, g.Region
	rnd := rand.New(rand.NewPCG(uint64(opts.Seed), 0x11fe))
	return &live{store: store, opts: opts, rnd: rnd, gen: &generator{rnd: rnd, opts: g}, lastNew: now}
}

// tick advances running executions, starts a new one when due and trims the store.
func (l *live) tick(now time.Time) {
	changed := l.publisher(now)
	advance(l.store, now, l.rnd, changed)
	if now.Sub(l.lastNew) >= l.opts.NewExecutionEvery {
		l.lastNew = now
		rb := &runbooks[l.rnd.IntN(len(runbooks))]
		e := l.gen.execution(rb, now, runStarting)
		l.store.Put(l.opts.Account, l.opts.Region, e)
		if changed != nil {
			changed(l.opts.Account, l.opts.Region, nil, e)
		}
	}
	pruneFinished(l.store, l.opts.MaxExecutions)
}

// Advance moves every InProgress or Waiting execution in store on by one
// step as of now: the running step ends (or an approval is answered) and the
// next Pending step starts, or the execution ends with the status its steps
// give it. Executions are visited oldest first so that rnd makes it repeatable.
func Advance(store *Store, now time.Time, rnd *rand.Rand) { advance(store, now, rnd, nil) }

// advance is Advance; changed, when set, is told of each execution it
// advanced, with a copy of it from before, once the store holds the new one.
func advance(store *Store, now time.Time, rnd *rand.Rand, changed func(account, region string, before, after *Execution)) {
	type ref struct {
		account, region, id string
		start               time.Time
	}
	var running []ref
	store.Update(func(account, region string, e *Execution) {
		if e.Status == "InProgress" || e.Status == "Waiting" {
			running = append(running, ref{account, region, e.ID, e.StartTime})
		}
	})
	sort.Slice(running, func(i, j int) bool {
		a, b := running[i], running[j]
		if !a.start.Equal(b.start) {
			return a.start.Before(b.start)
		}
		return a.account+a.region+a.id < b.account+b.region+b.id
	})
	for _, r := range running {
		// Get returns a copy with copied steps; maps stay shared with the
		// stored value, so they are replaced, never written to.
		if e := store.Get(r.account, r.region, r.id); e != nil {
			var before *Execution
			if changed != nil {
				before = e.Clone()
			}
			advanceExecution(e, now, rnd)
			store.Put(r.account, r.region, e)
			if changed != nil {
				changed(r.account, r.region, before, e)
			}
		}
	}
}

func advanceExecution(e *Execution, now time.Time, rnd *rand.Rand) {
	i := activeStep(e.Steps)
	if i < 0 {
		startNext(e, -1, now)
		return
	}
	st := e.Steps[i]
	at := now
	if at.Before(st.StartTime) {
		at = st.StartTime
	}
	if st.Status == "Waiting" {
		if at.Sub(st.StartTime) < approvalDelay {
			return
		}
		answerApproval(st, at, rnd)
	} else {
		finishLive(st, at, rnd)
	}
	failed := st.Status == "Failed" || st.Status == "TimedOut"
	target, jump := strings.CutPrefix(st.OnFailure, "step:")
	switch {
	case (st.IsEnd != nil && *st.IsEnd) || (failed && st.OnFailure != "Continue" && !jump):
		endExecution(e, at)
	case failed && jump:
		jumpTo(e, i, target, rnd)
		startNext(e, i, at)
	default:
		if j := nextPending(e.Steps, i+1); j >= 0 && st.Action == "aws:branch" {
			st.NextStep = e.Steps[j].StepName
		}
		startNext(e, i, at)
	}
}

// startNext closes finished loops and starts the first Pending step after
// index after, or ends the execution when none is left.
func startNext(e *Execution, after int, at time.Time) {
	for {
		closeLoops(e, at)
		if activeStep(e.Steps) >= 0 {
			break
		}
		j := nextPending(e.Steps, after+1)
		if j < 0 {
			endExecution(e, at)
			return
		}
		for k := j; k < len(e.Steps); k++ {
			st := e.Steps[k]
			st.Status, st.StartTime = "InProgress", at
			if st.Action == "aws:approve" {
				st.Status = "Waiting"
			}
			// A loop starts together with its first body step.
			if st.Action != "aws:loop" || k+1 == len(e.Steps) || !inLoop(e.Steps[k+1], st) {
				break
			}
		}
	}
	settleExecution(e, time.Time{})
}

func finishLive(st *Step, at time.Time, rnd *rand.Rand) {
	st.EndTime = at
	r := rnd.Float64()
	switch {
	case st.Action == "aws:branch" || st.Action == "aws:sleep":
		st.Status = "Success"
	case st.TimeoutSeconds != nil && at.Sub(st.StartTime) >= time.Duration(*st.TimeoutSeconds)*time.Second:
		genFail(rnd, st, "TimedOut")
		st.EndTime = st.StartTime.Add(time.Duration(*st.TimeoutSeconds) * time.Second)
	case r < 0.08:
		genFail(rnd, st, "Failed")
	default:
		genSucceed(rnd, st, st.Inputs["InstanceId"])
	}
}

func answerApproval(st *Step, at time.Time, rnd *rand.Rand) {
	st.EndTime = at
	if rnd.IntN(10) > 0 {
		genSucceed(rnd, st, "")
		return
	}
	const msg = "Step was rejected by an approver."
	st.Status, st.FailureMessage = "Failed", msg
	st.Outputs = map[string][]string{"ApprovalStatus": {"Rejected"}}
	st.FailureDetails = &FailureDetails{FailureStage: "Invocation", FailureType: "Action",
		Details: map[string][]string{"ExceptionMessage": {msg}}}
}

// jumpTo follows onFailure step:<name> from step i: the Pending steps before
// the target are skipped; a target not listed is added from the runbook.
func jumpTo(e *Execution, i int, name string, rnd *rand.Rand) {
	kept := append([]*Step(nil), e.Steps[:i+1]...)
	for j := i + 1; j < len(e.Steps); j++ {
		if st := e.Steps[j]; st.StepName == name && st.Status == "Pending" && st.ParentStepDetails == nil {
			e.Steps = append(kept, e.Steps[j:]...)
			return
		}
	}
	if d, follow, ok := findStepDef(e.DocumentName, name); ok {
		kept = append(kept, buildStep(rnd, d, follow, e.Steps[i].Inputs["InstanceId"], nil))
	}
	e.Steps = kept
}

// endExecution drops the steps that will not run and settles the execution.
func endExecution(e *Execution, at time.Time) {
	kept := make([]*Step, 0, len(e.Steps))
	for _, st := range e.Steps {
		if st.Status != "Pending" {
			kept = append(kept, st)
		}
	}
	e.Steps = kept
	closeLoops(e, at)
	settleExecution(e, at)
}

// closeLoops ends every running aws:loop step none of whose body steps is
// still to run; an aborting body step fails the loop with it.
func closeLoops(e *Execution, at time.Time) {
	for _, loop := range e.Steps {
		if loop.Action != "aws:loop" || loop.Status != "InProgress" {
			continue
		}
		var last *Step
		active := false
		for _, st := range e.Steps {
			if !inLoop(st, loop) {
				continue
			}
			switch st.Status {
			case "Pending", "InProgress", "Waiting":
				active = true
			default:
				last = st
			}
		}
		if active {
			continue
		}
		loop.Status, loop.EndTime = "Success", at
		if last == nil {
			continue
		}
		loop.Outputs = map[string][]string{
			"CurrentIteration":     {strconv.Itoa(int(last.ParentStepDetails.Iteration))},
			"CurrentIteratorValue": {last.ParentStepDetails.IteratorValue},
		}
		if (last.Status == "Failed" || last.Status == "TimedOut") && isAbort(last.OnFailure) {
			loop.Status, loop.FailureMessage, loop.FailureDetails = last.Status, last.FailureMessage, last.FailureDetails
		}
	}
}

func inLoop(st, loop *Step) bool {
	return st.ParentStepDetails != nil && st.ParentStepDetails.StepExecutionID == loop.StepExecutionID
}

func isAbort(onFailure string) bool { return onFailure == "" || onFailure == "Abort" }

func nextPending(steps []*Step, from int) int {
	for j := max(from, 0); j < len(steps); j++ {
		if steps[j].Status == "Pending" {
			return j
		}
	}
	return -1
}

// finalStatus derives a finished execution's status and failure message from
// its steps: a cancelled step cancels it, a failed step that aborts gives it
// its own status, and a failed critical step (the default) fails it.
func finalStatus(steps []*Step) (string, string) {
	status, msg := "Success", ""
	for _, st := range steps {
		switch {
		case st.Status == "Cancelled":
			return "Cancelled", ""
		case st.Status != "Failed" && st.Status != "TimedOut":
		case isAbort(st.OnFailure):
			return st.Status, st.FailureMessage
		case (st.IsCritical == nil || *st.IsCritical) && status == "Success":
			status, msg = "Failed", st.FailureMessage
		}
	}
	return status, msg
}

// pruneFinished deletes the longest-finished executions beyond limit.
func pruneFinished(store *Store, limit int) {
	type ref struct {
		account, region, id string
		end                 time.Time
	}
	var finished []ref
	total := 0
	store.Update(func(account, region string, e *Execution) {
		total++
		if !e.EndTime.IsZero() {
			finished = append(finished, ref{account, region, e.ID, e.EndTime})
		}
	})
	sort.Slice(finished, func(i, j int) bool {
		if !finished[i].end.Equal(finished[j].end) {
			return finished[i].end.Before(finished[j].end)
		}
		return finished[i].id < finished[j].id
	})
	for _, f := range finished[:min(len(finished), max(0, total-limit))] {
		store.Delete(f.account, f.region, f.id)
	}
}
