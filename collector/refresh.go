package collector

import (
	"context"
	"maps"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/discovery"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// refreshStart is what a refresh starts from, taken under the target's
// lock: its configuration and client, the executions and listings of the
// last refresh, and when each execution was last fetched. Nothing in it
// changes while the refresh runs (a refresh replaces those maps, never
// writes them; lastRules is a copy), so the refresh decides from it
// without the lock.
type refreshStart struct {
	cfg       config.ExpandedTarget
	api       ssmapi.API
	apiCfg    config.API
	now       time.Time
	tracked   map[string]*tracked
	fetchedAt map[string]time.Time
	lastRules map[string]ruleResult
	eventsGen uint64
}

// startState is the refreshStart of a refresh starting now.
func (ts *targetState) startState() *refreshStart {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return &refreshStart{cfg: ts.cfg, api: ts.api, apiCfg: ts.apiCfg, now: ts.now(),
		tracked: ts.tracked, fetchedAt: ts.fetchedAt, lastRules: maps.Clone(ts.lastRules), eventsGen: ts.eventsGen}
}

// refresh fetches what can have changed and publishes a new view.
func (ts *targetState) refresh(ctx context.Context) *view {
	start := time.Now()
	st := ts.startState()
	cfg, api, apiCfg, now := st.cfg, st.api, st.apiCfg, st.now
	ctx = ssmapi.WithTarget(ctx, ts.counters)
	plan := ts.eventPlan(st)

	want, rules, okDisc := ts.collectWanted(ctx, st, plan)
	ts.wantedNow(want)
	plan.choose(st, want)
	f := ts.fetchAll(ctx, cfg, api, apiCfg, want, st.tracked, now)
	ok := okDisc && f.ok
	ts.eventsDone(plan, want, f, okDisc, now)

	ts.mu.Lock()
	defer ts.mu.Unlock()
	if f := ts.inflight; f != nil && f.stale {
		// A reload changed what is fetched: keep nothing of this refresh.
		return &view{refreshedAt: now}
	}
	next := make(map[string]*tracked, len(want))
	pending := 0
	for _, w := range want {
		if r, found := f.results[w.id]; found {
			if !r.prepared() {
				r.prepare(ts.in)
			}
			next[w.id] = r
		} else if old := ts.tracked[w.id]; old != nil && !f.gone[w.id] {
			next[w.id] = old // stale if error: keep the last good data
		} else if !f.gone[w.id] {
			pending++ // never fetched yet
		}
	}
	ts.finished.count(next)
	ts.tracked = next
	execs := sortedTracked(next)
	return &view{
		execs: execs, rules: rules, steps: aggregate(execs), up: ok && pending == 0, pending: pending, following: plan.following(),
		duration: time.Since(start).Seconds(), refreshedAt: now,
	}
}

// collectWanted gathers the executions to export: discovery rules first,
// then the static ids (whose filters win when both name an execution).
func (ts *targetState) collectWanted(ctx context.Context, st *refreshStart, plan *eventPlan) ([]*wanted, []ruleStat, bool) {
	cfg, api, now := st.cfg, st.api, st.now
	ok := plan.prefetch(ctx, ts, api, st)
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
		meta, read := plan.meta(e.ID)
		add(&wanted{id: e.ID, filters: e.Filters, static: true, meta: meta, metaRead: read})
	}
	var rules []ruleStat
	for i := range t.Discovery {
		r := &t.Discovery[i]
		res, metas, err := ts.listOrKeep(ctx, api, r, st.lastRules[r.Name], now, plan)
		if err != nil {
			ok = false
		}
		rules = append(rules, res.stat)
		for _, id := range res.ids {
			add(&wanted{id: id, filters: r.StepFilters, meta: metas[id]})
		}
	}
	if n := len(order) - t.Limits.MaxExecutions; n > 0 {
		ts.counters.Cut("executions", float64(n))
		order = order[:t.Limits.MaxExecutions]
	}
	return order, rules, ok
}

// discover runs one discovery rule, warm from its last successful listing.
// When it fails, what the rule found the last time it succeeded stands in,
// without metadata, and the next refresh lists warm from there.
func (ts *targetState) discover(ctx context.Context, api ssmapi.API, r *config.DiscoveryRule, last ruleResult, now time.Time) (ruleResult, map[string]*types.AutomationExecutionMetadata, error) {
	d, listing, err := discovery.Discover(ctx, api, r, now, last.listing)
	if err != nil {
		ts.fail(err, "discovery failed", "rule", r.Name)
		return last, nil, err // stale if error: what it found last time
	}
	res, metas := ruleResultOf(d, listing, now)
	ts.setLastRule(r.Name, res)
	return res, metas, nil
}

func sortedTracked(m map[string]*tracked) []*tracked {
	out := make([]*tracked, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].exec.id < out[j].exec.id })
	return out
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
