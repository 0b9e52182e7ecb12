package collector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// twinRuleConfig is twinConfig with the rule of both targets given: t1
// follows the queue, poll polls; %%[1]s is the simulator, %s the queue's
// URL, RULE the rule. The tests count calls: the queue is read as fast as
// the simulator answers.
const twinRuleConfig = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %%[1]s
    discovery: [RULE]
    events: {queue_url: "%s", resync_interval: 10m, requests_per_second: 10000, burst: 10000}
  - name: poll
    region: us-east-1
    endpoint: %%[1]s
    discovery: [RULE]
`

// twinsWith is a harness of twinRuleConfig with rule, holding execs.
func twinsWith(t *testing.T, execs []*ssmsim.Execution, rule string) *eventsHarness {
	t.Helper()
	return newEventsHarness(t, execs, strings.ReplaceAll(twinRuleConfig, "RULE", rule))
}

// targetLines are the lines of a target's own series that a listing
// decides: what each rule found and dropped, up and the executions never
// fetched; the target's label emptied.
func targetLines(t *testing.T, reg prometheus.Gatherer, target string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(gatheredText(t, reg), "\n") {
		for _, name := range []string{"ssm_automation_discovered_executions{", "ssm_automation_discovery_dropped_executions{",
			"ssm_automation_up{", "ssm_automation_pending_executions{"} {
			if strings.HasPrefix(l, name) && strings.Contains(l, `target="`+target+`"`) {
				out = append(out, strings.Replace(l, `target="`+target+`"`, `target=""`, 1))
			}
		}
	}
	slices.Sort(out)
	return out
}

// compareTwinsAll checks that t1 exports what poll exports: every
// execution's series, and the target's own series that a listing
// decides.
func compareTwinsAll(t *testing.T, what string, reg prometheus.Gatherer) {
	t.Helper()
	compareTwins(t, what, executionLines(t, reg))
	if got, want := targetLines(t, reg, "t1"), targetLines(t, reg, "poll"); !slices.Equal(got, want) {
		t.Errorf("%s: the target following events exports\n%s\npolling exports\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// publishAll sends the execution event of each id as the store now holds
// it, at the harness's clock, and waits until the exporter applied them.
func (h *eventsHarness) publishAll(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		e := h.store.Get("123456789012", "us-east-1", id)
		if e == nil {
			t.Fatalf("no execution %s", id)
		}
		h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", e, h.clock))
	}
	h.drain(t)
}

// endExecution ends a running execution of the store at the harness's
// clock, its running step with it.
func (h *eventsHarness) endExecution(id, status string) {
	h.store.Update(func(_, _ string, e *ssmsim.Execution) {
		if e.ID == id {
			e.Status, e.EndTime = status, h.clock
			e.Steps[1].Status, e.Steps[1].EndTime = status, h.clock
		}
	})
}

// TestEventsEqualPollingScenarios runs, for each of the ways a refresh
// that keeps a rule's listing once went wrong, a target following events
// beside one polling the same executions with the same rule; every event
// is delivered, so at every scrape the two must export the same series,
// the same counts of what each rule found and dropped, and the same up.
func TestEventsEqualPollingScenarios(t *testing.T) {
	cases := []struct {
		name string
		rule string
		run  func(t *testing.T, h *eventsHarness, scrape func(string))
	}{{
		// A rule of running executions stops exporting one as it ends.
		name: "statuses",
		rule: "{name: running, document_name_prefix: AWS-, statuses: [InProgress]}",
		run: func(t *testing.T, h *eventsHarness, scrape func(string)) {
			h.endExecution(idR2, "Success")
			h.publishAll(t, idR2)
			scrape("R2 ended")
			h.endExecution(idR1, "Failed")
			h.publishAll(t, idR1)
			scrape("R1 ended")
		},
	}, {
		// The counts follow the window: what leaves it is no longer
		// counted, what an event adds is counted once.
		name: "short lookback",
		rule: "{name: recent, document_name_prefix: AWS-, lookback: 3m}",
		run: func(t *testing.T, h *eventsHarness, scrape func(string)) {
			for i := range 9 {
				h.clock = h.clock.Add(time.Minute)
				id := fmt.Sprintf("b%07d-0000-4000-8000-000000000000", i)
				e := running(id, 0)
				e.StartTime = h.clock
				h.store.Put("123456789012", "us-east-1", e)
				h.publishAll(t, id)
				scrape(fmt.Sprintf("minute %d", i+1))
			}
		},
	}, {
		// An older execution the cap left out stays out when an event
		// names it, and pushes no newer one out.
		name: "max_executions",
		rule: "{name: newest, document_name_prefix: AWS-, max_executions: 2}",
		run: func(t *testing.T, h *eventsHarness, scrape func(string)) {
			h.store.Update(func(_, _ string, e *ssmsim.Execution) {
				if e.ID == idR1 {
					e.Steps[1].Status = "Failed"
				}
			})
			h.publishAll(t, idR1)
			scrape("an event of the execution cut")
			h.endExecution(idR1, "Success")
			h.publishAll(t, idR1, idR1)
			scrape("R1 ended")
		},
	}, {
		// A new parent and its child, announced in the same refresh, are
		// both exported (the child by include_children only).
		name: "children",
		rule: "{name: fleet, document_name_prefix: AWS-, include_children: true}",
		run: func(t *testing.T, h *eventsHarness, scrape func(string)) {
			idChild := h.startFamily(0)
			h.drain(t)
			scrape("a parent and its child started")
			h.endExecution(idChild, "Success")
			h.publishAll(t, idChild)
			scrape("the child ended")
		},
	}, {
		// An execution an event names that no longer exists is no longer
		// exported, and the target stays up.
		name: "vanished",
		rule: "{name: aws, document_name_prefix: AWS-}",
		run: func(t *testing.T, h *eventsHarness, scrape func(string)) {
			e := h.store.Get("123456789012", "us-east-1", idR3)
			h.store.Delete("123456789012", "us-east-1", idR3)
			h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", e, h.clock))
			h.drain(t)
			scrape("R3 vanished")
		},
	}, {
		// A reload that changes a rule's filters and keeps its name.
		name: "reload",
		rule: "{name: aws, document_name_prefix: AWS-}",
		run: func(t *testing.T, h *eventsHarness, scrape func(string)) {
			h.apply(t, fmt.Sprintf(strings.ReplaceAll(twinRuleConfig, "RULE", "{name: aws, document_name_prefix: AWS-, statuses: [Success]}"),
				ssmsim.QueueURL(h.url, h.queue)))
			scrape("the rule now takes what ended")
			h.endExecution(idR3, "Success")
			h.publishAll(t, idR3)
			scrape("R3 ended")
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := twinsWith(t, eventsScenario(), c.rule)
			scrape := func(what string) {
				t.Helper()
				h.clock = h.clock.Add(15 * time.Second)
				compareTwinsAll(t, what, gathered(t, h))
			}
			scrape("cold start")
			scrape("warm")
			c.run(t, h, scrape)
			if got := h.refreshed(t, "resync"); got != 0 {
				t.Errorf("%v executions refreshed by the resync: the scenario ran past resync_interval", got)
			}
		})
	}
}

// TestEventsBacklogOfMissingExecutions floods the queue with events of
// 20,000 executions that do not exist (2,000 with -short or the race
// detector), a backlog no refresh could read by id, beside one real
// change: the target keeps at most events.MaxAnnounced of them, counts the
// others as cut, lists its rule instead of reading them, exports the
// change at the next scrape and stays up, for a handful of calls.
func TestEventsBacklogOfMissingExecutions(t *testing.T) {
	h := twinsWith(t, eventsScenario(), "{name: aws, document_name_prefix: AWS-}")
	h.scrape(t, "cold start", 2, 8)
	h.scrape(t, "warm", 1, 3) // poll's warm listing and deltas; t1 nothing
	n := 20000
	if testing.Short() || raceEnabled {
		n = 2000 // the race detector reads the queue about twenty times slower
	}
	for i := range n {
		ghost := running(fmt.Sprintf("c%07d-0000-4000-8000-000000000000", i), 1)
		h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", ghost, h.clock))
	}
	h.store.Update(func(_, _ string, e *ssmsim.Execution) {
		if e.ID == idR2 {
			e.Steps[1].Status, e.Steps[1].EndTime = "Failed", h.clock
		}
	})
	h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", h.store.Get("123456789012", "us-east-1", idR2), h.clock))
	h.drainWithin(t, 2*time.Minute)
	ts := h.exp.targets["t1"]
	if got := ts.changes.Len(); got > 100+1 {
		t.Fatalf("%d executions held for the next refresh, want at most %d", got, 100+1)
	}
	h.clock = h.clock.Add(15 * time.Second)
	e0 := h.calls("DescribeAutomationExecutions")
	reg := gathered(t, h)
	compareTwinsAll(t, "after the backlog", reg)
	if v, _ := value(t, reg, "ssm_automation_step_status", map[string]string{"target": "t1", "step_execution_id": "a2222222-s2", "status": "Failed"}); v != 1 {
		t.Error("the change is not exported at the first scrape after the backlog")
	}
	if v, _ := value(t, reg, "ssm_automation_up", map[string]string{"target": "t1"}); v != 1 {
		t.Errorf("up = %v after the backlog", v)
	}
	// t1: its warm listing, R2's metadata; poll: its warm listing.
	if calls := h.calls("DescribeAutomationExecutions") - e0; calls > 5 {
		t.Errorf("%v DescribeAutomationExecutions calls for a backlog of %d missing executions, want at most 5", calls, n)
	}
	if v, _ := value(t, h.base, "ssm_automation_exporter_limit_cut_total", map[string]string{"target": "t1", "limit": "announced"}); v != float64(n-100) {
		t.Errorf("limit_cut_total{limit=announced} = %v, want %d", v, n-100)
	}
	h.clock = h.clock.Add(15 * time.Second)
	compareTwinsAll(t, "the scrape after", gathered(t, h))
	if got := ts.changes.Len(); got != 0 {
		t.Errorf("%d executions still held after two refreshes", got)
	}
}

// TestEventsOffAndOnAgainPollsFirst turns a target's events off and on
// again by reload while another target keeps the queue read: what changed
// while they were off is fetched by a polling refresh before the events
// are trusted again.
func TestEventsOffAndOnAgainPollsFirst(t *testing.T) {
	const cfg = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %%[1]s
    discovery: [{name: aws, document_name_prefix: AWS-}]
    EVENTS
  - name: keeper
    region: us-east-1
    endpoint: %%[1]s
    discovery: [{name: other, document_name_prefix: Custom-}]
    events: {queue_url: "%[2]s", resync_interval: 10m}
`
	on := strings.Replace(cfg, "EVENTS", `events: {queue_url: "%[2]s", resync_interval: 10m}`, 1)
	off := strings.Replace(cfg, "EVENTS", "", 1)
	h := newEventsHarness(t, eventsScenario(), strings.ReplaceAll(on, "%[2]s", "%[1]s"))
	queue := ssmsim.QueueURL(h.url, h.queue)
	h.scrape(t, "cold start", 2, 4)
	h.scrape(t, "events", 0, 0)
	h.apply(t, fmt.Sprintf(off, "", queue))
	h.endExecution(idR2, "Success")
	h.publishAll(t, idR2) // t1 does not follow the queue now
	h.apply(t, fmt.Sprintf(on, "", queue))
	h.clock = h.clock.Add(15 * time.Second)
	reg := gathered(t, h)
	if v, _ := value(t, reg, "ssm_automation_execution_status", map[string]string{"target": "t1", "execution_id": idR2, "status": "Success"}); v != 1 {
		t.Error("the change made while events were off is not exported by the first refresh after they are on again")
	}
}

