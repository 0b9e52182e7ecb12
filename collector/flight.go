package collector

import (
	"context"
	"slices"
	"strings"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// flight is one refresh in progress; every scrape that arrives meanwhile
// waits for it instead of starting its own. It runs on the target's
// context, bounded by api.refresh_timeout, not by the scrape that started
// it: a scrape out of time answers with what is fetched so far (see
// answer) while the refresh goes on for the next scrape.
type flight struct {
	done chan struct{}
	view *view // set before done is closed

	cancel context.CancelFunc // ends the refresh

	// Guarded by the target's mu: what the refresh has got so far, and
	// whether a reload changed what is fetched meanwhile (then it keeps
	// nothing).
	want    []*wanted           // nil until discovery ends
	fetched map[string]*tracked // fetched by this refresh, prepared
	stale   bool
}

// dropLocked ends the refresh in flight, if any, and keeps it from
// writing anything back: a reload changed what is fetched, or how.
// Called with ts.mu held.
func (ts *targetState) dropLocked() {
	if f := ts.inflight; f != nil {
		f.stale = true
		f.cancel()
	}
}

// get returns a view no older than min_refresh_interval, refreshing once
// for all concurrent callers when needed. Only a caller with a release
// starts a refresh, and release is called when that refresh ends (the
// refresh slot it holds is free again), or at once when get starts none.
// A caller without one waits for the refresh in flight, if any. At ctx's
// end it returns what is known then (see answer).
func (ts *targetState) get(ctx context.Context, release func()) *view {
	ts.mu.Lock()
	f := ts.inflight
	v := ts.freshLocked()
	switch {
	case v != nil:
	case f == nil && release != nil:
		f, release = ts.startLocked(release), nil
	case f == nil:
		v = ts.current // the refresh waited for has just ended
	}
	ts.mu.Unlock()
	if release != nil {
		release()
	}
	switch {
	case v != nil:
		return v
	case f == nil:
		return ts.answer()
	}
	select {
	case <-f.done:
		return f.view
	case <-ctx.Done():
		return ts.answer()
	}
}

// startLocked starts a refresh on the target's context, with a deadline
// of api.refresh_timeout, and calls release when it ends. It returns nil
// (and releases at once) when the exporter is closed. Called with ts.mu
// held.
func (ts *targetState) startLocked(release func()) *flight {
	timeout := ts.apiCfg.RefreshTimeout
	if timeout <= 0 {
		timeout = config.DefaultAPI.RefreshTimeout
	}
	rctx, cancel := context.WithTimeout(ts.ctx, timeout)
	f := &flight{done: make(chan struct{}), fetched: map[string]*tracked{}, cancel: cancel}
	started := ts.exp.goRefresh(func() {
		defer release()
		defer cancel()
		v := ts.refresh(rctx)
		ts.mu.Lock()
		if !f.stale {
			ts.current = v
		}
		ts.inflight = nil
		f.view = v
		ts.mu.Unlock()
		close(f.done)
	})
	if !started {
		cancel()
		release()
		return nil
	}
	ts.inflight = f // the refresh waits for ts.mu before it reads anything
	return f
}

// freshLocked is the current view when it is within min_refresh_interval.
// Called with ts.mu held.
func (ts *targetState) freshLocked() *view {
	if v := ts.current; v != nil && ts.now().Sub(v.refreshedAt) < ts.cfg.Target.MinRefreshInterval {
		return v
	}
	return nil
}

// fresh is the current view when it is within min_refresh_interval.
func (ts *targetState) fresh() *view {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.freshLocked()
}

// busy reports whether a refresh of the target is in flight.
func (ts *targetState) busy() bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.inflight != nil
}

// late is the view of a target whose refresh could not start before the
// scrape's deadline: the last good series, but not up.
func (ts *targetState) late() *view {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.current == nil {
		return &view{refreshedAt: ts.now()}
	}
	late := *ts.current
	late.up = false
	return &late
}

// A refresh may outlive the scrape that started it (see flight). Until it
// ends, what it has fetched is visible to the scrapes that run out of
// time: answer merges it over the last completed refresh.

// wantedNow records the executions the refresh in flight will export, once
// its discovery has ended.
func (ts *targetState) wantedNow(want []*wanted) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if f := ts.inflight; f != nil {
		f.want = want
	}
}

// progressed records an execution the refresh in flight has just fetched.
// It is prepared here, once, before any scrape can see it.
func (ts *targetState) progressed(id string, t *tracked) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if f := ts.inflight; f != nil && !f.stale {
		if !t.prepared() {
			t.prepare(ts.in)
		}
		f.fetched[id] = t
	}
}

// answer is the view of a scrape out of time. While a refresh runs, it is
// the last completed view with what that refresh has fetched so far
// merged over it; otherwise the last completed view as it is. Either way
// up is the last completed refresh's, and 0 while a wanted execution has
// never been fetched.
func (ts *targetState) answer() *view {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	base := ts.current
	if base == nil {
		base = &view{refreshedAt: ts.now()}
	}
	f := ts.inflight
	if f == nil || f.want == nil || f.stale {
		return base // nothing fetched yet that the last view lacks (or to keep)
	}
	out := *base
	out.execs = make([]*tracked, 0, len(f.want))
	out.pending = 0
	for _, w := range f.want {
		t := f.fetched[w.id]
		if t == nil {
			t = ts.tracked[w.id]
		}
		if t == nil {
			out.pending++
			continue
		}
		out.execs = append(out.execs, t)
	}
	slices.SortFunc(out.execs, func(a, b *tracked) int { return strings.Compare(a.exec.id, b.exec.id) })
	out.steps = aggregate(out.execs)
	out.up = base.up && out.pending == 0
	return &out
}
