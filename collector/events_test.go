package collector

import (
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// eventsConfig discovers the AWS- executions of the last day and follows
// the simulator's queue; %%s is the simulator, %s the queue's URL.
const eventsConfig = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %%s
    discovery: [{name: aws, document_name_prefix: AWS-}]
    events: {queue_url: "%s", resync_interval: 10m, wait_time: 20s}
`

const (
	idR1  = "a1111111-1111-4111-8111-111111111111"
	idR2  = "a2222222-2222-4222-8222-222222222222"
	idR3  = "a3333333-3333-4333-8333-333333333333"
	idEnd = "a4444444-4444-4444-8444-444444444444"
	idNew = "a5555555-5555-4555-8555-555555555555"
)

// running is an execution of AWS-Patch started min minutes ago (of
// fixedNow): a step done and one running.
func running(id string, min int) *ssmsim.Execution {
	return &ssmsim.Execution{ID: id, DocumentName: "AWS-Patch", DocumentVersion: "1", Status: "InProgress",
		StartTime: at(-min), AutomationType: "Local", Mode: "Auto", Steps: []*ssmsim.Step{
			{StepExecutionID: id[:8] + "-s1", StepName: "check", Action: "aws:executeScript", Status: "Success", StartTime: at(-min), EndTime: at(-min + 1)},
			{StepExecutionID: id[:8] + "-s2", StepName: "patch", Action: "aws:runCommand", Status: "InProgress", StartTime: at(-min + 1)},
		}}
}

func eventsScenario() []*ssmsim.Execution {
	ended := running(idEnd, 50)
	ended.Status, ended.EndTime = "Success", at(-40)
	ended.Steps[1].Status, ended.Steps[1].EndTime = "Success", at(-40)
	return []*ssmsim.Execution{running(idR1, 30), running(idR2, 20), running(idR3, 10), ended}
}

// eventsHarness is a harness whose exporter follows a queue of the
// simulator; polls counts the long polls that started waiting on the
// empty queue.
type eventsHarness struct {
	*harness
	queue    ssmsim.Queue
	polls    *atomic.Int64
	wake     chan struct{}
	consumer *events.Consumer
	failures chan int // the failures in a row of the queue, as its loop retries
}

// newEventsHarness applies yml, whose %%s is the simulator and %s the
// queue's URL, to a harness holding execs.
func newEventsHarness(t *testing.T, execs []*ssmsim.Execution, yml string) *eventsHarness {
	t.Helper()
	return newEventsHarnessWith(t, execs, yml, ssmsim.Options{})
}

// newEventsHarnessWith is newEventsHarness with a simulator of opts.
func newEventsHarnessWith(t *testing.T, execs []*ssmsim.Execution, yml string, opts ssmsim.Options) *eventsHarness {
	t.Helper()
	polls, wake := &atomic.Int64{}, make(chan struct{}, 1)
	opts.OnLongPoll = func(ssmsim.Queue) {
		polls.Add(1)
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	h := newHarness(t, execs, opts)
	c := events.NewConsumer(h.exp.clients.(*ssmapi.Clients), events.NewMetrics(h.base), slog.New(slog.DiscardHandler))
	failures := make(chan int, 1)
	c.SetRetry(func(n int) time.Duration {
		select {
		case failures <- n:
		default:
		}
		return 5 * time.Millisecond // a queue down is tried again soon, not in a busy loop
	})
	h.exp.UseEvents(c)
	q := ssmsim.Queue{Account: "123456789012", Region: "us-east-1", Name: "automation"}
	h.sim.CreateQueue(q)
	h.sim.Subscribe(q.Account, q.Region, q)
	eh := &eventsHarness{harness: h, queue: q, polls: polls, wake: wake, consumer: c, failures: failures}
	h.apply(t, fmt.Sprintf(yml, ssmsim.QueueURL(h.url, q)))
	if strings.Contains(yml, "events:") {
		eh.waitPolls(t, 1)
	}
	return eh
}

// waitPolls waits until n long polls have started waiting: every message
// sent before the n-th is applied and deleted.
func (h *eventsHarness) waitPolls(t *testing.T, n int64) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for h.polls.Load() < n {
		select {
		case <-h.wake:
		case <-deadline:
			t.Fatalf("%d long polls, want %d", h.polls.Load(), n)
		}
	}
}

// publish sends the event of an execution's status at the harness's clock
// and waits until the exporter has applied it.
func (h *eventsHarness) publish(t *testing.T, id string) {
	t.Helper()
	e := h.store.Get("123456789012", "us-east-1", id)
	n := h.polls.Load()
	h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", e, h.clock))
	h.waitPolls(t, n+1)
}

// scrape runs one scrape and checks the SSM calls it made: executions
// (DescribeAutomationExecutions) and steps (DescribeAutomationStepExecutions).
func (h *eventsHarness) scrape(t *testing.T, what string, executions, steps float64) prometheus.Gatherer {
	t.Helper()
	e0, s0 := h.calls("DescribeAutomationExecutions"), h.calls("DescribeAutomationStepExecutions")
	reg := h.registry(t)
	mustGather(t, reg)
	e, s := h.calls("DescribeAutomationExecutions")-e0, h.calls("DescribeAutomationStepExecutions")-s0
	if e != executions || s != steps {
		t.Errorf("%s: %v execution and %v step calls, want %v and %v", what, e, s, executions, steps)
	}
	return reg
}

// refreshed is the target's count of executions refreshed for cause.
func (h *eventsHarness) refreshed(t *testing.T, cause string) float64 {
	t.Helper()
	v, _ := value(t, h.base, "ssm_automation_events_executions_refreshed_total", map[string]string{"target": "t1", "cause": cause})
	return v
}

// TestEventsRefreshCalls follows a fixed scenario scrape after scrape and
// counts the calls: a cold start polls; a warm scrape without events calls
// nothing; an event costs its execution's metadata and delta; an announced
// execution its metadata and a whole listing; an event of an execution
// outside every rule nothing; and after resync_interval the rule lists
// again and every execution fetched that long ago is fetched again.
func TestEventsRefreshCalls(t *testing.T) {
	h := newEventsHarness(t, eventsScenario(), eventsConfig)
	h.scrape(t, "cold start", 1, 4) // the listing; every execution in full
	h.clock = h.clock.Add(15 * time.Second)
	h.scrape(t, "no event", 0, 0)

	h.store.Update(func(_, _ string, e *ssmsim.Execution) {
		if e.ID == idR2 {
			e.Steps[1].Status, e.Steps[1].EndTime = "Success", h.clock
			e.Steps = append(e.Steps, &ssmsim.Step{StepExecutionID: "a2222222-s3", StepName: "report",
				Action: "aws:executeScript", Status: "InProgress", StartTime: h.clock})
		}
	})
	h.publish(t, idR2)
	h.clock = h.clock.Add(15 * time.Second)
	reg := h.scrape(t, "an event", 1, 1) // R2's metadata, R2's delta
	if v, _ := value(t, reg, "ssm_automation_step_status", map[string]string{"step_execution_id": "a2222222-s3", "status": "InProgress"}); v != 1 {
		t.Error("the step the event told of is not exported")
	}
	if got := h.refreshed(t, "event"); got != 1 {
		t.Errorf("refreshed{cause=event} = %v, want 1", got)
	}

	h.store.Put("123456789012", "us-east-1", running(idNew, 0))
	h.store.Put("123456789012", "us-east-1", &ssmsim.Execution{ID: idMissing, DocumentName: "Custom-Other",
		DocumentVersion: "1", Status: "InProgress", StartTime: h.clock})
	h.publish(t, idNew)
	h.publish(t, idMissing) // no rule finds Custom-*: not taken
	h.clock = h.clock.Add(15 * time.Second)
	reg = h.scrape(t, "an announced execution", 1, 1) // its metadata, its steps in full
	if v, _ := value(t, reg, "ssm_automation_execution_info", map[string]string{"execution_id": idNew}); v != 1 {
		t.Error("the announced execution is not exported")
	}
	if got := h.refreshed(t, "announced"); got != 1 {
		t.Errorf("refreshed{cause=announced} = %v, want 1", got)
	}
	if v, _ := value(t, h.base, "ssm_automation_events_invalid_total", map[string]string{"reason": "unknown_execution"}); v != 1 {
		t.Errorf("invalid_total{reason=unknown_execution} = %v, want 1", v)
	}

	// Ten minutes after the cold start: the rule lists again; R1 and R3
	// were last fetched then, R2 and the new one since.
	h.clock = fixedNow.Add(10 * time.Minute)
	h.scrape(t, "the resync", 1, 2)
	if got := h.refreshed(t, "resync"); got != 2 {
		t.Errorf("refreshed{cause=resync} = %v, want 2", got)
	}
	h.clock = h.clock.Add(15 * time.Second)
	h.scrape(t, "after the resync", 0, 0)
}
