package ssmsim

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func execFilter(key string, values ...string) types.AutomationExecutionFilter {
	return types.AutomationExecutionFilter{Key: types.AutomationExecutionFilterKey(key), Values: values}
}

func allExecutions(t testing.TB, c *ssm.Client, size int32, filters ...types.AutomationExecutionFilter) []string {
	t.Helper()
	in := &ssm.DescribeAutomationExecutionsInput{Filters: filters}
	if size > 0 {
		in.MaxResults = aws.Int32(size)
	}
	p := ssm.NewDescribeAutomationExecutionsPaginator(c, in)
	var ids []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.AutomationExecutionMetadataList {
			ids = append(ids, aws.ToString(m.AutomationExecutionId)[:8])
		}
	}
	return ids
}

func TestExecutionFilters(t *testing.T) {
	store := NewStore()
	put := func(n int, doc, status, action, typ string, startSec int, parent string, tags map[string]string) {
		store.Put(defaultAccount, testRegion, &Execution{
			ID: simExecID(n), DocumentName: doc, Status: status, CurrentAction: action, AutomationType: typ,
			StartTime: testEpoch.Add(time.Duration(startSec) * time.Second), ParentExecutionID: parent, Tags: tags,
		})
	}
	put(1, "AWS-RestartEC2Instance", "Success", "", "Local", 10, "", map[string]string{"team": "a"})
	put(2, "AWS-StopEC2Instance", "InProgress", "aws:executeScript", "CrossAccount", 20, "", nil)
	put(3, "Custom-Patch", "Failed", "", "Local", 30, simExecID(2), map[string]string{"env": "prod"})
	put(4, "AWS-RestartEC2Instance", "InProgress", "aws:sleep", "Local", 40, simExecID(2), nil)
	c, _, _ := newSimClient(t, store, Options{})
	cases := []struct {
		name    string
		filters []types.AutomationExecutionFilter
		want    string
	}{
		{"newest first", nil, "00000004 00000003 00000002 00000001"},
		{"document prefix", []types.AutomationExecutionFilter{execFilter("DocumentNamePrefix", "AWS-Restart")}, "00000004 00000001"},
		{"prefixes OR'ed", []types.AutomationExecutionFilter{execFilter("DocumentNamePrefix", "Custom", "AWS-Stop")}, "00000003 00000002"},
		{"status", []types.AutomationExecutionFilter{execFilter("ExecutionStatus", "InProgress")}, "00000004 00000002"},
		{"execution id", []types.AutomationExecutionFilter{execFilter("ExecutionId", simExecID(3))}, "00000003"},
		{"parent", []types.AutomationExecutionFilter{execFilter("ParentExecutionId", simExecID(2))}, "00000004 00000003"},
		{"current action", []types.AutomationExecutionFilter{execFilter("CurrentAction", "aws:sleep")}, "00000004"},
		{"started before", []types.AutomationExecutionFilter{execFilter("StartTimeBefore", "2024-03-01T12:00:20Z")}, "00000001"},
		{"started after", []types.AutomationExecutionFilter{execFilter("StartTimeAfter", "2024-03-01T12:00:30Z")}, "00000004 00000003"},
		{"automation type", []types.AutomationExecutionFilter{execFilter("AutomationType", "CrossAccount")}, "00000002"},
		{"tag key", []types.AutomationExecutionFilter{execFilter("TagKey", "env", "team")}, "00000003 00000001"},
		{"resource group matches nothing", []types.AutomationExecutionFilter{execFilter("TargetResourceGroup", "rg")}, ""},
		{"subtype matches nothing", []types.AutomationExecutionFilter{execFilter("AutomationSubtype", "ChangeRequest")}, ""},
		{"OpsItem matches nothing", []types.AutomationExecutionFilter{execFilter("OpsItemId", "oi-123")}, ""},
		{"combination", []types.AutomationExecutionFilter{
			execFilter("ExecutionStatus", "InProgress", "Failed"), execFilter("AutomationType", "Local"),
			execFilter("StartTimeBefore", "2024-03-01T12:00:35Z"),
		}, "00000003"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int32{0, 1} {
				if got := strings.Join(allExecutions(t, c, size, tc.filters...), " "); got != tc.want {
					t.Errorf("MaxResults %d: got %q, want %q", size, got, tc.want)
				}
			}
		})
	}
}

