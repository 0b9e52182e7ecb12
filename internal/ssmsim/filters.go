package ssmsim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wireFilter is the StepExecutionFilter and AutomationExecutionFilter shape.
type wireFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

// automationStatuses is the AutomationExecutionStatus enum.
var automationStatuses = []string{
	"Pending", "InProgress", "Waiting", "Success", "TimedOut", "Cancelling",
	"Cancelled", "Failed", "PendingApproval", "Approved", "Rejected", "Scheduled",
	"RunbookInProgress", "PendingChangeCalendarOverride", "ChangeCalendarOverrideApproved",
	"ChangeCalendarOverrideRejected", "CompletedWithSuccess", "CompletedWithFailure", "Exited",
}

// checkFilterShape applies the model's constraints on a filter list: at most
// maxFilters filters, each with a key and 1..10 values of 1..150 characters.
func checkFilterShape(v *violations, fs []wireFilter, maxFilters int) {
	if fs == nil {
		return
	}
	if len(fs) < 1 {
		v.add("'[]'", "filters", "Member must have length greater than or equal to 1")
	}
	if len(fs) > maxFilters {
		v.add(fmt.Sprintf("'[%d filters]'", len(fs)), "filters",
			fmt.Sprintf("Member must have length less than or equal to %d", maxFilters))
	}
	for i, f := range fs {
		path := fmt.Sprintf("filters.%d.member", i+1)
		if f.Key == nil {
			v.add("null", path+".key", "Member must not be null")
		}
		switch {
		case f.Values == nil:
			v.add("null", path+".values", "Member must not be null")
		case len(f.Values) < 1:
			v.add("'[]'", path+".values", "Member must have length greater than or equal to 1")
		case len(f.Values) > 10:
			v.add(quoted("["+strings.Join(f.Values, ", ")+"]"), path+".values", "Member must have length less than or equal to 10")
		}
		for _, val := range f.Values {
			if n := len([]rune(val)); n < 1 || n > 150 {
				v.add(quoted(val), path+".values", "Member must satisfy constraint: "+
					"[Member must have length less than or equal to 150, Member must have length greater than or equal to 1]")
			}
		}
	}
}

// matcher reports whether one value of a filter matches an item.
type matcher[T any] func(item T, value string) bool

// parser checks and normalises one filter value; ok=false answers InvalidFilterValue.
type parser func(value string) (normalised string, ok bool)

type filterKind[T any] struct {
	parse parser // nil: any value is accepted
	match matcher[T]
}

// predicate is a compiled filter list: values OR'ed within a filter, filters
// AND'ed (a key given twice is simply one more AND'ed filter).
type predicate[T any] func(T) bool

func compileFilters[T any](fs []wireFilter, kinds map[string]filterKind[T]) (predicate[T], *apiError) {
	type compiled struct {
		match  matcher[T]
		values []string
	}
	var all []compiled
	for _, f := range fs {
		kind, ok := kinds[*f.Key]
		if !ok {
			return nil, newAPIError(codeInvalidFilterKey, "The filter key %s is not valid.", *f.Key)
		}
		c := compiled{match: kind.match}
		for _, val := range f.Values {
			if kind.parse != nil {
				norm, ok := kind.parse(val)
				if !ok {
					return nil, newAPIError(codeInvalidFilterValue,
						"The filter value %s is not valid for the filter key %s.", val, *f.Key)
				}
				val = norm
			}
			c.values = append(c.values, val)
		}
		all = append(all, c)
	}
	return func(item T) bool {
		for _, c := range all {
			if !slices.ContainsFunc(c.values, func(v string) bool { return c.match(item, v) }) {
				return false
			}
		}
		return true
	}, nil
}

// parseStatus accepts an AutomationExecutionStatus in any letter case.
func parseStatus(v string) (string, bool) {
	for _, s := range automationStatuses {
		if strings.EqualFold(s, v) {
			return s, true
		}
	}
	return "", false
}

// filterTimeLayouts are the ISO-8601 forms accepted in time filters; a time
// without a zone is UTC.
var filterTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

