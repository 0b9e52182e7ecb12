package collector

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// What a refresh fetches with events on. A target that follows a queue
// trusts its events while the queue works and has worked since the
// target's last polling refresh (the same generation, see
// events.Consumer.State). A trusted refresh fetches:
//   - the executions an event named since their last fetch, by delta as
//     polling does, their metadata ten a call;
//   - the new executions an event announced that a discovery rule finds
//     (their metadata ten a call, see announce.go), in full;
//   - keeps each rule's last listing up to date with the metadata those
//     fetches read, so that it keeps what a listing would (announce.go);
//   - every execution that no fetch confirmed within resync_interval, the
//     safety net for lost events;
//   - and lists each discovery rule at most once per resync_interval.
// The executions no event named are kept as they are, like ended ones.
// Otherwise (a queue down, or back since), the refresh polls as without
// events, and once such a refresh succeeds the queue's events are trusted.

// eventSkew is how much earlier than the start of a fetch, on the
// service's clock, an event may be stamped and still tell of a change that
// fetch did not see: an event's time has whole seconds, the measure of the
// clocks' skew too (see ClockSkew), and the API's consistency differs a
// bit.
const eventSkew = 5 * time.Second

// eventPlan is what one refresh of a target following events does.
type eventPlan struct {
	trusted   bool
	gen       uint64 // the queue's generation at the start; 0 when down
	resync    time.Duration
	changed   map[string]time.Time
	announced map[string]events.Announced
	causes    map[string]string // of the executions fetched: event, announced or resync
	// relist is set when more executions were announced than are read by
	// id (events.MaxAnnounced): every rule lists this refresh.
	relist bool
	// skew is how far the service's clock is ahead of the exporter's.
	skew time.Duration
	// metas is the metadata prefetch read by id; gone the ids it read
	// that the API does not have.
	metas map[string]*types.AutomationExecutionMetadata
	gone  map[string]bool
}

// eventPlan takes the target's changes and says how its refresh goes; nil
// for a target that does not follow events.
func (ts *targetState) eventPlan(st *refreshStart) *eventPlan {
	ev := st.cfg.Target.Events
	ts.exp.mu.RLock()
	c := ts.exp.events
	ts.exp.mu.RUnlock()
	if !ev.Enabled() || c == nil {
		return nil
	}
	up, gen := c.State(ev.QueueURL)
	changed, announced, overflowed := ts.changes.Take()
	p := &eventPlan{resync: ev.ResyncInterval, changed: changed, announced: announced, causes: map[string]string{},
		relist: overflowed, gone: map[string]bool{}, skew: ts.counters.ClockSkew()}
	if up {
		p.gen = gen
	}
	p.trusted = up && gen == st.eventsGen
	return p
}

// keepListing reports whether a trusted refresh keeps the rule's last
// listing instead of listing again: it is of the rule as configured now,
// less than resync_interval old, and no backlog of announcements asks for
// a listing.
func (p *eventPlan) keepListing(last ruleResult, r *config.DiscoveryRule, now time.Time) bool {
	return p != nil && p.trusted && !p.relist && last.listing.Of(r) &&
		!now.Before(last.listedAt) && now.Sub(last.listedAt) < p.resync
}

// listOrKeep runs a discovery rule, or keeps its last listing brought up
// to date with what the events named (see kept).
func (ts *targetState) listOrKeep(ctx context.Context, api ssmapi.API, r *config.DiscoveryRule, last ruleResult, now time.Time, p *eventPlan) (ruleResult, map[string]*types.AutomationExecutionMetadata, error) {
	last.stat.name = r.Name
	if !p.keepListing(last, r, now) {
		return ts.discover(ctx, api, r, last, now)
	}
	res, metas := p.kept(last, r, now)
	ts.setLastRule(r.Name, res)
	return res, metas, nil
}

// choose marks the executions a trusted refresh does not fetch (see
// fetchCause), and records why it fetches the others.
func (p *eventPlan) choose(st *refreshStart, want []*wanted) {
	if p == nil || !p.trusted {
		return
	}
	for _, w := range want {
		switch cause, fetch := p.fetchCause(w.id, st); {
		case fetch:
			p.causes[w.id] = cause
		case !st.tracked[w.id].ended:
			w.quiet = true
		}
	}
}

