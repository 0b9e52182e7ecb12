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
	settled     bool   // nothing about it can change any more
	counted     bool   // settled, and its finished steps and itself are counted
	exact       bool   // steps are the whole listing: none cut, none without id or time cleared
	filters     string // the step filters of that listing (filterKey)
	lastSuccess time.Time

	// Worked out once per fetch (see prepare), never per scrape.
	statusCounts []statusCount // ssm_automation_execution_steps
	aggCounts    []aggCount    // what it adds to ssm_automation_steps
}

// prepared reports whether prepare ran on t (a reused settled execution
// keeps what it was prepared with).
func (t *tracked) prepared() bool { return t.statusCounts != nil }

// prepare makes t's strings its own and works out its counts.
func (t *tracked) prepare(in *interner) {
	in.own(t)
	t.statusCounts = stepStatusCounts(t.steps)
	t.aggCounts = stepCounts(t)
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
	pending     int // wanted executions never fetched
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
