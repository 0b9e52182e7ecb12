package collector

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// deltaTarget is a target that discovers everything, with more keys for
// the target and for its rule.
func deltaTarget(target, rule string) string {
	return "targets:\n  - name: t1\n    region: us-east-1\n    endpoint: %s\n    details: steps\n" + target +
		"    discovery: [{name: all, lookback: 48h, max_executions: 5000" + rule + "}]\n"
}

var deltaConfig = deltaTarget("", "")

// fullListingSeries scrapes the store through a new exporter, which lists
// every step execution, and returns its per-execution and per-step series.
func fullListingSeries(t *testing.T, store *ssmsim.Store, now time.Time, yml string) string {
	t.Helper()
	reg, exp := freshScrape(t, store, now, yml)
	return executionSeries(t, reg) + stepOrder(exp)
}

// freshScrape scrapes the store once through a new exporter, which lists
// everything.
func freshScrape(t *testing.T, store *ssmsim.Store, now time.Time, yml string) (prometheus.Gatherer, *Exporter) {
	t.Helper()
	url, _ := ssmsim.NewTestServer(t, store, ssmsim.Options{})
	m := ssmapi.NewAPIMetrics(prometheus.NewRegistry())
	clients, err := ssmapi.NewClients(context.Background(), m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	exp := NewExporter(clients, m, slog.New(slog.DiscardHandler))
	exp.now = func() time.Time { return now }
	cfg, err := config.Parse([]byte(strings.Replace("api:\n  requests_per_second: 10000\n  burst: 10000\n"+yml, "%s", url, 1)))
	if err != nil {
		t.Fatal(err)
	}
	exp.Apply(cfg)
	return scraped(t, exp.Scrape(context.Background(), nil)), exp
}

// stepOrder lists the step execution ids each execution keeps, in order.
func stepOrder(exp *Exporter) string {
	ts := exp.targets["t1"]
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var ids []string
	for id := range ts.tracked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "\n%s:", id)
		for _, s := range ts.tracked[id].steps {
			b.WriteString(" " + s.id)
		}
	}
	return b.String()
}

// executionSeries is the text of the per-execution and per-step series and
// the per-step aggregates, without the finished counters (a new exporter
// starts them afresh).
func executionSeries(t *testing.T, g prometheus.Gatherer) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(gatheredText(t, g), "\n") {
		name := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		if strings.Contains(name, "finished") {
			continue
		}
		for _, p := range []string{"ssm_automation_execution_", "ssm_automation_step_", "ssm_automation_steps"} {
			if strings.HasPrefix(name, p) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// loopingFleet generates a fleet, a third of it running, and adds running
// loops of 20 to 180 iterations that end within 30 ticks (see varyLoop).
func loopingFleet(h *harness, seed int64, n int) {
	ssmsim.GenerateAverage(h.store, ssmsim.GenOptions{Seed: seed, Executions: n, StepsPerExecution: 25,
		RunningFraction: 0.3, Now: fixedNow}, 25)
	for i, bodies := range []int{20, 70, 120, 180} {
		id := fmt.Sprintf("dddddddd-0000-4000-8000-%012d", int(seed)*10+i)
		e := runningLoop(id, bodies, bodies-8-6*i)
		varyLoop(e, i)
		h.store.Put("123456789012", "us-east-1", e)
	}
}

// varyLoop makes the loops of loopingFleet run and end in different ways.
// The iterations of the first abort the execution when they fail, those of
// the others go on. The second's running iteration waits 30 s for an
// approval. The third ends at a step that ends the execution and drops
// the one after it, the fourth together with the execution (it is the
// last step).
func varyLoop(e *ssmsim.Execution, i int) {
	for _, s := range e.Steps[2 : len(e.Steps)-1] {
		if i > 0 {
			s.OnFailure = "Continue"
		}
		if i == 1 && s.Status == "InProgress" {
			s.Action, s.Status = "aws:approve", "Waiting"
		}
	}
	switch i {
	case 2:
		e.Steps[len(e.Steps)-1].IsEnd = boolp(true)
		e.Steps = append(e.Steps, &ssmsim.Step{StepExecutionID: e.ID[:8] + "-cleanup", StepName: "cleanup",
			Action: "aws:executeScript", Status: "Pending"})
	case 3:
		e.Steps = e.Steps[:len(e.Steps)-1]
	}
}

// runningLoop is an execution whose aws:loop step is running: done of its
// bodies iterations are over, the next one runs, a last step waits.
func runningLoop(id string, bodies, done int) *ssmsim.Execution {
	start := fixedNow.Add(-time.Duration(done+2) * 2 * time.Second)
	step := func(n int, name, action string) *ssmsim.Step {
		return &ssmsim.Step{StepExecutionID: fmt.Sprintf("%s-s%04d", id[:8], n), StepName: name, Action: action, Status: "Pending"}
	}
	run := func(st *ssmsim.Step, at time.Time, status string) {
		st.StartTime, st.Status = at, status
		if status != "InProgress" {
			st.EndTime = at.Add(time.Second)
		}
	}
	first, loop := step(0, "prepare", "aws:executeScript"), step(1, "eachInstance", "aws:loop")
	run(first, start, "Success")
	run(loop, start.Add(2*time.Second), "InProgress")
	steps := []*ssmsim.Step{first, loop}
	for i := range bodies {
		b := step(2+i, "patch", "aws:runCommand")
		b.ParentStepDetails = &ssmsim.ParentStepDetails{StepExecutionID: loop.StepExecutionID, StepName: loop.StepName,
			Action: loop.Action, Iteration: int32(i), IteratorValue: fmt.Sprintf("i-%04d", i)}
		switch {
		case i < done:
			run(b, start.Add(time.Duration(2+2*i)*time.Second), "Success")
		case i == done:
			run(b, loop.StartTime.Add(time.Duration(2*i)*time.Second), "InProgress")
		}
		steps = append(steps, b)
	}
	steps = append(steps, step(2+bodies, "report", "aws:executeScript"))
	return &ssmsim.Execution{ID: id, DocumentName: "Looping-Patch", DocumentVersion: "1", Status: "InProgress",
		StartTime: start, AutomationType: "Local", Mode: "Auto", Steps: steps}
}

// TestDeltaRefreshEqualsAFullListing advances live executions (loops
// included) between scrapes and checks, at every scrape, that the series
// of the exporter refreshing by deltas equal those of a new exporter that
// lists everything at the same moment, with step filters (that a delta
// takes, or not) and a step cap.
func TestDeltaRefreshEqualsAFullListing(t *testing.T) {
	for name, c := range map[string]struct {
		yml   string
		ticks int
	}{
		"everything":    {deltaConfig, 1},
		"action filter": {deltaTarget("", ", step_filters: [{key: Action, values: [aws:runCommand, aws:loop, aws:executeScript, aws:approve]}]"), 1},
		"status filter": {deltaTarget("", ", step_filters: [{key: StepExecutionStatus, values: [Success, Failed, TimedOut]}]"), 1},
		"step cap":      {deltaTarget("    limits: {max_steps_per_execution: 60}\n", ""), 1},
		// Several steps between scrapes: loops and executions end unseen.
		"every 3 ticks": {deltaConfig, 3},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil, ssmsim.Options{})
			loopingFleet(h, 5, 40)
			h.apply(t, c.yml)
			rnd := rand.New(rand.NewPCG(5, 5))
			for scrape := range 32 {
				got := executionSeries(t, h.registry(t)) + stepOrder(h.exp)
				if want := fullListingSeries(t, h.store, h.clock, c.yml); got != want {
					t.Fatalf("scrape %d: the delta refresh exports\n%s\n\na full listing\n%s", scrape, got, want)
				}
				// One tick at a time, every step of every loop is seen, the
				// loop steps ending included.
				for range c.ticks {
					h.clock = h.clock.Add(2 * time.Second)
					ssmsim.Advance(h.store, h.clock, rnd)
				}
			}
		})
	}
}

