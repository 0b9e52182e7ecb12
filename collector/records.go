package collector

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// alarm is one triggered CloudWatch alarm.
type alarm struct{ name, state string }

// stepRec is what the exporter keeps of one step execution: only what
// becomes a label or a value. Inputs, Outputs, OverriddenParameters,
// Response and FailureMessage are never read.
type stepRec struct {
	id, status string
	iteration  string   // of the loop the step execution ran in
	def        *stepDef // shared by the step executions that have the same
	start, end time.Time
	alarms     []alarm
}

// stepDef is what a step execution has in common with other runs of the
// same step: its definition, the loop it runs in, how it failed. Each
// target keeps each distinct one once (see interner.def).
type stepDef struct {
	name, action        string
	onFailure, nextStep string
	isCritical, isEnd   string
	parentStepName      string
	failureStage        string
	failureType         string
	maxAttempts         float64
	hasMaxAttempts      bool
	timeout             float64
	hasTimeout          bool
}

// execRec is what the exporter keeps of one execution.
type execRec struct {
	id, document, version  string
	status, autoType, mode string
	parent                 string
	start, end             time.Time
	alarms                 []alarm
}

func boolLabel(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// valid returns s as a label value may hold it: the SDK hands invalid UTF-8
// through as the endpoint sent it, and a label value must be UTF-8. Values
// that cutLabels shortens are made valid there; identifiers, never cut,
// here.
func valid[S ~string](s S) string { return strings.ToValidUTF8(string(s), "\uFFFD") }

func alarmsOf(in []types.AlarmStateInformation) []alarm {
	if len(in) == 0 {
		return nil
	}
	out := make([]alarm, 0, len(in))
	for _, a := range in {
		x := alarm{name: aws.ToString(a.Name), state: valid(a.State)}
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// stepFromSDK copies what the exporter needs from a step execution. Any
// member may be nil.
func stepFromSDK(s *types.StepExecution) stepRec {
	d := &stepDef{
		name:       aws.ToString(s.StepName),
		action:     aws.ToString(s.Action),
		onFailure:  aws.ToString(s.OnFailure),
		nextStep:   aws.ToString(s.NextStep),
		isCritical: boolLabel(s.IsCritical),
		isEnd:      boolLabel(s.IsEnd),
	}
	r := stepRec{
		id:     valid(aws.ToString(s.StepExecutionId)),
		status: valid(s.StepStatus),
		def:    d,
		start:  aws.ToTime(s.ExecutionStartTime),
		end:    aws.ToTime(s.ExecutionEndTime),
		alarms: alarmsOf(s.TriggeredAlarms),
	}
	if s.MaxAttempts != nil {
		d.maxAttempts, d.hasMaxAttempts = float64(*s.MaxAttempts), true
	}
	if s.TimeoutSeconds != nil {
		d.timeout, d.hasTimeout = float64(*s.TimeoutSeconds), true
	}
	if p := s.ParentStepDetails; p != nil {
		d.parentStepName = aws.ToString(p.StepName)
		if p.Iteration != nil {
			r.iteration = strconv.Itoa(int(*p.Iteration))
		}
	}
	if f := s.FailureDetails; f != nil {
		d.failureStage = aws.ToString(f.FailureStage)
		d.failureType = aws.ToString(f.FailureType)
	}
	return r
}

// execFromSDK copies what the exporter needs from execution metadata.
func execFromSDK(m *types.AutomationExecutionMetadata) execRec {
	return execRec{
		id:       valid(aws.ToString(m.AutomationExecutionId)),
		document: aws.ToString(m.DocumentName),
		version:  aws.ToString(m.DocumentVersion),
		status:   valid(m.AutomationExecutionStatus),
		autoType: valid(m.AutomationType),
		mode:     valid(m.Mode),
		parent:   valid(aws.ToString(m.ParentAutomationExecutionId)),
		start:    aws.ToTime(m.ExecutionStartTime),
		end:      aws.ToTime(m.ExecutionEndTime),
		alarms:   alarmsOf(m.TriggeredAlarms),
	}
}

// clearBadTimes clears the times out of range of an execution (see
// ssmapi.PlausibleTime), so that neither they nor a duration made of them
// is exported, and says how many it cleared. Epoch 0 is taken for an
// absent time.
func clearBadTimes(now time.Time, times ...*time.Time) int {
	n := 0
	for _, t := range times {
		switch {
		case t.IsZero():
		case t.Unix() == 0:
			*t = time.Time{}
		case !ssmapi.PlausibleTime(*t, now):
			*t = time.Time{}
			n++
		}
	}
	return n
}

// isTerminal reports whether a status is terminal (see ssmapi.IsTerminal).
func isTerminal(status string) bool { return ssmapi.IsTerminal(status) }

// hasEnded reports whether an execution has ended, so that nothing of it
// can change any more: it is in a terminal status and none of its steps
// is still moving (a step left Pending by an ended execution never runs).
func hasEnded(e *execRec, steps []stepRec) bool {
	if !isTerminal(e.status) {
		return false
	}
	for i := range steps {
		if s := steps[i].status; !isTerminal(s) && s != "Pending" {
			return false
		}
	}
	return true
}

// baseStepStatuses always get an execution_steps series, 0 when absent.
var baseStepStatuses = []string{"Pending", "InProgress", "Success", "Failed", "TimedOut", "Cancelled"}
