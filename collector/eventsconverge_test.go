package collector

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// twinConfig has two targets watching the same executions: t1 follows the
// queue, poll polls; both discover every execution (see twinRuleConfig).
var twinConfig = strings.ReplaceAll(twinRuleConfig, "RULE", "{name: all}")

// fleet is a generated set of executions, a third of them running.
func fleet() []*ssmsim.Execution {
	store := ssmsim.NewStore()
	return ssmsim.Generate(store, ssmsim.GenOptions{Seed: 7, Executions: 24, StepsPerExecution: 6, Now: fixedNow,
		RunningFraction: 0.35, Spread: 3 * time.Hour})
}

// advance moves the running executions on by a step as of the harness's
// clock and publishes the events of what changed: a step event for each
// step whose status changed, and an execution event when the execution's
// did. With one, every lost event loses a change.
func (h *eventsHarness) advance(rnd *rand.Rand, one bool) int {
	before := map[string]*ssmsim.Execution{}
	for _, e := range h.store.List("123456789012", "us-east-1") {
		before[e.ID] = e
	}
	ssmsim.Advance(h.store, h.clock, rnd)
	n := 0
	for _, e := range h.store.List("123456789012", "us-east-1") {
		b := before[e.ID]
		if b != nil && b.Status == e.Status && slices.EqualFunc(b.Steps, e.Steps, func(x, y *ssmsim.Step) bool { return x.Status == y.Status }) {
			continue
		}
		n++
		if one || b == nil || b.Status != e.Status {
			h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", e, h.clock))
		}
		for i, st := range e.Steps {
			if one {
				break
			}
			if b == nil || i >= len(b.Steps) || b.Steps[i].Status != st.Status {
				h.sim.PublishEvent(ssmsim.StepEvent("123456789012", "us-east-1", e, st, h.clock))
			}
		}
	}
	return n
}

// drain waits until every message of the queue has been received and
// deleted: each time the exporter's loop waits on the empty queue, it
// asks the queue what it still holds, visible, in flight or delayed.
func (h *eventsHarness) drain(t *testing.T) {
	t.Helper()
	h.drainWithin(t, 10*time.Second)
}

// drainWithin is drain with a deadline of its own, for a backlog.
func (h *eventsHarness) drainWithin(t *testing.T, d time.Duration) {
	t.Helper()
	c := ssmsim.SQSClient(context.Background(), h.url, "AKIDTEST", "us-east-1")
	url := ssmsim.QueueURL(h.url, h.queue)
	deadline := time.After(d)
	for {
		out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		left := 0
		for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"} {
			n, _ := strconv.Atoi(out.Attributes[k])
			left += n
		}
		if left == 0 {
			return
		}
		select {
		case <-h.wake:
		case <-deadline:
			t.Fatalf("%d messages still in the queue", left)
		}
	}
}

// gathered runs one scrape and returns its registry, gathered.
func gathered(t *testing.T, h *eventsHarness) prometheus.Gatherer {
	t.Helper()
	reg := h.registry(t)
	mustGather(t, reg)
	return reg
}

// targetCalls are the API calls made for each target so far.
func (h *eventsHarness) targetCalls(t *testing.T) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, name := range []string{"t1", "poll"} {
		out[name] = sum(t, h.base, "ssm_automation_exporter_api_requests_total", map[string]string{"target": name})
	}
	return out
}

// seriesOf are the per-execution series of a target, without its label.
func seriesOf(lines map[string][]string, target string) map[string][]string {
	out := map[string][]string{}
	for id, ls := range lines {
		for _, l := range ls {
			if strings.Contains(l, `target="`+target+`"`) {
				out[id] = append(out[id], strings.Replace(l, `target="`+target+`"`, `target=""`, 1))
			}
		}
	}
	return out
}

// compareTwins checks that t1 exports what poll exports, execution by
// execution.
func compareTwins(t *testing.T, what string, lines map[string][]string) {
	t.Helper()
	events, polling := seriesOf(lines, "t1"), seriesOf(lines, "poll")
	for id, want := range polling {
		if got := events[id]; !slices.Equal(got, want) {
			t.Errorf("%s: execution %s differs from polling:\nevents:\n%s\npolling:\n%s", what, id,
				strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		delete(events, id)
	}
	for id := range events {
		t.Errorf("%s: execution %s is exported with events only", what, id)
	}
}

// TestEventsSeriesEqualPolling advances a fleet scrape after scrape, every
// event delivered: the target following events exports exactly what the
// target polling exports, at every scrape, for fewer calls.
func TestEventsSeriesEqualPolling(t *testing.T) {
	h := newEventsHarness(t, fleet(), twinConfig)
	rnd := rand.New(rand.NewPCG(11, 12))
	compareTwins(t, "cold start", executionLines(t, gathered(t, h)))
	eventCalls, pollCalls := 0.0, 0.0
	for i := range 30 {
		h.clock = h.clock.Add(15 * time.Second)
		h.advance(rnd, false)
		h.drain(t)
		before := h.targetCalls(t)
		lines := executionLines(t, gathered(t, h))
		after := h.targetCalls(t)
		eventCalls += after["t1"] - before["t1"]
		pollCalls += after["poll"] - before["poll"]
		compareTwins(t, "scrape "+strconv.Itoa(i), lines)
	}
	if eventCalls*2 > pollCalls {
		t.Errorf("events: %v calls, polling %v; want at most half", eventCalls, pollCalls)
	}
	t.Logf("calls over 30 warm scrapes: events %v, polling %v", eventCalls, pollCalls)
}

// TestEventsConvergeDespiteLostEvents advances a fleet while events are
// lost, duplicated and reordered, one event a change: within one resync_interval of the last
// change, and at every scrape after, the target following events exports
// exactly what the target polling exports.
func TestEventsConvergeDespiteLostEvents(t *testing.T) {
	h := newEventsHarness(t, fleet(), twinConfig)
	h.sim.SetEventFaults(ssmsim.EventFaults{DropRate: 0.1, DuplicateRate: 0.05, ReorderRate: 0.2,
		ReorderDelay: 50 * time.Millisecond, Seed: 2})
	rnd := rand.New(rand.NewPCG(21, 22))
	gathered(t, h)
	for range 20 {
		h.clock = h.clock.Add(15 * time.Second)
		h.advance(rnd, true)
		h.drain(t)
		gathered(t, h)
	}
	if h.sim.InjectedFaults()["EventDrop"] == 0 {
		t.Fatal("no event was lost: the test shows nothing")
	}
	last := h.clock
	for i, d := range []time.Duration{10 * time.Minute, 10*time.Minute + 15*time.Second, 11 * time.Minute} {
		h.clock = last.Add(d)
		compareTwins(t, "scrape "+strconv.Itoa(i)+" after the resync", executionLines(t, gathered(t, h)))
	}
}
