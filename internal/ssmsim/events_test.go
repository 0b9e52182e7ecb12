package ssmsim

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// decodeJSON decodes a JSON document keeping numbers as written.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// The documented examples (testdata/events) come from the service's page
// "Amazon EventBridge event examples for Systems Manager"; an execution and
// a step with their times give the same bodies, but for the random id.
func TestEventBodiesMatchTheDocumentedExamples(t *testing.T) {
	at := time.Date(2024, 11, 29, 19, 43, 35, 0, time.UTC)
	e := &Execution{ID: "333ba70b-2333-48db-b17e-a5e69c6f4d1c", DocumentName: "runcommand1", DocumentVersion: "1",
		Status: "Success", StartTime: at.Add(-14753 * time.Millisecond), EndTime: at.Add(-9 * time.Second),
		ExecutedBy: "arn:aws:iam::123456789012:user/userName"}
	st := &Step{StepName: "runFixedCmds", Action: "aws:runCommand", Status: "Success",
		StartTime: at.Add(-12 * time.Second), EndTime: at.Add(-9370 * time.Millisecond)}
	for _, tc := range []struct {
		file  string
		event Event
	}{
		{"step-status-change.json", StepEvent("123456789012", "us-east-1", e, st, at)},
		{"execution-status-change.json", ExecutionEvent("123456789012", "us-east-2", e, at)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			doc, err := os.ReadFile("testdata/events/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			body, err := encodeJSON(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			got, want := decodeJSON(t, body), decodeJSON(t, doc)
			if id, _ := got["id"].(string); !uuidPattern.MatchString(id) {
				t.Errorf("id %q is not a UUID", id)
			}
			got["id"] = want["id"]
			// The step example's resources say us-east-2 while its event
			// comes from us-east-1; the simulator names the event's region.
			if tc.event.DetailType == DetailTypeStep {
				for i, r := range want["resources"].([]any) {
					want["resources"].([]any)[i] = strings.Replace(r.(string), "us-east-2", "us-east-1", 1)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("event\n%s\nwant the documented\n%s", body, doc)
			}
		})
	}
}

func TestEventsOfRunningAndPendingSteps(t *testing.T) {
	at := testEpoch
	e := &Execution{ID: simExecID(1), DocumentName: "Doc", DocumentVersion: "$DEFAULT", Status: "InProgress", StartTime: at}
	running := &Step{StepExecutionID: "s1", StepName: "one", Action: "aws:sleep", Status: "InProgress", StartTime: at}
	pending := &Step{StepExecutionID: "s2", StepName: "two", Action: "aws:sleep", Status: "Pending"}
	e.Steps = []*Step{running, pending}
	evs := changeEvents(defaultAccount, testRegion, nil, e, at)
	if len(evs) != 2 || evs[0].DetailType != DetailTypeExecution || evs[1].Detail.StepName != "one" {
		t.Fatalf("events of a start %+v, want the execution's then its running step's", evs)
	}
	d := evs[1].Detail
	if d.EndTime != "" || d.Time != "" || d.DefinitionVersion != "" || d.StartTime != "Mar 1, 2024 12:00:00 PM" {
		t.Errorf("running step's detail %+v: want no end, no duration, no version that is not a number", d)
	}
	before := e.Clone()
	running.Status, running.EndTime = "Success", at.Add(1500*time.Millisecond)
	pending.Status, pending.StartTime = "InProgress", running.EndTime
	evs = changeEvents(defaultAccount, testRegion, before, e, at.Add(2*time.Second))
	if len(evs) != 2 || evs[0].Detail.Time != "1500.0" || evs[1].Detail.StepName != "two" {
		t.Errorf("events of a step change %+v, want step one's end and step two's start", evs)
	}
	if evs := changeEvents(defaultAccount, testRegion, e.Clone(), e, at); len(evs) != 0 {
		t.Errorf("no change gave events %+v", evs)
	}
}

// drain receives and deletes every visible message of a queue.
func drain(t *testing.T, c *sqs.Client, url string) []Event {
	t.Helper()
	var out []Event
	for {
		msgs := receive(t, c, url, nil)
		if len(msgs) == 0 {
			return out
		}
		for _, m := range msgs {
			var ev Event
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatal(err)
			}
			out = append(out, ev)
			deleteOne(t, c, url, m.ReceiptHandle)
		}
	}
}

