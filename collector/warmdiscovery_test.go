package collector

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// warmDiscoveryCalls is what a warm listing of a rule that sets no statuses
// costs (see ssmapi's listRule), all of its executions in its window:
// before is what its last listing found, after what it finds now. When
// before takes no more pages than its running executions plus one, the
// whole window is listed; otherwise the executions running now, those
// started since the newest start of before (from its second on), and, ten
// ids a call, the running ones of before that neither listing returns.
func warmDiscoveryCalls(before, after []*ssmsim.Execution) int {
	var newest time.Time
	open := map[string]bool{}
	for _, e := range before {
		newest = maxTime(newest, e.StartTime)
		if !isTerminal(e.Status) {
			open[e.ID] = true
		}
	}
	if pagesOf(len(before)) <= pagesOf(len(open))+1 {
		return pagesOf(len(after))
	}
	since := newest.Truncate(time.Second)
	running, started := 0, 0
	for _, e := range after {
		listed := false
		if !isTerminal(e.Status) {
			running++
			listed = true
		}
		if !e.StartTime.Before(since) {
			started++
			listed = true
		}
		if listed {
			delete(open, e.ID)
		}
	}
	return pagesOf(running) + pagesOf(started) + (len(open)+9)/10
}

// plainExecution is an execution without steps started at start.
func plainExecution(id int, status string, start time.Time) *ssmsim.Execution {
	e := &ssmsim.Execution{ID: fmt.Sprintf("ffffffff-0000-4000-8000-%012d", id), DocumentName: "Custom-Plain",
		DocumentVersion: "1", Status: status, StartTime: start, AutomationType: "Local", Mode: "Auto"}
	if isTerminal(status) {
		e.EndTime = start.Add(time.Second)
	}
	return e
}

// TestWarmDiscoveryCallsOnAFixedScenario pins what discovery costs when
// 500 executions have ended and 60 run: between two scrapes 15 of the
// running ones end, 2 vanish and 55 start. The warm listing asks for the 98
// running (2 pages), the 55 new and the newest old one, listed again for
// its second (2 pages), and the 17 that left the running set by id (2
// calls): 6 calls, where the whole window takes 13. What the rule exports
// equals a new exporter's, its counts and its max_executions cut included,
// and ten minutes after the last full listing the whole window is listed.
func TestWarmDiscoveryCallsOnAFixedScenario(t *testing.T) {
	var execs []*ssmsim.Execution
	for i := range 500 {
		execs = append(execs, plainExecution(i, "Success", fixedNow.Add(-2*time.Hour+time.Duration(i)*time.Second)))
	}
	for i := range 60 {
		execs = append(execs, plainExecution(500+i, "InProgress", fixedNow.Add(-30*time.Minute+time.Duration(i)*time.Second)))
	}
	h := newHarness(t, execs, ssmsim.Options{})
	yml := "targets:\n  - name: t1\n    region: us-east-1\n    endpoint: %s\n" +
		"    discovery: [{name: all, lookback: 48h, max_executions: 600}]\n"
	h.apply(t, yml)
	h.registry(t).Gather()
	listings := h.calls("DescribeAutomationExecutions")
	if listings != 12 {
		t.Fatalf("cold scrape: %v listing calls, want 12", listings)
	}
	before := h.store.List("123456789012", "us-east-1")
	for i := range 15 {
		e := h.store.Get("123456789012", "us-east-1", execs[500+i].ID)
		e.Status, e.EndTime = "Success", fixedNow.Add(30*time.Second)
		h.store.Put("123456789012", "us-east-1", e)
	}
	h.store.Delete("123456789012", "us-east-1", execs[520].ID)
	h.store.Delete("123456789012", "us-east-1", execs[521].ID)
	for i := range 55 {
		h.store.Put("123456789012", "us-east-1", plainExecution(600+i, "InProgress", fixedNow.Add(time.Duration(i)*time.Second)))
	}
	h.clock = fixedNow.Add(time.Minute)
	reg := gatheredOnce(t, h.registry(t))
	got := h.calls("DescribeAutomationExecutions") - listings
	listings += got
	if model := warmDiscoveryCalls(before, h.store.List("123456789012", "us-east-1")); got != 6 || model != 6 {
		t.Fatalf("warm scrape: %v listing calls (the model says %d), want 2 + 2 + 2", got, model)
	}
	found, _ := value(t, reg, "ssm_automation_discovered_executions", map[string]string{"rule": "all"})
	dropped, _ := value(t, reg, "ssm_automation_discovery_dropped_executions", map[string]string{"rule": "all"})
	if found != 613 || dropped != 13 {
		t.Fatalf("discovered %v, dropped %v; want 613 and 13", found, dropped)
	}
	fresh, _ := freshScrape(t, h.store, h.clock, yml)
	if got, want := discoverySeries(t, reg), discoverySeries(t, gatheredOnce(t, fresh)); got != want {
		t.Fatalf("the warm listing exports\n%s\n\na full listing\n%s", got, want)
	}
	h.clock = fixedNow.Add(11 * time.Minute)
	h.registry(t).Gather()
	if got := h.calls("DescribeAutomationExecutions") - listings; got != 13 {
		t.Fatalf("ten minutes after the last full listing: %v listing calls, want the whole window's 13", got)
	}
}

