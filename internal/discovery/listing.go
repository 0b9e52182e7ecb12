package discovery

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// FullListingEvery is how often a rule lists its whole window although a
// warm listing would do: the safety net for what a warm listing cannot see
// (a tag added to an execution after it ended, an execution the API showed
// late).
const FullListingEvery = 10 * time.Minute

func terminal(s types.AutomationExecutionStatus) bool { return ssmapi.IsTerminal(string(s)) }

// Listing is what a rule's listings found: every execution in its window
// that matches its filters (before children and the cap), and when the
// whole window was last listed. A refresh builds a new Listing from the
// last one; a Listing is never changed once returned.
type Listing struct {
	sig   string // the rule it was listed for
	full  time.Time
	execs map[string]*types.AutomationExecutionMetadata // slim (see Slim), shared between listings
}

// listRule lists what a rule matches now. With a listing of the same rule
// less than FullListingEvery old, it asks only for what can have changed
// (see warm), unless the whole window takes no more pages than the running
// executions it holds plus one.
func listRule(ctx context.Context, api ssmapi.API, r *config.DiscoveryRule, now time.Time, last *Listing) (*Listing, error) {
	sig := signature(r)
	base := discoveryFilters(r, now)
	running, ok := runningFilters(r, base)
	if ok && last != nil && last.sig == sig && !now.Before(last.full) && now.Sub(last.full) < FullListingEvery {
		next, open, newest := last.aged(now.Add(-r.Lookback).UTC().Truncate(time.Second))
		if pages(len(next.execs)) > pages(open)+1 {
			return next.warm(ctx, api, base, running, newest)
		}
	}
	list, err := ssmapi.ListExecutions(ctx, api, base)
	if err != nil {
		return nil, err
	}
	l := &Listing{sig: sig, full: now, execs: make(map[string]*types.AutomationExecutionMetadata, len(list))}
	l.add(list)
	return l, nil
}

// pages is what listing n executions costs.
func pages(n int) int { return max(1, (n+ssmapi.PageSize-1)/ssmapi.PageSize) }

// aged is a copy of l without the executions started before cutoff (the
// window's StartTimeAfter), with the number of those not terminal and the
// newest start to the second (cutoff when none is newer).
func (l *Listing) aged(cutoff time.Time) (next *Listing, open int, newest time.Time) {
	next = &Listing{sig: l.sig, full: l.full, execs: make(map[string]*types.AutomationExecutionMetadata, len(l.execs))}
	newest = cutoff
	for id, m := range l.execs {
		start := aws.ToTime(m.ExecutionStartTime)
		if start.Before(cutoff) {
			continue
		}
		next.execs[id] = m
		newest = maxTime(newest, start.UTC().Truncate(time.Second))
		if !terminal(m.AutomationExecutionStatus) {
			open++
		}
	}
	return next, open, newest
}

func (l *Listing) add(list []types.AutomationExecutionMetadata) {
	for i := range list {
		if id := aws.ToString(list[i].AutomationExecutionId); id != "" {
			l.execs[id] = Slim(&list[i])
		}
	}
}

// runningFilters are the rule's filters restricted to the executions that
// are not terminal. ok is false when a warm listing cannot follow the rule:
// CurrentAction changes as an execution runs; statuses would have to hold
// every status not terminal (ten, the most a filter takes) not to miss an
// execution entering the rule as it ends, and then the window is what
// runs; a rule of ten filters has no room for one more.
func runningFilters(r *config.DiscoveryRule, base []types.AutomationExecutionFilter) ([]types.AutomationExecutionFilter, bool) {
	if len(r.Statuses) > 0 || len(base) >= 10 {
		return nil, false
	}
	for _, f := range base {
		if f.Key == types.AutomationExecutionFilterKeyCurrentAction {
			return nil, false
		}
	}
	return append(slices.Clone(base), types.AutomationExecutionFilter{
		Key: types.AutomationExecutionFilterKeyExecutionStatus, Values: ssmapi.NonTerminal,
	}), true
}

// warm completes next, l aged to the window, with what can have changed:
// the executions not terminal, those started since newest (from its second
// on, as StartTimeAfter takes whole seconds), and by id, ten a call, those
// next holds as running that neither listing returned (they have ended, or
// are gone).
func (next *Listing) warm(ctx context.Context, api ssmapi.API, base, running []types.AutomationExecutionFilter, newest time.Time) (*Listing, error) {
	listed, err := ssmapi.ListExecutions(ctx, api, running)
	if err != nil {
		return nil, err
	}
	started, err := ssmapi.ListExecutions(ctx, api, startedSince(base, newest))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, list := range [][]types.AutomationExecutionMetadata{listed, started} {
		for _, m := range list {
			seen[aws.ToString(m.AutomationExecutionId)] = true
		}
		next.add(list)
	}
	var ended []string
	for id, m := range next.execs {
		if !seen[id] && !terminal(m.AutomationExecutionStatus) {
			ended = append(ended, id)
		}
	}
	slices.Sort(ended)
	metas, err := ssmapi.ExecutionsByID(ctx, api, ended)
	if err != nil {
		return nil, err
	}
	for _, id := range ended {
		m := metas[id]
		if m == nil || !terminal(m.AutomationExecutionStatus) {
			delete(next.execs, id) // gone, or no longer matching the rule
			continue
		}
		next.execs[id] = Slim(m)
	}
	return next, nil
}