// fetchCause says whether a trusted refresh fetches an execution, and
// why: one it has never fetched (resync, as a listing found it, or
// announced, when an event announced it), one an event named since its
// last fetch (event), one not fetched within resync_interval (resync). It
// fetches neither one that has ended nor one that no event named since a
// fetch within resync_interval.
func (p *eventPlan) fetchCause(id string, st *refreshStart) (cause string, fetch bool) {
	old := st.tracked[id]
	fetched, seen := st.fetchedAt[id]
	switch {
	case old != nil && old.ended:
		return "", false
	case old == nil:
		if _, ok := p.announced[id]; ok {
			return "announced", true
		}
		return "resync", true
	case p.named(id, fetched):
		return "event", true
	case !seen || st.now.Sub(fetched) >= p.resync:
		return "resync", true
	}
	return "", false
}

// named reports whether an event named id since a fetch that started at
// fetched (the exporter's clock), on the service's clock: the skew last
// measured moves the fetch's start to it (see ClockSkew).
func (p *eventPlan) named(id string, fetched time.Time) bool {
	t, ok := p.changed[id]
	if !ok {
		a, announced := p.announced[id] // announced while its first fetch ran
		t, ok = a.Time, announced
	}
	return ok && t.After(fetched.Add(p.skew-eventSkew))
}

// following reports whether the refresh trusted the target's events.
func (p *eventPlan) following() bool { return p != nil && p.trusted }

// eventsDone records what a refresh of a target following events fetched:
// when, for the resync; the causes, counted; the changes it could not
// fetch, put back for the next refresh; and, after a polling refresh
// whose listings all succeeded, the queue's generation as trusted. An
// execution that could not be fetched does not hold trust back: with no
// fetch recorded, every trusted refresh fetches it until one succeeds.
func (ts *targetState) eventsDone(p *eventPlan, want []*wanted, f fetched, listed bool, now time.Time) {
	if p == nil {
		return
	}
	counts := map[string]float64{}
	retry := map[string]time.Time{}
	ts.mu.Lock()
	if fl := ts.inflight; fl != nil && fl.stale {
		ts.mu.Unlock()
		return
	}
	ts.learnListings(f.metas)
	next := make(map[string]time.Time, len(want))
	for _, w := range want {
		_, got := f.results[w.id]
		switch old, seen := ts.fetchedAt[w.id]; {
		case w.quiet || got && ts.tracked[w.id] != nil && ts.tracked[w.id].ended:
			next[w.id] = old // reused, not fetched
		case got:
			next[w.id] = now
			if cause := p.causes[w.id]; cause != "" {
				counts[cause]++
			}
		case seen:
			next[w.id] = old
			fallthrough
		default:
			if t, named := p.changed[w.id]; named && !f.gone[w.id] {
				retry[w.id] = t
			}
		}
	}
	ts.fetchedAt = next
	if !p.trusted && listed && p.gen != 0 {
		ts.eventsGen = p.gen
	}
	ts.mu.Unlock()
	ts.changes.Restore(retry, nil)
	for cause, n := range counts {
		ts.counters.Refreshed(cause, n)
	}
}

// learnListings brings the rules' kept listings up to date with the
// metadata the fetches read by id: the executions that events showed
// ending are not looked up again when the rule next lists warm. ts.mu is
// held.
func (ts *targetState) learnListings(metas map[string]*types.AutomationExecutionMetadata) {
	for name, r := range ts.lastRules {
		if l := r.listing.Learned(metas); l != r.listing {
			r.listing = l
			ts.lastRules[name] = r
		}
	}
}

// meta is the metadata prefetch read of id, and whether it read it (nil
// then: the API does not have it).
func (p *eventPlan) meta(id string) (*types.AutomationExecutionMetadata, bool) {
	if p == nil {
		return nil, false
	}
	return p.metas[id], p.metas[id] != nil || p.gone[id]
}
