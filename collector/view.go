package collector

import (
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
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

// aggKey is the label set of the per-step aggregates.
type aggKey struct{ document, step, action, status string }

// view is the immutable result of one refresh of one target, read by any
// number of scrapes at once.
type view struct {
	execs       []*tracked // sorted by execution id
	rules       []ruleStat
	steps       map[aggKey]float64
	up          bool
	pending     int  // wanted executions never fetched
	following   bool // the refresh trusted the target's events (see eventrefresh.go)
	duration    float64
	refreshedAt time.Time
}

// ruleStat is what one discovery rule found.
type ruleStat struct {
	name           string
	found, dropped int
}

// wanted is an execution this refresh must export, with the step filters
// that apply to it and, when the listing already gave it, its metadata.
type wanted struct {
	id      string
	filters []config.Filter
	meta    *types.AutomationExecutionMetadata
	static  bool
	quiet   bool // no event named it since its last fetch: kept as it is (see eventrefresh.go)
	// metaRead is set when the refresh read its metadata by id already
	// (see prefetch): meta nil then means the API does not have it.
	metaRead bool
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

// aggregate adds up the step counts of every execution.
func aggregate(execs []*tracked) map[aggKey]float64 {
	out := map[aggKey]float64{}
	for _, t := range execs {
		for _, c := range t.aggCounts {
			out[c.key] += c.n
		}
	}
	return out
}
