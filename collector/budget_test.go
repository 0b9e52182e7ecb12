package collector

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// totalCalls counts every SSM call the simulator answered.
func totalCalls(h *harness) float64 {
	return h.calls("DescribeAutomationExecutions") + h.calls("DescribeAutomationStepExecutions")
}

func TestConcurrentScrapesShareOneRefresh(t *testing.T) {
	// Latency keeps the first refresh in flight while the others arrive.
	h := newHarness(t, scenario(), ssmsim.Options{Faults: ssmsim.Faults{Latency: 50 * time.Millisecond}})
	h.apply(t, goldenConfig)
	h.registry(t).Gather() // cold
	before := totalCalls(h)
	h.registry(t).Gather()
	one := totalCalls(h) - before

	before = totalCalls(h)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sc := h.exp.Scrape(ctx, nil)
			<-start
			if _, err := serveScrape(sc, nil, expfmt.NewFormat(expfmt.TypeProtoDelim)); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := totalCalls(h) - before; got != one {
		t.Fatalf("50 concurrent scrapes made %v calls, one scrape makes %v", got, one)
	}
}

func TestMinRefreshIntervalReusesTheLastResult(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    min_refresh_interval: 1m
    discovery: [{name: all}]
`)
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_last_refresh_timestamp_seconds", nil); v != epochSeconds(fixedNow) {
		t.Fatalf("last refresh = %v", v)
	}
	calls := totalCalls(h)
	h.clock = fixedNow.Add(59 * time.Second)
	reg = h.registry(t)
	if totalCalls(h) != calls {
		t.Fatal("a scrape within min_refresh_interval called the API")
	}
	if v, _ := value(t, reg, "ssm_automation_last_refresh_timestamp_seconds", nil); v != epochSeconds(fixedNow) {
		t.Fatalf("reused result reports refresh time %v", v)
	}
	h.clock = fixedNow.Add(61 * time.Second)
	h.registry(t).Gather()
	if totalCalls(h) == calls {
		t.Fatal("a scrape after min_refresh_interval did not refresh")
	}
}

func TestClientRateLimitStaysUnderTheQuota(t *testing.T) {
	execs := scenario()
	for i := range 16 { // 20 executions: about 25 calls per cold scrape
		e := execs[1].Clone()
		e.ID = "cccccccc-0000-4000-8000-0000000000" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		execs = append(execs, e)
	}
	// The client's bucket is smaller than the service's, so the jitter of
	// requests in flight never empties the service's bucket.
	h := newHarness(t, execs, ssmsim.Options{RequestsPerSecond: 20, Burst: 20})
	h.apply(t, `
api:
  requests_per_second: 20
  burst: 5
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all, include_children: true}]
`)
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_up", nil); v != 1 {
		t.Fatal("not up")
	}
	for _, op := range []string{"DescribeAutomationExecutions", "DescribeAutomationStepExecutions"} {
		if n := h.sim.Requests(op, "ThrottlingException"); n != 0 {
			t.Fatalf("%s throttled %v times", op, n)
		}
	}
	if v, _ := value(t, h.base, "ssm_automation_exporter_rate_limit_wait_seconds_total", nil); v <= 0 {
		t.Fatal("the token bucket never made a call wait")
	}
}

func TestThrottlingIsCountedAndSlowsTheClient(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{Faults: ssmsim.Faults{ErrorRates: map[string]float64{"ThrottlingException": 0.3}, Seed: 3}})
	h.apply(t, `
api:
  requests_per_second: 1000
  burst: 1000
  max_attempts: 10
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all}]
`)
	h.registry(t).Gather()
	injected := h.sim.InjectedFaults()["ThrottlingException"]
	counted, _ := value(t, h.base, "ssm_automation_exporter_api_throttled_total", nil)
	if injected == 0 || counted != float64(injected) {
		t.Fatalf("throttled_total = %v, the simulator injected %d", counted, injected)
	}
	clients := h.exp.clients.(*ssmapi.Clients)
	for _, rate := range clients.Rates() {
		if rate >= 1000 {
			t.Fatalf("the limiter did not back off: %v", rate)
		}
	}
}

// TestDeltaCallsOnFixedExecutions pins what a warm refresh of running
// executions costs: a loop of 180 iterations costs the step started last,
// whose iteration running shows the loop step unchanged (1 call, a full
// listing takes 4), a runbook of 123 steps whose current step still runs
// one call (not 3), and one whose whole listing is one page that page.
func TestDeltaCallsOnFixedExecutions(t *testing.T) {
	plain := runningLoop("eeeeeeee-0000-4000-8000-000000000002", 120, 80)
	plain.Steps[1].Action, plain.Steps[1].Status, plain.Steps[1].EndTime = "aws:executeScript", "Success", plain.Steps[1].StartTime
	for _, s := range plain.Steps {
		s.ParentStepDetails = nil
	}
	execs := []*ssmsim.Execution{
		runningLoop("eeeeeeee-0000-4000-8000-000000000001", 180, 100),
		plain,
		runningLoop("eeeeeeee-0000-4000-8000-000000000003", 40, 20),
	}
	h := newHarness(t, execs, ssmsim.Options{})
	h.apply(t, deltaConfig)
	h.registry(t).Gather()
	steps := h.calls("DescribeAutomationStepExecutions")
	if steps != 4+3+1 {
		t.Fatalf("cold scrape: %v step calls, want 8", steps)
	}
	for i, want := range []float64{1 + 1 + 1, 1 + 1 + 1} {
		h.clock = h.clock.Add(time.Minute)
		h.registry(t).Gather()
		got := h.calls("DescribeAutomationStepExecutions") - steps
		steps += got
		if got != want {
			t.Fatalf("warm scrape %d: %v step calls, want %v", i+1, got, want)
		}
	}
	for i, want := range []int{1, 1, 1} { // the model the fleet test uses agrees
		if got := warmStepCalls(execs[i]); got != want {
			t.Fatalf("warmStepCalls(%s) = %d, want %d", execs[i].ID, got, want)
		}
	}
}
