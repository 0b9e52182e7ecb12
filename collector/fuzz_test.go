package collector

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// stepInput is one fuzzed step execution: strings, numbers and a bit set
// choosing which members are nil, zero or repeated.
type stepInput struct {
	bits                                  uint32
	id, name, action, status              string
	onFailure, nextStep, parent           string
	stage, failureType, alarm, alarmState string
	maxAttempts, iteration                int32
	timeout, start, end                   int64
	document                              string
	maxLabel                              uint16
}

// Bits of stepInput.bits.
const (
	nilID = 1 << iota
	nilName
	nilAction
	nilOnFailure
	nilNextStep
	nilMaxAttempts
	nilTimeout
	nilStart
	nilEnd
	zeroStart
	zeroEnd
	nilIsCritical
	nilIsEnd
	isCriticalTrue
	isEndTrue
	nilParent
	nilParentName
	nilIteration
	nilFailureDetails
	nilStage
	nilFailureType
	nilAlarms
	nilAlarmName
	duplicateAlarm
	secondAlarm
)

func (in *stepInput) str(bit uint32, s string) *string {
	if in.bits&bit != 0 {
		return nil
	}
	return aws.String(s)
}

func (in *stepInput) when(nilBit, zeroBit uint32, sec int64) *time.Time {
	switch {
	case in.bits&nilBit != 0:
		return nil
	case in.bits&zeroBit != 0:
		return aws.Time(time.Time{})
	}
	return aws.Time(time.Unix(sec, 0))
}

func (in *stepInput) alarms() []types.AlarmStateInformation {
	if in.bits&nilAlarms != 0 {
		return nil
	}
	a := types.AlarmStateInformation{Name: in.str(nilAlarmName, in.alarm), State: types.ExternalAlarmState(in.alarmState)}
	out := []types.AlarmStateInformation{a}
	if in.bits&duplicateAlarm != 0 {
		out = append(out, a)
	}
	if in.bits&secondAlarm != 0 {
		// Differs from the first only past max_label_length when the
		// name is long enough to be cut.
		out = append(out, types.AlarmStateInformation{Name: aws.String(in.alarm + "-2"), State: a.State})
	}
	return out
}

// sdkStep builds the step execution the SDK would hand over.
func (in *stepInput) sdkStep() *types.StepExecution {
	s := &types.StepExecution{
		StepExecutionId:    in.str(nilID, in.id),
		StepName:           in.str(nilName, in.name),
		Action:             in.str(nilAction, in.action),
		StepStatus:         types.AutomationExecutionStatus(in.status),
		OnFailure:          in.str(nilOnFailure, in.onFailure),
		NextStep:           in.str(nilNextStep, in.nextStep),
		ExecutionStartTime: in.when(nilStart, zeroStart, in.start),
		ExecutionEndTime:   in.when(nilEnd, zeroEnd, in.end),
		TriggeredAlarms:    in.alarms(),
		Inputs:             map[string]string{"k": secret("input")},
		FailureMessage:     aws.String(secret("failure")),
	}
	if in.bits&nilMaxAttempts == 0 {
		s.MaxAttempts = aws.Int32(in.maxAttempts)
	}
	if in.bits&nilTimeout == 0 {
		s.TimeoutSeconds = aws.Int64(in.timeout)
	}
	if in.bits&nilIsCritical == 0 {
		s.IsCritical = aws.Bool(in.bits&isCriticalTrue != 0)
	}
	if in.bits&nilIsEnd == 0 {
		s.IsEnd = aws.Bool(in.bits&isEndTrue != 0)
	}
	if in.bits&nilParent == 0 {
		s.ParentStepDetails = &types.ParentStepDetails{StepName: in.str(nilParentName, in.parent)}
		if in.bits&nilIteration == 0 {
			s.ParentStepDetails.Iteration = aws.Int32(in.iteration)
		}
	}
	if in.bits&nilFailureDetails == 0 {
		s.FailureDetails = &types.FailureDetails{
			FailureStage: in.str(nilStage, in.stage),
			FailureType:  in.str(nilFailureType, in.failureType),
			Details:      map[string][]string{"k": {secret("details")}},
		}
	}
	return s
}

