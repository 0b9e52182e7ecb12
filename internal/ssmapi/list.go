package ssmapi

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// PageSize is the largest page the API allows.
const PageSize = 50

// IDsPerCall is the most ids one ExecutionId, ParentExecutionId or
// StepExecutionId filter may carry: ten executions or steps a call.
const IDsPerCall = 10

// ErrRepeatedToken fails a listing whose next page token is the one just
// sent: the paginator stops there (StopOnDuplicateToken), and what it
// returned so far would look complete while it is not.
var ErrRepeatedToken = errors.New("the API returned the page token it was sent")

func repeated(sent, next *string) bool {
	return sent != nil && next != nil && *sent == *next
}

// ListExecutions pages through DescribeAutomationExecutions.
func ListExecutions(ctx context.Context, api API, filters []types.AutomationExecutionFilter) ([]types.AutomationExecutionMetadata, error) {
	p := ssm.NewDescribeAutomationExecutionsPaginator(api, &ssm.DescribeAutomationExecutionsInput{
		Filters: filters, MaxResults: aws.Int32(PageSize),
	}, func(o *ssm.DescribeAutomationExecutionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []types.AutomationExecutionMetadata
	var sent *string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		if repeated(sent, page.NextToken) {
			return out, ErrRepeatedToken
		}
		sent = page.NextToken
		out = append(out, page.AutomationExecutionMetadataList...)
	}
	return out, nil
}

// ExecutionsByID reads the metadata of executions by id, ten ids per
// call. Ids the API does not return are absent from the map.
func ExecutionsByID(ctx context.Context, api API, ids []string) (map[string]*types.AutomationExecutionMetadata, error) {
	out := make(map[string]*types.AutomationExecutionMetadata, len(ids))
	for i := 0; i < len(ids); i += IDsPerCall {
		batch := ids[i:min(i+IDsPerCall, len(ids))]
		list, err := ListExecutions(ctx, api, []types.AutomationExecutionFilter{{
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

// EachStep pages through DescribeAutomationStepExecutions for one
// execution and hands each step execution to each, in the order the API
// lists them. On an error, the step executions already handed over are
// those of an incomplete listing.
func EachStep(ctx context.Context, api API, id string, filters []config.Filter, each func(*types.StepExecution)) error {
	in := &ssm.DescribeAutomationStepExecutionsInput{
		AutomationExecutionId: aws.String(id),
		MaxResults:            aws.Int32(PageSize),
	}
	for _, f := range filters {
		in.Filters = append(in.Filters, types.StepExecutionFilter{
			Key: types.StepExecutionFilterKey(f.Key), Values: f.Values,
		})
	}
	p := ssm.NewDescribeAutomationStepExecutionsPaginator(api, in,
		func(o *ssm.DescribeAutomationStepExecutionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var sent *string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		if repeated(sent, page.NextToken) {
			return ErrRepeatedToken
		}
		sent = page.NextToken
		for i := range page.StepExecutions {
			each(&page.StepExecutions[i])
		}
	}
	return nil
}
