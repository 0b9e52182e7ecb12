package collector

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestWriteCostNote checks how the cost per target follows the answers
// measured: a dearer answer at once, a cheaper one by a quarter of the
// difference, an answer of no target not at all.
func TestWriteCostNote(t *testing.T) {
	var c writeCost
	steps := []struct {
		d       time.Duration
		targets int
		want    time.Duration // per target, after the note
	}{
		{800 * time.Millisecond, 100, 8 * time.Millisecond},
		{400 * time.Millisecond, 100, 7 * time.Millisecond}, // 8 - (8-4)/4
		{time.Second, 0, 7 * time.Millisecond},              // no target: ignored
		{20 * time.Millisecond, 1, 20 * time.Millisecond},   // dearer: taken at once
		{0, 1, 15 * time.Millisecond},                       // 20 - 20/4
		{3 * time.Second, 10000, 0},                         // 0.3 ms < 15 ms: 15 - (15-0.3)/4, set below
	}
	steps[5].want = 15*time.Millisecond - (15*time.Millisecond-300*time.Microsecond)/4
	for i, s := range steps {
		c.note(s.d, s.targets)
		if got := c.reserve(1); got != s.want {
			t.Fatalf("after note %d (%v for %d targets): %v per target, want %v", i, s.d, s.targets, got, s.want)
		}
	}
	if got, want := c.reserve(1000), 1000*steps[5].want; got != want {
		t.Errorf("reserve for 1000 targets: %v, want %v", got, want)
	}
}

// TestRefreshContextLeavesTimeToWrite checks that a scrape's refresh ends
// early by what writing its answer costs, by at most half of the time
// left, and that a scrape with no deadline gets none.
func TestRefreshContextLeavesTimeToWrite(t *testing.T) {
	var c writeCost
	c.note(300*time.Millisecond, 10) // 30 ms per target
	dl := time.Now().Add(10 * time.Second)
	parent, cancel := context.WithDeadline(context.Background(), dl)
	defer cancel()

	for _, tc := range []struct {
		targets int
		want    time.Duration // how much earlier than dl
	}{
		{0, 0},
		{10, 300 * time.Millisecond},
		{100, 3 * time.Second},
	} {
		ctx, cancel := c.refreshContext(parent, tc.targets)
		got, ok := ctx.Deadline()
		cancel()
		if !ok || dl.Sub(got) != tc.want {
			t.Errorf("%d targets: deadline %v before the scrape's, want %v", tc.targets, dl.Sub(got), tc.want)
		}
	}
	// 1,000 targets would want 30 s: the refresh keeps half of what is left.
	ctx, cancel2 := c.refreshContext(parent, 1000)
	defer cancel2()
	got, _ := ctx.Deadline()
	if early := dl.Sub(got); early < 4*time.Second || early > 5*time.Second {
		t.Errorf("1000 targets: deadline %v before the scrape's, want about half of 10s", early)
	}
	ctx, cancel3 := c.refreshContext(context.Background(), 10)
	defer cancel3()
	if _, ok := ctx.Deadline(); ok {
		t.Error("a scrape with no deadline got one for its refresh")
	}
}

// TestServeMeasuresTheWrite checks that an answer of Serve is measured,
// so that the next scrape's refresh leaves it room.
func TestServeMeasuresTheWrite(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	if got := h.exp.cost.reserve(1); got != 0 {
		t.Fatalf("cost before any answer: %v", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	Serve(httptest.NewRecorder(), req, h.exp.Scrape(ctx, nil), h.base, slog.New(slog.DiscardHandler))
	if got := h.exp.cost.reserve(1); got <= 0 {
		t.Fatalf("cost after an answer: %v, want more than 0", got)
	}
}

// TestScrapeRefreshEndsEarlyToWrite checks that a scrape's refresh ends
// before the scrape's deadline by what writing is expected to take: with
// 1.5 s of writing expected, a 4 s scrape of a target whose API is slower
// than that gives up refreshing at 2.5 s, not at 4 s.
func TestScrapeRefreshEndsEarlyToWrite(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{Faults: ssmsim.Faults{Latency: 10 * time.Second}})
	h.apply(t, `
targets:
  - name: slow
    region: us-east-1
    endpoint: %s
    executions: [{id: `+idRunning+`}]
`)
	h.exp.cost.note(1500*time.Millisecond, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	start := time.Now()
	parts := h.exp.Scrape(ctx, nil).refreshed()
	if took := time.Since(start); took > 3500*time.Millisecond {
		t.Fatalf("the refresh took %v of the scrape's 4s; want it to end at 2.5s to leave 1.5s to write", took)
	}
	if len(parts) != 1 || parts[0].v.up {
		t.Fatalf("want the slow target not up, got %+v", parts)
	}
}
