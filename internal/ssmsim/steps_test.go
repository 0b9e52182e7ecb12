package ssmsim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// loopExecution has a loop with three iterations, a tie on start time, and
// two steps not started yet. By start time: s0 s1 s2 s5 s3 s4, then s6 s7.
func loopExecution() []*Step {
	at := func(sec int) time.Time { return testEpoch.Add(time.Duration(sec) * time.Second) }
	parent := func(iter int32, val string) *ParentStepDetails {
		return &ParentStepDetails{StepExecutionID: "s1", StepName: "loop", Action: "aws:loop", Iteration: iter, IteratorValue: val}
	}
	return []*Step{
		{StepExecutionID: "s0", StepName: "launch", Action: "aws:runInstances", Status: "Success", StartTime: at(0)},
		{StepExecutionID: "s1", StepName: "loop", Action: "aws:loop", Status: "InProgress", StartTime: at(10)},
		{StepExecutionID: "s2", StepName: "inner", Action: "aws:executeScript", Status: "Success", StartTime: at(20), ParentStepDetails: parent(0, "i-a")},
		{StepExecutionID: "s3", StepName: "inner", Action: "aws:executeScript", Status: "Failed", StartTime: at(30), ParentStepDetails: parent(1, "i-b")},
		{StepExecutionID: "s4", StepName: "inner", Action: "aws:executeScript", Status: "InProgress", StartTime: at(40), ParentStepDetails: parent(2, "i-c")},
		{StepExecutionID: "s5", StepName: "approve", Action: "aws:approve", Status: "Waiting", StartTime: at(20)},
		{StepExecutionID: "s6", StepName: "cleanup", Action: "aws:executeScript", Status: "Pending"},
		{StepExecutionID: "s7", StepName: "notify", Action: "aws:executeAwsApi", Status: "Pending"},
	}
}

func filter(key string, values ...string) types.StepExecutionFilter {
	return types.StepExecutionFilter{Key: types.StepExecutionFilterKey(key), Values: values}
}

func TestStepFilters(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), loopExecution())
	c, _, _ := newSimClient(t, store, Options{})
	t20 := "2024-03-01T12:00:20Z"
	cases := []struct {
		name    string
		filters []types.StepExecutionFilter
		want    string
	}{
		{"none", nil, "s0 s1 s2 s5 s3 s4 s6 s7"},
		{"StartTimeBefore is strict", []types.StepExecutionFilter{filter("StartTimeBefore", t20)}, "s0 s1"},
		{"StartTimeAfter is inclusive", []types.StepExecutionFilter{filter("StartTimeAfter", t20)}, "s2 s5 s3 s4"},
		{"time with fraction", []types.StepExecutionFilter{filter("StartTimeBefore", "2024-03-01T12:00:20.001Z")}, "s0 s1 s2 s5"},
		{"time in another zone", []types.StepExecutionFilter{filter("StartTimeAfter", "2024-03-01T13:00:30+01:00")}, "s3 s4"},
		{"times OR'ed", []types.StepExecutionFilter{filter("StartTimeBefore", "2024-03-01T12:00:05Z", t20)}, "s0 s1"},
		{"status", []types.StepExecutionFilter{filter("StepExecutionStatus", "Success")}, "s0 s2"},
		{"status any case", []types.StepExecutionFilter{filter("StepExecutionStatus", "SUCCESS")}, "s0 s2"},
		{"statuses OR'ed", []types.StepExecutionFilter{filter("StepExecutionStatus", "Failed", "Waiting")}, "s5 s3"},
		{"pending status", []types.StepExecutionFilter{filter("StepExecutionStatus", "Pending")}, "s6 s7"},
		{"step id", []types.StepExecutionFilter{filter("StepExecutionId", "s3")}, "s3"},
		{"step ids", []types.StepExecutionFilter{filter("StepExecutionId", "s7", "s0", "nope")}, "s0 s7"},
		{"step name", []types.StepExecutionFilter{filter("StepName", "inner")}, "s2 s3 s4"},
		{"action", []types.StepExecutionFilter{filter("Action", "aws:executeScript")}, "s2 s3 s4 s6"},
		{"parent id", []types.StepExecutionFilter{filter("ParentStepExecutionId", "s1")}, "s2 s3 s4"},
		{"parent iteration", []types.StepExecutionFilter{filter("ParentStepIteration", "1")}, "s3"},
		{"parent iterations", []types.StepExecutionFilter{filter("ParentStepIteration", "0", "2")}, "s2 s4"},
		{"iterator value", []types.StepExecutionFilter{filter("ParentStepIteratorValue", "i-c")}, "s4"},
		{"nothing matches", []types.StepExecutionFilter{filter("StepName", "absent")}, ""},
		{"combination", []types.StepExecutionFilter{
			filter("StepName", "inner"),
			filter("StepExecutionStatus", "Success", "InProgress"),
			filter("StartTimeAfter", "2024-03-01T12:00:25Z"),
		}, "s4"},
		{"same key twice is AND", []types.StepExecutionFilter{
			filter("StepExecutionStatus", "Success", "Failed"),
			filter("StepExecutionStatus", "Failed", "Waiting"),
		}, "s3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items, _ := allStepPages(t, c, &ssm.DescribeAutomationStepExecutionsInput{
				AutomationExecutionId: aws.String(simExecID(1)), Filters: tc.filters,
			})
			if got := strings.Join(stepIDs(items), " "); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStepReverseOrder(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), loopExecution())
	c, _, _ := newSimClient(t, store, Options{})
	for _, size := range []int32{1, 3, 50} {
		items, _ := allStepPages(t, c, &ssm.DescribeAutomationStepExecutionsInput{
			AutomationExecutionId: aws.String(simExecID(1)), ReverseOrder: aws.Bool(true), MaxResults: aws.Int32(size),
		})
		if got, want := strings.Join(stepIDs(items), " "), "s7 s6 s4 s3 s5 s2 s1 s0"; got != want {
			t.Errorf("MaxResults %d: reverse order %q, want %q", size, got, want)
		}
	}
}

