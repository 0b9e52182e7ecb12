package ssmsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

var seededEventFaults = EventFaults{DropRate: 0.1, DuplicateRate: 0.05, Delay: 2 * time.Second,
	ReorderRate: 0.1, Seed: 42}

// numberedEvent is the execution event of an execution whose runbook is
// named after i.
func numberedEvent(i int, at time.Time) Event {
	e := &Execution{ID: simExecID(i), DocumentName: fmt.Sprintf("doc-%d", i), DocumentVersion: "1", Status: "InProgress", StartTime: at}
	return ExecutionEvent(defaultAccount, testRegion, e, at)
}

type arrival struct {
	seq   int
	delay time.Duration // from publishing to receiving
}

// TestEventFaultsOnASeededRun publishes an event every 100 ms and receives
// what is visible after each step of the clock: the faults show as events
// missing, received twice, late and overtaken, at about the configured
// rates and exactly as many times as counted.
func TestEventFaultsOnASeededRun(t *testing.T) {
	const n = 400
	const step = 100 * time.Millisecond
	clock := &manualClock{now: testEpoch}
	c, srv, _ := sqsSim(t, Options{Now: clock.Now, EventFaults: seededEventFaults})
	url := testQueue(t, c, testQ.Name, nil)
	srv.Subscribe(defaultAccount, testRegion, testQ)
	published := map[int]time.Time{}
	var got []arrival
	for i := 0; i < n+100; i++ { // 10 s more than the last publication: every late event arrives
		if i < n {
			published[i] = clock.Now()
			srv.PublishEvent(numberedEvent(i, clock.Now()))
		}
		clock.advance(step)
		for _, m := range receive(t, c, url, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = maxVisibilityTimeout }) {
			var ev Event
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatal(err)
			}
			seq, _ := strconv.Atoi(strings.TrimPrefix(ev.Detail.Definition, "doc-"))
			got = append(got, arrival{seq, clock.Now().Sub(published[seq])})
		}
	}
	faults := srv.InjectedFaults()
	distinct := map[int]bool{}
	late, held, maxSeq := 0, 0, -1
	for _, a := range got {
		distinct[a.seq] = true
		if a.delay < seededEventFaults.Delay {
			t.Errorf("event %d received %v after publication, before the delay", a.seq, a.delay)
		}
		if a.delay >= seededEventFaults.Delay+defaultReorderDelay {
			held++
		}
		if a.seq < maxSeq {
			late++
		}
		maxSeq = max(maxSeq, a.seq)
	}
	dropped, duplicated := n-len(distinct), len(got)-len(distinct)
	if dropped != faults[faultEventDrop] || duplicated != faults[faultEventDuplicate] || held != faults[faultEventReorder] {
		t.Errorf("observed %d dropped, %d duplicated, %d held back; counted %v", dropped, duplicated, held, faults)
	}
	if late != held {
		t.Errorf("%d events overtaken, want the %d held back", late, held)
	}
	within := func(what string, count, of int, rate float64) {
		if r := float64(count) / float64(of); r < rate*0.6 || r > rate*1.4 {
			t.Errorf("%s %d of %d (%.3f), want about %.2f", what, count, of, r, rate)
		}
	}
	within("dropped", dropped, n, seededEventFaults.DropRate)
	within("duplicated", duplicated, len(distinct), seededEventFaults.DuplicateRate)
	within("held back", held, len(got), seededEventFaults.ReorderRate)
}

func TestEventFaultsRepeatWithTheSeed(t *testing.T) {
	run := func(f EventFaults) map[string]int {
		srv := New(nil, Options{EventFaults: f})
		srv.CreateQueue(testQ)
		srv.Subscribe(defaultAccount, testRegion, testQ)
		for i := range 300 {
			srv.PublishEvent(numberedEvent(i, testEpoch))
		}
		return srv.InjectedFaults()
	}
	first := run(seededEventFaults)
	if again := run(seededEventFaults); !maps.Equal(first, again) {
		t.Errorf("same seed: %v then %v", first, again)
	}
	other := seededEventFaults
	other.Seed++
	if again := run(other); maps.Equal(first, again) {
		t.Errorf("another seed injected the same faults %v", again)
	}
	// SetEventFaults reseeds: the same faults again from there.
	srv := New(nil, Options{})
	srv.CreateQueue(testQ)
	srv.Subscribe(defaultAccount, testRegion, testQ)
	srv.SetEventFaults(seededEventFaults)
	for i := range 300 {
		srv.PublishEvent(numberedEvent(i, testEpoch))
	}
	if got := srv.InjectedFaults(); !maps.Equal(first, got) {
		t.Errorf("after SetEventFaults: %v, want %v", got, first)
	}
}
