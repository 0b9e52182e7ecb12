package events

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestQueueDeletedMidRun deletes the queue under a waiting long poll: the
// queue is down (its targets poll) and says so once, however many times
// it is tried again, until a queue of that name exists again; then it is
// up in a new generation.
func TestQueueDeletedMidRun(t *testing.T) {
	s := newSim(t, ssmsim.Options{})
	q, ev := s.queue("doomed", "us-east-1")
	tries := make(chan int)
	s.c.SetRetry(func(n int) time.Duration {
		tries <- n
		return 0
	})
	k := newSink(nil)
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	_, gen := s.c.State(ev.QueueURL)
	s.srv.DeleteQueue(q)
	for want := 1; want <= 3; want++ {
		if n := <-tries; n != want {
			t.Fatalf("try %d after the deletion, want %d", n, want)
		}
		if up, _ := s.c.State(ev.QueueURL); up {
			t.Fatal("the queue is up while it does not exist")
		}
	}
	if got := s.value("ssm_automation_events_up", map[string]string{"queue": "doomed"}); got != 0 {
		t.Errorf("events_up = %v, want 0", got)
	}
	if got := s.value("ssm_automation_exporter_api_requests_total", map[string]string{"operation": "GetQueueAttributes", "code": "AWS.SimpleQueueService.NonExistentQueue"}); got < 2 {
		t.Errorf("%v GetQueueAttributes answered QueueDoesNotExist, want at least 2", got)
	}
	if n := strings.Count(s.logs.String(), "events queue failed"); n != 1 {
		t.Errorf("%d warnings of the failed queue, want 1:\n%s", n, s.logs.String())
	}
	if !strings.Contains(s.logs.String(), "reason=not_found code=AWS.SimpleQueueService.NonExistentQueue") {
		t.Errorf("the warning does not say why:\n%s", s.logs.String())
	}
	// From now on a failed try does not wait for the test; the one that
	// may wait already is let through.
	s.c.SetRetry(func(int) time.Duration { return 0 })
	stop, drained := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-tries:
			case <-stop:
				return
			}
		}
	}()
	s.srv.CreateQueue(q)
	s.waitPolls(2)
	close(stop)
	<-drained
	if up, again := s.c.State(ev.QueueURL); !up || again == gen {
		t.Errorf("State = %v, %d after the queue came back; want up in a generation other than %d", up, again, gen)
	}
}

// TestReloadAddsAndRemovesQueues applies configurations that add a queue,
// keep one (its loop goes on: no second check of the queue), move a
// target's route and remove a queue (its loop ends, its series go), then
// closes the consumer: no goroutine stays.
func TestReloadAddsAndRemovesQueues(t *testing.T) {
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	s := newSim(t, ssmsim.Options{})
	qa, a := s.queue("alpha", "us-east-1")
	qb, b := s.queue("beta", "us-east-1")
	s.srv.Subscribe(account, "us-east-1", qa)
	s.srv.Subscribe(account, "us-east-1", qb)
	k1, k2 := newSink(nil), newSink(nil)
	route := func(k *sink) []Route { return []Route{{Account: account, Region: "us-east-1", Sink: k}} }
	s.c.Apply(api, map[string]Queue{a.QueueURL: {Events: a, Routes: route(k1)}})
	s.waitPolls(1)
	s.c.Apply(api, map[string]Queue{a.QueueURL: {Events: a, Routes: route(k2)}, b.QueueURL: {Events: b, Routes: route(k2)}})
	s.waitPolls(2) // beta's loop waits too
	s.srv.PublishEvent(ssmsim.ExecutionEvent(account, "us-east-1", execution(idA), time.Now()))
	for range 2 { // one message in each queue, both for k2 now
		if got := k2.next(t); got.ExecutionID != idA {
			t.Errorf("offered %+v", got)
		}
	}
	if got := s.srv.Requests("GetQueueAttributes", "OK"); got != 2 {
		t.Errorf("%v GetQueueAttributes, want 2: alpha's loop was restarted", got)
	}
	s.c.Apply(api, map[string]Queue{b.QueueURL: {Events: b, Routes: route(k1)}})
	if up, _ := s.c.State(a.QueueURL); up {
		t.Error("alpha is up after its removal")
	}
	if got := s.value("ssm_automation_events_up", map[string]string{"queue": "alpha"}); got != 0 {
		t.Error("alpha's series stay after its removal")
	}
	if got := s.value("ssm_automation_events_up", map[string]string{"queue": "beta"}); got != 1 {
		t.Errorf("events_up{queue=beta} = %v, want 1", got)
	}
	if len(k1.got) != 0 {
		t.Errorf("k1 was offered %d events after its route moved", len(k1.got))
	}
	s.c.Close()
	s.c.Apply(api, map[string]Queue{a.QueueURL: {Events: a, Routes: route(k1)}}) // after Close: nothing
}

// TestSharedQueueRoutes reads one queue for three targets: two accounts of
// one region, and a target without a role (any account) in another. Each
// event reaches exactly the targets of its account and region.
func TestSharedQueueRoutes(t *testing.T) {
	s := newSim(t, ssmsim.Options{})
	q, ev := s.queue("shared", "us-east-1")
	one, two, anyAccount := newSink(nil), newSink(nil), newSink(nil)
	send := []struct {
		account, region, id string
		to                  *sink
	}{
		{"111111111111", "us-east-1", idA, one},
		{"222222222222", "us-east-1", idB, two},
		{"333333333333", "eu-west-1", idA, anyAccount},
		{"333333333333", "us-east-1", idB, nil},
	}
	for _, m := range send {
		s.srv.Subscribe(m.account, m.region, q)
		s.srv.PublishEvent(ssmsim.ExecutionEvent(m.account, m.region, execution(m.id), time.Now()))
	}
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{
		{Account: "111111111111", Region: "us-east-1", Sink: one},
		{Account: "222222222222", Region: "us-east-1", Sink: two},
		{Account: "", Region: "eu-west-1", Sink: anyAccount},
	}}})
	s.waitPolls(1) // the backlog is read
	for _, m := range send {
		if m.to == nil {
			continue
		}
		if got := m.to.next(t); got.Account != m.account || got.Region != m.region || got.ExecutionID != m.id {
			t.Errorf("offered %+v, want the event of %s in %s/%s", got, m.id, m.account, m.region)
		}
	}
	for i, k := range []*sink{one, two, anyAccount} {
		if len(k.got) != 0 {
			t.Errorf("target %d was offered %d more events", i, len(k.got))
		}
	}
	if got := s.value("ssm_automation_events_invalid_total", map[string]string{"reason": ReasonNoTarget}); got != 1 {
		t.Errorf("invalid_total{reason=no_target} = %v, want 1", got)
	}
}

// TestRemoveFailingQueue removes a queue whose loop waits to try again:
// the reload ends the wait at once, and the loop with it.
func TestRemoveFailingQueue(t *testing.T) {
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	s := newSim(t, ssmsim.Options{})
	_, ev := s.queue("never", "us-east-1")
	ev.QueueURL += "-missing"
	waiting := make(chan struct{})
	s.c.SetRetry(func(int) time.Duration {
		close(waiting)
		return time.Hour
	})
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: newSink(nil)}}}})
	<-waiting
	s.c.Apply(api, nil)
	if up, gen := s.c.State(ev.QueueURL); up || gen != 0 {
		t.Errorf("State of a removed queue = %v, %d", up, gen)
	}
	s.c.Close()
}
