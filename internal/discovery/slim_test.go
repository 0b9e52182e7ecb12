package discovery

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestDiscoveryKeepsNothingElseOfTheResponse lists executions whose
// metadata carries 8 KiB of Outputs each, and checks that what a rule
// keeps until its next listing (the Listing and the executions found)
// holds what the exporter reads of each execution and nothing else: no
// Outputs, and no memory of the response the SDK decoded them from.
func TestDiscoveryKeepsNothingElseOfTheResponse(t *testing.T) {
	const n = 100
	now := time.Now().UTC().Truncate(time.Second)
	big := strings.Repeat("o", 8<<10)
	var execs []*ssmsim.Execution
	for i := range n {
		execs = append(execs, &ssmsim.Execution{
			ID: fmt.Sprintf("%08d-1111-4111-8111-111111111111", i), DocumentName: "Doc", DocumentVersion: "3",
			Status: "Failed", StartTime: now.Add(-time.Duration(i+2) * time.Minute), EndTime: now.Add(-time.Minute),
			ParentExecutionID: "99999999-1111-4111-8111-111111111111", AutomationType: "Local", Mode: "Auto",
			ExecutedBy: "arn:aws:iam::123456789012:user/someone", Target: "i-0123456789abcdef0",
			FailureMessage: "step failed", CurrentStepName: "a", CurrentAction: "aws:sleep",
			Outputs:         map[string][]string{"a.Output": {big}},
			TriggeredAlarms: []ssmsim.Alarm{{Name: "alarm-1", State: "ALARM"}},
		})
	}
	api := simAPI(t, execs...)
	rule := &config.DiscoveryRule{Name: "all", Lookback: 48 * time.Hour, MaxExecutions: 1000}
	ctx := context.Background()
	d, l, err := Discover(ctx, api, rule, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept := heapAlloc()
	if len(d.Kept) != n || len(l.execs) != n {
		t.Fatalf("kept %d, listed %d executions, want %d", len(d.Kept), len(l.execs), n)
	}
	m := d.Kept[0]
	got := fmt.Sprint(aws.ToString(m.AutomationExecutionId), aws.ToString(m.DocumentName), aws.ToString(m.DocumentVersion),
		m.AutomationExecutionStatus, m.AutomationType, m.Mode, aws.ToString(m.ParentAutomationExecutionId),
		aws.ToTime(m.ExecutionStartTime).Equal(execs[0].StartTime), aws.ToTime(m.ExecutionEndTime).Equal(execs[0].EndTime),
		len(m.TriggeredAlarms), aws.ToString(m.TriggeredAlarms[0].Name), m.TriggeredAlarms[0].State)
	if want := fmt.Sprint(execs[0].ID, "Doc", "3", "Failed", "Local", "Auto", execs[0].ParentExecutionID,
		true, true, 1, "alarm-1", "ALARM"); got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	if m.Outputs != nil || m.Target != nil || m.ExecutedBy != nil || m.FailureMessage != nil || m.CurrentAction != nil {
		t.Errorf("kept Outputs, Target, ExecutedBy, FailureMessage or CurrentAction: the exporter does not read them")
	}
	runtime.KeepAlive(d)
	runtime.KeepAlive(l)
	d, l = Discovered{}, nil
	per := (int64(kept) - int64(heapAlloc())) / n // what dropping them frees
	t.Logf("a listing keeps %d B per execution", per)
	if per > 2<<10 {
		t.Errorf("a listing keeps %d B per execution, want at most 2 KiB (its Outputs are 8 KiB)", per)
	}
}

// heapAlloc is the live heap: two collections empty the pools too.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
