package collector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// slowFleet is a target of 20 discovered executions whose refresh the
// exporter's own token bucket (rps a second, burst 1) stretches to 20/rps
// seconds; min_refresh_interval keeps a completed refresh for the rest of
// the test (the harness's clock stands still).
const slowFleet = `
api: {requests_per_second: %g, burst: 1, max_concurrency: 4}
targets:
  - name: t1
    region: us-east-1
    endpoint: %%s
    min_refresh_interval: 1h
    discovery: [{name: all, max_executions: 1000}]
`

func newSlowFleet(t *testing.T, rps float64) *harness {
	t.Helper()
	h := newHarness(t, nil, ssmsim.Options{RequestsPerSecond: 20})
	ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: 5, Executions: 20, StepsPerExecution: 3, Now: fixedNow})
	h.apply(t, fmt.Sprintf(slowFleet, rps))
	return h
}

// stepCallsDone is how many step listings the exporter has got an answer to.
func stepCallsDone(t *testing.T, h *harness) float64 {
	return sum(t, h.base, "ssm_automation_exporter_api_requests_total", map[string]string{"operation": "DescribeAutomationStepExecutions"})
}

// scrapeCut starts a scrape whose context ends once until reports true,
// and returns what it answered.
func scrapeCut(t *testing.T, h *harness, until func() bool) prometheus.Gatherer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		defer cancel()
		for deadline := time.Now().Add(30 * time.Second); !until() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}()
	return scraped(t, h.exp.Scrape(ctx, nil)) // the scrape happens here, once
}

func inflightOf(ts *targetState) *flight {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.inflight
}

func waitDone(t *testing.T, f *flight, within time.Duration, what string) {
	t.Helper()
	select {
	case <-f.done:
		return
	default:
	}
	select {
	case <-f.done:
	case <-time.After(within):
		t.Fatalf("%s: the refresh still runs after %s", what, within)
	}
}

// A cold start whose refresh outlives the first scrape: that scrape
// answers with what the refresh has fetched so far, pending > 0 and up 0;
// the refresh goes on in the background, and the next scrape finds it
// done, with everything, pending 0 and up 1, no call made twice.
func TestColdStartAnswersWithWhatIsFetchedAndEndsInTheBackground(t *testing.T) {
	h := newSlowFleet(t, 5) // 20 step listings: about 4 s
	ts := h.exp.targets["t1"]
	first := scrapeCut(t, h, func() bool { return stepCallsDone(t, h) >= 3 })
	f := inflightOf(ts)
	if f == nil {
		t.Fatal("the refresh ended with the first scrape")
	}
	got := len(exportedIDs(t, first))
	pending, _ := value(t, first, "ssm_automation_pending_executions", nil)
	if got == 0 || got >= 20 || pending == 0 || int(pending)+got != 20 {
		t.Fatalf("first scrape: %d executions and %v pending, want some of 20 and the rest pending", got, pending)
	}
	if up, _ := value(t, first, "ssm_automation_up", nil); up != 0 {
		t.Fatalf("first scrape: up %v during a cold start", up)
	}

	waitDone(t, f, 60*time.Second, "cold start")
	calls := totalCalls(h)
	next := h.registry(t)
	if got := len(exportedIDs(t, next)); got != 20 {
		t.Fatalf("after the refresh: %d executions, want 20", got)
	}
	if v, _ := value(t, next, "ssm_automation_pending_executions", nil); v != 0 {
		t.Fatalf("after the refresh: pending %v", v)
	}
	if up, _ := value(t, next, "ssm_automation_up", nil); up != 1 {
		t.Fatalf("after the refresh: up %v", up)
	}
	if totalCalls(h) != calls {
		t.Fatal("the second scrape started another refresh")
	}
	if n := h.calls("DescribeAutomationStepExecutions"); n != 20 {
		t.Fatalf("%v step listings for 20 executions: a call was made twice", n)
	}
	for _, op := range []string{"DescribeAutomationExecutions", "DescribeAutomationStepExecutions"} {
		if n := h.sim.Requests(op, "ThrottlingException"); n != 0 {
			t.Fatalf("%v ThrottlingException answers to %s", n, op)
		}
	}
}

