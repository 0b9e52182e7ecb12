package events

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const (
	idA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	idB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
)

// TestLongPollAppliesAndDeletes follows one event from the bus to the
// target: the loop waits in a long poll, the event wakes it, the target is
// offered the event, and the message is deleted before the next long poll.
func TestLongPollAppliesAndDeletes(t *testing.T) {
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	s := newSim(t, ssmsim.Options{})
	q, ev := s.queue("events", "us-east-1")
	s.srv.Subscribe(account, "us-east-1", q)
	k := newSink(nil)
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	if up, gen := s.c.State(ev.QueueURL); !up || gen == 0 {
		t.Errorf("State = %v, %d while waiting in a long poll; want up", up, gen)
	}
	e := execution(idA)
	s.srv.PublishEvent(ssmsim.StepEvent(account, "us-east-1", e, &ssmsim.Step{StepName: "patch", Action: "aws:runCommand", Status: "InProgress"}, time.Now()))
	got := k.next(t)
	if got.ExecutionID != idA || got.DetailType != StepDetailType || got.Document != "AWS-PatchFleet" {
		t.Errorf("offered %+v", got)
	}
	s.waitPolls(2) // deleted, and waiting again
	if s.srv.Requests("DeleteMessageBatch", "OK") != 1 || s.srv.Requests("ReceiveMessage", "OK") != 1 {
		t.Errorf("DeleteMessageBatch %v, ReceiveMessage %v; want 1 and 1 (the second still waits)",
			s.srv.Requests("DeleteMessageBatch", "OK"), s.srv.Requests("ReceiveMessage", "OK"))
	}
	for name, want := range map[string]float64{
		"ssm_automation_events_received_total":       1,
		"ssm_automation_event_delay_seconds":         1,
		"ssm_automation_events_up":                   1,
		"ssm_automation_events_invalid_total":        0,
		"ssm_automation_exporter_api_requests_total": 1,
	} {
		labels := map[string]string{"queue": "events"}
		switch name {
		case "ssm_automation_events_received_total":
			labels["detail_type"] = StepDetailType
		case "ssm_automation_events_invalid_total":
			labels["reason"] = ReasonUnknownExecution
		}
		if name == "ssm_automation_exporter_api_requests_total" {
			labels = map[string]string{"operation": "DeleteMessageBatch", "code": "OK"}
		}
		if got := s.value(name, labels); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	s.c.Close()
}

// TestBatchDelete reads a backlog of 25 messages in batches of ten, each
// deleted in one DeleteMessageBatch.
func TestBatchDelete(t *testing.T) {
	s := newSim(t, ssmsim.Options{})
	q, ev := s.queue("backlog", "us-east-1")
	s.srv.Subscribe(account, "us-east-1", q)
	for i := range 25 {
		id := strings.Replace(idA, "aaaaaaaaaaaa", "aaaaaaaaa"+strconv.Itoa(100+i), 1)
		s.srv.PublishEvent(ssmsim.ExecutionEvent(account, "us-east-1", execution(id), time.Now()))
	}
	k := newSink(nil)
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	if n := k.changes.Len(); n != 25 {
		t.Errorf("%d executions marked, want 25", n)
	}
	if got := s.srv.Requests("DeleteMessageBatch", "OK"); got != 3 {
		t.Errorf("%v DeleteMessageBatch calls, want 3 (10 + 10 + 5)", got)
	}
	if got := s.value("ssm_automation_events_received_total", map[string]string{"detail_type": ExecutionDetailType}); got != 25 {
		t.Errorf("received %v, want 25", got)
	}
}

// TestRedeliveryAfterFailedDelete applies an event whose delete fails: the
// queue is down for a moment, the message comes back once its visibility
// timeout has passed, and applying it again changes nothing.
func TestRedeliveryAfterFailedDelete(t *testing.T) {
	clock := newClock()
	s := newSim(t, ssmsim.Options{Now: clock.now})
	q, ev := s.queue("redeliver", "us-east-1")
	s.srv.Subscribe(account, "us-east-1", q)
	failing := ssmsim.Faults{ErrorRates: map[string]float64{"InternalFailure": 1}}
	offers := 0
	k := newSink(func(Event) bool {
		if offers++; offers == 1 {
			s.srv.SetSQSFaults(failing) // the delete that follows fails
		}
		return true
	})
	s.c.SetRetry(func(int) time.Duration {
		s.srv.SetSQSFaults(ssmsim.Faults{}) // and the queue works again
		return 0
	})
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	_, gen := s.c.State(ev.QueueURL)
	s.srv.PublishEvent(ssmsim.ExecutionEvent(account, "us-east-1", execution(idA), clock.now()))
	first := k.next(t)
	s.waitPolls(2) // down, up again, waiting: the message is in flight
	if _, again := s.c.State(ev.QueueURL); again == gen {
		t.Errorf("generation %d after the queue failed and worked again, want a new one", again)
	}
	clock.add(31 * time.Second) // past the queue's visibility timeout of 30s
	s.srv.NotifyClockMoved()
	second := k.next(t)
	s.waitPolls(3)
	if first != second {
		t.Errorf("redelivered %+v, first %+v", second, first)
	}
	if n := k.changes.Len(); n != 1 {
		t.Errorf("%d executions marked, want 1", n)
	}
	if got := s.srv.Requests("DeleteMessageBatch", "OK"); got != 1 {
		t.Errorf("%v deletes succeeded, want 1", got)
	}
	if got := s.value("ssm_automation_events_received_total", map[string]string{"detail_type": ExecutionDetailType}); got != 2 {
		t.Errorf("received %v, want 2", got)
	}
}

// TestQueueOwnBudget reads a backlog of 50 messages (five receives and
// five deletes) with api's budget at one call a second: the queue's calls
// wait for the queue's own token bucket (events.requests_per_second,
// events.burst), not api's, and a reload that changes the queue's budget
// sets the bucket of the loop that goes on reading.
func TestQueueOwnBudget(t *testing.T) {
	s := newSim(t, ssmsim.Options{})
	ev := s.backlog("budget", 50)
	slow := api
	slow.RequestsPerSecond, slow.Burst = 1, 1
	ev.RequestsPerSecond, ev.Burst = 1000, 1000
	k := newSink(nil)
	queues := func(ev config.Events) map[string]Queue {
		return map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}}
	}
	start := time.Now()
	s.c.Apply(slow, queues(ev))
	s.waitPolls(1)
	// At api's budget, the eleven calls before the long poll would take
	// ten seconds.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the backlog took %s to read", took)
	}
	if n := k.changes.Len(); n != 50 {
		t.Errorf("%d executions marked, want 50", n)
	}
	if rates := s.clients.Rates(); len(rates) != 1 || rates[0] != 1000 {
		t.Errorf("token buckets at %v calls a second, want the queue's alone at 1000", rates)
	}
	_, gen := s.c.State(ev.QueueURL)
	ev.RequestsPerSecond = 3
	s.c.Apply(slow, queues(ev))
	if rates := s.clients.Rates(); len(rates) != 1 || rates[0] != 3 {
		t.Errorf("after the reload, token buckets at %v calls a second, want 3", rates)
	}
	if up, again := s.c.State(ev.QueueURL); !up || again != gen {
		t.Errorf("after the reload: up %v, generation %d (was %d); want the same loop reading", up, again, gen)
	}
}

