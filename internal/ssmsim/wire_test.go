package ssmsim

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

var fullStepStart = time.Date(2024, 3, 1, 12, 0, 0, 123e6, time.UTC)

// fullStep sets every member of the StepExecution shape.
func fullStep() *Step {
	return &Step{
		StepExecutionID: "0f1e2d3c-0000-4000-8000-000000000001", StepName: "restart", Action: "aws:executeAwsApi",
		TimeoutSeconds: aws.Int64(600), OnFailure: "Abort", MaxAttempts: aws.Int32(2),
		StartTime: fullStepStart, EndTime: fullStepStart.Add(1500 * time.Millisecond),
		Status: "Failed", ResponseCode: "400", Inputs: map[string]string{"Service": "ec2"},
		Outputs: map[string][]string{"InstanceIds": {"i-1", "i-2"}, "Empty": nil}, Response: "Step fails",
		FailureMessage:       "Step fails when it is executing",
		FailureDetails:       &FailureDetails{FailureStage: "Invocation", FailureType: "Action", Details: map[string][]string{"ExceptionType": {"AccessDenied"}}},
		OverriddenParameters: map[string][]string{"MaxErrors": {"1"}},
		IsEnd:                aws.Bool(false), NextStep: "notify", IsCritical: aws.Bool(true),
		ValidNextSteps: []string{"notify", "cleanup"},
		Targets:        []Target{{Key: "tag:env", Values: []string{"prod"}}},
		TargetLocation: &TargetLocation{
			Accounts: []string{"111111111111"}, Regions: []string{"eu-west-1"}, ExecutionRoleName: "AutomationRole",
			TargetLocationMaxConcurrency: "2", TargetLocationMaxErrors: "1",
			AlarmNames: []string{"cpu-high"}, IgnorePollAlarmFailure: true,
		},
		TriggeredAlarms:   []Alarm{{Name: "cpu-high", State: "ALARM"}},
		ParentStepDetails: &ParentStepDetails{StepExecutionID: "p1", StepName: "loop", Action: "aws:loop", Iteration: 0, IteratorValue: "i-1"},
	}
}

// stepExecutionMembers are all members of the model's StepExecution shape.
var stepExecutionMembers = []string{
	"Action", "ExecutionEndTime", "ExecutionStartTime", "FailureDetails", "FailureMessage", "Inputs",
	"IsCritical", "IsEnd", "MaxAttempts", "NextStep", "OnFailure", "Outputs", "OverriddenParameters",
	"ParentStepDetails", "Response", "ResponseCode", "StepExecutionId", "StepName", "StepStatus",
	"TargetLocation", "Targets", "TimeoutSeconds", "TriggeredAlarms", "ValidNextSteps",
}

