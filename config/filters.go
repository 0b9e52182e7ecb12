package config

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Enums and bounds of the SSM service model.
var (
	// StepExecutionFilterKeys is the StepExecutionFilterKey enum.
	StepExecutionFilterKeys = []string{
		"StartTimeBefore", "StartTimeAfter", "StepExecutionStatus", "StepExecutionId",
		"StepName", "Action", "ParentStepExecutionId", "ParentStepIteration",
		"ParentStepIteratorValue",
	}
	// AutomationExecutionFilterKeys is the AutomationExecutionFilterKey enum.
	AutomationExecutionFilterKeys = []string{
		"DocumentNamePrefix", "ExecutionStatus", "ExecutionId", "ParentExecutionId",
		"CurrentAction", "StartTimeBefore", "StartTimeAfter", "AutomationType", "TagKey",
		"TargetResourceGroup", "AutomationSubtype", "OpsItemId",
	}
	// AutomationExecutionStatuses is the AutomationExecutionStatus enum.
	AutomationExecutionStatuses = []string{
		"Pending", "InProgress", "Waiting", "Success", "TimedOut", "Cancelling",
		"Cancelled", "Failed", "PendingApproval", "Approved", "Rejected", "Scheduled",
		"RunbookInProgress", "PendingChangeCalendarOverride",
		"ChangeCalendarOverrideApproved", "ChangeCalendarOverrideRejected",
		"CompletedWithSuccess", "CompletedWithFailure", "Exited",
	}
	// AutomationTypes is the AutomationType enum.
	AutomationTypes = []string{"CrossAccount", "Local"}
)

const (
	maxStepFilters      = 6   // StepExecutionFilterList max
	maxExecutionFilters = 10  // AutomationExecutionFilterList max
	maxFilterValues     = 10  // StepExecutionFilterValueList, AutomationExecutionFilterValueList max
	maxFilterValueLen   = 150 // StepExecutionFilterValue, AutomationExecutionFilterValue max
)

// stepFilters checks the filters of a DescribeAutomationStepExecutions call.
func (v *validator) stepFilters(fs []Filter, path string) {
	if len(fs) > maxStepFilters {
		v.add(path, "at most %d filters are allowed, got %d", maxStepFilters, len(fs))
	}
	for i, f := range fs {
		fp := indexed(path, i)
		switch {
		case !v.isSet(fp + ".key"):
			v.add(fp+".key", "required")
		case !slices.Contains(StepExecutionFilterKeys, f.Key):
			v.add(fp+".key", "%s is not a step filter key (valid: %s)",
				quote(f.Key), strings.Join(StepExecutionFilterKeys, ", "))
		}
		v.filterValues(f, fp)
	}
}

// filterValues checks the values of one filter, by the rules of its key.
func (v *validator) filterValues(f Filter, path string) {
	vp := path + ".values"
	switch n := len(f.Values); {
	case n == 0:
		v.add(vp, "at least one value is required")
	case n > maxFilterValues:
		v.add(vp, "at most %d values are allowed, got %d", maxFilterValues, n)
	}
	for i, val := range f.Values {
		p := indexed(vp, i)
		if n := utf8.RuneCountInString(val); n < 1 || n > maxFilterValueLen {
			v.add(p, "must be 1 to %d characters long, got %d", maxFilterValueLen, n)
			continue
		}
		switch f.Key {
		case "StartTimeBefore", "StartTimeAfter":
			if _, err := time.Parse(time.RFC3339, val); err != nil {
				v.add(p, "%s is not an RFC 3339 time (like 2024-05-01T00:00:00Z)", quote(val))
			}
		case "StepExecutionStatus", "ExecutionStatus":
			v.status(p, val)
		case "ParentStepIteration":
			if _, err := strconv.ParseInt(val, 10, 32); err != nil {
				v.add(p, "%s is not an integer", quote(val))
			}
		case "ExecutionId", "ParentExecutionId":
			if !executionIDRE.MatchString(val) {
				v.add(p, "%s is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)", quote(val))
			}
		}
	}
}

func (v *validator) status(path, val string) {
	if !slices.Contains(AutomationExecutionStatuses, val) {
		v.add(path, "%s is not an automation execution status (valid: %s)",
			quote(val), strings.Join(AutomationExecutionStatuses, ", "))
	}
}