// TestLastReceived follows the time of the last message of a queue: the
// time the consumer began reading it until a message comes, then that of
// each batch; a new loop for new settings keeps it, and the series goes
// with the queue.
func TestLastReceived(t *testing.T) {
	clock := newClock()
	s := newSim(t, ssmsim.Options{})
	s.c.now = clock.now
	q, ev := s.queue("last", "us-east-1")
	s.srv.Subscribe(account, "us-east-1", q)
	k := newSink(nil)
	queues := func(ev config.Events) map[string]Queue {
		return map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}}
	}
	last := func() float64 {
		return s.value("ssm_automation_events_last_received_timestamp_seconds", map[string]string{"queue": "last"})
	}
	start := float64(clock.now().Unix())
	s.c.Apply(api, queues(ev))
	s.waitPolls(1)
	if got := last(); got != start {
		t.Errorf("before any message: %v, want %v, when reading began", got, start)
	}
	clock.add(time.Hour)
	s.srv.PublishEvent(ssmsim.ExecutionEvent(account, "us-east-1", execution(idA), clock.now()))
	k.next(t)
	s.waitPolls(2)
	if got, want := last(), start+3600; got != want {
		t.Errorf("after a message: %v, want %v", got, want)
	}
	clock.add(time.Hour)
	ev.WaitTime = 10 * time.Second // a new loop
	s.c.Apply(api, queues(ev))
	s.waitPolls(3)
	if got, want := last(), start+3600; got != want {
		t.Errorf("after a new loop: %v, want %v, the last message's", got, want)
	}
	s.c.Apply(api, nil)
	if got := last(); got != 0 {
		t.Errorf("%v for a queue no longer read, want no series", got)
	}
}

// TestQueueBudgetLimitsReads reads a backlog with the queue's budget at
// four calls a second, one at once, and api's unlimited: the eight calls
// up to the long poll (a check, four receives, three deletes) wait for the
// queue's bucket.
func TestQueueBudgetLimitsReads(t *testing.T) {
	s := newSim(t, ssmsim.Options{})
	ev := s.backlog("slow", 30)
	fast := api
	fast.RequestsPerSecond, fast.Burst = 10000, 10000
	ev.RequestsPerSecond, ev.Burst = 4, 1
	k := newSink(nil)
	start := time.Now()
	s.c.Apply(fast, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	if took := time.Since(start); took < 1500*time.Millisecond {
		t.Errorf("the backlog took %s to read, want at least 1.75s at four calls a second", took)
	}
	if n := k.changes.Len(); n != 30 {
		t.Errorf("%d executions marked, want 30", n)
	}
}

// backlog is a queue of us-east-1 holding the events of n executions of
// the account, one each.
func (s *sim) backlog(name string, n int) config.Events {
	q, ev := s.queue(name, "us-east-1")
	s.srv.Subscribe(account, "us-east-1", q)
	for i := range n {
		id := strings.Replace(idA, "aaaaaaaaaaaa", "aaaaaaaaa"+strconv.Itoa(100+i), 1)
		s.srv.PublishEvent(ssmsim.ExecutionEvent(account, "us-east-1", execution(id), time.Now()))
	}
	return ev
}
