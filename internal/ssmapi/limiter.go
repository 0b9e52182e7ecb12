package ssmapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// adaptiveLimiter is a token bucket for one (account, region) that backs off
// when AWS throttles: each ThrottlingException halves the rate (down to a
// tenth of the configured one), each success wins back a twentieth.
type adaptiveLimiter struct {
	mu         sync.Mutex
	configured rate.Limit
	current    rate.Limit
	lim        *rate.Limiter
	now        func() time.Time // measures the waits (tests replace it)
}

func newAdaptiveLimiter(rps float64, burst int) *adaptiveLimiter {
	l := &adaptiveLimiter{lim: rate.NewLimiter(rate.Limit(rps), burst), now: time.Now}
	l.configured, l.current = rate.Limit(rps), rate.Limit(rps)
	return l
}

// Configure applies a new rate and burst (after a reload).
func (l *adaptiveLimiter) Configure(rps float64, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.configured == rate.Limit(rps) && l.lim.Burst() == burst {
		return
	}
	l.configured, l.current = rate.Limit(rps), rate.Limit(rps)
	l.lim.SetLimit(l.current)
	l.lim.SetBurst(burst)
}

// Wait blocks until a token is free and says how long it waited.
func (l *adaptiveLimiter) Wait(ctx context.Context) (time.Duration, error) {
	start := l.now()
	err := l.lim.Wait(ctx)
	if err != nil && ctx.Err() == nil {
		// The wait would outlast the deadline: a timeout all the same.
		err = fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
	}
	return l.now().Sub(start), err
}

// Throttled halves the rate, down to a tenth of the configured one.
func (l *adaptiveLimiter) Throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current = max(l.current/2, l.configured/10)
	l.lim.SetLimit(l.current)
}

// Succeeded wins back a twentieth of the configured rate.
func (l *adaptiveLimiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.current >= l.configured {
		return
	}
	l.current = min(l.current+l.configured/20, l.configured)
	l.lim.SetLimit(l.current)
}

// Rate is the current rate, for tests.
func (l *adaptiveLimiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.current)
}
