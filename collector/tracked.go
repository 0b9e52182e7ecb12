package collector

import (
	"slices"
	"time"
)

// tracked is one execution as the last successful fetch left it. It is
// never modified once published in a view: a refresh replaces it.
type tracked struct {
	exec        execRec
	steps       []stepRec
	ended       bool   // it has ended: nothing about it can change any more (see hasEnded)
	counted     bool   // ended, and its ended steps and itself are counted
	exact       bool   // steps are the whole listing: none cut, none without id or time cleared
	filters     string // the step filters of that listing (filterKey)
	lastSuccess time.Time

	// Worked out once per fetch (see prepare), never per scrape.
	statusCounts []statusCount // ssm_automation_execution_steps
	aggCounts    []aggCount    // what it adds to ssm_automation_steps
	ready        bool          // prepare ran
	keptSteps    bool          // steps are those of the last fetch, prepared then
}

// prepared reports whether prepare ran on t (a reused ended execution
// keeps what it was prepared with).
func (t *tracked) prepared() bool { return t.ready }

// prepare makes t's strings its own and works out its counts. Steps kept
// from the last fetch (see keepUnchanged) are owned and counted already,
// and scrapes may be reading them: they are not written again.
func (t *tracked) prepare(in *interner) {
	in.ownExec(&t.exec)
	if !t.keptSteps {
		in.ownSteps(t.steps)
		t.statusCounts = stepStatusCounts(t.steps)
	}
	if t.aggCounts == nil {
		t.aggCounts = stepCounts(t)
	}
	t.ready = true
}

// keepUnchanged gives t the step records of old, the execution as the last
// fetch left it, when the fetch brought back the same ones (a running
// execution whose current step still runs): the records, their counts
// and the copies of their strings are then not made again.
func (t *tracked) keepUnchanged(old *tracked) {
	if old == nil || !old.ready || len(t.steps) != len(old.steps) {
		return
	}
	for i := range t.steps {
		if !sameStep(&t.steps[i], &old.steps[i]) {
			return
		}
	}
	t.steps, t.statusCounts, t.keptSteps = old.steps, old.statusCounts, true
	if t.exec.document == old.exec.document {
		t.aggCounts = old.aggCounts
	}
}

// sameStep reports whether two records of a step execution export the
// same series.
func sameStep(a, b *stepRec) bool {
	return a.id == b.id && a.status == b.status && a.iteration == b.iteration &&
		a.start.Equal(b.start) && a.end.Equal(b.end) && slices.Equal(a.alarms, b.alarms) &&
		(a.def == b.def || *a.def == *b.def)
}

// aggCount is one (document, step, action, status) and how many step
// executions of an execution have it.
type aggCount struct {
	key aggKey
	n   float64
}

// stepCounts counts an execution's step executions by (document, step,
// action, status).
func stepCounts(t *tracked) []aggCount {
	idx := map[aggKey]int{}
	var out []aggCount
	for i := range t.steps {
		s := &t.steps[i]
		k := aggKey{t.exec.document, s.def.name, s.def.action, s.status}
		if j, ok := idx[k]; ok {
			out[j].n++
			continue
		}
		idx[k] = len(out)
		out = append(out, aggCount{key: k, n: 1})
	}
	return slices.Clip(out)
}