func memberNames(raw json.RawMessage) []string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	var names []string
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func TestStepExecutionWireFormat(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), []*Step{fullStep(), {StepExecutionID: "bare"}})
	url, _ := NewTestServer(t, store, Options{})
	resp := rawCall(t, url, rawHeaders("DescribeAutomationStepExecutions"), `{"AutomationExecutionId":"`+simExecID(1)+`"}`)
	checkResponseHeaders(t, resp)
	var out struct{ StepExecutions []json.RawMessage }
	if err := json.Unmarshal(resp.body, &out); err != nil || len(out.StepExecutions) != 2 {
		t.Fatalf("body %s: %v", resp.body, err)
	}
	if got := memberNames(out.StepExecutions[0]); !slices.Equal(got, stepExecutionMembers) {
		t.Errorf("full step members\n got %v\nwant %v", got, stepExecutionMembers)
	}
	if got := memberNames(out.StepExecutions[1]); !slices.Equal(got, []string{"StepExecutionId"}) {
		t.Errorf("bare step members = %v, want only StepExecutionId", got)
	}
	body := string(resp.body)
	for _, want := range []string{
		`"ExecutionStartTime":1709294400.123`, `"ExecutionEndTime":1709294401.623`,
		`"Outputs":{"Empty":[],"InstanceIds":["i-1","i-2"]}`,
		`"TargetLocationAlarmConfiguration":{"Alarms":[{"Name":"cpu-high"}],"IgnorePollAlarmFailure":true}`,
		`"ParentStepDetails":{"StepExecutionId":"p1","StepName":"loop","Action":"aws:loop","Iteration":0,"IteratorValue":"i-1"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func TestStepExecutionThroughSDK(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), []*Step{fullStep()})
	c, _, _ := newSimClient(t, store, Options{})
	out, err := c.DescribeAutomationStepExecutions(context.Background(), &ssm.DescribeAutomationStepExecutionsInput{
		AutomationExecutionId: aws.String(simExecID(1)),
	})
	if err != nil || len(out.StepExecutions) != 1 {
		t.Fatalf("%v, %d steps", err, len(out.StepExecutions))
	}
	got := out.StepExecutions[0]
	if !aws.ToTime(got.ExecutionStartTime).Equal(fullStepStart) || !aws.ToTime(got.ExecutionEndTime).Equal(fullStepStart.Add(1500*time.Millisecond)) {
		t.Errorf("times = %v, %v", got.ExecutionStartTime, got.ExecutionEndTime)
	}
	got.ExecutionStartTime, got.ExecutionEndTime = nil, nil
	want := types.StepExecution{
		StepExecutionId: aws.String("0f1e2d3c-0000-4000-8000-000000000001"), StepName: aws.String("restart"),
		Action: aws.String("aws:executeAwsApi"), TimeoutSeconds: aws.Int64(600), OnFailure: aws.String("Abort"),
		MaxAttempts: aws.Int32(2), StepStatus: types.AutomationExecutionStatusFailed, ResponseCode: aws.String("400"),
		Inputs:  map[string]string{"Service": "ec2"},
		Outputs: map[string][]string{"InstanceIds": {"i-1", "i-2"}, "Empty": {}}, Response: aws.String("Step fails"),
		FailureMessage: aws.String("Step fails when it is executing"),
		FailureDetails: &types.FailureDetails{FailureStage: aws.String("Invocation"), FailureType: aws.String("Action"),
			Details: map[string][]string{"ExceptionType": {"AccessDenied"}}},
		OverriddenParameters: map[string][]string{"MaxErrors": {"1"}},
		IsEnd:                aws.Bool(false), NextStep: aws.String("notify"), IsCritical: aws.Bool(true),
		ValidNextSteps: []string{"notify", "cleanup"},
		Targets:        []types.Target{{Key: aws.String("tag:env"), Values: []string{"prod"}}},
		TargetLocation: &types.TargetLocation{
			Accounts: []string{"111111111111"}, Regions: []string{"eu-west-1"}, ExecutionRoleName: aws.String("AutomationRole"),
			TargetLocationMaxConcurrency: aws.String("2"), TargetLocationMaxErrors: aws.String("1"),
			TargetLocationAlarmConfiguration: &types.AlarmConfiguration{
				Alarms: []types.Alarm{{Name: aws.String("cpu-high")}}, IgnorePollAlarmFailure: true,
			},
		},
		TriggeredAlarms: []types.AlarmStateInformation{{Name: aws.String("cpu-high"), State: types.ExternalAlarmStateAlarm}},
		ParentStepDetails: &types.ParentStepDetails{StepExecutionId: aws.String("p1"), StepName: aws.String("loop"),
			Action: aws.String("aws:loop"), Iteration: aws.Int32(0), IteratorValue: aws.String("i-1")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SDK step\n got %+v\nwant %+v", got, want)
	}
}

func TestExecutionWireFormat(t *testing.T) {
	store := NewStore()
	e := &Execution{
		ID: simExecID(1), DocumentName: "AWS-RestartEC2Instance", DocumentVersion: "1", Status: "Failed",
		StartTime: testEpoch, EndTime: testEpoch.Add(90 * time.Second), ParentExecutionID: simExecID(2),
		AutomationType: "Local", Mode: "Auto", ExecutedBy: "arn:aws:iam::123456789012:user/ops", Target: "i-1",
		CurrentStepName: "restart", CurrentAction: "aws:executeAwsApi", FailureMessage: "Step failed",
		Tags: map[string]string{"team": "a"}, TriggeredAlarms: []Alarm{{Name: "a", State: "UNKNOWN"}},
		Outputs: map[string][]string{"restart.InstanceIds": {"i-1"}}, Steps: []*Step{{StepExecutionID: "s1"}},
	}
	store.Put(defaultAccount, testRegion, e)
	url, _ := NewTestServer(t, store, Options{})
	list := rawCall(t, url, rawHeaders("DescribeAutomationExecutions"), `{}`)
	var listed struct{ AutomationExecutionMetadataList []json.RawMessage }
	if err := json.Unmarshal(list.body, &listed); err != nil || len(listed.AutomationExecutionMetadataList) != 1 {
		t.Fatalf("list body %s", list.body)
	}
	wantMeta := []string{"AutomationExecutionId", "AutomationExecutionStatus", "AutomationType", "CurrentAction",
		"CurrentStepName", "DocumentName", "DocumentVersion", "ExecutedBy", "ExecutionEndTime", "ExecutionStartTime",
		"FailureMessage", "Mode", "Outputs", "ParentAutomationExecutionId", "Target", "TriggeredAlarms"}
	if got := memberNames(listed.AutomationExecutionMetadataList[0]); !slices.Equal(got, wantMeta) {
		t.Errorf("metadata members\n got %v\nwant %v", got, wantMeta)
	}
	get := rawCall(t, url, rawHeaders("GetAutomationExecution"), `{"AutomationExecutionId":"`+simExecID(1)+`"}`)
	var got struct{ AutomationExecution json.RawMessage }
	if err := json.Unmarshal(get.body, &got); err != nil {
		t.Fatalf("get body %s", get.body)
	}
	wantExec := []string{"AutomationExecutionId", "AutomationExecutionStatus", "CurrentAction", "CurrentStepName",
		"DocumentName", "DocumentVersion", "ExecutedBy", "ExecutionEndTime", "ExecutionStartTime", "FailureMessage",
		"Mode", "Outputs", "ParentAutomationExecutionId", "StepExecutions", "StepExecutionsTruncated", "Target", "TriggeredAlarms"}
	if names := memberNames(got.AutomationExecution); !slices.Equal(names, wantExec) {
		t.Errorf("execution members\n got %v\nwant %v", names, wantExec)
	}
	if !strings.Contains(string(get.body), `"StepExecutionsTruncated":false`) || !strings.Contains(string(get.body), `"ExecutionStartTime":1709294400,`) {
		t.Errorf("get body %s", get.body)
	}
}

func TestFormatEpoch(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1700000000, 0), "1700000000"},
		{time.Unix(1700000000, 123e6), "1700000000.123"},
		{time.Unix(1700000000, 120e6), "1700000000.12"},
		{time.Unix(1700000000, 5e6), "1700000000.005"},
		{time.Unix(1700000000, 999999999), "1700000000.999"},
		{time.Unix(-1, 500e6), "-0.5"},
	} {
		if got := formatEpoch(tc.t); got != tc.want {
			t.Errorf("formatEpoch(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
