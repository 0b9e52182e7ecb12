package discovery

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// Which executions a rule finds, told from their metadata: what a
// refresh that keeps a rule's listing needs to keep what a listing would
// find.

// Matches says whether a rule's listing would find the execution of
// m, as far as its metadata tells: a rule's tag and target resource group
// it does not carry, so an execution the rule listed (listed) is taken to
// keep them, and one it did not list is not found.
func Matches(r *config.DiscoveryRule, m *types.AutomationExecutionMetadata, now time.Time, listed bool) bool {
	if !listed && !Checkable(r) {
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

// MayFind says whether a rule may find an execution an event named, of
// the runbook document, as far as the event tells and the execution's
// metadata can confirm (see Matches): a rule whose tag or target resource
// group the metadata does not carry finds new executions at its next
// listing only.
func MayFind(r *config.DiscoveryRule, executionID, document string) bool {
	if !Checkable(r) {
		return false
	}
	for _, f := range r.Filters {
		if f.Key == "ExecutionId" && !slices.Contains(f.Values, executionID) {
			return false
		}
	}
	return r.IncludeChildren || strings.HasPrefix(document, r.DocumentNamePrefix)
}

// Checkable says whether an execution's metadata tells if the rule finds
// it.
func Checkable(r *config.DiscoveryRule) bool {
	return r.TagKey == "" && !slices.ContainsFunc(r.Filters, func(f config.Filter) bool { return f.Key == "TargetResourceGroup" })
}

// Update is what a rule's next listing would keep, from its last listing
// l and the children it listed (include_children), brought up to date
// with the metadata read by id since (metas) and the ids read that the
// API does not have (gone): an execution that matches the rule (Matches)
// is added or updated, one that no longer matches or no longer exists is
// removed, the listing is aged to the rule's window, the children of what
// it holds are added, and it is capped, through Select as a listing is.
// It returns the listing to start from next time.
func Update(r *config.DiscoveryRule, l *Listing, children []*types.AutomationExecutionMetadata,
	metas map[string]*types.AutomationExecutionMetadata, gone map[string]bool, now time.Time) (Discovered, *Listing) {
	listing := l.Updated(metas, gone, func(m *types.AutomationExecutionMetadata, listed bool) bool {
		return Matches(r, m, now, listed)
	}).Aged(now.Add(-r.Lookback))
	parents := listing.Execs()
	var kids []*types.AutomationExecutionMetadata
	if r.IncludeChildren {
		candidates := map[string]*types.AutomationExecutionMetadata{}
		for _, m := range children {
			if id := aws.ToString(m.AutomationExecutionId); !gone[id] {
				candidates[id] = m
			}
		}
		for id, m := range metas {
			if aws.ToString(m.ParentAutomationExecutionId) != "" {
				candidates[id] = Slim(m)
			}
		}
		kids = Descendants(parents, candidates)
	}
	return Select(r, parents, kids), listing
}
