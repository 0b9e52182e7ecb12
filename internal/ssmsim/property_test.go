package ssmsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

var (
	propStatuses = []string{"Success", "Failed", "InProgress", "Pending", "Waiting", "Cancelled"}
	propNames    = []string{"a", "b", "c", "d"}
	propActions  = []string{"aws:executeScript", "aws:loop", "aws:approve", "aws:runCommand"}
	propValues   = []string{"x", "y", "z"}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func propTime(sec int) string {
	return testEpoch.Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
}

func randomSteps(rng *rand.Rand, n int) []*Step {
	steps := make([]*Step, n)
	for i := range steps {
		st := &Step{
			StepExecutionID: fmt.Sprintf("id-%03d", i),
			StepName:        pick(rng, propNames),
			Action:          pick(rng, propActions),
			Status:          pick(rng, propStatuses),
		}
		if rng.IntN(5) > 0 { // one in five has not started
			st.StartTime = testEpoch.Add(time.Duration(rng.IntN(20)) * time.Second)
		}
		if rng.IntN(2) == 0 {
			st.ParentStepDetails = &ParentStepDetails{
				StepExecutionID: fmt.Sprintf("id-%03d", rng.IntN(5)),
				Iteration:       int32(rng.IntN(4)),
				IteratorValue:   pick(rng, propValues),
			}
		}
		steps[i] = st
	}
	return steps
}

func randomStepFilters(rng *rand.Rand) []types.StepExecutionFilter {
	keys := types.StepExecutionFilterKey("").Values()
	var out []types.StepExecutionFilter
	for range rng.IntN(4) {
		key := pick(rng, keys)
		var values []string
		for range 1 + rng.IntN(3) {
			values = append(values, randomStepValue(rng, key))
		}
		out = append(out, types.StepExecutionFilter{Key: key, Values: values})
	}
	return out
}

func randomStepValue(rng *rand.Rand, key types.StepExecutionFilterKey) string {
	switch key {
	case types.StepExecutionFilterKeyStartTimeBefore, types.StepExecutionFilterKeyStartTimeAfter:
		return propTime(rng.IntN(22) - 1)
	case types.StepExecutionFilterKeyStepExecutionStatus:
		return pick(rng, propStatuses)
	case types.StepExecutionFilterKeyStepExecutionId, types.StepExecutionFilterKeyParentStepExecutionId:
		return fmt.Sprintf("id-%03d", rng.IntN(8))
	case types.StepExecutionFilterKeyStepName:
		return pick(rng, propNames)
	case types.StepExecutionFilterKeyAction:
		return pick(rng, propActions)
	case types.StepExecutionFilterKeyParentStepIteration:
		return strconv.Itoa(rng.IntN(5))
	}
	return pick(rng, propValues)
}

// refStepMatch is the reference: a step matches a filter when any value does.
func refStepMatch(st *Step, f types.StepExecutionFilter) bool {
	p := st.ParentStepDetails
	for _, v := range f.Values {
		t, _ := time.Parse(time.RFC3339, v)
		var ok bool
		switch f.Key {
		case types.StepExecutionFilterKeyStartTimeBefore:
			ok = !st.StartTime.IsZero() && st.StartTime.Before(t)
		case types.StepExecutionFilterKeyStartTimeAfter:
			ok = !st.StartTime.IsZero() && !st.StartTime.Before(t)
		case types.StepExecutionFilterKeyStepExecutionStatus:
			ok = st.Status == v
		case types.StepExecutionFilterKeyStepExecutionId:
			ok = st.StepExecutionID == v
		case types.StepExecutionFilterKeyStepName:
			ok = st.StepName == v
		case types.StepExecutionFilterKeyAction:
			ok = st.Action == v
		case types.StepExecutionFilterKeyParentStepExecutionId:
			ok = p != nil && p.StepExecutionID == v
		case types.StepExecutionFilterKeyParentStepIteration:
			ok = p != nil && strconv.Itoa(int(p.Iteration)) == v
		case types.StepExecutionFilterKeyParentStepIteratorValue:
			ok = p != nil && p.IteratorValue == v
		}
		if ok {
			return true
		}
	}
	return false
}

// refSteps filters in definition order, then stable-sorts started steps by
// start time ahead of the ones not started.
func refSteps(steps []*Step, filters []types.StepExecutionFilter, reverse bool) []string {
	var out []*Step
	for _, st := range steps {
		if !slices.ContainsFunc(filters, func(f types.StepExecutionFilter) bool { return !refStepMatch(st, f) }) {
			out = append(out, st)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].StartTime, out[j].StartTime
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.Before(b)
	})
	ids := make([]string, len(out))
	for i, st := range out {
		ids[i] = st.StepExecutionID
	}
	if reverse {
		slices.Reverse(ids)
	}
	return ids
}

func TestStepListingProperty(t *testing.T) {
	store := NewStore()
	c, _, _ := newSimClient(t, store, Options{})
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 7))
		steps := randomSteps(rng, rng.IntN(120))
		id := simExecID(int(seed))
		putSteps(store, id, steps)
		filters := randomStepFilters(rng)
		reverse := rng.IntN(2) == 0
		size := int32(1 + rng.IntN(50))
		in := &ssm.DescribeAutomationStepExecutionsInput{
			AutomationExecutionId: aws.String(id), Filters: filters, ReverseOrder: aws.Bool(reverse), MaxResults: aws.Int32(size),
		}
		p := ssm.NewDescribeAutomationStepExecutionsPaginator(c, in)
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if p.HasMorePages() && len(out.StepExecutions) != int(size) {
				t.Fatalf("seed %d: a page before the last holds %d items, want %d", seed, len(out.StepExecutions), size)
			}
			got = append(got, stepIDs(out.StepExecutions)...)
		}
		want := refSteps(steps, filters, reverse)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("seed %d, filters %v, reverse %v, size %d:\n got %v\nwant %v", seed, filters, reverse, size, got, want)
		}
	}
}