// TestEventsTrustedDespiteAFailingExecution follows events with a static
// id that does not exist beside a rule: the target is down for it, as
// when polling, but follows its queue, calling nothing when nothing
// changed.
func TestEventsTrustedDespiteAFailingExecution(t *testing.T) {
	h := newEventsHarness(t, eventsScenario(), `
targets:
  - name: t1
    region: us-east-1
    endpoint: %%s
    executions: [{id: `+idMissing+`}]
    discovery: [{name: aws, document_name_prefix: AWS-}]
    events: {queue_url: "%s", resync_interval: 10m}
`)
	gathered(t, h)
	h.clock = h.clock.Add(15 * time.Second)
	gathered(t, h)
	h.clock = h.clock.Add(15 * time.Second)
	// The missing execution only: its metadata (its steps are not found).
	reg := h.scrape(t, "events trusted", 1, 0)
	if v, _ := value(t, reg, "ssm_automation_up", map[string]string{"target": "t1"}); v != 0 {
		t.Errorf("up = %v with a static execution missing", v)
	}
}

// TestEventsClockSkew runs the exporter with a clock 30 s ahead of the
// service's: an event of a change made right after a fetch is stamped
// 30 s before that fetch by the exporter's clock, and must still be
// fetched. The skew is measured from the answers and exported.
func TestEventsClockSkew(t *testing.T) {
	h := newEventsHarnessWith(t, eventsScenario(), strings.ReplaceAll(twinRuleConfig, "RULE", "{name: aws, document_name_prefix: AWS-}"),
		ssmsim.Options{ClockOffset: -30 * time.Second})
	gathered(t, h)
	h.clock = h.clock.Add(15 * time.Second)
	gathered(t, h)
	fetched := h.clock
	h.store.Update(func(_, _ string, e *ssmsim.Execution) {
		if e.ID == idR2 {
			e.Steps[1].Status, e.Steps[1].EndTime = "Failed", fetched
		}
	})
	e := h.store.Get("123456789012", "us-east-1", idR2)
	h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", e, fetched.Add(-29*time.Second)))
	h.drain(t)
	h.clock = h.clock.Add(15 * time.Second)
	reg := gathered(t, h)
	compareTwinsAll(t, "a change right after a fetch", reg)
	v, _ := value(t, h.base, "ssm_automation_exporter_clock_skew_seconds", map[string]string{"target": "t1"})
	if v < -31.5 || v > -28.5 {
		t.Errorf("clock_skew_seconds = %v, want about -30", v)
	}
	if v, _ := value(t, reg, "ssm_automation_events_following", map[string]string{"target": "t1"}); v != 1 {
		t.Errorf("events_following = %v, want 1", v)
	}
}

// TestEventsQuietExecutionKeepsItsLastFetch checks that a running
// execution no event named keeps the time of its last fetch in
// execution_last_success_timestamp_seconds, so that a queue gone silent
// shows as executions growing stale, while an ended one is as good as
// fetched at every refresh.
func TestEventsQuietExecutionKeepsItsLastFetch(t *testing.T) {
	h := newEventsHarness(t, eventsScenario(), eventsConfig)
	first := h.clock
	h.scrape(t, "cold start", 1, 4)
	h.clock = h.clock.Add(time.Minute)
	reg := h.scrape(t, "no event", 0, 0)
	for id, want := range map[string]time.Time{idR1: first, idEnd: h.clock} {
		v, _ := value(t, reg, "ssm_automation_execution_last_success_timestamp_seconds", map[string]string{"execution_id": id})
		if v != epochSeconds(want) {
			t.Errorf("last_success of %s = %v, want %v", id, v, epochSeconds(want))
		}
	}
}
