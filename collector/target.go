package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// seenLimit bounds the ids remembered as already counted, per target.
const seenLimit = 200000

// targetState is everything the exporter keeps for one expanded target
// across scrapes and reloads.
type targetState struct {
	name     string
	counters *targetCounters // the exporter's counters of the target
	agg      *aggregateMetrics
	logger   *slog.Logger
	warn     *warnings
	now      func() time.Time
	turn     atomic.Uint64 // the exporter's turn of its last refresh start

	mu       sync.Mutex // guards the fields below
	cfg      config.ExpandedTarget
	api      API
	apiCfg   config.API
	current  *view
	inflight *flight
	tracked  map[string]*tracked
	seen     *seenMemory // finished step and execution ids already counted
	in       *interner
	// lastRules is what each discovery rule found in the last refresh in
	// which it succeeded, so a failed call hides nothing.
	lastRules map[string]ruleResult
}

func newTargetState(t config.ExpandedTarget, api API, apiCfg config.API, e *Exporter) *targetState {
	return &targetState{
		name: t.Name, cfg: t, api: api, apiCfg: apiCfg, counters: e.metrics.forTarget(t.Name),
		agg: newAggregateMetrics(), logger: e.logger.With("target", t.Name), warn: e.warn, now: e.now,
		tracked: map[string]*tracked{}, seen: newSeenMemory(seenLimit),
		in:        newInterner(),
		lastRules: map[string]ruleResult{},
	}
}

// update applies a reloaded configuration. The counters and what they
// counted stay; the tracked data stays too unless what is fetched, or how,
// changed (another client, other step filters, other caps), since settled
// executions are never fetched again.
func (ts *targetState) update(t config.ExpandedTarget, api API, apiCfg config.API) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if api != ts.api || fetchSignature(t) != fetchSignature(ts.cfg) {
		ts.tracked, ts.current = map[string]*tracked{}, nil
		ts.lastRules = map[string]ruleResult{}
	}
	ts.cfg, ts.api, ts.apiCfg = t, api, apiCfg
}

// fetchSignature is what decides the content of a fetched execution.
func fetchSignature(t config.ExpandedTarget) string {
	x := t.Target
	sig := fmt.Sprint(x.Limits.MaxStepsPerExecution, x.Limits.MaxLabelLength)
	for _, e := range x.Executions {
		sig += fmt.Sprint(e.ID, e.Filters)
	}
	for _, r := range x.Discovery {
		sig += fmt.Sprint(r.Name, r.StepFilters)
	}
	return sig
}

// refresh fetches what can have changed and publishes a new view.
func (ts *targetState) refresh(ctx context.Context) *view {
	start := time.Now()
	ts.mu.Lock()
	cfg, api, apiCfg := ts.cfg, ts.api, ts.apiCfg
	ts.mu.Unlock()
	ctx = withTarget(ctx, ts.counters)
	now := ts.now()

	want, rules, okDisc := ts.collectWanted(ctx, cfg, api, now)
	f := ts.fetchAll(ctx, cfg, api, apiCfg, want, now)
	ok := okDisc && f.ok

	ts.mu.Lock()
	defer ts.mu.Unlock()
	next := make(map[string]*tracked, len(want))
	for _, w := range want {
		if r, found := f.results[w.id]; found {
			if !r.prepared() {
				r.prepare(ts.in)
			}
			next[w.id] = r
		} else if old := ts.tracked[w.id]; old != nil && !f.gone[w.id] {
			next[w.id] = old // stale if error: keep the last good data
		}
	}
	ts.countFinished(next)
	ts.tracked = next
	execs := sortedTracked(next)
	return &view{
		execs: execs, rules: rules, steps: aggregate(execs), up: ok,
		duration: time.Since(start).Seconds(), refreshedAt: now,
	}
}

// collectWanted gathers the executions to export: discovery rules first,
// then the static ids (whose filters win when both name an execution).
func (ts *targetState) collectWanted(ctx context.Context, cfg config.ExpandedTarget, api API, now time.Time) ([]*wanted, []ruleStat, bool) {
	ok := true
	byID := map[string]*wanted{}
	var order []*wanted
	add := func(w *wanted) {
		if old := byID[w.id]; old != nil {
			if w.static {
				old.filters, old.static = w.filters, true
			}
			return
		}
		byID[w.id] = w
		order = append(order, w)
	}
	t := cfg.Target
	for _, e := range t.Executions {
		add(&wanted{id: e.ID, filters: e.Filters, static: true})
	}
	var rules []ruleStat
	for i := range t.Discovery {
		r := &t.Discovery[i]
		d, err := discover(ctx, api, r, now)
		res := ruleResult{stat: ruleStat{name: r.Name, found: d.found, dropped: d.dropped}}
		metas := map[string]*types.AutomationExecutionMetadata{}
		for j := range d.kept {
			id := aws.ToString(d.kept[j].AutomationExecutionId)
			res.ids = append(res.ids, id)
			metas[id] = &d.kept[j]
		}
		if err != nil {
			ok = false
			ts.fail(err, "discovery failed", "rule", r.Name)
			res = ts.lastRule(r.Name) // stale if error: what it found last time
			metas = nil
		} else {
			ts.setLastRule(r.Name, res)
		}
		rules = append(rules, res.stat)
		for _, id := range res.ids {
			add(&wanted{id: id, filters: r.StepFilters, meta: metas[id]})
		}
	}
	if n := len(order) - t.Limits.MaxExecutions; n > 0 {
		ts.counters.cut("executions", float64(n))
		order = order[:t.Limits.MaxExecutions]
	}
	return order, rules, ok
}

// ruleResult is what one discovery rule found: its figures and the ids it
// kept, newest first.
type ruleResult struct {
	stat ruleStat
	ids  []string
}

func (ts *targetState) lastRule(name string) ruleResult {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	r := ts.lastRules[name]
	r.stat.name = name
	return r
}

func (ts *targetState) setLastRule(name string, r ruleResult) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.lastRules[name] = r
}

// fail counts a failed fetch by reason and hands it to the warnings,
// which summarise the failures of every target once per reason and
// interval with advice and the AWS error code; the error text itself is
// logged only at debug level (it may quote request values).
func (ts *targetState) fail(err error, msg string, args ...any) {
	reason := reasonOf(err)
	ts.counters.failed(reason)
	ts.logger.Debug(msg, append(args, "reason", reason, "err", err)...)
	ts.warn.add(reason, ts.name, errorCode(err))
}

// errNotFound is returned for a static id the API does not know.
var errNotFound = errors.New("execution not found")

func isNotFound(err error) bool {
	var nf *types.AutomationExecutionNotFoundException
	return errors.As(err, &nf) || errors.Is(err, errNotFound)
}
