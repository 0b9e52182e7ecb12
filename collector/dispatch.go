package collector

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// maxRefreshes bounds the target refreshes that run at once across the
// exporter. Each refresh bounds its own calls (api.max_concurrency) and
// every (account, region) has its token bucket; this bounds the rest
// (goroutines, connections, memory) however many targets there are.
const maxRefreshes = 64

// errNoTurn is the failure of a target whose refresh could not start
// before the scrape's deadline: every refresh slot was taken until then.
var errNoTurn = fmt.Errorf("%w: the scrape deadline passed before the target's refresh could start", context.DeadlineExceeded)

// turnResult is the view one target's refresh gave.
type turnResult struct {
	i int
	v *view
}

// refreshTargets refreshes the scrape's targets, at most maxRefreshes at a time
// across the exporter, the targets whose refresh started longest ago
// first. It returns once all are done or at the deadline, with what is
// known then: a target whose refresh runs on gives what it has fetched so
// far over its last view (see answer); one whose refresh could not start
// gives its last view, not up.
func (s *Scrape) refreshTargets(ctx context.Context) []scrapePart {
	views, stale := s.freshViews()
	done := make(chan turnResult, len(stale))
	dispatched := make(chan struct{})
	noTurn := make([]bool, len(s.targets))
	go func() {
		defer close(dispatched)
		s.dispatch(ctx, stale, done, noTurn)
	}()
wait:
	for range stale {
		select {
		case r := <-done:
			views[r.i] = r.v
		case <-ctx.Done():
			break wait
		}
	}
	// At the deadline the dispatcher stops at once; once it has, the
	// failures of the targets it did not reach are counted, and the
	// warnings written next tell of them all.
	<-dispatched
	parts := make([]scrapePart, len(s.targets))
	for i, ts := range s.targets {
		v := views[i]
		switch {
		case v != nil:
		case noTurn[i]:
			v = ts.late()
		default:
			v = ts.answer() // the refresh goes on; what it has fetched so far
		}
		ts.mu.Lock()
		cfg := ts.cfg
		ts.mu.Unlock()
		parts[i] = scrapePart{ts: ts, cfg: cfg, v: v, now: ts.now()}
	}
	return parts
}

// freshViews gives the views of the targets within min_refresh_interval,
// which need no refresh, and the indices of the others, those whose last
// refresh started longest ago (or never) first: when the deadline leaves
// time for only some targets, the next scrape starts with the others.
func (s *Scrape) freshViews() ([]*view, []int) {
	views := make([]*view, len(s.targets))
	var stale []int
	for i, ts := range s.targets {
		if v := ts.fresh(); v != nil {
			views[i] = v
		} else {
			stale = append(stale, i)
		}
	}
	slices.SortStableFunc(stale, func(a, b int) int {
		return cmp.Compare(s.targets[a].turn.Load(), s.targets[b].turn.Load())
	})
	return views, stale
}

// dispatch starts the refresh of each target in order as a slot frees up,
// and gives up at the deadline: the targets left count a timeout and are
// marked in noTurn. A slot is held until the refresh ends, even past the
// deadline of the scrape that started it. A target whose refresh another
// scrape started is waited for without a slot.
func (s *Scrape) dispatch(ctx context.Context, order []int, done chan<- turnResult, noTurn []bool) {
	for k, i := range order {
		ts := s.targets[i]
		if ts.busy() {
			go func() { done <- turnResult{i, ts.get(ctx, nil)} }()
			continue
		}
		if !s.acquire(ctx) {
			for _, j := range order[k:] {
				if !s.targets[j].busy() {
					noTurn[j] = true
					s.targets[j].fail(errNoTurn, "no refresh slot before the scrape deadline")
				}
			}
			return
		}
		ts.turn.Store(s.exp.turns.Add(1))
		go func() { done <- turnResult{i, ts.get(ctx, func() { <-s.exp.slots })} }()
	}
}

// acquire takes a refresh slot, or reports false at the deadline.
func (s *Scrape) acquire(ctx context.Context) bool {
	select {
	case s.exp.slots <- struct{}{}:
		if ctx.Err() == nil {
			return true
		}
		<-s.exp.slots
	case <-ctx.Done():
	}
	return false
}
