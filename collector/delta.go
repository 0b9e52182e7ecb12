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

// An execution that can still change is refreshed by a delta against its
// last whole listing (the base). The API lists step executions by start
// time, steps not started yet (Pending, without a start time) after the
// others, or all of it reversed with ReverseOrder: either way a listing
// pays for every Pending step, and a running loop has most of its
// iterations Pending. So the delta lists only the steps started since the
// newest start of the base (a StartTimeAfter filter, which no Pending step
// matches), and fetches again by id, ten per call, the steps the base had
// started but not ended; an open loop whose iteration is still running
// is not fetched (see iterating). The steps the base had ended cannot
// change. Those it had Pending that have not started are still Pending
// while the execution runs; once it has ended, they are fetched by id too,
// since an execution that ends may drop the steps it will not run. A step
// that failed since, unless it goes on to the next step (onFailure
// Continue), may have made the runbook jump over Pending steps: the delta
// is then not used and everything is listed.

// maxStepFilters is the most filters one DescribeAutomationStepExecutions
// call takes; a filter takes at most ssmapi.IDsPerCall values.
const maxStepFilters = 6

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

// deltaPlan is what a delta of a base lists and fetches by id.
type deltaPlan struct {
	since   time.Time // the second of the newest start: listed from there
	open    []string  // started before since, not finished: fetched by id
	loops   []int     // open loops of the base that may be iterating (indices)
	started int       // steps of the base started before since
}

// planDelta plans the delta of old, and reports false when a whole listing
// costs no more: a listing takes at least one call, and a whole one of an
// execution that has ended (in status) at least one a page of the steps it
// started. One that ended other than in Success most likely dropped the
// steps it had not started rather than run them: the estimate fetches them
// all by id. Nothing started yet: nothing to list from.
func planDelta(old []stepRec, status string) (p deltaPlan, ok bool) {
	ended := isTerminal(status)
	var newest time.Time
	for i := range old {
		newest = maxTime(newest, old[i].start)
	}
	// Seconds are what the filter takes: the steps of the base started in
	// the second of the newest are listed again.
	p.since = newest.UTC().Truncate(time.Second)
	again, notStarted := 0, 0
	for i := range old {
		switch s := &old[i]; {
		case s.start.IsZero():
			notStarted++
			continue
		case !s.start.Before(p.since):
			again++
			continue
		case isTerminal(s.status):
		case !ended && mayIterate(s):
			p.loops = append(p.loops, i)
		default:
			p.open = append(p.open, s.id)
		}
		p.started++
	}
	firm, worst := callsByID(len(p.open)), callsByID(len(p.open)+len(p.loops))
	if ended && status != "Success" {
		firm = callsByID(len(p.open) + notStarted)
	}
	if ended {
		return p, !newest.IsZero() && 1+firm < pagesOf(p.started+again)
	}
	return p, !newest.IsZero() && (worst == 0 || 1+firm < pagesOf(len(old)))
}

// callsByID is how many calls fetching n steps by id takes.
func callsByID(n int) int { return (n + ssmapi.IDsPerCall - 1) / ssmapi.IDsPerCall }

// deltaSteps refreshes old, a base listed with filters, with the steps
// started since and the others that can have changed fetched again; status
// is the execution's, "" if unknown. ok is false when it cannot (see
// planDelta, a step without id or listed twice, a step of the base
// missing, a step failed since, more than maxSteps); the caller then lists
// everything.
func deltaSteps(ctx context.Context, api ssmapi.API, id string, filters []config.Filter, old []stepRec, status string, maxSteps int, conv func(*types.StepExecution) stepRec) (steps []stepRec, ok bool, err error) {
	p, ok := planDelta(old, status)
	if !ok {
		return nil, false, nil
	}
	d := &delta{since: p.since, ended: isTerminal(status), listed: map[string]bool{}, got: map[string]stepRec{}, iterating: map[string]bool{}}
	f := append(slices.Clip(filters), config.Filter{Key: "StartTimeAfter", Values: []string{p.since.Format(time.RFC3339)}})
	bad := false
	err = ssmapi.EachStep(ctx, api, id, f, func(s *types.StepExecution) {
		r := conv(s)
		if d.listed[r.id] || r.id == "" {
			bad = true
		}
		d.listed[r.id] = true
		d.got[r.id] = r
		d.started = append(d.started, r)
	})
	if err != nil || bad || d.mayHaveJumped(old) {
		return nil, false, err
	}
	ids := d.toFetch(old, p)
	if d.ended && callsByID(len(ids)) > pagesOf(p.started+len(d.started)) {
		return nil, false, nil // a whole listing costs less
	}
	for i := 0; i < len(ids); i += ssmapi.IDsPerCall {
		f := append(slices.Clip(filters), config.Filter{Key: "StepExecutionId", Values: ids[i:min(i+ssmapi.IDsPerCall, len(ids))]})
		err := ssmapi.EachStep(ctx, api, id, f, func(s *types.StepExecution) {
			if r := conv(s); r.id != "" && !d.listed[r.id] {
				d.got[r.id] = r
			}
		})
		if err != nil {
			return nil, false, err
		}
	}
	steps, ok = d.merge(old, maxSteps)
	return steps, ok, nil
}

// toFetch lists the ids of the steps of old to fetch again once the steps
// started since are listed: those open, but the loops still iterating, and
// once the execution has ended those not started (still Pending, or
// dropped).
func (d *delta) toFetch(old []stepRec, p deltaPlan) []string {
	ids := slices.Clip(p.open)
	for _, i := range p.loops {
		if iterating(&old[i], old, d.started) {
			d.iterating[old[i].id] = true
		} else {
			ids = append(ids, old[i].id)
		}
	}
	for i := range old {
		if s := &old[i]; d.ended && s.start.IsZero() && !d.listed[s.id] {
			ids = append(ids, s.id)
		}
	}
	return ids
}

// pagesOf is how many calls listing n steps takes.
func pagesOf(n int) int { return max(1, (n+49)/50) }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