// A reload that removes a target ends its refresh at once, even though no
// scrape waits for it any more.
func TestReloadRemovingATargetEndsItsRefresh(t *testing.T) {
	h := newSlowFleet(t, 1) // 20 step listings: about 20 s
	ts := h.exp.targets["t1"]
	scrapeCut(t, h, func() bool { return stepCallsDone(t, h) >= 1 })
	f := inflightOf(ts)
	if f == nil {
		t.Fatal("no refresh in flight after the first scrape")
	}
	h.apply(t, "targets: [{name: other, region: us-east-1, endpoint: %s, executions: [{id: "+idRunning+"}]}]\n")
	waitDone(t, f, 10*time.Second, "target removed")
	if n := h.calls("DescribeAutomationStepExecutions"); n >= 20 {
		t.Fatalf("the removed target's refresh made all its %v calls", n)
	}
}

// Close ends the refreshes under way, leaves no goroutine behind, and a
// scrape afterwards starts no refresh.
func TestCloseEndsRefreshes(t *testing.T) {
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	h := newSlowFleet(t, 1)
	scrapeCut(t, h, func() bool { return stepCallsDone(t, h) >= 1 })
	f := inflightOf(h.exp.targets["t1"])
	if f == nil {
		t.Fatal("no refresh in flight after the first scrape")
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		h.exp.Close()
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while a refresh ran")
	}
	waitDone(t, f, 0, "closed")
	calls := totalCalls(h)
	if up, _ := value(t, scrapeWithin(t, h, 5*time.Second), "ssm_automation_up", nil); up != 0 {
		t.Fatalf("up %v after Close during a cold start", up)
	}
	if totalCalls(h) != calls {
		t.Fatal("a scrape after Close started a refresh")
	}
}

// Only a refresh that reaches api.refresh_timeout counts a timeout, and
// says up 0.
func TestRefreshTimeoutCountsATimeout(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{Faults: ssmsim.Faults{Latency: 300 * time.Millisecond}})
	h.apply(t, "api: {requests_per_second: 10000, burst: 10000, refresh_timeout: 100ms}\n"+goldenConfig)
	reg := h.registry(t)
	if up, _ := value(t, reg, "ssm_automation_up", nil); up != 0 {
		t.Fatalf("up %v after the refresh ran out of api.refresh_timeout", up)
	}
	if n := sum(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "timeout"}); n == 0 {
		t.Fatal("a refresh that reached api.refresh_timeout counted no timeout")
	}
}

// A reload that changes what is fetched (here a rule's step filters)
// while a refresh runs drops that refresh: it ends, and nothing it fetched
// the old way is kept or served as fresh.
func TestReloadChangingWhatIsFetchedDropsTheRefreshInFlight(t *testing.T) {
	h := newSlowFleet(t, 1)
	scrapeCut(t, h, func() bool { return stepCallsDone(t, h) >= 1 })
	f := inflightOf(h.exp.targets["t1"])
	if f == nil {
		t.Fatal("no refresh in flight after the first scrape")
	}
	h.apply(t, `
api: {requests_per_second: 10000, burst: 10000}
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    min_refresh_interval: 1h
    discovery: [{name: all, max_executions: 1000, step_filters: [{key: StepExecutionStatus, values: [Failed]}]}]
`)
	waitDone(t, f, 10*time.Second, "reloaded")
	reg := h.registry(t)
	if got := len(exportedIDs(t, reg)); got != 20 {
		t.Fatalf("after the reload: %d executions, want 20", got)
	}
	for _, mf := range mustGather(t, reg) {
		if mf.GetName() != "ssm_automation_step_status" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if matches(m, map[string]string{"status": "Failed"}) {
				continue
			}
			t.Fatalf("a step the reloaded filters leave out is exported: %v", m.GetLabel())
		}
	}
}
