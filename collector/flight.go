package collector

import "context"

// flight is one refresh in progress; every scrape that arrives meanwhile
// waits for it instead of starting its own.
type flight struct {
	done chan struct{}
	view *view
}

// get returns a view no older than min_refresh_interval, refreshing once
// for all concurrent callers when needed. Only a caller with a release
// starts a refresh, and release is called when that refresh ends (the
// refresh slot it holds is free again), or at once when get starts none.
// A caller without one waits for the refresh in flight, if any.
func (ts *targetState) get(ctx context.Context, release func()) *view {
	ts.mu.Lock()
	f := ts.inflight
	v := ts.freshLocked()
	switch {
	case v != nil:
	case f == nil && release != nil:
		f, release = ts.startLocked(ctx, release), nil
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
		return ts.late()
	}
	select {
	case <-f.done:
		return f.view
	case <-ctx.Done():
		return ts.late()
	}
}

// startLocked starts a refresh. It serves every scrape that arrives while
// it runs: it keeps the first scrape's deadline but not its cancellation.
// Called with ts.mu held.
func (ts *targetState) startLocked(ctx context.Context, release func()) *flight {
	f := &flight{done: make(chan struct{})}
	ts.inflight = f
	rctx := context.WithoutCancel(ctx)
	var cancel context.CancelFunc = func() {}
	if dl, ok := ctx.Deadline(); ok {
		rctx, cancel = context.WithDeadline(rctx, dl)
	}
	go func() {
		defer release()
		defer cancel()
		v := ts.refresh(rctx)
		ts.mu.Lock()
		ts.current, ts.inflight = v, nil
		ts.mu.Unlock()
		f.view = v
		close(f.done)
	}()
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

// late is the view of a scrape out of time: the last good series, but
// not up.
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