// cutLabelNames are the labels whose values max_label_length bounds; the
// identifiers (execution_id, step_execution_id, parent_execution_id) are
// never cut.
var cutLabelNames = map[string]bool{
	"step_name": true, "action": true, "on_failure": true, "next_step": true,
	"parent_step_name": true, "failure_stage": true, "failure_type": true, "alarm_name": true, "document_name": true,
	"document_version": true,
}

// FuzzStepMapping feeds odd step executions through the path of a scrape:
// conversion, label cutting, finished counters, aggregates and the
// written exposition. No series may be written twice or fail to parse, and
// every label value must be valid UTF-8 and within max_label_length where
// that applies.
func FuzzStepMapping(f *testing.F) {
	f.Add(uint32(0), "s-1", "patch", "aws:runCommand", "Success", "Abort", "report", "loop", "Invocation", "Verification",
		"HighErrorRate", "ALARM", int32(3), int32(1), int64(600), int64(1700000000), int64(1700000060), "AWS-PatchFleet", uint16(128))
	f.Add(uint32(1<<25-1), "", "", "", "", "", "", "", "", "", "", "", int32(0), int32(0), int64(0), int64(0), int64(0), "", uint16(0))
	f.Add(uint32(duplicateAlarm|secondAlarm|zeroEnd), strings.Repeat("é", 100), "\xff\xfe", "a\x00b", "Failed", "", "", "", "", "",
		strings.Repeat("a", 300), "OK", int32(-1), int32(-2147483648), int64(-1), int64(1700000060), int64(1700000000), "\xc3", uint16(17))
	api := ssmapi.NewAPIMetrics(prometheus.NewRegistry())
	f.Fuzz(func(t *testing.T, bits uint32, id, name, action, status, onFailure, nextStep, parent, stage, failureType,
		alarm, alarmState string, maxAttempts, iteration int32, timeout, start, end int64, document string, maxLabel uint16) {
		in := &stepInput{
			bits: bits, id: id, name: name, action: action, status: status, onFailure: onFailure, nextStep: nextStep,
			parent: parent, stage: stage, failureType: failureType, alarm: alarm, alarmState: alarmState,
			maxAttempts: maxAttempts, iteration: iteration, timeout: timeout, start: start, end: end,
			document: document, maxLabel: maxLabel,
		}
		maxLen := 16 + int(maxLabel)%512 // config allows 16 and up
		mfs := emitStep(t, api, in, maxLen)
		checkEmitted(t, in, mfs, maxLen)
	})
}

// emitStep runs one step execution through what a refresh and a scrape do
// with it and returns every family the scrape writes.
func emitStep(t *testing.T, api *ssmapi.APIMetrics, in *stepInput, maxLen int) []*dto.MetricFamily {
	t.Helper()
	now := func() time.Time { return fixedNow }
	ts := &targetState{name: "t", counters: api.ForTarget("t"), finished: newFinishedCounter("t", 10)}
	cut := labelCutter(maxLen, ts.counters)
	step := stepFromSDK(in.sdkStep())
	step.cutLabels(cut)
	meta := &types.AutomationExecutionMetadata{
		AutomationExecutionId:       aws.String(in.id),
		DocumentName:                in.str(nilName, in.document),
		DocumentVersion:             in.str(nilStage, in.failureType),
		ParentAutomationExecutionId: in.str(nilParentName, in.parent),
		AutomationType:              types.AutomationType(in.onFailure),
		Mode:                        types.ExecutionMode(in.nextStep),
		AutomationExecutionStatus:   types.AutomationExecutionStatus(in.status),
		ExecutionStartTime:          in.when(nilStart, zeroStart, in.start),
		ExecutionEndTime:            in.when(nilEnd, zeroEnd, in.end),
		TriggeredAlarms:             in.alarms(),
		FailureMessage:              aws.String(secret("failure")),
	}
	exec := execFromSDK(meta)
	exec.cutLabels(cut)
	if exec.id == "" {
		exec.id = idFailed // as fetchOne does: the id asked for
	}
	tr := &tracked{exec: exec, steps: []stepRec{step}, ended: hasEnded(&exec, []stepRec{step}), lastSuccess: fixedNow}
	ts.finished.count(map[string]*tracked{exec.id: tr})
	tr.prepare(newInterner())

	target := config.ExpandedTarget{Name: "t", Region: "us-east-1", Target: &config.Target{Details: config.DetailsSteps}}
	v := &view{execs: []*tracked{tr}, steps: aggregate([]*tracked{tr}), up: true, refreshedAt: fixedNow}
	sc := scrapeOf(scrapePart{ts: ts, cfg: target, v: v, now: now()})
	checkWritten(t, sc)
	var out []*dto.MetricFamily
	dec := expfmt.NewDecoder(bytes.NewReader(written(t, sc, expfmt.NewFormat(expfmt.TypeProtoDelim))), expfmt.NewFormat(expfmt.TypeProtoDelim))
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding the series of one step: %v", err)
		}
		out = append(out, mf)
	}
	return out
}

