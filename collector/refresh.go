package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// fetched is the outcome of fetching the wanted executions.
type fetched struct {
	results map[string]*tracked // fetched now, or settled and reused
	gone    map[string]bool     // the API says they do not exist
	ok      bool
}

// fetchAll fetches the step executions of every wanted execution that can
// still change, at most max_concurrency at a time. Settled executions are
// reused without a call.
func (ts *targetState) fetchAll(ctx context.Context, cfg config.ExpandedTarget, api API, apiCfg config.API, want []*wanted, now time.Time) fetched {
	ts.mu.Lock()
	old := ts.tracked
	ts.mu.Unlock()
	out := fetched{results: map[string]*tracked{}, gone: map[string]bool{}, ok: true}
	var needMeta []string
	for _, w := range want {
		if o := old[w.id]; o != nil && o.settled {
			reused := *o // nothing can have changed: it is as good as fetched now
			reused.lastSuccess = now
			out.results[w.id] = &reused
		} else if w.meta == nil {
			needMeta = append(needMeta, w.id)
		}
	}
	metas, metaErr := fetchMetadata(ctx, api, needMeta)
	if metaErr != nil {
		out.ok = false
		ts.fail(metaErr, "fetching execution metadata failed")
	}

	limits := cfg.Target.Limits
	cut := ts.cutter(limits.MaxLabelLength)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, apiCfg.MaxConcurrency)
	for _, w := range want {
		if o := old[w.id]; o != nil && o.settled {
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
		go func(w *wanted, meta *types.AutomationExecutionMetadata) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				mu.Lock()
				out.ok = false
				mu.Unlock()
				return
			}
			t, err := ts.fetchOne(ctx, api, w, meta, old[w.id], limits.MaxStepsPerExecution, cut, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				out.results[w.id] = t
			case errors.Is(err, errBadTime):
				out.results[w.id] = t
				out.ok = false
				ts.fail(err, "the API sent a time out of range", "execution_id", w.id)
			case isNotFound(err):
				out.ok = false
				out.gone[w.id] = true
				ts.fail(err, "execution not found", "execution_id", w.id)
				if old[w.id] != nil {
					ts.counters.vanished()
				}
			default:
				out.ok = false
				ts.fail(err, "fetching step executions failed", "execution_id", w.id)
			}
		}(w, meta)
	}
	wg.Wait()
	if ctx.Err() != nil {
		out.ok = false
	}
	return out
}

// fetchOne fetches one execution's step executions.
func (ts *targetState) fetchOne(ctx context.Context, api API, w *wanted, meta *types.AutomationExecutionMetadata, old *tracked, maxSteps int, cut func(string) string, now time.Time) (*tracked, error) {
	badTimes := 0
	conv := func(s *types.StepExecution) stepRec {
		r := stepFromSDK(s)
		r.cutLabels(cut)
		badTimes += clearBadTimes(now, &r.start, &r.end)
		return r
	}
	steps, n, err := fetchSteps(ctx, api, w.id, w.filters, maxSteps, conv)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		ts.counters.cut("steps", float64(n))
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
	t := &tracked{exec: exec, steps: steps, settled: meta != nil && settled(&exec, steps), lastSuccess: now}
	if badTimes > 0 {
		// Kept without those times, and the fetch counted as failed.
		return t, fmt.Errorf("%w: %d times of execution %s", errBadTime, badTimes, w.id)
	}
	return t, nil
}

// cutter returns a function that shortens label values to max bytes
// (on a rune boundary), counting each cut.
func (ts *targetState) cutter(max int) func(string) string {
	return func(s string) string {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD") // a label value must be UTF-8
		}
		if len(s) <= max {
			return s
		}
		ts.counters.cut("label_length", 1)
		i := max
		for i > 0 && s[i]&0xC0 == 0x80 {
			i--
		}
		return s[:i]
	}
}

// cutLabels cuts the label values of a step execution, but not its id: an
// identifier cut short could equal another, and two step executions would
// become one series and be counted as one.
func (r *stepRec) cutLabels(cut func(string) string) {
	d := r.def // not shared yet: interner.own shares it
	for _, p := range []*string{&d.name, &d.action, &d.onFailure, &d.nextStep, &d.parentStepName, &d.failureStage, &d.failureType} {
		*p = cut(*p)
	}
	r.alarms = cutAlarms(r.alarms, cut)
}

// cutLabels cuts the label values of an execution, but neither its id nor
// its parent's.
func (e *execRec) cutLabels(cut func(string) string) {
	for _, p := range []*string{&e.document, &e.version} {
		*p = cut(*p)
	}
	e.alarms = cutAlarms(e.alarms, cut)
}

// cutAlarms cuts alarm names in place and drops an alarm that cutting made
// equal to an earlier one: it would be the same series twice.
func cutAlarms(alarms []alarm, cut func(string) string) []alarm {
	out := alarms[:0]
	for _, a := range alarms {
		a.name = cut(a.name)
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// countFinished counts, once per id, the step executions and executions
// seen in a terminal status. Called with ts.mu held.
func (ts *targetState) countFinished(next map[string]*tracked) {
	for _, t := range next {
		if t.counted || t.settled && ts.seen.has("x/"+t.exec.id) {
			continue // counted in full already
		}
		for i := range t.steps {
			s := &t.steps[i]
			if !isTerminal(s.status) || s.id == "" || ts.seen.has(s.id) {
				continue
			}
			ts.seen.add(s.id)
			ts.agg.stepsFinished.WithLabelValues(ts.name, t.exec.document, s.def.name, s.def.action, s.status).Inc()
			if !s.start.IsZero() && !s.end.IsZero() {
				ts.agg.stepDuration.WithLabelValues(ts.name, t.exec.document, s.def.name, s.def.action).Observe(s.end.Sub(s.start).Seconds())
			}
		}
		if isTerminal(t.exec.status) && !ts.seen.has("x/"+t.exec.id) {
			ts.seen.add("x/" + t.exec.id)
			ts.agg.execsFinished.WithLabelValues(ts.name, t.exec.document, t.exec.status).Inc()
		}
		// A settled execution never changes: the flag, copied with it when
		// it is reused, keeps it from being counted again even once the
		// bounded memory of ids has forgotten it.
		t.counted = t.settled
	}
}

func sortedTracked(m map[string]*tracked) []*tracked {
	out := make([]*tracked, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].exec.id < out[j].exec.id })
	return out
}