// Learned is l with the metadata of the executions it holds replaced by
// metadata read since (ExecutionsByID, ten a call), whose status differs:
// an execution seen to end is not looked up by id again at the next warm
// listing. l itself when nothing changed; a Listing is never changed.
func (l *Listing) Learned(metas map[string]*types.AutomationExecutionMetadata) *Listing {
	if l == nil {
		return nil
	}
	next := l
	for id, m := range metas {
		old, ok := l.execs[id]
		if !ok || m == nil || old.AutomationExecutionStatus == m.AutomationExecutionStatus {
			continue
		}
		if next == l {
			next = &Listing{sig: l.sig, full: l.full, execs: maps.Clone(l.execs)}
		}
		next.execs[id] = Slim(m)
	}
	return next
}

// startedSince is base with its StartTimeAfter moved to since.
func startedSince(base []types.AutomationExecutionFilter, since time.Time) []types.AutomationExecutionFilter {
	out := slices.Clone(base)
	for i := range out {
		if out[i].Key == types.AutomationExecutionFilterKeyStartTimeAfter {
			out[i].Values = []string{since.Format(time.RFC3339)}
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Execs are the executions l holds, in no order.
func (l *Listing) Execs() []*types.AutomationExecutionMetadata {
	out := make([]*types.AutomationExecutionMetadata, 0, len(l.execs))
	for _, m := range l.execs {
		out = append(out, m)
	}
	return out
}

// Of reports whether l was listed for the rule as it is configured now: a
// reload that changes a rule's filters and keeps its name needs a listing
// of its own.
func (l *Listing) Of(r *config.DiscoveryRule) bool { return l != nil && l.sig == signature(r) }

// signature is what a listing is of: the rule, every field of it.
func signature(r *config.DiscoveryRule) string { return fmt.Sprint(*r) }

// Aged is l without the executions started before cutoff, the start of
// the rule's window (to the second, as StartTimeAfter takes it); l itself
// when none has left the window, as a Listing is never changed.
func (l *Listing) Aged(cutoff time.Time) *Listing {
	cutoff = cutoff.UTC().Truncate(time.Second)
	for _, m := range l.execs {
		if aws.ToTime(m.ExecutionStartTime).Before(cutoff) {
			next, _, _ := l.aged(cutoff)
			return next
		}
	}
	return l
}

// Updated is l with what metadata read since (ExecutionsByID) tells, as
// the rule's next listing would show it: an execution that matches
// (match, told whether l holds it) is added or updated, one that no longer
// matches, or that the API no longer has (gone), is removed. l itself when
// nothing changes; a Listing is never changed.
func (l *Listing) Updated(metas map[string]*types.AutomationExecutionMetadata, gone map[string]bool,
	match func(m *types.AutomationExecutionMetadata, listed bool) bool) *Listing {
	next := l
	edit := func() {
		if next == l {
			next = &Listing{sig: l.sig, full: l.full, execs: maps.Clone(l.execs)}
		}
	}
	for id := range gone {
		if _, ok := l.execs[id]; ok {
			edit()
			delete(next.execs, id)
		}
	}
	for id, m := range metas {
		old, listed := l.execs[id]
		switch {
		case m == nil:
		case match(m, listed):
			if !listed || !sameMetadata(old, m) {
				edit()
				next.execs[id] = Slim(m)
			}
		case listed:
			edit()
			delete(next.execs, id)
		}
	}
	return next
}

// sameMetadata reports whether two copies of an execution's metadata say
// the same of what Slim keeps and changes as it runs: its status, end and
// alarms.
func sameMetadata(a, b *types.AutomationExecutionMetadata) bool {
	return a.AutomationExecutionStatus == b.AutomationExecutionStatus &&
		aws.ToTime(a.ExecutionEndTime).Equal(aws.ToTime(b.ExecutionEndTime)) &&
		slices.EqualFunc(a.TriggeredAlarms, b.TriggeredAlarms, func(x, y types.AlarmStateInformation) bool {
			return aws.ToString(x.Name) == aws.ToString(y.Name) && x.State == y.State
		})
}

// NewListing is the listing of r listed in full at when, holding ms: a
// listing made of what was listed elsewhere.
func NewListing(r *config.DiscoveryRule, when time.Time, ms []*types.AutomationExecutionMetadata) *Listing {
	l := &Listing{sig: signature(r), full: when, execs: make(map[string]*types.AutomationExecutionMetadata, len(ms))}
	for _, m := range ms {
		l.execs[aws.ToString(m.AutomationExecutionId)] = Slim(m)
	}
	return l
}
