package events

import (
	"strings"
	"testing"
	"time"
)

// The examples of the Automation events that AWS documents (Amazon
// EventBridge event examples for Systems Manager), in their shape and
// field formats.
const (
	docStepEvent = `{"version": "0", "id": "eeca120b-a321-433e-9635-dab369006a6b",
  "detail-type": "EC2 Automation Step Status-change Notification", "source": "aws.ssm",
  "account": "123456789012", "time": "2024-11-29T19:43:35Z", "region": "us-east-1",
  "resources": ["arn:aws:ssm:us-east-2:123456789012:automation-execution/333ba70b-2333-48db-b17e-a5e69c6f4d1c",
    "arn:aws:ssm:us-east-2:123456789012:automation-definition/runcommand1:1"],
  "detail": {"ExecutionId": "333ba70b-2333-48db-b17e-a5e69c6f4d1c", "Definition": "runcommand1",
    "DefinitionVersion": 1.0, "Status": "Success", "EndTime": "Nov 29, 2024 7:43:25 PM",
    "StartTime": "Nov 29, 2024 7:43:23 PM", "Time": 2630.0, "StepName": "runFixedCmds", "Action": "aws:runCommand"}}`
	docExecutionEvent = `{"version": "0", "id": "d290ece9-1088-4383-9df6-cd5b4ac42b99",
  "detail-type": "EC2 Automation Execution Status-change Notification", "source": "aws.ssm",
  "account": "123456789012", "time": "2024-11-29T19:43:35Z", "region": "us-east-2",
  "resources": ["arn:aws:ssm:us-east-2:123456789012:automation-execution/333ba70b-2333-48db-b17e-a5e69c6f4d1c",
    "arn:aws:ssm:us-east-2:123456789012:automation-definition/runcommand1:1"],
  "detail": {"ExecutionId": "333ba70b-2333-48db-b17e-a5e69c6f4d1c", "Definition": "runcommand1",
    "DefinitionVersion": 1.0, "Status": "Success", "StartTime": "Nov 29, 2024 7:43:20 PM",
    "EndTime": "Nov 29, 2024 7:43:26 PM", "Time": 5753.0, "ExecutedBy": "arn:aws:iam::123456789012:user/userName"}}`
)

func TestParseDocumentedEvents(t *testing.T) {
	at := time.Date(2024, 11, 29, 19, 43, 35, 0, time.UTC)
	for _, c := range []struct {
		body string
		want Event
	}{
		{docStepEvent, Event{DetailType: StepDetailType, Account: "123456789012", Region: "us-east-1", Time: at,
			ExecutionID: "333ba70b-2333-48db-b17e-a5e69c6f4d1c", Document: "runcommand1", Status: "Success"}},
		{docExecutionEvent, Event{DetailType: ExecutionDetailType, Account: "123456789012", Region: "us-east-2", Time: at,
			ExecutionID: "333ba70b-2333-48db-b17e-a5e69c6f4d1c", Document: "runcommand1", Status: "Success"}},
	} {
		ev, dt, reason := Parse(c.body, at.Add(time.Second))
		if reason != "" || dt != c.want.DetailType || ev != c.want {
			t.Errorf("Parse = %+v, %q, %q; want %+v", ev, dt, reason, c.want)
		}
	}
}

