package collector

import (
	"slices"
	"strings"
)

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
