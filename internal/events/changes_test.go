package events

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestChanges(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := NewChanges()
	c.Mark("a", t0.Add(2*time.Second))
	c.Mark("a", t0) // an older event, delivered late: the newest time stays
	c.Mark("a", t0.Add(2*time.Second))
	c.Announce("n", "AWS-Patch", t0)
	c.Announce("n", "AWS-Patch", t0.Add(time.Second))
	if c.Len() != 2 {
		t.Fatalf("Len = %d, want 2", c.Len())
	}
	changed, announced, overflowed := c.Take()
	if overflowed {
		t.Error("Take says the set overflowed")
	}
	if len(changed) != 1 || !changed["a"].Equal(t0.Add(2*time.Second)) {
		t.Errorf("changed = %v", changed)
	}
	if len(announced) != 1 || announced["n"] != (Announced{Document: "AWS-Patch", Time: t0.Add(time.Second)}) {
		t.Errorf("announced = %v", announced)
	}
	if c.Len() != 0 {
		t.Errorf("Len after Take = %d", c.Len())
	}
	// A refresh that could not fetch puts back what it took; an event
	// since keeps the later time.
	c.Mark("a", t0.Add(5*time.Second))
	c.Restore(changed, announced)
	changed, announced = c.Snapshot()
	if !changed["a"].Equal(t0.Add(5*time.Second)) || announced["n"].Document != "AWS-Patch" {
		t.Errorf("after Restore: %v, %v", changed, announced)
	}
}

// TestChangesAnnouncedAreCapped checks that a backlog of announcements
// keeps at most MaxAnnounced of them, while the executions the target
// follows are still marked, and that Take then says the set overflowed,
// once.
func TestChangesAnnouncedAreCapped(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := NewChanges()
	refused := 0
	for i := range 20000 {
		if !c.Announce(fmt.Sprintf("id-%05d", i), "AWS-Patch", t0) {
			refused++
		}
	}
	if !c.Announce("id-00000", "AWS-Patch", t0.Add(time.Second)) {
		t.Error("an execution already announced is refused when the set is full")
	}
	c.Mark("followed", t0)
	if refused != 20000-MaxAnnounced || c.Len() != MaxAnnounced+1 {
		t.Fatalf("%d refused, %d held; want %d and %d", refused, c.Len(), 20000-MaxAnnounced, MaxAnnounced+1)
	}
	changed, announced, overflowed := c.Take()
	if !overflowed || len(announced) != MaxAnnounced || !changed["followed"].Equal(t0) {
		t.Fatalf("Take: overflowed %v, %d announced, changed %v", overflowed, len(announced), changed)
	}
	c.Restore(nil, announced)
	if _, _, overflowed = c.Take(); overflowed {
		t.Error("putting back what was taken overflows the empty set")
	}
	if _, _, overflowed = c.Take(); overflowed {
		t.Error("Take says the set overflowed twice")
	}
}

// TestInvalidLogOncePerInterval checks that the messages deleted unused
// give one line per reason and interval, with the count since the last
// line, and never a body.
func TestInvalidLogOncePerInterval(t *testing.T) {
	var buf bytes.Buffer
	w := newInvalidLog(slog.New(slog.NewTextHandler(&buf, nil)))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return now }
	w.add(ReasonOtherEvent, "q1")
	w.add(ReasonOtherEvent, "q2")
	w.add(ReasonMalformed, "q1")
	now = now.Add(logInterval - time.Second)
	w.add(ReasonOtherEvent, "q1")
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("%d lines within the interval, want 2 (one per reason):\n%s", n, buf.String())
	}
	now = now.Add(time.Second)
	w.add(ReasonOtherEvent, "q2")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "reason=other_event messages=3 example_queue=q2") {
		t.Errorf("after the interval:\n%s", buf.String())
	}
}