func TestStepPageBoundaries(t *testing.T) {
	for _, tc := range []struct {
		steps      int
		maxResults int32 // 0: absent
		pages      int
	}{
		{0, 0, 1}, {1, 0, 1}, {49, 0, 1}, {50, 0, 1}, {51, 0, 2}, {1000, 0, 20},
		{50, 50, 1}, {51, 50, 2}, {1000, 7, 143}, {49, 1, 49},
	} {
		t.Run(fmt.Sprintf("%d steps by %d", tc.steps, tc.maxResults), func(t *testing.T) {
			store := NewStore()
			putSteps(store, simExecID(1), simSteps(tc.steps))
			c, srv, _ := newSimClient(t, store, Options{})
			in := &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(simExecID(1))}
			if tc.maxResults > 0 {
				in.MaxResults = aws.Int32(tc.maxResults)
			}
			items, pages := allStepPages(t, c, in)
			if pages != tc.pages {
				t.Errorf("pages = %d, want %d", pages, tc.pages)
			}
			if len(items) != tc.steps {
				t.Fatalf("items = %d, want %d", len(items), tc.steps)
			}
			for i, id := range stepIDs(items) {
				if want := fmt.Sprintf("step-%04d", i); id != want {
					t.Fatalf("item %d = %s, want %s (duplicate or missing step)", i, id, want)
				}
			}
			if got := srv.Requests("DescribeAutomationStepExecutions", "OK"); got != float64(tc.pages) {
				t.Errorf("server answered %v requests, want %d", got, tc.pages)
			}
		})
	}
}

// Pages resume after the last item's sort key, not at an offset: a step that
// starts between two pages is listed at most once, and every other step
// exactly once.
func TestStepPagingWhileStepsStart(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pageSize  int32
		wantTotal int // distinct steps listed
	}{
		// The cursor is among started steps; the step starts after them.
		{"step starts ahead of the cursor", 20, 60},
		// The cursor is among pending steps; the step leaves them for a
		// position behind the cursor, so this pass does not list it.
		{"step starts behind the cursor", 40, 59},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := NewStore()
			steps := simSteps(60)
			for _, st := range steps[30:] {
				st.StartTime, st.EndTime, st.Status = time.Time{}, time.Time{}, "Pending"
			}
			putSteps(store, simExecID(1), steps)
			c, _, _ := newSimClient(t, store, Options{})
			p := ssm.NewDescribeAutomationStepExecutionsPaginator(c, &ssm.DescribeAutomationStepExecutionsInput{
				AutomationExecutionId: aws.String(simExecID(1)), MaxResults: aws.Int32(tc.pageSize),
			})
			seen := map[string]int{}
			for page := 0; p.HasMorePages(); page++ {
				out, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range stepIDs(out.StepExecutions) {
					seen[id]++
				}
				if page == 0 {
					store.Update(func(_, _ string, e *Execution) {
						e.Steps[45].StartTime, e.Steps[45].Status = testEpoch.Add(time.Hour), "InProgress"
					})
				}
			}
			if len(seen) != tc.wantTotal {
				t.Errorf("saw %d distinct steps, want %d", len(seen), tc.wantTotal)
			}
			for i := range 60 {
				id := fmt.Sprintf("step-%04d", i)
				if n := seen[id]; n > 1 || (n == 0 && i != 45) {
					t.Errorf("step %s listed %d times", id, n)
				}
			}
		})
	}
}
