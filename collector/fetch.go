package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// fetched is the outcome of fetching the wanted executions.
type fetched struct {
	results map[string]*tracked // fetched now, or ended and reused
	gone    map[string]bool     // the API says they do not exist
	// metas is the metadata read by id for the fetches (those no listing
	// of this refresh gave).
	metas map[string]*types.AutomationExecutionMetadata
	ok    bool
}

// fetchAll fetches the step executions of every wanted execution that can
// still change, at most max_concurrency at a time. Ended executions are
// reused without a call.
func (ts *targetState) fetchAll(ctx context.Context, cfg config.ExpandedTarget, api ssmapi.API, apiCfg config.API, want []*wanted, old map[string]*tracked, now time.Time) fetched {
	out := fetched{results: map[string]*tracked{}, gone: map[string]bool{}, ok: true}
	needMeta := out.reuseEnded(want, old, now)
	metas, metaErr := ssmapi.ExecutionsByID(ctx, api, needMeta)
	out.metas = metas
	if metaErr != nil {
		out.ok = false
		ts.fail(metaErr, "fetching execution metadata failed")
	}
	limits := cfg.Target.Limits
	run := &fetchRun{ts: ts, ctx: ctx, api: api, old: old, now: now, out: &out,
		maxSteps: limits.MaxStepsPerExecution, cut: labelCutter(limits.MaxLabelLength, ts.counters),
		sem: make(chan struct{}, apiCfg.MaxConcurrency)}
	var wg sync.WaitGroup
	for _, w := range want {
		if o := old[w.id]; o != nil && (o.ended || w.quiet) {
			continue // reused above; out.results is written by the goroutines below
		}
		meta := w.meta
		if meta == nil {
			meta = metas[w.id]
		}
		if meta == nil && metaErr != nil {
			continue // metadata unknown: keep the last good data
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.one(w, meta)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		out.ok = false
	}
	return out
}

// reuseEnded takes the ended executions of old as fetched now, and
// the quiet ones as they are, when they were last fetched; it returns the
// ids of the others whose metadata the listing did not give.
func (out *fetched) reuseEnded(want []*wanted, old map[string]*tracked, now time.Time) []string {
	var needMeta []string
	for _, w := range want {
		if o := old[w.id]; o != nil && (o.ended || w.quiet) {
			reused := *o
			if o.ended {
				reused.lastSuccess = now // nothing can have changed: as good as fetched now
			} // quiet: no event named it, but it was not fetched (see eventrefresh.go)
			out.results[w.id] = &reused
		} else if w.meta == nil && !w.metaRead {
			needMeta = append(needMeta, w.id)
		}
	}
	return needMeta
}

// fetchRun is one fetchAll: what its goroutines share.
type fetchRun struct {
	ts       *targetState
	ctx      context.Context
	api      ssmapi.API
	old      map[string]*tracked
	now      time.Time
	maxSteps int
	cut      func(string) string
	sem      chan struct{} // one per call running (api.max_concurrency)

	mu  sync.Mutex // guards out
	out *fetched
}

// one fetches one execution when a slot is free, and records the outcome.
func (r *fetchRun) one(w *wanted, meta *types.AutomationExecutionMetadata) {
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-r.ctx.Done():
		r.mu.Lock()
		r.out.ok = false
		r.mu.Unlock()
		return
	}
	ts, out := r.ts, r.out
	t, err := ts.fetchOne(r.ctx, r.api, w, meta, r.old[w.id], r.maxSteps, r.cut, r.now)
	if t != nil {
		ts.progressed(w.id, t) // visible to a scrape out of time from now on
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err == nil:
		out.results[w.id] = t
	case errors.Is(err, ssmapi.ErrBadTime):
		out.results[w.id] = t
		out.ok = false
		ts.fail(err, "the API sent a time out of range", "execution_id", w.id)
	case ssmapi.IsNotFound(err):
		out.ok = false
		out.gone[w.id] = true
		ts.fail(err, "execution not found", "execution_id", w.id)
		if r.old[w.id] != nil {
			ts.counters.Vanished()
		}
	default:
		out.ok = false
		ts.fail(err, "fetching step executions failed", "execution_id", w.id)
	}
}

// fetchOne fetches one execution's step executions.
func (ts *targetState) fetchOne(ctx context.Context, api ssmapi.API, w *wanted, meta *types.AutomationExecutionMetadata, old *tracked, maxSteps int, cut func(string) string, now time.Time) (*tracked, error) {
	badTimes := 0
	conv := func(s *types.StepExecution) stepRec {
		r := stepFromSDK(s)
		r.cutLabels(cut)
		badTimes += clearBadTimes(now, &r.start, &r.end)
		return r
	}
	status := ""
	if meta != nil {
		status = valid(meta.AutomationExecutionStatus)
	}
	var steps []stepRec
	ok, exact, n := false, true, 0
	var err error
	if deltaBase(old, w.filters) {
		steps, ok, err = deltaSteps(ctx, api, w.id, w.filters, old.steps, status, maxSteps, conv)
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		// The first listing, or a delta that would cost as much or could
		// not be merged.
		badTimes = 0
		if steps, n, exact, err = fetchSteps(ctx, api, w.id, w.filters, maxSteps, conv); err != nil {
			return nil, err
		}
	}
	if n > 0 {
		ts.counters.Cut("steps", float64(n))
	}
	var exec execRec
	switch {
	case meta != nil:
		exec = execFromSDK(meta)
		exec.cutLabels(cut)
		badTimes += clearBadTimes(now, &exec.start, &exec.end)
	case old != nil:
		exec = old.exec // listed by steps but not (yet) by metadata
	default:
		exec = execRec{id: w.id}
	}
	if exec.id == "" {
		exec.id = w.id
	}
	t := &tracked{exec: exec, steps: steps, ended: meta != nil && hasEnded(&exec, steps), lastSuccess: now,
		exact: exact && n == 0 && badTimes == 0, filters: filterKey(w.filters)}
	t.keepUnchanged(old)
	if badTimes > 0 {
		// Kept without those times, and the fetch counted as failed.
		return t, fmt.Errorf("%w: %d times of execution %s", ssmapi.ErrBadTime, badTimes, w.id)
	}
	return t, nil
}

// fetchSteps lists the step executions of one execution. A step execution
// id seen twice is kept once; at most maxSteps are kept and the number cut
// is returned. exact is false if a step had no id or was listed twice.
func fetchSteps(ctx context.Context, api ssmapi.API, id string, filters []config.Filter, maxSteps int, conv func(*types.StepExecution) stepRec) (steps []stepRec, cut int, exact bool, err error) {
	seen := map[string]bool{}
	exact = true
	err = ssmapi.EachStep(ctx, api, id, filters, func(s *types.StepExecution) {
		r := conv(s)
		if r.id == "" {
			// No id: keep it apart from every other step execution.
			r.id = fmt.Sprintf("%s#%d", id, len(seen))
			exact = false
		}
		if seen[r.id] {
			exact = false
			return
		}
		seen[r.id] = true
		if len(steps) >= maxSteps {
			cut++
			return
		}
		steps = append(steps, r)
	})
	if err != nil {
		return nil, 0, false, err
	}
	if cap(steps) > len(steps)+len(steps)/8 {
		steps = slices.Clone(steps) // kept for as long as the execution is tracked
	}
	return steps, cut, exact, nil
}