// discoverySeries is executionSeries with the rules' discovery counts.
func discoverySeries(t *testing.T, reg prometheus.Gatherer) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(gatheredText(t, reg), "\n") {
		if strings.Contains(line, "ssm_automation_discover") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n") + "\n" + executionSeries(t, reg)
}

// gatheredOnce gathers g once and answers with what it gathered.
func gatheredOnce(t *testing.T, g prometheus.Gatherer) prometheus.Gatherer {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })
}

// TestWarmDiscoveryEqualsAFullListing runs a fleet live for 30 one-minute
// ticks, executions starting, ending, vanishing and leaving the
// 30-minute window, and checks at every scrape that what the exporter
// listing warm exports (its discovery counts and cut included) equals what
// a new exporter exports at the same moment; and that warm listings
// happened, cheaper than the whole window.
func TestWarmDiscoveryEqualsAFullListing(t *testing.T) {
	for name, rule := range map[string]string{
		"everything":             "",
		"children, cut":          ", include_children: true, max_executions: 120",
		"automation type":        ", automation_type: Local",
		"prefix, started before": ", document_name_prefix: AWS-, filters: [{key: StartTimeBefore, values: ['" + fixedNow.Add(40*time.Minute).UTC().Format(time.RFC3339) + "']}]",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil, ssmsim.Options{})
			ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: 21, Executions: 300, StepsPerExecution: 4,
				RunningFraction: 0.1, Now: fixedNow, Spread: time.Hour})
			yml := "targets:\n  - name: t1\n    region: us-east-1\n    endpoint: %s\n    details: executions\n" +
				"    discovery: [{name: all, lookback: 30m" + rule + "}]\n"
			h.apply(t, yml)
			rnd := rand.New(rand.NewPCG(21, 21))
			cheapest, whole := -1.0, 0.0
			for tick := range 30 {
				calls := h.calls("DescribeAutomationExecutions")
				reg := gatheredOnce(t, h.registry(t))
				if tick > 0 && (cheapest < 0 || h.calls("DescribeAutomationExecutions")-calls < cheapest) {
					cheapest = h.calls("DescribeAutomationExecutions") - calls
				}
				fresh, _ := freshScrape(t, h.store, h.clock, yml)
				if got, want := discoverySeries(t, reg), discoverySeries(t, gatheredOnce(t, fresh)); got != want {
					t.Fatalf("tick %d: the warm listing exports\n%s\n\na full listing\n%s", tick, got, want)
				}
				whole = max(whole, float64(pagesOf(len(h.store.List("123456789012", "us-east-1")))))
				h.clock = h.clock.Add(time.Minute)
				liveTick(h, tick, rnd)
			}
			if cheapest < 0 || cheapest >= whole {
				t.Fatalf("the cheapest warm refresh made %v listing calls, a listing of the store %v", cheapest, whole)
			}
		})
	}
}

// liveTick moves the running executions on, starts two (children
// included), and every third tick deletes the oldest running one.
func liveTick(h *harness, tick int, rnd *rand.Rand) {
	ssmsim.Advance(h.store, h.clock, rnd)
	ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: int64(100 + tick), Executions: 2, StepsPerExecution: 4,
		RunningFraction: 1, Now: h.clock, Spread: time.Minute})
	if tick%3 != 0 {
		return
	}
	var oldest *ssmsim.Execution
	for _, e := range h.store.List("123456789012", "us-east-1") {
		if !isTerminal(e.Status) && (oldest == nil || e.StartTime.Before(oldest.StartTime)) {
			oldest = e
		}
	}
	if oldest != nil {
		h.store.Delete("123456789012", "us-east-1", oldest.ID)
	}
}
