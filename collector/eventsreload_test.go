package collector

import (
	"fmt"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestEventsQueueFailureFallsBackToPolling deletes the queue of a target
// following events: the target polls (and events_up says 0) until the
// queue works again, then polls once more, as events may have been lost
// meanwhile, and only then trusts its events again.
func TestEventsQueueFailureFallsBackToPolling(t *testing.T) {
	h := newEventsHarness(t, eventsScenario(), eventsConfig)
	h.scrape(t, "cold start", 1, 4)
	h.scrape(t, "events", 0, 0)
	h.sim.DeleteQueue(h.queue)
	<-h.failures
	if v, _ := value(t, h.base, "ssm_automation_events_up", map[string]string{"queue": "automation"}); v != 0 {
		t.Errorf("events_up = %v with the queue deleted", v)
	}
	h.scrape(t, "queue down", 1, 3) // the listing; a delta of each running execution
	h.scrape(t, "queue still down", 1, 3)
	n := h.polls.Load()
	h.sim.CreateQueue(h.queue)
	h.waitPolls(t, n+1)
	h.scrape(t, "queue back", 1, 3)
	h.scrape(t, "events again", 0, 0)
	if v, _ := value(t, h.base, "ssm_automation_events_up", map[string]string{"queue": "automation"}); v != 1 {
		t.Errorf("events_up = %v with the queue back", v)
	}
}

// TestEventsReload turns events on for a polling target (it polls once
// more, then follows events), adds a target of another region reading the
// same queue (the first keeps its trust; each takes the events of its
// region), and turns events off (the queue's loop and series go).
func TestEventsReload(t *testing.T) {
	h := newEventsHarness(t, eventsScenario(), `
targets:
  - {name: t1, region: us-east-1, endpoint: "%%s", discovery: [{name: aws, document_name_prefix: AWS-}]}
# %s
`)
	h.scrape(t, "polling, cold", 1, 4)
	h.scrape(t, "polling, warm", 1, 3)
	queue := ssmsim.QueueURL(h.url, h.queue)
	h.apply(t, fmt.Sprintf(eventsConfig, queue))
	h.waitPolls(t, 1) // the queue works
	h.scrape(t, "events on: one more polling refresh", 1, 3)
	h.scrape(t, "events", 0, 0)

	const idWest = "a6666666-6666-4666-8666-666666666666"
	h.store.Put("123456789012", "eu-west-1", running(idWest, 5))
	h.sim.Subscribe("123456789012", "eu-west-1", h.queue)
	h.apply(t, fmt.Sprintf(`
targets:
  - name: t1
    region: us-east-1
    endpoint: %%[1]s
    discovery: [{name: aws, document_name_prefix: AWS-}]
    events: {queue_url: "%[2]s", resync_interval: 10m}
  - name: t2
    region: eu-west-1
    endpoint: %%[1]s
    discovery: [{name: aws, document_name_prefix: AWS-}]
    events: {queue_url: "%[2]s", region: us-east-1, resync_interval: 10m}
`, "", queue))
	h.scrape(t, "t1 trusted still, t2 cold", 1, 1)
	h.scrape(t, "both trusted", 0, 0)
	h.store.Update(func(_, region string, e *ssmsim.Execution) {
		if e.ID == idWest {
			e.Steps[1].Status, e.Steps[1].EndTime = "Success", h.clock
		}
	})
	n := h.polls.Load()
	e := h.store.Get("123456789012", "eu-west-1", idWest)
	h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "eu-west-1", e, h.clock))
	h.waitPolls(t, n+1)
	h.clock = h.clock.Add(15 * time.Second)
	h.scrape(t, "an event of t2's region", 1, 1)
	if got := h.refreshed(t, "event"); got != 0 {
		t.Errorf("t1 refreshed %v executions for events of another region", got)
	}

	h.apply(t, `
targets:
  - {name: t1, region: us-east-1, endpoint: "%s", discovery: [{name: aws, document_name_prefix: AWS-}]}
`)
	if up, _ := h.consumer.State(queue); up {
		t.Error("the queue is still read with events off")
	}
	for _, name := range []string{"ssm_automation_events_up", "ssm_automation_events_executions_refreshed_total"} {
		if _, found := value(t, h.base, name, nil); found {
			t.Errorf("%s is still exported with events off", name)
		}
	}
	h.scrape(t, "events off: polling", 1, 3)
}
