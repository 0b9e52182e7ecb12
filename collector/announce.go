package collector

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/discovery"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// A trusted refresh keeps a rule's last listing rather than listing
// again, and brings it up to date with what the events named, so that it
// keeps what the next listing would find:
//   - prefetch reads by id, ten a call, the metadata of every execution
//     the refresh fetches (named by an event, due for the resync, or new
//     and announced);
//   - kept applies that metadata to the listing (an execution that matches
//     the rule is added or updated, one that no longer matches or no
//     longer exists is removed), ages it to the rule's window, adds the
//     children of what it holds, and caps it, as a listing does
//     (discovery.Update).
// A rule whose tag or target resource group the metadata does not carry
// finds new executions at its next listing only. More announcements than
// events.MaxAnnounced between two refreshes, and the rules list instead.

// prefetch reads the metadata of the executions a trusted refresh fetches
// from the rules it keeps (see keepListing), and of the announced ones no
// rule lists this refresh. On failure it reports false; the
// announcements not read are put back for the next refresh.
func (p *eventPlan) prefetch(ctx context.Context, ts *targetState, api ssmapi.API, st *refreshStart) bool {
	if p == nil || !p.trusted {
		return true
	}
	ids, fresh := p.toRead(st)
	slices.Sort(ids)
	metas, err := ssmapi.ExecutionsByID(ctx, api, ids)
	p.metas = metas
	if err != nil {
		ts.fail(err, "fetching the metadata of executions events named failed")
		back := map[string]events.Announced{}
		for _, id := range fresh {
			if metas[id] == nil {
				back[id] = p.announced[id]
			}
		}
		ts.changes.Restore(nil, back)
		return false
	}
	for _, id := range ids {
		if metas[id] == nil {
			p.gone[id] = true // no such execution (any more): no listing finds it
		}
	}
	return true
}

// toRead are the ids prefetch reads: those a kept rule (see keepListing)
// or a static id holds that the refresh fetches (see fetchCause), and the
// announced ones no rule lists or follows (fresh), unless they
// overflowed: the rules then list.
func (p *eventPlan) toRead(st *refreshStart) (ids, fresh []string) {
	followed := map[string]bool{}
	read := map[string]bool{} // held by a kept rule, or static
	t := st.cfg.Target
	for i := range t.Discovery {
		r := &t.Discovery[i]
		last := st.lastRules[r.Name]
		keep := p.keepListing(last, r, st.now)
		for _, id := range last.ids {
			followed[id] = true
			read[id] = read[id] || keep
		}
	}
	for _, e := range t.Executions {
		followed[e.ID], read[e.ID] = true, true
	}
	for id := range followed {
		if _, fetch := p.fetchCause(id, st); read[id] && fetch {
			ids = append(ids, id) // else a listing gives its metadata, or the refresh does not fetch it
		}
	}
	if p.relist {
		return ids, nil
	}
	for id := range p.announced {
		if !followed[id] {
			fresh = append(fresh, id)
		}
	}
	return append(ids, fresh...), fresh
}

// kept is a rule's last result brought up to date with what prefetch
// read, as a listing now would find it (see discovery.Update), and the
// metadata of what it keeps.
func (p *eventPlan) kept(last ruleResult, r *config.DiscoveryRule, now time.Time) (ruleResult, map[string]*types.AutomationExecutionMetadata) {
	d, listing := discovery.Update(r, last.listing, last.children, p.metas, p.gone, now)
	return ruleResultOf(d, listing, last.listedAt)
}

// ruleResultOf is the result of a rule that kept d from listing, and the
// metadata of the executions it kept.
func ruleResultOf(d discovery.Discovered, listing *discovery.Listing, listedAt time.Time) (ruleResult, map[string]*types.AutomationExecutionMetadata) {
	res := ruleResult{stat: ruleStat{name: d.Rule, found: d.Found, dropped: d.Dropped}, listing: listing, listedAt: listedAt,
		ids: make([]string, 0, len(d.Kept))}
	metas := make(map[string]*types.AutomationExecutionMetadata, len(d.Kept))
	for _, m := range d.Kept {
		id := aws.ToString(m.AutomationExecutionId)
		res.ids = append(res.ids, id)
		metas[id] = m
	}
	res.children = d.Children
	return res, metas
}
