package discovery

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// Filters returns the filters of a rule's DescribeAutomationExecutions
// call at time now: DocumentNamePrefix, ExecutionStatus, StartTimeAfter
// (now - lookback, RFC 3339 in UTC), TagKey and AutomationType as far as
// the rule sets them (StartTimeAfter always), then the rule's own filters.
// The configuration's validation keeps the total at most 10.
func Filters(r *config.DiscoveryRule, now time.Time) []config.Filter {
	var fs []config.Filter
	add := func(key string, values ...string) { fs = append(fs, config.Filter{Key: key, Values: values}) }
	if r.DocumentNamePrefix != "" {
		add("DocumentNamePrefix", r.DocumentNamePrefix)
	}
	if len(r.Statuses) > 0 {
		add("ExecutionStatus", r.Statuses...)
	}
	add("StartTimeAfter", now.Add(-r.Lookback).UTC().Format(time.RFC3339))
	if r.TagKey != "" {
		add("TagKey", r.TagKey)
	}
	if r.AutomationType != "" {
		add("AutomationType", r.AutomationType)
	}
	return append(fs, r.Filters...)
}

// discoveryFilters are a rule's Filters as the SDK takes them.
func discoveryFilters(r *config.DiscoveryRule, now time.Time) []types.AutomationExecutionFilter {
	fs := Filters(r, now)
	out := make([]types.AutomationExecutionFilter, 0, len(fs))
	for _, f := range fs {
		out = append(out, types.AutomationExecutionFilter{Key: types.AutomationExecutionFilterKey(f.Key), Values: f.Values})
	}
	return out
}
