package events

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// secretMark is free text of events: no log line, at any level, and no
// label may hold it.
const secretMark = "SECRET-PARAMETER-MARKER"

// TestPoisonMessages sends every kind of unusable message around one good
// event: each is counted by its reason and deleted, none loops, the good
// event still reaches its target, and nothing of a body reaches the logs.
func TestPoisonMessages(t *testing.T) {
	s := newSim(t, ssmsim.Options{})
	q, ev := s.queue("poison", "us-east-1")
	event := func(account, region, id string) string {
		e := ssmsim.ExecutionEvent(account, region, execution(id), time.Now())
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		// Free text, as the detail of some events carries.
		return strings.Replace(string(b), `"detail":{`, `"detail":{"Parameters":{"p":["`+secretMark+`"]},`, 1)
	}
	good := event(account, "us-east-1", idA)
	swap := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	hugeName := strings.Repeat("d", 200<<10) // a document name is at most 128 characters
	bodies := map[string]string{
		"junk " + secretMark:                                      ReasonNotEnvelope,
		`{"Type":"Notification","Message":"` + secretMark:         ReasonTruncated,
		good[:len(good)-20]:                                       ReasonTruncated,
		swap(`"aws.ssm"`, `"aws.ec2"`):                            ReasonOtherEvent,
		swap(`"ExecutionId":"`+idA, `"ExecutionId":"`+secretMark): ReasonMalformed,
		swap(`"time":"`, `"time":"0001-01-01T00:00:00Z","t":"`):   ReasonMalformed,
		swap(`"time":"`, `"time":1,"t":"`):                        ReasonMalformed,
		swap(`"AWS-PatchFleet"`, `"`+hugeName+`"`):                ReasonMalformed,
		event(account, "eu-west-1", idA):                          ReasonNoTarget,
		event(account, "us-east-1", idB):                          ReasonUnknownExecution,
	}
	for body := range bodies {
		if err := s.srv.SendMessage(q, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.srv.SendMessage(q, good); err != nil {
		t.Fatal(err)
	}
	k := newSink(func(e Event) bool { return e.ExecutionID == idA })
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	want := map[string]float64{}
	for _, r := range bodies {
		want[r]++
	}
	for _, r := range Reasons {
		if got := s.value("ssm_automation_events_invalid_total", map[string]string{"queue": "poison", "reason": r}); got != want[r] {
			t.Errorf("invalid_total{reason=%q} = %v, want %v", r, got, want[r])
		}
	}
	if changed, _ := k.changes.Snapshot(); len(changed) != 1 || changed[idA].IsZero() {
		t.Errorf("marked %v, want %s only", changed, idA)
	}
	for detailType, want := range map[string]float64{ExecutionDetailType: 7, otherDetailType: 4} {
		if got := s.value("ssm_automation_events_received_total", map[string]string{"detail_type": detailType}); got != want {
			t.Errorf("received_total{detail_type=%q} = %v, want %v", detailType, got, want)
		}
	}
	// Only the events of a plausible time are timed: the good one, and
	// those no target took.
	if n, sum := s.histogram("ssm_automation_event_delay_seconds"); n != 3 || sum > 60 {
		t.Errorf("event_delay_seconds: %v events, %v s in all; want 3 of under a minute", n, sum)
	}
	if n := s.srv.Requests("ReceiveMessage", "OK"); n != 2 {
		t.Errorf("%v receives, want 2 (eleven messages, ten a receive): deleted messages came back", n)
	}
	if logs := s.logs.String(); strings.Contains(logs, secretMark) {
		t.Errorf("the logs hold free text of a message:\n%s", logs)
	}
	for _, reason := range []string{ReasonNotEnvelope, ReasonOtherEvent, ReasonMalformed} {
		if !strings.Contains(s.logs.String(), "reason="+reason) {
			t.Errorf("no log line of reason %s:\n%s", reason, s.logs.String())
		}
	}
}

// TestChecksumMismatch delivers a batch in which some messages come with
// an MD5 that is not their body's: each of those is counted under
// checksum and deleted, the others of the batch are applied, and the
// queue stays up. Had the batch failed as a whole, it would come back
// after the visibility timeout, again and again.
func TestChecksumMismatch(t *testing.T) {
	clock := newClock()
	s := newSim(t, ssmsim.Options{Now: clock.now})
	q, ev := s.queue("checksum", "us-east-1")
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = strings.Replace(idA, "aaaaaaaaaaaa", "aaaaaaaaa"+strconv.Itoa(100+i), 1)
		b, err := json.Marshal(ssmsim.ExecutionEvent(account, "us-east-1", execution(ids[i]), time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.srv.SendMessage(q, string(b)); err != nil {
			t.Fatal(err)
		}
	}
	s.srv.SetSQSFaults(ssmsim.Faults{WrongMD5Rate: 0.5, Seed: 19})
	k := newSink(nil)
	s.c.Apply(api, map[string]Queue{ev.QueueURL: {Events: ev, Routes: []Route{{Account: account, Region: "us-east-1", Sink: k}}}})
	s.waitPolls(1)
	bad := s.srv.InjectedFaults()["WrongMD5"]
	if bad == 0 || bad == len(ids) {
		t.Fatalf("%d of %d messages with a wrong MD5; the test needs some of each", bad, len(ids))
	}
	if got := s.value("ssm_automation_events_invalid_total", map[string]string{"reason": ReasonChecksum}); got != float64(bad) {
		t.Errorf("invalid_total{reason=checksum} = %v, want %d", got, bad)
	}
	if n := k.changes.Len(); n != len(ids)-bad {
		t.Errorf("%d executions marked, want %d: the batch-mates of a damaged message are applied", n, len(ids)-bad)
	}
	if got := s.value("ssm_automation_events_up", map[string]string{"queue": "checksum"}); got != 1 {
		t.Errorf("events_up = %v, want 1", got)
	}
	// Past the visibility timeout, a message not deleted would come back
	// before the next one sent.
	s.srv.SetSQSFaults(ssmsim.Faults{})
	clock.add(31 * time.Second)
	s.srv.NotifyClockMoved()
	s.srv.Subscribe(account, "us-east-1", q)
	s.srv.PublishEvent(ssmsim.ExecutionEvent(account, "us-east-1", execution(idB), time.Now()))
	s.waitPolls(2)
	received := s.value("ssm_automation_events_received_total", map[string]string{"detail_type": ExecutionDetailType}) +
		s.value("ssm_automation_events_received_total", map[string]string{"detail_type": otherDetailType})
	if got := received; got != float64(len(ids)+1) {
		t.Errorf("%v messages received, want %d: deleted messages came back", got, len(ids)+1)
	}
	if n := s.srv.Requests("ReceiveMessage", "OK"); n != 2 {
		t.Errorf("%v receives, want 2", n)
	}
	if logs := s.logs.String(); strings.Contains(logs, "events queue failed") || !strings.Contains(logs, "reason=checksum") {
		t.Errorf("want one line of reason checksum and no failure of the queue:\n%s", logs)
	}
}
