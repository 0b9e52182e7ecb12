package collector

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// A running execution is refreshed by a delta: its step executions are
// listed newest first (ReverseOrder: the steps not started yet, then the
// others newest start first) until the oldest one listed is one the last
// listing had already started. Every step older than that one had started
// by then too, so the last listing holds them all, in the same order (a
// start time never changes), and only those it had in a status other than
// a terminal one can have changed since: they are fetched again by id, ten
// per call, unless going on with the listing costs no more. The steps
// listed are then put in front of the old ones, oldest first, as a full
// listing would order them.

// Limits of one DescribeAutomationStepExecutions call.
const (
	maxStepFilters = 6  // filters
	idsPerFilter   = 10 // values of one filter
	stepsPerPage   = 50 // step executions of one page
)

// deltaBase reports whether old may take a delta listed with filters: it
// holds the whole of a listing with the same filters, and no filter
// depends on a status (a step older than the ones listed could start
// matching).
func deltaBase(old *tracked, filters []config.Filter) bool {
	if old == nil || !old.exact || old.filters != filterKey(filters) {
		return false
	}
	for _, f := range filters {
		if f.Key == "StepExecutionStatus" {
			return false
		}
	}
	return true
}

func filterKey(filters []config.Filter) string {
	key := ""
	for _, f := range filters {
		key += f.Key + "\x00" + fmt.Sprint(len(f.Values)) + "\x00"
		for _, v := range f.Values {
			key += v + "\x00"
		}
	}
	return key
}

// delta is one delta listing of an execution.
type delta struct {
	old     []stepRec
	pos     map[string]int // of each step in old
	got     []stepRec      // listed now, newest first
	seen    map[string]bool
	keep    int      // old[:keep] is older than everything in got
	refetch []string // ids in old[:keep] that may have changed
	byID    bool     // the filters leave room for a StepExecutionId filter
	bad     bool     // the listing cannot be merged: list everything
}

func newDelta(old []stepRec, filters []config.Filter) *delta {
	d := &delta{old: old, pos: make(map[string]int, len(old)), seen: map[string]bool{},
		byID: len(filters) < maxStepFilters}
	for i := range old {
		d.pos[old[i].id] = i
	}
	for _, f := range filters {
		if f.Key == "StepExecutionId" {
			d.byID = false
		}
	}
	return d
}

// page takes one page of the listing and reports whether to list the next.
func (d *delta) page(steps []types.StepExecution, last bool, conv func(*types.StepExecution) stepRec) bool {
	for i := range steps {
		r := conv(&steps[i])
		if r.id == "" || d.seen[r.id] {
			d.bad = true
			return false
		}
		d.seen[r.id] = true
		d.got = append(d.got, r)
	}
	if last {
		d.keep, d.refetch = 0, nil // the whole listing
		return false
	}
	if len(d.got) == 0 {
		return true
	}
	q, known := d.pos[d.got[len(d.got)-1].id]
	if !known || d.old[q].start.IsZero() {
		return true // the oldest listed is new, or was not started: go on
	}
	for _, g := range d.got {
		if p, ok := d.pos[g.id]; ok && p < q {
			d.bad = true // listed in another order than before
			return false
		}
	}
	d.keep, d.refetch = q, nil
	oldest := q
	for i := range d.old[:q] {
		if !isTerminal(d.old[i].status) {
			d.refetch = append(d.refetch, d.old[i].id)
			oldest = min(oldest, i)
		}
	}
	calls := (len(d.refetch) + idsPerFilter - 1) / idsPerFilter
	return len(d.refetch) > 0 && !(d.byID && calls <= (q-oldest+stepsPerPage-1)/stepsPerPage)
}

// deltaSteps lists the step executions of id as a delta against old, the
// whole of a listing with the same filters. ok is false when the delta
// cannot be merged (a step without id or listed twice, an order that
// contradicts the last listing, a step fetched by id missing, more than
// maxSteps); the caller then lists them all.
func deltaSteps(ctx context.Context, api ssmapi.API, id string, filters []config.Filter, old []stepRec, maxSteps int, conv func(*types.StepExecution) stepRec) (steps []stepRec, ok bool, err error) {
	d := newDelta(old, filters)
	err = ssmapi.StepPagesNewestFirst(ctx, api, id, filters, func(page []types.StepExecution, last bool) bool {
		return d.page(page, last, conv)
	})
	if err != nil || d.bad {
		return nil, false, err
	}
	steps = make([]stepRec, d.keep, d.keep+len(d.got))
	copy(steps, old[:d.keep])
	if len(d.refetch) > 0 {
		if ok, err := d.fetchByID(ctx, api, id, filters, steps, conv); !ok || err != nil {
			return nil, false, err
		}
	}
	for i := len(d.got) - 1; i >= 0; i-- {
		steps = append(steps, d.got[i])
	}
	if len(steps) > maxSteps {
		return nil, false, nil
	}
	return steps, true, nil
}

// fetchByID fetches again the steps of d.refetch, ten per call, into
// steps, where each keeps its place. ok is false if one is missing.
func (d *delta) fetchByID(ctx context.Context, api ssmapi.API, id string, filters []config.Filter, steps []stepRec, conv func(*types.StepExecution) stepRec) (ok bool, err error) {
	found := 0
	for i := 0; i < len(d.refetch); i += idsPerFilter {
		batch := d.refetch[i:min(i+idsPerFilter, len(d.refetch))]
		f := append(slices.Clip(filters), config.Filter{Key: "StepExecutionId", Values: batch})
		err := ssmapi.EachStep(ctx, api, id, f, func(s *types.StepExecution) {
			r := conv(s)
			if p, known := d.pos[r.id]; known && p < len(steps) && steps[p].id == r.id && !d.seen[r.id] {
				d.seen[r.id] = true
				steps[p] = r
				found++
			}
		})
		if err != nil {
			return false, err
		}
	}
	return found == len(d.refetch), nil
}
