package events

import (
	"encoding/json"
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
