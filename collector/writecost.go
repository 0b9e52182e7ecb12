package collector

import (
	"context"
	"sync/atomic"
	"time"
)

// writeCost is what writing an answer takes, per target of the scrape:
// gathering the per-target series and the base registry, and writing
// every family. A scrape's refresh has to end that much before the
// scrape's deadline for the answer to arrive in time; with thousands of
// targets writing alone takes a large part of a second.
//
// Serve measures each answer; a dearer one is taken at once, a cheaper
// one lowers the figure by a quarter of the difference, so one small
// answer (a HEAD, a scrape whose refresh failed) does not undo it. The
// figure is per target so that /probe of one target and /metrics of all
// of them share it.
type writeCost struct{ nsPerTarget atomic.Int64 }

// note records that writing an answer of targets targets took d.
func (c *writeCost) note(d time.Duration, targets int) {
	if targets <= 0 {
		return
	}
	measured := int64(d) / int64(targets)
	for {
		old := c.nsPerTarget.Load()
		next := measured
		if measured < old {
			next = old - (old-measured)/4
		}
		if c.nsPerTarget.CompareAndSwap(old, next) {
			return
		}
	}
}

// reserve is the time to leave for writing an answer of targets targets.
func (c *writeCost) reserve(targets int) time.Duration {
	return time.Duration(c.nsPerTarget.Load() * int64(targets))
}

// refreshContext is ctx with its deadline brought forward by the time
// writing an answer of targets targets is expected to take, by at most
// half of the time left: a refresh always keeps half of its scrape.
func (c *writeCost) refreshContext(ctx context.Context, targets int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	reserve := c.reserve(targets)
	if !ok || reserve <= 0 {
		return context.WithCancel(ctx)
	}
	reserve = min(reserve, time.Until(dl)/2)
	return context.WithDeadline(ctx, dl.Add(-reserve))
}