func TestLiveModeEmitsAnEventForEveryChange(t *testing.T) {
	clock := &manualClock{now: genTestNow}
	c, srv, _ := sqsSim(t, Options{Now: clock.Now})
	url := testQueue(t, c, testQ.Name, nil)
	srv.Subscribe(defaultAccount, testRegion, testQ)
	store := NewStore()
	Generate(store, GenOptions{Seed: 3, Executions: 4, Now: genTestNow, RunningFraction: 1, Account: defaultAccount, Region: testRegion})
	l := newLive(store, LiveOptions{Seed: 5, Now: clock.Now, Events: srv, Account: defaultAccount, Region: testRegion,
		NewExecutionEvery: 20 * time.Second})
	// Execution, step name, start and status of every step event, and of
	// the steps as they were before live mode started.
	seen := map[string]bool{}
	stepKey := func(id string, st *Step) string {
		return id + "|" + st.StepName + "|" + st.StartTime.UTC().Format(detailTimeLayout) + "|" + st.Status
	}
	for _, e := range store.List(defaultAccount, testRegion) {
		for _, st := range e.Steps {
			seen[stepKey(e.ID, st)] = true
		}
	}
	started := 0
	for range 120 {
		clock.advance(2 * time.Second)
		l.tick(clock.Now())
		last := map[string]string{} // execution id -> status of its last execution event
		for _, ev := range drain(t, c, url) {
			d := ev.Detail
			if ev.Source != EventSource || ev.Account != defaultAccount || ev.Region != testRegion || ev.Time != clock.Now().Format(eventTimeLayout) {
				t.Fatalf("envelope %+v", ev)
			}
			switch ev.DetailType {
			case DetailTypeStep:
				seen[d.ExecutionID+"|"+d.StepName+"|"+d.StartTime+"|"+d.Status] = true
			case DetailTypeExecution:
				if _, ok := last[d.ExecutionID]; !ok && store.Get(defaultAccount, testRegion, d.ExecutionID).StartTime.Equal(clock.Now()) {
					started++
				}
				last[d.ExecutionID] = d.Status
			}
		}
		for _, e := range store.List(defaultAccount, testRegion) {
			if status, ok := last[e.ID]; ok && status != e.Status {
				t.Fatalf("%s is %s, its last event says %s", e.ID, e.Status, status)
			}
			for _, st := range e.Steps {
				if st.Status != "Pending" && !seen[stepKey(e.ID, st)] {
					t.Fatalf("no event for step %s of %s, %s", st.StepName, e.ID, st.Status)
				}
			}
		}
	}
	if started != 12 || srv.EventsPublished(DetailTypeExecution) < 20 || srv.EventsPublished(DetailTypeStep) < 100 {
		t.Errorf("%d executions announced as started, %v execution and %v step events; want 12 and many",
			started, srv.EventsPublished(DetailTypeExecution), srv.EventsPublished(DetailTypeStep))
	}
}

func TestEventsGoToTheSubscribedQueuesOnly(t *testing.T) {
	c, srv, _ := sqsSim(t, Options{})
	urlA, urlB := testQueue(t, c, "a", nil), testQueue(t, c, "b", nil)
	qa, qb := Queue{defaultAccount, testRegion, "a"}, Queue{defaultAccount, testRegion, "b"}
	srv.Subscribe(defaultAccount, testRegion, qa)
	srv.Subscribe(defaultAccount, testRegion, qa)
	srv.Subscribe(defaultAccount, testRegion, qb)
	srv.Subscribe("111111111111", testRegion, qb)
	srv.Subscribe(defaultAccount, testRegion, Queue{defaultAccount, testRegion, "missing"})
	e := &Execution{ID: simExecID(1), DocumentName: "Doc", DocumentVersion: "2", Status: "InProgress", StartTime: testEpoch}
	srv.PublishEvent(ExecutionEvent(defaultAccount, testRegion, e, testEpoch))
	srv.PublishEvent(ExecutionEvent("111111111111", testRegion, e, testEpoch))
	srv.PublishEvent(ExecutionEvent(defaultAccount, "us-east-1", e, testEpoch))
	srv.Unsubscribe(defaultAccount, testRegion, qb)
	srv.PublishEvent(ExecutionEvent(defaultAccount, testRegion, e, testEpoch))
	accounts := func(evs []Event) []string {
		var out []string
		for _, ev := range evs {
			out = append(out, ev.Account+" "+ev.Region)
		}
		return out
	}
	mine := defaultAccount + " " + testRegion
	if got := accounts(drain(t, c, urlA)); !slices.Equal(got, []string{mine, mine}) {
		t.Errorf("queue a got %v, want two events of its account and region", got)
	}
	if got := accounts(drain(t, c, urlB)); !slices.Equal(got, []string{mine, "111111111111 " + testRegion}) {
		t.Errorf("queue b got %v, want one of each account before it was unsubscribed", got)
	}
	want := `
# HELP ssm_simulator_events_total EventBridge events the simulator published, by detail type, before delivery faults.
# TYPE ssm_simulator_events_total counter
ssm_simulator_events_total{detail_type="EC2 Automation Execution Status-change Notification"} 4
`
	if err := testutil.GatherAndCompare(srv.Registry(), strings.NewReader(want), "ssm_simulator_events_total"); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.GatherAndLint(srv.Registry()); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
