package collector

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// An event may announce an execution the target does not follow yet. A
// trusted refresh reads the metadata of those, ten a call
// (DescribeAutomationExecutions by ExecutionId), and adds each to the
// first discovery rule whose filters its metadata matches, until that
// rule's next listing; it then appears at once rather than at the next
// listing. A rule whose tag or target resource group the metadata does not
// carry finds them at its next listing only.

// resolve reads the metadata of the announced executions the target does
// not follow. On failure the announcements are put back for the next
// refresh, and it reports false.
func (p *eventPlan) resolve(ctx context.Context, ts *targetState, api ssmapi.API, t *config.Target) bool {
	if p == nil || !p.trusted || len(p.announced) == 0 {
		return true
	}
	followed := map[string]bool{}
	for _, e := range t.Executions {
		followed[e.ID] = true
	}
	ts.mu.Lock()
	for id := range ts.tracked {
		followed[id] = true
	}
	for _, r := range ts.lastRules {
		for _, id := range r.ids {
			followed[id] = true
		}
	}
	ts.mu.Unlock()
	var ids []string
	for id := range p.announced {
		if !followed[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	metas, err := ssmapi.ExecutionsByID(ctx, api, ids)
	if err != nil {
		ts.fail(err, "fetching the metadata of announced executions failed")
		ts.changes.Restore(nil, p.announced)
		return false
	}
	p.fresh, p.claimed = metas, map[string]bool{}
	return true
}

// addAnnounced adds to a rule's last result the announced executions it
// finds, newest first, within max_executions, and returns their metadata.
func (p *eventPlan) addAnnounced(res ruleResult, r *config.DiscoveryRule, now time.Time) (ruleResult, map[string]*types.AutomationExecutionMetadata) {
	if len(p.fresh) == 0 || !checkable(r) {
		return res, nil
	}
	inRule := map[string]bool{}
	for _, id := range res.ids {
		inRule[id] = true
	}
	var added []types.AutomationExecutionMetadata
	metas := map[string]*types.AutomationExecutionMetadata{}
	for id, m := range p.fresh {
		if !p.claimed[id] && ruleMatches(r, m, now, inRule) {
			p.claimed[id] = true
			added = append(added, *m)
			metas[id] = m
		}
	}
	if len(added) == 0 {
		return res, nil
	}
	sortNewestFirst(added)
	ids := make([]string, 0, len(added)+len(res.ids))
	for i := range added {
		ids = append(ids, aws.ToString(added[i].AutomationExecutionId))
	}
	res.ids = append(ids, res.ids...)
	res.stat.found += len(added)
	if n := len(res.ids) - r.MaxExecutions; n > 0 {
		res.ids = res.ids[:r.MaxExecutions]
		res.stat.dropped += n
	}
	return res, metas
}

// ruleMatches says whether a rule's listing would find the execution of
// m: its filters, checked against the metadata, or (include_children) a
// parent among the executions the rule found.
func ruleMatches(r *config.DiscoveryRule, m *types.AutomationExecutionMetadata, now time.Time, inRule map[string]bool) bool {
	parent := aws.ToString(m.ParentAutomationExecutionId)
	if r.IncludeChildren && inRule[parent] {
		return true
	}
	start := aws.ToTime(m.ExecutionStartTime)
	switch {
	case !strings.HasPrefix(aws.ToString(m.DocumentName), r.DocumentNamePrefix),
		len(r.Statuses) > 0 && !slices.Contains(r.Statuses, string(m.AutomationExecutionStatus)),
		start.Before(now.Add(-r.Lookback)),
		r.AutomationType != "" && string(m.AutomationType) != r.AutomationType:
		return false
	}
	for _, f := range r.Filters {
		var v string
		switch f.Key {
		case "ExecutionId":
			v = aws.ToString(m.AutomationExecutionId)
		case "ParentExecutionId":
			v = parent
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
			return false // not in the metadata
		}
		if !slices.Contains(f.Values, v) {
			return false
		}
	}
	return true
}

// sortNewestFirst orders executions by start time, newest first, ties by
// id, as a listing keeps them.
func sortNewestFirst(list []types.AutomationExecutionMetadata) {
	slices.SortStableFunc(list, func(a, b types.AutomationExecutionMetadata) int {
		if c := aws.ToTime(b.ExecutionStartTime).Compare(aws.ToTime(a.ExecutionStartTime)); c != 0 {
			return c
		}
		return strings.Compare(aws.ToString(a.AutomationExecutionId), aws.ToString(b.AutomationExecutionId))
	})
}
