package discovery

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// Discovered is what one discovery rule found.
type Discovered struct {
	Rule     string
	Kept     []*types.AutomationExecutionMetadata // newest first, slim (see Slim)
	Found    int                                  // before the cap
	Dropped  int                                  // past max_executions
	Children []*types.AutomationExecutionMetadata // every child listed (include_children), before the cap
}

// Discover runs one rule: its executions newest first, capped at
// max_executions, then (when asked) the children of those kept. last is
// what the rule's last successful listing returned (nil for none): from it,
// a warm listing asks only for what can have changed (see listRule). The
// Listing returned is the one to pass next time.
func Discover(ctx context.Context, api ssmapi.API, r *config.DiscoveryRule, now time.Time, last *Listing) (Discovered, *Listing, error) {
	l, err := listRule(ctx, api, r, now, last)
	if err != nil {
		return Discovered{Rule: r.Name}, nil, fmt.Errorf("discovery rule %s: %w", r.Name, err)
	}
	parents := l.Execs()
	var kids []*types.AutomationExecutionMetadata
	if r.IncludeChildren {
		sortNewestFirst(parents) // the parents in a fixed order
		if kids, err = children(ctx, api, parents); err != nil {
			return Discovered{Rule: r.Name}, l, fmt.Errorf("discovery rule %s: children: %w", r.Name, err)
		}
	}
	return Select(r, parents, kids), l, nil
}

// Select is what a rule keeps of what its listing found: the executions
// matching its filters (parents) and the children listed for them, newest
// first, each once, capped at max_executions. A listing and a refresh that
// follows events both end here, so that they keep the same executions.
func Select(r *config.DiscoveryRule, parents, children []*types.AutomationExecutionMetadata) Discovered {
	list := make([]*types.AutomationExecutionMetadata, 0, len(parents)+len(children))
	list = dedupeMetadata(append(append(list, parents...), children...)) // a parent's copy first
	sortNewestFirst(list)
	d := Discovered{Rule: r.Name, Found: len(list), Children: children}
	if len(list) > r.MaxExecutions {
		d.Dropped = len(list) - r.MaxExecutions
		list = list[:r.MaxExecutions]
	}
	d.Kept = list
	return d
}

// Descendants are the executions of candidates whose parent is one of
// parents, or a descendant of one, five generations deep as children lists
// them: the children a listing would find, of the executions it found.
func Descendants(parents []*types.AutomationExecutionMetadata, candidates map[string]*types.AutomationExecutionMetadata) []*types.AutomationExecutionMetadata {
	byParent := map[string][]*types.AutomationExecutionMetadata{}
	for _, m := range candidates {
		p := aws.ToString(m.ParentAutomationExecutionId)
		byParent[p] = append(byParent[p], m)
	}
	seen := map[string]bool{}
	var level []string
	for _, m := range parents {
		id := aws.ToString(m.AutomationExecutionId)
		seen[id] = true
		level = append(level, id)
	}
	var out []*types.AutomationExecutionMetadata
	for depth := 0; len(level) > 0 && depth < maxDepth; depth++ {
		var next []string
		for _, p := range level {
			for _, m := range byParent[p] {
				if id := aws.ToString(m.AutomationExecutionId); !seen[id] {
					seen[id] = true
					out = append(out, m)
					next = append(next, id)
				}
			}
		}
		level = next
	}
	sortNewestFirst(out)
	return out
}

// maxDepth is how many generations of children a rule follows.
const maxDepth = 5

// children lists the executions whose parent is in list, ten parents per
// call, following grandchildren too.
func children(ctx context.Context, api ssmapi.API, list []*types.AutomationExecutionMetadata) ([]*types.AutomationExecutionMetadata, error) {
	seen := map[string]bool{}
	var parents []string
	for i := range list {
		id := aws.ToString(list[i].AutomationExecutionId)
		seen[id] = true
		parents = append(parents, id)
	}
	var out []*types.AutomationExecutionMetadata
	for depth := 0; len(parents) > 0 && depth < maxDepth; depth++ {
		var next []string
		for i := 0; i < len(parents); i += ssmapi.IDsPerCall {
			batch := parents[i:min(i+ssmapi.IDsPerCall, len(parents))]
			children, err := ssmapi.ListExecutions(ctx, api, []types.AutomationExecutionFilter{{
				Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: batch,
			}})
			if err != nil {
				return out, err
			}
			for j := range children {
				id := aws.ToString(children[j].AutomationExecutionId)
				if seen[id] {
					continue
				}
				seen[id] = true
				out = append(out, Slim(&children[j]))
				next = append(next, id)
			}
		}
		parents = next
	}
	return out, nil
}

func dedupeMetadata(list []*types.AutomationExecutionMetadata) []*types.AutomationExecutionMetadata {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for _, m := range list {
		id := aws.ToString(m.AutomationExecutionId)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, m)
	}
	return out
}

// sortNewestFirst orders executions by start time, newest first, ties by id.
func sortNewestFirst(list []*types.AutomationExecutionMetadata) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := aws.ToTime(list[i].ExecutionStartTime), aws.ToTime(list[j].ExecutionStartTime)
		if !a.Equal(b) {
			return a.After(b)
		}
		return aws.ToString(list[i].AutomationExecutionId) < aws.ToString(list[j].AutomationExecutionId)
	})
}
