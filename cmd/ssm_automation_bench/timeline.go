package main

import (
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// The truth of a live run: for each execution and step execution of the
// simulator's store, the statuses it went through and since when. The
// benchmark observes the store right before and right after each round of
// scrapes. A status change is dated by the times the store records (a step
// started or ended, an execution started or ended, or the latest of its
// steps' times while it runs) when they are recent (see tickSlack), else by
// the observation that sees it; a step appearing Pending by its
// execution's start, and one dropped when its execution ends or jumps by
// the execution's latest change.
// Live mode changes a step at most once a tick (2 s): when a round takes
// less than that, as warm rounds do by far, no status an exporter can
// fetch during it escapes the two observations; and cold rounds run on
// still stores.

// version is one status of an entity, "" while it does not exist.
type version struct {
	state string
	since time.Time // zero: since before the first observation
}

// timeline is the history of every entity of one store, keyed by
// entityKey.
type timeline struct {
	hist   map[string][]version
	execOf map[string]string // an entity's execution id
	last   time.Time         // the latest observation; zero before the first
}

func newTimeline() *timeline {
	return &timeline{hist: map[string][]version{}, execOf: map[string]string{}}
}

// Entity keys: an execution and a step execution never share one.
func execKey(id string) string { return "e/" + id }
func stepKey(id string) string { return "s/" + id }

// observed is an entity's status at one observation, with the time the
// store gives for its latest change (zero when none). A step also carries
// what dates the statuses it may have gone through since the previous
// observation: its execution's start, its own start, and the status it
// runs in.
type observed struct {
	state, exec string
	stamp       time.Time
	step        bool
	born, start time.Time
	running     string
}

// observe records the store's state at at.
func (tl *timeline) observe(store *ssmsim.Store, at time.Time) {
	cur := map[string]observed{}
	store.Update(func(_, _ string, e *ssmsim.Execution) {
		latest := e.StartTime
		for _, st := range e.Steps {
			running := "InProgress"
			if st.Action == "aws:approve" {
				running = "Waiting"
			}
			cur[stepKey(st.StepExecutionID)] = observed{state: st.Status, exec: e.ID, stamp: stepStamp(e, st), step: true,
				born: e.StartTime, start: st.StartTime, running: running}
			latest = later(latest, later(st.StartTime, st.EndTime))
		}
		stamp := latest
		if terminalStatuses[e.Status] {
			stamp = e.EndTime
		}
		cur[execKey(e.ID)] = observed{state: e.Status, exec: e.ID, stamp: stamp}
	})
	tl.record(cur, at)
}

// stepStamp is when a step took its status: its start while it runs, its
// end once ended; its execution's start while Pending.
func stepStamp(e *ssmsim.Execution, st *ssmsim.Step) time.Time {
	switch {
	case st.Status == "Pending":
		return e.StartTime
	case terminalStatuses[st.Status]:
		return st.EndTime
	}
	return st.StartTime
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// record adds an observation: a new version for each entity whose status
// differs from its latest, and "" for each that is gone.
func (tl *timeline) record(cur map[string]observed, at time.Time) {
	first := tl.last.IsZero()
	for key, o := range cur {
		vs := tl.hist[key]
		switch {
		case first:
			tl.hist[key] = []version{{state: o.state}}
			tl.execOf[key] = o.exec
			continue
		case vs == nil:
			vs = []version{{}} // absent until now
			tl.execOf[key] = o.exec
		case vs[len(vs)-1].state == o.state:
			continue
		}
		vs = tl.between(vs, o)
		tl.hist[key] = append(vs, version{o.state, tl.dated(o.stamp, vs[len(vs)-1].since, at)})
	}
	for key, vs := range tl.hist {
		if _, ok := cur[key]; !ok && vs[len(vs)-1].state != "" {
			// A step is dropped when its execution ends or jumps: dated
			// by the execution's latest change.
			stamp := cur[execKey(tl.execOf[key])].stamp
			tl.hist[key] = append(vs, version{"", tl.dated(stamp, vs[len(vs)-1].since, at)})
		}
	}
	tl.last = at
}

// tickSlack is how long before an observation the live tick that makes a
// change the observation misses may be stamped: a tick stamps every
// change with its start, then applies them one execution after the other.
const tickSlack = liveTick

// recent says whether a stamp may date a change first seen now.
func (tl *timeline) recent(stamp time.Time) bool {
	return stamp.After(tl.last.Add(-tickSlack))
}

// between adds to a step's versions the statuses it went through since
// the previous observation before its status now, as its times tell: a
// new step was Pending from its execution's start until its own, and a
// step that ended ran from its start until its end.
func (tl *timeline) between(vs []version, o observed) []version {
	if !o.step {
		return vs
	}
	last := vs[len(vs)-1]
	if last.state == "" && o.state != "Pending" && tl.recent(o.born) && (o.start.IsZero() || o.born.Before(o.start)) {
		last = version{"Pending", later(o.born, last.since)}
		vs = append(vs, last)
	}
	if terminalStatuses[o.state] && last.state != o.running && tl.recent(o.start) && o.start.Before(o.stamp) {
		vs = append(vs, version{o.running, later(o.start, last.since)})
	}
	return vs
}

// dated is the time of a change seen at at, after a version held since
// floor: the store's stamp when it is recent and not after at, else at.
func (tl *timeline) dated(stamp, floor, at time.Time) time.Time {
	if tl.recent(stamp) && !stamp.After(at) {
		return later(stamp, floor)
	}
	return at
}

// changedExecutions counts the executions with a change (of their own
// status or of a step's) dated in (from, to].
func (tl *timeline) changedExecutions(from, to time.Time) int {
	seen := map[string]bool{}
	for key, vs := range tl.hist {
		for _, v := range vs[1:] {
			if v.since.After(from) && !v.since.After(to) {
				seen[tl.execOf[key]] = true
				break
			}
		}
	}
	return len(seen)
}
