package collector

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// A running execution is refreshed by a delta against its last whole
// listing (the base). The API lists step executions by start time, steps
// not started yet (Pending, without a start time) after the others, or
// all of it reversed with ReverseOrder: either way a listing pays for
// every Pending step, and a running loop has most of its iterations
// Pending. So the delta lists only the steps started since the newest
// start of the base (a StartTimeAfter filter, which no Pending step
// matches), and fetches again by id, ten per call, the steps the base had
// started but not finished. The steps the base had finished cannot change;
// those it had Pending that have not started are still Pending. A step
// that failed since may have made the runbook jump over Pending steps: the
// delta is then not used and everything is listed.

// Limits of one DescribeAutomationStepExecutions call: filters, and values
// of one filter.
const (
	maxStepFilters = 6
	idsPerFilter   = 10
)

// deltaBase reports whether old may take a delta listed with filters: it
// holds the whole of a listing with the same filters, no filter depends on
// a status (a step could start matching without starting) or a start time
// (the delta sets its own), and the filters leave room for the delta's.
func deltaBase(old *tracked, filters []config.Filter) bool {
	if old == nil || !old.exact || old.filters != filterKey(filters) || len(filters) >= maxStepFilters {
		return false
	}
	for _, f := range filters {
		switch f.Key {
		case "StepExecutionStatus", "StepExecutionId", "StartTimeAfter", "StartTimeBefore":
			return false
		}
	}
	return true
}

func filterKey(filters []config.Filter) string {
	key := ""
	for _, f := range filters {
		key += fmt.Sprintf("%q%q;", f.Key, f.Values)
	}
	return key
}

// deltaSteps refreshes old, a base listed with filters, with the steps
// started since and the unfinished ones fetched again. ok is false when it
// cannot (nothing started yet, a step without id or listed twice, a step
// of the base missing, a step failed since, more than maxSteps, or a whole
// listing costs no more); the caller then lists everything.
func deltaSteps(ctx context.Context, api ssmapi.API, id string, filters []config.Filter, old []stepRec, maxSteps int, conv func(*types.StepExecution) stepRec) (steps []stepRec, ok bool, err error) {
	var newest time.Time
	for i := range old {
		newest = maxTime(newest, old[i].start)
	}
	// Seconds are what the filter takes: the steps of the base started in
	// the second of the newest are listed again.
	since := newest.UTC().Truncate(time.Second)
	var open []string // started before since, not finished
	for i := range old {
		if s := &old[i]; !s.start.IsZero() && s.start.Before(since) && !isTerminal(s.status) {
			open = append(open, s.id)
		}
	}
	byID := (len(open) + idsPerFilter - 1) / idsPerFilter
	if newest.IsZero() || byID > 0 && 1+byID >= pagesOf(len(old)) {
		return nil, false, nil
	}
	f := append(slices.Clip(filters), config.Filter{Key: "StartTimeAfter", Values: []string{since.Format(time.RFC3339)}})
	got := map[string]stepRec{}
	var listed []stepRec
	bad := false
	take := func(s *types.StepExecution) {
		r := conv(s)
		if _, dup := got[r.id]; dup || r.id == "" {
			bad = true
		}
		got[r.id] = r
		listed = append(listed, r)
	}
	if err := ssmapi.EachStep(ctx, api, id, f, take); err != nil || bad {
		return nil, false, err
	}
	for i := 0; i < len(open); i += idsPerFilter {
		f := append(slices.Clip(filters), config.Filter{Key: "StepExecutionId", Values: open[i:min(i+idsPerFilter, len(open))]})
		err := ssmapi.EachStep(ctx, api, id, f, func(s *types.StepExecution) {
			if r := conv(s); r.id != "" {
				got[r.id] = r
			}
		})
		if err != nil {
			return nil, false, err
		}
	}
	return mergeDelta(old, since, got, listed, maxSteps)
}

// mergeDelta puts together, in the order of a whole listing: the steps of
// old started before since (those fetched again from got), the steps
// listed since, oldest first, then the steps of old still Pending.
func mergeDelta(old []stepRec, since time.Time, got map[string]stepRec, listed []stepRec, maxSteps int) ([]stepRec, bool, error) {
	if len(old) <= maxSteps && deltaUnchanged(old, since, got, listed) {
		return old, true, nil // as it was: no copy (see keepUnchanged)
	}
	steps := make([]stepRec, 0, len(old)+len(listed))
	for i := range old {
		s := &old[i]
		r, fresh := got[s.id]
		switch {
		case s.start.IsZero() && !fresh:
			// Still Pending: appended last, below.
		case s.start.IsZero():
			// Started since: listed.
		case !s.start.Before(since) && !fresh:
			return nil, false, nil // started in the second listed again, but not listed
		case !s.start.Before(since):
			// Listed again.
		case fresh:
			steps = append(steps, r)
		case !isTerminal(s.status):
			return nil, false, nil // not finished, and not found by id
		default:
			steps = append(steps, kept(s))
		}
	}
	steps = append(steps, listed...)
	was := map[string]string{} // of the steps got may hold: started since, or open
	for i := range old {
		s := &old[i]
		if _, fresh := got[s.id]; s.start.IsZero() && !fresh {
			steps = append(steps, kept(s))
		} else if !s.start.IsZero() && (!s.start.Before(since) || !isTerminal(s.status)) {
			was[s.id] = s.status
		}
	}
	for id, r := range got {
		if r.status != "Success" && isTerminal(r.status) && was[id] != r.status {
			return nil, false, nil // may have made the runbook jump over Pending steps
		}
	}
	if len(steps) > maxSteps {
		return nil, false, nil
	}
	return steps, true, nil
}

// kept copies a step of the base for the merged listing. Interning writes
// to the alarms of the copy: they must not be those of the base, which
// scrapes may be reading.
func kept(s *stepRec) stepRec {
	r := *s
	r.alarms = slices.Clone(s.alarms)
	return r
}

// pagesOf is how many calls listing n steps takes.
func pagesOf(n int) int { return max(1, (n+49)/50) }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
