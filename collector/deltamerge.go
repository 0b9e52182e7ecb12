package collector

import (
	"slices"
	"time"
)

// delta is what the delta of one execution listed and fetched.
type delta struct {
	since     time.Time
	ended     bool               // the execution has ended
	started   []stepRec          // listed: started since, oldest first
	listed    map[string]bool    // the ids of started
	got       map[string]stepRec // listed, or fetched by id
	iterating map[string]bool    // open loops taken from the base (see iterating)
}

// merge puts together, in the order of a whole listing: the steps of old
// started before since (fetched again, or kept), the steps listed since,
// then the steps not started: those of old, or, once the execution has
// ended, those fetched again that are still there. Each step is copied
// once, straight into the merged list; a delta that brings back what old
// holds merges to old itself, without a copy (see keepUnchanged).
func (d *delta) merge(old []stepRec, maxSteps int) ([]stepRec, bool) {
	if len(old) <= maxSteps && d.unchanged(old) {
		return old, true
	}
	steps := make([]stepRec, 0, len(old)+len(d.started))
	for i := range old {
		s := &old[i]
		r, fresh := d.got[s.id]
		switch {
		case d.listed[s.id]:
			// Listed again, or started since.
		case s.start.IsZero() && d.ended && fresh && !r.start.IsZero():
			return nil, false // started after the listing
		case s.start.IsZero():
			// Not started: appended last, below.
		case !s.start.Before(d.since):
			return nil, false // started in the second listed again, but not listed
		case fresh:
			steps = append(steps, r)
		case d.iterating[s.id] || isTerminal(s.status):
			steps = append(steps, kept(s))
		default:
			return nil, false // not ended, and not found by id
		}
	}
	steps = append(steps, d.started...)
	for i := range old {
		s := &old[i]
		r, fresh := d.got[s.id]
		switch {
		case !s.start.IsZero() || d.listed[s.id]:
		case !d.ended:
			steps = append(steps, kept(s)) // still Pending
		case fresh:
			steps = append(steps, r)
			// Otherwise the execution ended without running it.
		}
	}
	if d.mayHaveJumped(old) || len(steps) > maxSteps {
		return nil, false
	}
	return steps, true
}

// unchanged reports whether merging what d got with old would give old
// again: old holds the steps started before since, each unchanged or kept
// (ended, or a loop still iterating), then the steps listed again, as
// listed, then those not started, still Pending while the execution runs,
// fetched again unchanged once it has ended.
func (d *delta) unchanged(old []stepRec) bool {
	i := 0
	for ; i < len(old) && !old[i].start.IsZero() && old[i].start.Before(d.since); i++ {
		s := &old[i]
		r, fresh := d.got[s.id]
		if fresh && !sameStep(&r, s) || !fresh && !d.iterating[s.id] && !isTerminal(s.status) {
			return false
		}
	}
	if len(old)-i < len(d.started) {
		return false
	}
	for j := range d.started {
		if !sameStep(&d.started[j], &old[i+j]) {
			return false
		}
	}
	for k := i + len(d.started); k < len(old); k++ {
		s := &old[k]
		r, fresh := d.got[s.id]
		if !s.start.IsZero() || fresh != d.ended || fresh && !sameStep(&r, s) {
			return false
		}
	}
	return true
}

// mayHaveJumped reports whether a step ended since in a way that may have
// made the runbook skip Pending steps: cancelled, or failed with onFailure
// Abort or step:<name>. A step that fails with onFailure Continue goes on
// to its next step as one that succeeds does. Only the statuses of the
// steps that ended so are looked up in old, most often none.
func (d *delta) mayHaveJumped(old []stepRec) bool {
	var ended map[string]string
	for id, r := range d.got {
		switch {
		case r.status == "Success" || !isTerminal(r.status):
		case (r.status == "Failed" || r.status == "TimedOut") && r.def.onFailure == "Continue":
		default:
			if ended == nil {
				ended = map[string]string{}
			}
			ended[id] = r.status
		}
	}
	for i := 0; i < len(old) && len(ended) > 0; i++ {
		if status, ok := ended[old[i].id]; ok && status == old[i].status {
			delete(ended, old[i].id)
		}
	}
	return len(ended) > 0
}

// mayIterate reports whether s is an open loop step whose state may be
// taken from its iterations (see iterating).
func mayIterate(s *stepRec) bool { return s.def.action == "aws:loop" && s.status == "InProgress" }

// iterating reports whether the steps listed since show an iteration of
// loop, an open aws:loop step of old, still running: a step whose parent
// step has the loop's name, InProgress or Waiting. The loop must be the
// only open one of that name in old, and no loop step of that name may
// have started since (a runbook that branched back to it), so that the
// parent named is this loop.
//
// While one of its iterations runs, a loop is InProgress, and nothing the
// exporter exports of an InProgress loop changes: its name, action,
// onFailure, isCritical, isEnd, maxAttempts and timeout are those of the
// definition, its start is set; its end, next step and failure details
// come when it ends, and an alarm that triggers stops the automation,
// which ends the iteration too. So the loop is taken from the base
// without a call. This holds for aws:loop in InProgress only; any other
// open step, and a loop once the execution has ended, is fetched by id.
func iterating(loop *stepRec, old, listed []stepRec) bool {
	for i := range old {
		if s := &old[i]; s != loop && s.def.name == loop.def.name && mayIterate(s) {
			return false
		}
	}
	running := false
	for i := range listed {
		switch r := &listed[i]; {
		case r.def.name == loop.def.name && r.def.action == "aws:loop":
			return false
		case r.def.parentStepName == loop.def.name && (r.status == "InProgress" || r.status == "Waiting"):
			running = true
		}
	}
	return running
}

// kept copies a step of the base for the merged listing. Interning writes
// to the alarms of the copy: they must not be those of the base, which
// scrapes may be reading.
func kept(s *stepRec) stepRec {
	r := *s
	r.alarms = slices.Clone(s.alarms)
	return r
}