func parseFilterTime(v string) (time.Time, bool) {
	for _, layout := range filterTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseTime normalises a time value to nanoseconds since the epoch.
func parseTime(v string) (string, bool) {
	t, ok := parseFilterTime(v)
	if !ok {
		return "", false
	}
	return strconv.FormatInt(t.UnixNano(), 10), true
}

func parseIteration(v string) (string, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

func enumParser(values ...string) parser {
	return func(v string) (string, bool) { return v, slices.Contains(values, v) }
}

// startedBefore: started strictly before the filter time. startedAfter:
// started at or after it. Items not started yet match neither.
func startedBefore(start time.Time, v string) bool {
	n, _ := strconv.ParseInt(v, 10, 64)
	return !start.IsZero() && start.UnixNano() < n
}

func startedAfter(start time.Time, v string) bool {
	n, _ := strconv.ParseInt(v, 10, 64)
	return !start.IsZero() && start.UnixNano() >= n
}

func parentMatch(st *Step, f func(*ParentStepDetails) bool) bool {
	return st.ParentStepDetails != nil && f(st.ParentStepDetails)
}

// stepFilterKinds is the StepExecutionFilterKey enum.
var stepFilterKinds = map[string]filterKind[*Step]{
	"StartTimeBefore": {parseTime, func(st *Step, v string) bool { return startedBefore(st.StartTime, v) }},
	"StartTimeAfter":  {parseTime, func(st *Step, v string) bool { return startedAfter(st.StartTime, v) }},
	"StepExecutionStatus": {parseStatus, func(st *Step, v string) bool {
		return strings.EqualFold(st.Status, v)
	}},
	"StepExecutionId": {nil, func(st *Step, v string) bool { return st.StepExecutionID == v }},
	"StepName":        {nil, func(st *Step, v string) bool { return st.StepName == v }},
	"Action":          {nil, func(st *Step, v string) bool { return st.Action == v }},
	"ParentStepExecutionId": {nil, func(st *Step, v string) bool {
		return parentMatch(st, func(p *ParentStepDetails) bool { return p.StepExecutionID == v })
	}},
	"ParentStepIteration": {parseIteration, func(st *Step, v string) bool {
		return parentMatch(st, func(p *ParentStepDetails) bool { return strconv.Itoa(int(p.Iteration)) == v })
	}},
	"ParentStepIteratorValue": {nil, func(st *Step, v string) bool {
		return parentMatch(st, func(p *ParentStepDetails) bool { return p.IteratorValue == v })
	}},
}

func matchNothing(*Execution, string) bool { return false }

// executionFilterKinds is the AutomationExecutionFilterKey enum.
var executionFilterKinds = map[string]filterKind[*Execution]{
	"DocumentNamePrefix": {nil, func(e *Execution, v string) bool { return strings.HasPrefix(e.DocumentName, v) }},
	"ExecutionStatus": {parseStatus, func(e *Execution, v string) bool {
		return strings.EqualFold(e.Status, v)
	}},
	"ExecutionId":       {nil, func(e *Execution, v string) bool { return e.ID == v }},
	"ParentExecutionId": {nil, func(e *Execution, v string) bool { return e.ParentExecutionID == v }},
	"CurrentAction":     {nil, func(e *Execution, v string) bool { return e.CurrentAction == v }},
	"StartTimeBefore":   {parseTime, func(e *Execution, v string) bool { return startedBefore(e.StartTime, v) }},
	"StartTimeAfter":    {parseTime, func(e *Execution, v string) bool { return startedAfter(e.StartTime, v) }},
	"AutomationType": {enumParser("CrossAccount", "Local"), func(e *Execution, v string) bool {
		return e.AutomationType == v
	}},
	"TagKey": {nil, func(e *Execution, v string) bool { _, ok := e.Tags[v]; return ok }},
	// The simulator keeps no resource groups, subtypes or OpsItems: these keys
	// are accepted and match no execution.
	"TargetResourceGroup": {nil, matchNothing},
	"AutomationSubtype":   {enumParser("ChangeRequest", "AccessRequest"), matchNothing},
	"OpsItemId":           {nil, matchNothing},
}