// TestDeltaRefreshConvergesUnderFaults is the same with throttling, server
// errors, malformed bodies and repeated tokens injected: whenever a refresh
// succeeds, its series equal those of a full listing.
func TestDeltaRefreshConvergesUnderFaults(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{Faults: ssmsim.Faults{
		ErrorRates:    map[string]float64{"ThrottlingException": 0.05, "InternalServerError": 0.05},
		MalformedRate: 0.03, RepeatTokenRate: 0.03, Seed: 9,
	}})
	loopingFleet(h, 6, 40)
	// One call at a time: the same faults hit the same calls on every run.
	h.apply(t, "api:\n  requests_per_second: 10000\n  burst: 10000\n  max_attempts: 1\n  max_concurrency: 1\n"+deltaConfig)
	rnd := rand.New(rand.NewPCG(6, 6))
	compared, failed := 0, 0
	for scrape := range 50 {
		reg := h.registry(t)
		if up, _ := value(t, reg, "ssm_automation_up", nil); up != 1 {
			failed++
		} else {
			compared++
			if got, want := executionSeries(t, reg)+stepOrder(h.exp), fullListingSeries(t, h.store, h.clock, deltaConfig); got != want {
				t.Fatalf("scrape %d: the delta refresh exports\n%s\n\na full listing\n%s", scrape, got, want)
			}
		}
		h.clock = h.clock.Add(2 * time.Second)
		ssmsim.Advance(h.store, h.clock, rnd)
	}
	if failed == 0 || compared < 3 {
		t.Fatalf("%d refreshes failed, %d compared: the faults do not test what they should", failed, compared)
	}
	// Once the faults stop, the next refresh has caught up.
	h.sim.SetFaults(ssmsim.Faults{})
	reg := h.registry(t)
	if up, _ := value(t, reg, "ssm_automation_up", nil); up != 1 {
		t.Fatal("not up once the faults stopped")
	}
	if got, want := executionSeries(t, reg)+stepOrder(h.exp), fullListingSeries(t, h.store, h.clock, deltaConfig); got != want {
		t.Fatalf("once the faults stopped, the delta refresh exports\n%s\n\na full listing\n%s", got, want)
	}
	t.Logf("%d refreshes failed, %d compared", failed, compared)
}
