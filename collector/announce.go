package collector

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
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
//     (ssmapi.Select).
// A rule whose tag or target resource group the metadata does not carry
// finds new executions at its next listing only. More announcements than
// events.MaxAnnounced between two refreshes, and the rules list instead.

// prefetch reads the metadata of the executions a trusted refresh fetches
// from the rules it keeps (see keepListing), and of the announced ones no
// rule lists this refresh. On failure it reports false; the
// announcements not read are put back for the next refresh.
func (p *eventPlan) prefetch(ctx context.Context, ts *targetState, api ssmapi.API, t *config.Target, now time.Time) bool {
	if p == nil || !p.trusted {
		return true
	}
	ids, fresh := p.toRead(ts, t, now)
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

// toRead are the ids prefetch reads: those a kept rule or a static id
// holds that are fetched (see choose), and the announced ones no rule
// lists or follows (fresh), unless they overflowed: the rules then list.
func (p *eventPlan) toRead(ts *targetState, t *config.Target, now time.Time) (ids, fresh []string) {
	followed := map[string]bool{}
	read := map[string]bool{} // held by a kept rule, or static
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for i := range t.Discovery {
		r := &t.Discovery[i]
		last := ts.lastRules[r.Name]
		keep := p.keepListing(last, r, now)
		for _, id := range last.ids {
			followed[id] = true
			read[id] = read[id] || keep
		}
	}
	for _, e := range t.Executions {
		followed[e.ID], read[e.ID] = true, true
	}
	for id := range followed {
		old := ts.tracked[id]
		fetched, seen := ts.fetchedAt[id]
		if !read[id] || old != nil && old.settled {
			continue // a listing gives its metadata; nothing of it can change
		}
		if old == nil || !seen || p.named(id, fetched) || now.Sub(fetched) >= p.resync {
			ids = append(ids, id)
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
// read, as a listing now would find it, and the metadata of what it keeps.
func (p *eventPlan) kept(last ruleResult, r *config.DiscoveryRule, now time.Time) (ruleResult, map[string]*types.AutomationExecutionMetadata) {
	listing := last.listing.Updated(p.metas, p.gone, func(m *types.AutomationExecutionMetadata, listed bool) bool {
		return ruleMatches(r, m, now, listed)
	}).Aged(now.Add(-r.Lookback))
	parents := listing.Execs()
	var kids []*types.AutomationExecutionMetadata
	if r.IncludeChildren {
		candidates := map[string]*types.AutomationExecutionMetadata{}
		for id, m := range last.children {
			if !p.gone[id] {
				candidates[id] = m
			}
		}
		for id, m := range p.metas {
			if aws.ToString(m.ParentAutomationExecutionId) != "" {
				candidates[id] = ssmapi.Slim(m)
			}
		}
		kids = ssmapi.Descendants(parents, candidates)
	}
	return ruleResultOf(ssmapi.Select(r, parents, kids), listing, last.listedAt)
}

// ruleResultOf is the result of a rule that kept d from listing, and the
// metadata of the executions it kept.
func ruleResultOf(d ssmapi.Discovered, listing *ssmapi.Listing, listedAt time.Time) (ruleResult, map[string]*types.AutomationExecutionMetadata) {
	res := ruleResult{stat: ruleStat{name: d.Rule, found: d.Found, dropped: d.Dropped}, listing: listing, listedAt: listedAt,
		ids: make([]string, 0, len(d.Kept))}
	metas := make(map[string]*types.AutomationExecutionMetadata, len(d.Kept))
	for _, m := range d.Kept {
		id := aws.ToString(m.AutomationExecutionId)
		res.ids = append(res.ids, id)
		metas[id] = m
	}
	if len(d.Children) > 0 {
		res.children = make(map[string]*types.AutomationExecutionMetadata, len(d.Children))
		for _, m := range d.Children {
			res.children[aws.ToString(m.AutomationExecutionId)] = m
		}
	}
	return res, metas
}

// ruleMatches says whether a rule's listing would find the execution of
// m, as far as its metadata tells: a rule's tag and target resource group
// it does not carry, so an execution the rule listed (listed) is taken to
// keep them, and one it did not list is not found.
func ruleMatches(r *config.DiscoveryRule, m *types.AutomationExecutionMetadata, now time.Time, listed bool) bool {
	if !listed && !checkable(r) {
		return false
	}
	start := aws.ToTime(m.ExecutionStartTime)
	switch {
	case !strings.HasPrefix(aws.ToString(m.DocumentName), r.DocumentNamePrefix),
		len(r.Statuses) > 0 && !slices.Contains(r.Statuses, string(m.AutomationExecutionStatus)),
		start.Before(now.Add(-r.Lookback).UTC().Truncate(time.Second)), // StartTimeAfter, to the second
		r.AutomationType != "" && string(m.AutomationType) != r.AutomationType:
		return false
	}
	for _, f := range r.Filters {
		var v string
		switch f.Key {
		case "ExecutionId":
			v = aws.ToString(m.AutomationExecutionId)
		case "ParentExecutionId":
			v = aws.ToString(m.ParentAutomationExecutionId)
		case "CurrentAction":
			v = aws.ToString(m.CurrentAction)
		case "AutomationSubtype":
			v = string(m.AutomationSubtype)
		case "OpsItemId":
			v = aws.ToString(m.OpsItemId)
		case "StartTimeBefore":
			before, err := time.Parse(time.RFC3339, f.Values[0])
			if err != nil || !start.Before(before) {
				return false
			}
			continue
		default:
			continue // not in the metadata: listed, so taken to match
		}
		if !slices.Contains(f.Values, v) {
			return false
		}
	}
	return true
}
