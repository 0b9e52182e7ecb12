package events

import (
	"maps"
	"sync"
	"time"
)

// Changes is one target's set of executions that events named since its
// last refresh took them: those it follows (changed), with the time of
// their latest event, and those it does not follow yet but that one of its
// discovery rules may find (announced), with their runbook. Marking twice
// (a duplicate, a redelivery) is marking once. It is safe for concurrent
// use.
//
// The announced executions are at most MaxAnnounced: past that the set
// only records that it overflowed, and the refresh that takes it lists
// its rules instead of reading each announced execution by id. Neither a
// backlog of events nor anyone who can write to the queue makes it grow
// without bound, or makes a refresh read more than MaxAnnounced ids.
type Changes struct {
	mu         sync.Mutex
	changed    map[string]time.Time
	announced  map[string]Announced
	overflowed bool
}

// MaxAnnounced is the most new executions a target keeps announced
// between two refreshes: reading them by id costs a tenth as many calls
// (ten ids a call), about what listing a rule warm costs.
const MaxAnnounced = 100

// Announced is a new execution an event named.
type Announced struct {
	Document string
	Time     time.Time
}

// NewChanges returns an empty set.
func NewChanges() *Changes {
	return &Changes{changed: map[string]time.Time{}, announced: map[string]Announced{}}
}

// Mark records that an event at t named the execution id.
func (c *Changes) Mark(id string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.changed[id]; !ok || t.After(old) {
		c.changed[id] = t
	}
}

// Announce records that an event at t named the execution id, of the
// runbook document, which the target does not follow yet. It reports
// false when the set is full (MaxAnnounced) and id not in it: the set
// then only records that it overflowed.
func (c *Changes) Announce(id, document string, t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.announced[id]
	switch {
	case !ok && len(c.announced) >= MaxAnnounced:
		c.overflowed = true
		return false
	case !ok || t.After(old.Time):
		c.announced[id] = Announced{Document: document, Time: t}
	}
	return true
}

// Take empties the set and returns what it held, and whether announced
// executions were left out since the last Take (see MaxAnnounced).
func (c *Changes) Take() (changed map[string]time.Time, announced map[string]Announced, overflowed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	changed, announced, overflowed = c.changed, c.announced, c.overflowed
	c.changed, c.announced, c.overflowed = map[string]time.Time{}, map[string]Announced{}, false
	return changed, announced, overflowed
}

// Restore puts back what a refresh took and could not fetch, keeping the
// later time of an execution marked again since.
func (c *Changes) Restore(changed map[string]time.Time, announced map[string]Announced) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, t := range changed {
		if old, ok := c.changed[id]; !ok || t.After(old) {
			c.changed[id] = t
		}
	}
	for id, a := range announced {
		old, ok := c.announced[id]
		switch {
		case !ok && len(c.announced) >= MaxAnnounced:
			c.overflowed = true
		case !ok || a.Time.After(old.Time):
			c.announced[id] = a
		}
	}
}

// Len is the number of executions in the set.
func (c *Changes) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.changed) + len(c.announced)
}

// Snapshot copies the set without emptying it (tests).
func (c *Changes) Snapshot() (map[string]time.Time, map[string]Announced) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.changed), maps.Clone(c.announced)
}