// TestParseReasons gives every reason a body is not used for, and the
// detail_type label it counts under.
func TestParseReasons(t *testing.T) {
	now := time.Date(2024, 11, 29, 19, 43, 36, 0, time.UTC) // a second after the event
	swap := func(old, new string) string { return strings.Replace(docStepEvent, old, new, 1) }
	for _, c := range []struct {
		name, body, detailType, reason string
	}{
		{"text", "hello", otherDetailType, ReasonNotEnvelope},
		{"empty", "", otherDetailType, ReasonTruncated},
		{"array", `[1, 2]`, otherDetailType, ReasonNotEnvelope},
		{"no detail", `{"source": "aws.ssm", "detail-type": "` + StepDetailType + `"}`, otherDetailType, ReasonNotEnvelope},
		{"sns wrapped", `{"Type": "Notification", "Message": "{}"}`, otherDetailType, ReasonNotEnvelope},
		{"cut", docStepEvent[:len(docStepEvent)/2], otherDetailType, ReasonTruncated},
		{"too large", docStepEvent + strings.Repeat(" ", maxBodyBytes), otherDetailType, ReasonTooLarge},
		{"other source", swap(`"aws.ssm"`, `"aws.ec2"`), otherDetailType, ReasonOtherEvent},
		{"other detail type", swap(StepDetailType, "Parameter Store Change"), otherDetailType, ReasonOtherEvent},
		{"bad time", swap("2024-11-29T19:43:35Z", "Nov 29, 2024"), StepDetailType, ReasonMalformed},
		{"bad account", swap(`"123456789012"`, `"1234"`), StepDetailType, ReasonMalformed},
		{"bad region", swap(`"us-east-1"`, `"US"`), StepDetailType, ReasonMalformed},
		{"upper-case id", swap(`"ExecutionId": "333ba70b`, `"ExecutionId": "333BA70B`), StepDetailType, ReasonMalformed},
		{"no id", swap(`"ExecutionId"`, `"Execution"`), StepDetailType, ReasonMalformed},
		{"detail not an object", swap(`"detail": {`, `"detail": "x", "d": {`), StepDetailType, ReasonMalformed},
		{"time a number", swap(`"2024-11-29T19:43:35Z"`, `1732909415`), StepDetailType, ReasonMalformed},
		{"account a number", swap(`"123456789012"`, `123456789012`), StepDetailType, ReasonMalformed},
		{"region an object", swap(`"region": "us-east-1"`, `"region": {}`), StepDetailType, ReasonMalformed},
		{"time before 2000", swap("2024-11-29T19:43:35Z", "1999-12-31T23:59:59Z"), StepDetailType, ReasonMalformed},
		{"time of year 1", swap("2024-11-29T19:43:35Z", "0001-01-01T00:00:00Z"), StepDetailType, ReasonMalformed},
		{"time over a day ahead", swap("2024-11-29T19:43:35Z", "2024-11-30T19:43:37Z"), StepDetailType, ReasonMalformed},
		{"time far ahead", swap("2024-11-29T19:43:35Z", "2316-01-01T00:00:00Z"), StepDetailType, ReasonMalformed},
		{"document name too long", swap(`"Definition": "runcommand1"`, `"Definition": "`+strings.Repeat("d", maxDocumentName+1)+`"`), StepDetailType, ReasonMalformed},
		{"document name huge", swap(`"Definition": "runcommand1"`, `"Definition": "`+strings.Repeat("d", 200<<10)+`"`), StepDetailType, ReasonMalformed},
		{"document name a number", swap(`"Definition": "runcommand1"`, `"Definition": 1`), StepDetailType, ReasonMalformed},
	} {
		_, dt, reason := Parse(c.body, now)
		if dt != c.detailType || reason != c.reason {
			t.Errorf("%s: Parse = %q, %q; want %q, %q", c.name, dt, reason, c.detailType, c.reason)
		}
	}
}

// TestParseBounds gives the times and document names at the edges of what
// an event may carry: they are used.
func TestParseBounds(t *testing.T) {
	now := time.Date(2024, 11, 29, 19, 43, 35, 0, time.UTC)
	swap := func(old, new string) string { return strings.Replace(docStepEvent, old, new, 1) }
	for _, c := range []struct {
		name, body string
	}{
		{"a day ahead", swap("2024-11-29T19:43:35Z", "2024-11-30T19:43:35Z")},
		{"the first second of 2000", swap("2024-11-29T19:43:35Z", "2000-01-01T00:00:00Z")},
		{"a document name of 128 characters", swap(`"Definition": "runcommand1"`, `"Definition": "`+strings.Repeat("d", maxDocumentName)+`"`)},
	} {
		if _, _, reason := Parse(c.body, now); reason != "" {
			t.Errorf("%s: Parse says %q, want the event used", c.name, reason)
		}
	}
}