func checkEmitted(t *testing.T, in *stepInput, mfs []*dto.MetricFamily, maxLen int) {
	t.Helper()
	seen := map[string]bool{}
	counts := map[string]int{}
	const (
		stepDuration = "ssm_automation_step_duration_seconds"
		stepAttempts = "ssm_automation_step_max_attempts"
		stepTimeout  = "ssm_automation_step_timeout_seconds"
		stepStart    = "ssm_automation_step_start_timestamp_seconds"
	)
	for _, mf := range mfs {
		name := mf.GetName()
		for _, pb := range mf.GetMetric() {
			counts[name]++
			key := name
			for _, lp := range pb.GetLabel() {
				v := lp.GetValue()
				if !utf8.ValidString(v) {
					t.Errorf("%s: label %s=%q is not valid UTF-8", name, lp.GetName(), v)
				}
				if cutLabelNames[lp.GetName()] && len(v) > maxLen {
					t.Errorf("%s: label %s is %d bytes, over max_label_length %d", name, lp.GetName(), len(v), maxLen)
				}
				if lp.GetName() == "step_execution_id" && in.bits&nilID == 0 && v != strings.ToValidUTF8(in.id, "\uFFFD") {
					t.Errorf("%s: step_execution_id %q is not the id %q: identifiers are never cut", name, v, in.id)
				}
				if strings.Contains(v, "SECRET") {
					t.Errorf("%s: label %s=%q holds free text", name, lp.GetName(), v)
				}
				key += "\xff" + lp.GetName() + "\xff" + v
			}
			if seen[key] {
				t.Errorf("series sent twice: %s", key)
			}
			seen[key] = true
			switch v := pb.GetGauge().GetValue(); name {
			case stepDuration:
				if v < 0 {
					t.Errorf("negative step duration %v", v)
				}
			case stepAttempts:
				if v != float64(in.maxAttempts) {
					t.Errorf("step_max_attempts = %v, want %d", v, in.maxAttempts)
				}
			case stepTimeout:
				if v != float64(in.timeout) {
					t.Errorf("step_timeout_seconds = %v, want %d", v, in.timeout)
				}
			}
		}
	}
	want := map[string]int{"ssm_automation_step_info": 1, "ssm_automation_execution_info": 1,
		"ssm_automation_target_info": 1, "ssm_automation_up": 1}
	if in.bits&nilMaxAttempts == 0 {
		want[stepAttempts] = 1
	} else {
		want[stepAttempts] = 0
	}
	if in.bits&nilTimeout == 0 {
		want[stepTimeout] = 1
	} else {
		want[stepTimeout] = 0
	}
	started := in.bits&(nilStart|zeroStart) == 0
	ended := in.bits&(nilEnd|zeroEnd) == 0
	want[stepStart], want[stepDuration] = 0, 0
	if started {
		want[stepStart] = 1
		// A step with no end has a duration only while it runs.
		if ended || !isTerminal(strings.ToValidUTF8(in.status, "\uFFFD")) {
			want[stepDuration] = 1
		}
	}
	for name, n := range want {
		if counts[name] != n {
			t.Errorf("%s sent %d times, want %d", name, counts[name], n)
		}
	}
}
