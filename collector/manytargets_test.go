package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// countedClients hands out the real clients, counting the calls in flight
// through them and the most at once.
type countedClients struct {
	inner     ClientSource
	now, most *atomic.Int64
}

func (c countedClients) For(t config.ExpandedTarget, api config.API) ssmapi.API {
	return countedAPI{API: c.inner.For(t, api), c: c}
}

func (c countedClients) enter() func() {
	n := c.now.Add(1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	return func() { c.now.Add(-1) }
}

type countedAPI struct {
	ssmapi.API
	c countedClients
}

func (a countedAPI) DescribeAutomationExecutions(ctx context.Context, in *ssm.DescribeAutomationExecutionsInput, opts ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error) {
	defer a.c.enter()()
	return a.API.DescribeAutomationExecutions(ctx, in, opts...)
}

func (a countedAPI) DescribeAutomationStepExecutions(ctx context.Context, in *ssm.DescribeAutomationStepExecutionsInput, opts ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	defer a.c.enter()()
	return a.API.DescribeAutomationStepExecutions(ctx, in, opts...)
}

// TestManyTargetsKeepTheDeadline scrapes 600 targets, each with a
// running execution behind 100 ms of latency per call, within a 1 s
// deadline: far more than can be refreshed in time. The refresh returns at
// the deadline with what is known, no more than maxRefreshes targets are
// refreshed at once, and the failures are summarised in one warning line
// per reason, not one per target.
func TestManyTargetsKeepTheDeadline(t *testing.T) {
	const targets, deadline = 600, time.Second
	h := newHarness(t, scenario(), ssmsim.Options{Faults: ssmsim.Faults{Latency: 100 * time.Millisecond}})
	var logs syncBuffer
	withLogger(t, h, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	calls := countedClients{inner: h.exp.clients, now: new(atomic.Int64), most: new(atomic.Int64)}
	h.exp.clients = calls
	var cfg strings.Builder
	cfg.WriteString("targets:\n")
	for i := range targets {
		fmt.Fprintf(&cfg, "  - {name: t%04d, region: us-east-1, endpoint: %%[1]s, executions: [{id: %s}]}\n", i, idRunning)
	}
	h.apply(t, cfg.String())

	for i := range 3 {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		sc := h.exp.Scrape(ctx, nil)
		parts := sc.refreshed()
		refreshed := time.Since(start)
		rec := httptest.NewRecorder()
		Serve(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil), sc, h.base, slog.New(slog.DiscardHandler))
		answered := time.Since(start)
		cancel()
		t.Logf("scrape %d: refreshed after %v, answered after %v (%d bytes)", i, refreshed, answered, rec.Body.Len())
		if refreshed > deadline+2*time.Second {
			t.Errorf("scrape %d: the refresh returned %v after a deadline of %v", i, refreshed, deadline)
		}
		if answered > deadline+4*time.Second {
			t.Errorf("scrape %d: answered %v after a deadline of %v", i, answered, deadline)
		}
		if len(parts) != targets || strings.Count(rec.Body.String(), "\nssm_automation_up{") != targets {
			t.Fatalf("scrape %d: %d parts; every target must be answered for", i, len(parts))
		}
	}
	// Each target has one execution: its refresh makes one call at a time.
	if most := calls.most.Load(); most > maxRefreshes {
		t.Errorf("%d calls at once; at most %d target refreshes may run at once, one call each", most, maxRefreshes)
	}
	warned := regexp.MustCompile(`(?m)^.*level=WARN.*$`).FindAllString(logs.String(), -1)
	if len(warned) == 0 || len(warned) > len(ssmapi.Reasons()) {
		t.Fatalf("%d warning lines for %d targets, want one per reason:\n%s", len(warned), targets, strings.Join(warned, "\n"))
	}
	timeout := slices.IndexFunc(warned, func(l string) bool { return strings.Contains(l, "reason=timeout") })
	if timeout < 0 || regexp.MustCompile(` targets=([2-9]|\d\d+) `).FindString(warned[timeout]) == "" {
		t.Errorf("no warning sums up the targets that timed out:\n%s", strings.Join(warned, "\n"))
	}
}
