package collector

import (
	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
)

// A target with events follows the queue its configuration names: the
// consumer (internal/events) hands it the events of its account and
// region, and it keeps the executions they name in its set of changes,
// which its next refresh takes (see eventrefresh.go). Its Offer, the
// events.Sink, is in target.go.

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
