package collector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// pageSize is the largest page the API allows.
const pageSize = 50

// metadataBatch is the most ids one ExecutionId filter may carry.
const metadataBatch = 10

// errRepeatedToken fails a listing whose next page token is the one just
// sent: the paginator stops there (StopOnDuplicateToken), and what it
// returned so far would look complete while it is not.
var errRepeatedToken = errors.New("the API returned the page token it was sent")

func repeated(sent, next *string) bool {
	return sent != nil && next != nil && *sent == *next
}

// listExecutions pages through DescribeAutomationExecutions.
func listExecutions(ctx context.Context, api API, filters []types.AutomationExecutionFilter) ([]types.AutomationExecutionMetadata, error) {
	p := ssm.NewDescribeAutomationExecutionsPaginator(api, &ssm.DescribeAutomationExecutionsInput{
		Filters: filters, MaxResults: aws.Int32(pageSize),
	}, func(o *ssm.DescribeAutomationExecutionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []types.AutomationExecutionMetadata
	var sent *string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		if repeated(sent, page.NextToken) {
			return out, errRepeatedToken
		}
		sent = page.NextToken
		out = append(out, page.AutomationExecutionMetadataList...)
	}
	return out, nil
}

// fetchMetadata reads the metadata of executions by id, ten ids per call.
// Ids the API does not return are absent from the map.
func fetchMetadata(ctx context.Context, api API, ids []string) (map[string]*types.AutomationExecutionMetadata, error) {
	out := make(map[string]*types.AutomationExecutionMetadata, len(ids))
	for i := 0; i < len(ids); i += metadataBatch {
		batch := ids[i:min(i+metadataBatch, len(ids))]
		list, err := listExecutions(ctx, api, []types.AutomationExecutionFilter{{
			Key: types.AutomationExecutionFilterKeyExecutionId, Values: batch,
		}})
		if err != nil {
			return out, err
		}
		for j := range list {
			if id := aws.ToString(list[j].AutomationExecutionId); id != "" {
				out[id] = &list[j]
			}
		}
	}
	return out, nil
}

// fetchSteps pages through DescribeAutomationStepExecutions for one
// execution. A step execution id seen twice is kept once; at most maxSteps
// are kept and the number cut is returned.
func fetchSteps(ctx context.Context, api API, id string, filters []config.Filter, maxSteps int, conv func(*types.StepExecution) stepRec) ([]stepRec, int, error) {
	in := &ssm.DescribeAutomationStepExecutionsInput{
		AutomationExecutionId: aws.String(id),
		MaxResults:            aws.Int32(pageSize),
	}
	for _, f := range filters {
		in.Filters = append(in.Filters, types.StepExecutionFilter{
			Key: types.StepExecutionFilterKey(f.Key), Values: f.Values,
		})
	}
	p := ssm.NewDescribeAutomationStepExecutionsPaginator(api, in,
		func(o *ssm.DescribeAutomationStepExecutionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var steps []stepRec
	seen := map[string]bool{}
	cut := 0
	var sent *string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, err
		}
		if repeated(sent, page.NextToken) {
			return nil, 0, errRepeatedToken
		}
		sent = page.NextToken
		for i := range page.StepExecutions {
			r := conv(&page.StepExecutions[i])
			if r.id == "" {
				// No id: keep it apart from every other step execution.
				r.id = fmt.Sprintf("%s#%d", id, len(seen))
			}
			if seen[r.id] {
				continue
			}
			seen[r.id] = true
			if len(steps) >= maxSteps {
				cut++
				continue
			}
			steps = append(steps, r)
		}
	}
	if cap(steps) > len(steps)+len(steps)/8 {
		steps = slices.Clone(steps) // kept for as long as the execution is tracked
	}
	return steps, cut, nil
}

// discoveryFilters turns a rule into DescribeAutomationExecutions filters.
func discoveryFilters(r *config.DiscoveryRule, now time.Time) []types.AutomationExecutionFilter {
	fs := r.ExecutionFilters(now)
	out := make([]types.AutomationExecutionFilter, 0, len(fs))
	for _, f := range fs {
		out = append(out, types.AutomationExecutionFilter{Key: types.AutomationExecutionFilterKey(f.Key), Values: f.Values})
	}
	return out
}

// discovered is what one rule found.
type discovered struct {
	rule    string
	kept    []types.AutomationExecutionMetadata
	found   int
	dropped int
}

// discover runs one rule: its executions newest first, capped at
// max_executions, then (when asked) the children of those kept.
func discover(ctx context.Context, api API, r *config.DiscoveryRule, now time.Time) (discovered, error) {
	d := discovered{rule: r.Name}
	list, err := listExecutions(ctx, api, discoveryFilters(r, now))
	if err != nil {
		return d, fmt.Errorf("discovery rule %s: %w", r.Name, err)
	}
	if r.IncludeChildren {
		children, err := discoverChildren(ctx, api, list)
		if err != nil {
			return d, fmt.Errorf("discovery rule %s: children: %w", r.Name, err)
		}
		list = append(list, children...)
	}
	list = dedupeMetadata(list)
	sortNewestFirst(list)
	d.found = len(list)
	if len(list) > r.MaxExecutions {
		d.dropped = len(list) - r.MaxExecutions
		list = list[:r.MaxExecutions]
	}
	d.kept = list
	return d, nil
}

// discoverChildren lists the executions whose parent is in list, ten
// parents per call, following grandchildren too.
func discoverChildren(ctx context.Context, api API, list []types.AutomationExecutionMetadata) ([]types.AutomationExecutionMetadata, error) {
	seen := map[string]bool{}
	var parents []string
	for i := range list {
		id := aws.ToString(list[i].AutomationExecutionId)
		seen[id] = true
		parents = append(parents, id)
	}
	var out []types.AutomationExecutionMetadata
	for depth := 0; len(parents) > 0 && depth < 5; depth++ {
		var next []string
		for i := 0; i < len(parents); i += metadataBatch {
			batch := parents[i:min(i+metadataBatch, len(parents))]
			children, err := listExecutions(ctx, api, []types.AutomationExecutionFilter{{
				Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: batch,
			}})
			if err != nil {
				return out, err
			}
			for _, c := range children {
				id := aws.ToString(c.AutomationExecutionId)
				if seen[id] {
					continue
				}
				seen[id] = true
				out = append(out, c)
				next = append(next, id)
			}
		}
		parents = next
	}
	return out, nil
}
