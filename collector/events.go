package collector

import (
	"slices"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/discovery"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
)

// A target with events follows the queue its configuration names: the
// consumer (internal/events) hands it the events of its account and
// region, and it keeps the executions they name in its set of changes,
// which its next refresh takes (see eventrefresh.go).

var _ events.Sink = (*targetState)(nil)

// UseEvents makes the exporter read the events queues of its targets with
// c from the next Apply on; Close closes c.
func (e *Exporter) UseEvents(c *events.Consumer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = c
}

// applyEvents gives the consumer the queues of the targets installed, and
// where their events go.
func (e *Exporter) applyEvents(cfg *config.Config) {
	e.mu.RLock()
	c := e.events
	queues := map[string]events.Queue{}
	for _, name := range e.order {
		ts := e.targets[name]
		t := ts.config()
		ts.counters.FollowEvents(t.Target.Events.Enabled())
		ev := t.Target.Events
		if !ev.Enabled() {
			continue
		}
		q, ok := queues[ev.QueueURL]
		if !ok {
			q.Events = ev
		}
		q.Routes = append(q.Routes, events.Route{Account: t.AccountID, Region: t.Region, Sink: ts})
		queues[ev.QueueURL] = q
	}
	e.mu.RUnlock()
	if c != nil {
		c.Apply(cfg.API, queues) // may wait for the loops of removed queues to end
	}
}

func (ts *targetState) config() config.ExpandedTarget {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.cfg
}

// Offer takes an event routed to the target (events.Sink): an execution
// it follows is marked changed; a new one that a discovery rule may find
// is announced, for the next refresh to look up; anything else is left.
func (ts *targetState) Offer(ev events.Event) bool {
	ts.mu.Lock()
	_, known := ts.tracked[ev.ExecutionID]
	t := ts.cfg.Target
	ts.mu.Unlock()
	if !t.Events.Enabled() {
		return false // events turned off since the consumer took the route
	}
	if known || slices.ContainsFunc(t.Executions, func(x config.Execution) bool { return x.ID == ev.ExecutionID }) {
		ts.changes.Mark(ev.ExecutionID, ev.Time)
		return true
	}
	for i := range t.Discovery {
		if discovery.MayFind(&t.Discovery[i], ev.ExecutionID, ev.Document) {
			if !ts.changes.Announce(ev.ExecutionID, ev.Document, ev.Time) {
				ts.counters.Cut("announced", 1) // the rules list at the next refresh instead
			}
			return true
		}
	}
	return false
}