func TestExecutionListingProperty(t *testing.T) {
	docs := []string{"AWS-RestartEC2Instance", "AWS-StopEC2Instance", "Custom-Patch", "AWS-Restart"}
	prefixes := []string{"AWS-", "AWS-Restart", "Custom", "Nope"}
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 11))
		store := NewStore()
		var all []*Execution
		for i := range rng.IntN(90) {
			e := &Execution{
				ID: simExecID(i), DocumentName: pick(rng, docs), Status: pick(rng, propStatuses),
				StartTime:     testEpoch.Add(time.Duration(rng.IntN(30)) * time.Second),
				CurrentAction: pick(rng, propActions), AutomationType: pick(rng, []string{"Local", "CrossAccount"}),
				Tags: map[string]string{pick(rng, propValues): "v"},
			}
			if rng.IntN(3) == 0 {
				e.ParentExecutionID = simExecID(rng.IntN(5))
			}
			all = append(all, e)
			store.Put(defaultAccount, testRegion, e)
		}
		filters := map[string][]string{
			"DocumentNamePrefix": {pick(rng, prefixes), pick(rng, prefixes)},
			"ExecutionStatus":    {pick(rng, propStatuses), pick(rng, propStatuses)},
			"ParentExecutionId":  {simExecID(rng.IntN(5))},
			"CurrentAction":      {pick(rng, propActions)},
			"StartTimeBefore":    {propTime(rng.IntN(32))},
			"StartTimeAfter":     {propTime(rng.IntN(32))},
			"AutomationType":     {pick(rng, []string{"Local", "CrossAccount"})},
			"TagKey":             {pick(rng, propValues)},
		}
		keys := slices.Sorted(maps.Keys(filters))
		var chosen []types.AutomationExecutionFilter
		for _, k := range keys {
			if rng.IntN(4) == 0 {
				chosen = append(chosen, execFilter(k, filters[k]...))
			}
		}
		c, _, _ := newSimClient(t, store, Options{})
		got := allExecutions(t, c, int32(1+rng.IntN(50)), chosen...)
		want := refExecutions(all, chosen)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("seed %d, filters %v:\n got %v\nwant %v", seed, chosen, got, want)
		}
	}
}

func refExecutions(all []*Execution, filters []types.AutomationExecutionFilter) []string {
	matches := func(e *Execution, f types.AutomationExecutionFilter) bool {
		for _, v := range f.Values {
			t, _ := time.Parse(time.RFC3339, v)
			_, tagged := e.Tags[v]
			if map[types.AutomationExecutionFilterKey]bool{
				"DocumentNamePrefix": strings.HasPrefix(e.DocumentName, v),
				"ExecutionStatus":    e.Status == v,
				"ParentExecutionId":  e.ParentExecutionID == v,
				"CurrentAction":      e.CurrentAction == v,
				"StartTimeBefore":    e.StartTime.Before(t),
				"StartTimeAfter":     !e.StartTime.Before(t),
				"AutomationType":     e.AutomationType == v,
				"TagKey":             tagged,
			}[f.Key] {
				return true
			}
		}
		return false
	}
	var out []*Execution
	for _, e := range all {
		if !slices.ContainsFunc(filters, func(f types.AutomationExecutionFilter) bool { return !matches(e, f) }) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartTime.Equal(out[j].StartTime) {
			return out[i].StartTime.After(out[j].StartTime)
		}
		return out[i].ID < out[j].ID
	})
	ids := make([]string, len(out))
	for i, e := range out {
		ids[i] = e.ID[:8]
	}
	return ids
}

// An execution started between two pages sorts ahead of the cursor: it is
// not listed in this pass, and no execution is listed twice.
func TestExecutionPagingWhileExecutionsStart(t *testing.T) {
	store := NewStore()
	for i := range 30 {
		store.Put(defaultAccount, testRegion, &Execution{ID: simExecID(i), StartTime: testEpoch.Add(time.Duration(i) * time.Second)})
	}
	c, _, _ := newSimClient(t, store, Options{})
	p := ssm.NewDescribeAutomationExecutionsPaginator(c, &ssm.DescribeAutomationExecutionsInput{MaxResults: aws.Int32(10)})
	seen := map[string]int{}
	for page := 0; p.HasMorePages(); page++ {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.AutomationExecutionMetadataList {
			seen[aws.ToString(m.AutomationExecutionId)]++
		}
		if page == 0 {
			store.Put(defaultAccount, testRegion, &Execution{ID: simExecID(99), StartTime: testEpoch.Add(time.Hour)})
		}
	}
	for i := range 30 {
		if n := seen[simExecID(i)]; n != 1 {
			t.Errorf("execution %d listed %d times, want once", i, n)
		}
	}
	if len(seen) != 30 {
		t.Errorf("listed %d executions, want the 30 present when paging began", len(seen))
	}
}

func TestGetAutomationExecutionReturnsEveryStep(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(120))
	c, _, _ := newSimClient(t, store, Options{})
	out, err := c.GetAutomationExecution(context.Background(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(simExecID(1))})
	if err != nil {
		t.Fatal(err)
	}
	ae := out.AutomationExecution
	if ae == nil || aws.ToString(ae.AutomationExecutionId) != simExecID(1) || ae.AutomationExecutionStatus != types.AutomationExecutionStatusInprogress {
		t.Fatalf("execution = %+v", ae)
	}
	if len(ae.StepExecutions) != 120 || ae.StepExecutionsTruncated {
		t.Errorf("got %d steps, truncated %v; want 120, false", len(ae.StepExecutions), ae.StepExecutionsTruncated)
	}
	for i, st := range ae.StepExecutions {
		if want := fmt.Sprintf("step-%04d", i); aws.ToString(st.StepExecutionId) != want {
			t.Fatalf("step %d = %s, want %s in definition order", i, aws.ToString(st.StepExecutionId), want)
		}
	}
	if !aws.ToTime(ae.ExecutionStartTime).Equal(testEpoch) {
		t.Errorf("start time = %v, want %v", aws.ToTime(ae.ExecutionStartTime), testEpoch)
	}
}
