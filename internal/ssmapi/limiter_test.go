package ssmapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestAdaptiveLimiterRate follows the rate through a sequence of events:
// T a throttled answer, S a success, K the same configuration applied
// again (a reload that changes nothing), C a new rate of 20 per second.
func TestAdaptiveLimiterRate(t *testing.T) {
	for _, c := range []struct {
		name   string
		events string
		want   []float64 // the rate after each event
	}{
		{"each throttle halves the rate", "TTT", []float64{5, 2.5, 1.25}},
		{"down to a tenth of the configured rate", "TTTTT", []float64{5, 2.5, 1.25, 1, 1}},
		{"each success wins back a twentieth", "TTSS", []float64{5, 2.5, 3, 3.5}},
		{"back to the configured rate and no further", "TSSSSSSSSSSS",
			[]float64{5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10}},
		{"a success at the configured rate changes nothing", "SS", []float64{10, 10}},
		{"throttled again while recovering", "TTSTS", []float64{5, 2.5, 3, 1.5, 2}},
		{"the same configuration keeps the backed-off rate", "TTK", []float64{5, 2.5, 2.5}},
		{"a new configuration starts from its rate", "TTCTS", []float64{5, 2.5, 20, 10, 11}},
		{"the floor follows the configured rate", "CTTTTT", []float64{20, 10, 5, 2.5, 2, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newAdaptiveLimiter(10, 4)
			for i, e := range c.events {
				switch e {
				case 'T':
					l.Throttled()
				case 'S':
					l.Succeeded()
				case 'K':
					l.Configure(10, 4)
				case 'C':
					l.Configure(20, 4)
				}
				if got := l.Rate(); got != c.want[i] {
					t.Fatalf("after %s: rate %v, want %v", c.events[:i+1], got, c.want[i])
				}
				if got := l.lim.Limit(); got != rate.Limit(c.want[i]) {
					t.Fatalf("after %s: token bucket at %v, want %v", c.events[:i+1], got, c.want[i])
				}
			}
		})
	}
}

func TestAdaptiveLimiterBurst(t *testing.T) {
	l := newAdaptiveLimiter(10, 4)
	l.Throttled()
	l.Configure(10, 8) // only the burst changes: a new configuration all the same
	if l.Rate() != 10 || l.lim.Burst() != 8 {
		t.Fatalf("rate %v, burst %d after a new burst; want 10 and 8", l.Rate(), l.lim.Burst())
	}
}

// TestAdaptiveLimiterWait checks what Wait reports: the time its clock
// saw pass, and a timeout when the next token comes after the deadline.
func TestAdaptiveLimiterWait(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name    string
		rps     float64
		taken   int // tokens taken before the wait
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"a token is free", 1, 0, func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, nil},
		{"the next token comes after the deadline", 0.001, 1, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Minute)
		}, context.DeadlineExceeded},
		{"the scrape is over", 1, 0, func() (context.Context, context.CancelFunc) { return cancelled, func() {} }, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newAdaptiveLimiter(c.rps, 1)
			for range c.taken {
				if !l.lim.Allow() {
					t.Fatal("no token to take")
				}
			}
			clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			l.now = func() time.Time {
				clock = clock.Add(250 * time.Millisecond)
				return clock
			}
			ctx, cancel := c.ctx()
			defer cancel()
			waited, err := l.Wait(ctx)
			if !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if waited != 250*time.Millisecond {
				t.Errorf("waited %v, want the 250ms the clock moved", waited)
			}
		})
	}
}
