package ssmsim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// stepDef is one step of a runbook definition.
type stepDef struct {
	name, action string
	onFailure    string // Continue, step:<name>, or empty for Abort
	critical     bool
	end          bool      // isEnd: the execution stops after this step
	timeout      int64     // timeoutSeconds; 0 for none
	choices      []string  // aws:branch targets, the usual path first
	body         []stepDef // aws:loop steps, run once per iterator value
}

// runbook is an Automation document the generator knows how to run.
type runbook struct {
	name     string
	versions int
	steps    []stepDef
}

// runbooks are modelled on real AWS-owned and customer runbooks. The first
// two act on one instance and back the rate-controlled parent executions.
var runbooks = []runbook{
	{"AWS-RestartEC2Instance", 2, []stepDef{
		{name: "stopInstances", action: "aws:changeInstanceState", critical: true, timeout: 900},
		{name: "startInstances", action: "aws:changeInstanceState", critical: true, timeout: 900, end: true},
	}},
	{"AWS-PatchInstanceWithRollback", 3, []stepDef{
		{name: "checkConcurrency", action: "aws:executeScript", critical: true},
		{name: "createSnapshot", action: "aws:executeAwsApi", critical: true},
		{name: "waitForSnapshot", action: "aws:waitForAwsResourceProperty", critical: true, timeout: 1800},
		{name: "installPatches", action: "aws:runCommand", onFailure: "step:restoreFromSnapshot", critical: true, timeout: 3600},
		{name: "verifyPatchState", action: "aws:assertAwsResourceProperty", onFailure: "step:restoreFromSnapshot", critical: true},
		{name: "checkRebootRequired", action: "aws:branch", choices: []string{"rebootInstance", "deleteSnapshot"}},
		{name: "rebootInstance", action: "aws:changeInstanceState", critical: true, timeout: 600},
		{name: "deleteSnapshot", action: "aws:executeAwsApi", onFailure: "Continue", end: true},
		{name: "restoreFromSnapshot", action: "aws:executeScript", critical: true, end: true, timeout: 1200},
	}},
	{"AWS-UpdateLinuxAmi", 2, []stepDef{
		{name: "launchInstance", action: "aws:executeAwsApi", critical: true},
		{name: "waitForInstanceReady", action: "aws:waitForAwsResourceProperty", critical: true, timeout: 900},
		{name: "updateOSSoftware", action: "aws:runCommand", onFailure: "step:terminateInstance", critical: true, timeout: 3600},
		{name: "stopInstance", action: "aws:changeInstanceState", critical: true, timeout: 600},
		{name: "createImage", action: "aws:executeAwsApi", critical: true},
		{name: "waitForImageAvailable", action: "aws:waitForAwsResourceProperty", critical: true, timeout: 1800},
		{name: "terminateInstance", action: "aws:changeInstanceState", onFailure: "Continue", end: true},
	}},
	{"Custom-RemediationEncryptVolumes", 4, []stepDef{
		{name: "describeUnencryptedVolumes", action: "aws:executeAwsApi", critical: true},
		{name: "approveEncryption", action: "aws:approve", critical: true, timeout: 7200},
		{name: "encryptEachInstance", action: "aws:loop", critical: true, body: []stepDef{
			{name: "createSnapshot", action: "aws:executeAwsApi", critical: true},
			{name: "waitForSnapshot", action: "aws:waitForAwsResourceProperty", critical: true, timeout: 1200},
			{name: "tagVolume", action: "aws:executeAwsApi", onFailure: "Continue"},
		}},
		{name: "sendReport", action: "aws:executeScript", onFailure: "Continue", end: true},
	}},
	{"Custom-RemediationRestartServices", 7, []stepDef{
		{name: "applyConfiguration", action: "aws:runCommand", critical: true, timeout: 1800},
		{name: "waitForSettle", action: "aws:sleep"},
		{name: "checkConvergence", action: "aws:branch", choices: []string{"reportResult", "applyConfiguration"}},
		{name: "reportResult", action: "aws:executeScript", onFailure: "Continue", end: true},
	}},
	{"AWSSupport-ExecuteEC2Rescue", 5, []stepDef{
		{name: "assertInstanceState", action: "aws:assertAwsResourceProperty", critical: true},
		{name: "approveRescue", action: "aws:approve", critical: true, timeout: 7200},
		{name: "runEC2Rescue", action: "aws:executeAutomation", critical: true, timeout: 3600},
		{name: "collectRescueLogs", action: "aws:executeScript", onFailure: "Continue", end: true},
	}},
}

func (rb *runbook) bodyLen() int {
	for _, d := range rb.steps {
		if len(d.body) > 0 {
			return len(d.body)
		}
	}
	return 0
}

// findStepDef looks a top-level step up by runbook and step name.
func findStepDef(document, step string) (stepDef, string, bool) {
	for _, rb := range runbooks {
		for i, d := range rb.steps {
			if rb.name == document && d.name == step {
				return d, followName(rb.steps, i), true
			}
		}
	}
	return stepDef{}, "", false
}

func followName(defs []stepDef, i int) string {
	if i+1 < len(defs) {
		return defs[i+1].name
	}
	return ""
}

// walker runs a runbook once, appending step executions in the order they
// start. At index cut it leaves the step running (or cancels it); every step
// the run would reach after that is listed as Pending.
type walker struct {
	rnd        *rand.Rand
	t          time.Time // when the next step starts
	cut        int       // -1 for a finished run
	cancel     bool
	iterations int
	target     string
	steps      []*Step
	pending    bool // past the cut
	stopped    bool // ended by isEnd, an abort or a cancel
	jumpedBack bool // branches jump back at most once
}

func (w *walker) run(defs []stepDef) {
	w.target = genInstanceID(w.rnd)
	for i := 0; i < len(defs) && !w.stopped; {
		next := w.runStep(defs[i], followName(defs, i), nil)
		j := -1
		for k, d := range defs {
			if next != "" && d.name == next {
				j = k
			}
		}
		if j < 0 || (j <= i && w.jumpedBack) {
			i++
			continue
		}
		w.jumpedBack = w.jumpedBack || j <= i
		i = j
	}
}

// runStep appends one step execution and returns the step to jump to, if any.
func (w *walker) runStep(d stepDef, follow string, parent *ParentStepDetails) string {
	st := buildStep(w.rnd, d, follow, w.target, parent)
	idx := len(w.steps)
	w.steps = append(w.steps, st)
	if d.action == "aws:loop" {
		return w.runLoop(d, st, idx)
	}
	switch {
	case w.pending:
	case idx == w.cut && w.cancel:
		st.Status, st.StartTime = "Cancelled", w.t
		st.EndTime = w.t.Add(genDuration(w.rnd, d) / 3)
		w.t, w.stopped = st.EndTime.Add(time.Second), true
		return ""
	case idx == w.cut:
		st.Status, st.StartTime = "InProgress", w.t
		if d.action == "aws:approve" {
			st.Status = "Waiting"
		}
		w.pending = true
	default:
		w.finish(d, st)
	}
	return w.flow(d, st)
}

// flow applies isEnd and onFailure after a step and names the next step.
func (w *walker) flow(d stepDef, st *Step) string {
	failed := st.Status == "Failed" || st.Status == "TimedOut"
	target, jump := strings.CutPrefix(d.onFailure, "step:")
	switch {
	case d.end || st.Status == "Cancelled" || (failed && d.onFailure != "Continue" && !jump):
		w.stopped = true
	case failed && jump:
		return target
	case d.action == "aws:branch" && st.NextStep != "":
		return st.NextStep
	case d.action == "aws:branch":
		return d.choices[0]
	}
	return ""
}

func (w *walker) runLoop(d stepDef, st *Step, idx int) string {
	if idx == w.cut {
		w.cut++ // a loop runs while its body does
	}
	started := !w.pending
	if started {
		st.Status, st.StartTime = "InProgress", w.t
	}
	values := make([]string, w.iterations)
	for i := range values {
		values[i] = genInstanceID(w.rnd)
	}
	st.Inputs = map[string]string{
		"Iterators":     "[" + strings.Join(values, ",") + "]",
		"MaxIterations": fmt.Sprint(len(values)),
	}
	var last *Step
	for i := 0; i < len(values) && !w.stopped; i++ {
		for j := 0; j < len(d.body) && !w.stopped; j++ {
			w.runStep(d.body[j], followName(d.body, j), &ParentStepDetails{
				StepExecutionID: st.StepExecutionID, StepName: d.name, Action: d.action,
				Iteration: int32(i + 1), IteratorValue: values[i],
			})
			last = w.steps[len(w.steps)-1]
		}
	}
	if started && !w.pending {
		st.Status, st.EndTime = "Success", last.EndTime
		st.Outputs = map[string][]string{
			"CurrentIteration": {fmt.Sprint(last.ParentStepDetails.Iteration)}, "CurrentIteratorValue": {last.ParentStepDetails.IteratorValue},
		}
		if w.stopped {
			st.Status, st.FailureMessage, st.FailureDetails = last.Status, last.FailureMessage, last.FailureDetails
		}
	}
	return w.flow(d, st)
}

func (w *walker) finish(d stepDef, st *Step) {
	dur := genDuration(w.rnd, d)
	r := w.rnd.Float64()
	st.StartTime = w.t
	switch {
	case d.action == "aws:branch" || d.action == "aws:sleep":
		st.Status = "Success"
	case d.timeout > 0 && r < 0.04:
		dur = time.Duration(d.timeout) * time.Second
		genFail(w.rnd, st, "TimedOut")
	case r < 0.1:
		genFail(w.rnd, st, "Failed")
	default:
		genSucceed(w.rnd, st, w.target)
	}
	if d.action == "aws:branch" {
		st.NextStep = d.choices[0]
		if len(d.choices) > 1 && !w.jumpedBack && w.rnd.IntN(3) == 0 {
			st.NextStep = d.choices[1+w.rnd.IntN(len(d.choices)-1)]
		}
	}
	st.EndTime = st.StartTime.Add(dur)
	w.t = st.EndTime.Add(time.Duration(w.rnd.IntN(3)) * time.Second)
}

// buildStep makes a Pending step execution of d.
func buildStep(r *rand.Rand, d stepDef, follow, target string, parent *ParentStepDetails) *Step {
	st := &Step{
		StepExecutionID: genUUID(r), StepName: d.name, Action: d.action, OnFailure: "Abort",
		MaxAttempts: genPtr(int32(1 + r.IntN(3))), Status: "Pending",
		IsCritical: genPtr(d.critical), IsEnd: genPtr(d.end),
		Inputs: genInputs(d, target), ParentStepDetails: parent,
	}
	if d.onFailure != "" {
		st.OnFailure = d.onFailure
	}
	if d.timeout > 0 {
		st.TimeoutSeconds = genPtr(d.timeout)
	}
	switch {
	case len(d.choices) > 0:
		st.ValidNextSteps = append([]string(nil), d.choices...)
	case follow != "" && !d.end:
		st.ValidNextSteps = []string{follow}
	}
	if x, ok := strings.CutPrefix(d.onFailure, "step:"); ok {
		st.ValidNextSteps = append(st.ValidNextSteps, x)
	}
	if r.IntN(20) == 0 {
		st.OverriddenParameters = map[string][]string{"AutomationAssumeRole": {"arn:aws:iam::123456789012:role/AutomationBreakGlass"}}
	}
	return st
}

// genDuration is how long a successful step of d takes; it stays under the timeout.
func genDuration(r *rand.Rand, d stepDef) time.Duration {
	sec := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Second }
	var dur time.Duration
	switch d.action {
	case "aws:branch":
		dur = sec(0, 1)
	case "aws:sleep":
		dur = time.Minute
	case "aws:approve":
		dur = sec(120, 3600)
	case "aws:runCommand", "aws:executeAutomation":
		dur = sec(20, 900)
	case "aws:waitForAwsResourceProperty":
		dur = sec(10, 600)
	case "aws:changeInstanceState":
		dur = sec(5, 90)
	default:
		dur = sec(1, 40)
	}
	if limit := time.Duration(d.timeout) * time.Second; d.timeout > 0 && dur >= limit {
		dur = limit - time.Second
	}
	return dur
}

func genInputs(d stepDef, target string) map[string]string {
	ids := `["` + target + `"]`
	switch d.action {
	case "aws:runCommand":
		return map[string]string{"DocumentName": "AWS-RunShellScript", "InstanceIds": ids, "InstanceId": target,
			"Parameters": `{"commands":["sudo systemctl restart app.service"]}`}
	case "aws:executeScript":
		return map[string]string{"Runtime": "python3.11", "Handler": "handler", "InstanceId": target,
			"InputPayload": `{"InstanceId":"` + target + `"}`}
	case "aws:executeAwsApi":
		return map[string]string{"Service": "ec2", "Api": strings.ToUpper(d.name[:1]) + d.name[1:], "InstanceId": target}
	case "aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty":
		return map[string]string{"Service": "ec2", "Api": "DescribeInstances", "InstanceId": target,
			"PropertySelector": "$.Reservations[0].Instances[0].State.Name", "DesiredValues": `["running","stopped"]`}
	case "aws:changeInstanceState":
		state := "running"
		if strings.HasPrefix(d.name, "stop") {
			state = "stopped"
		}
		return map[string]string{"InstanceIds": ids, "InstanceId": target, "DesiredState": state}
	case "aws:approve":
		return map[string]string{"Approvers": `["arn:aws:iam::123456789012:role/ChangeApprovers"]`,
			"MinRequiredApprovals": "1", "Message": "Approve the rescue of " + target}
	case "aws:executeAutomation":
		return map[string]string{"DocumentName": "AWSSupport-StartEC2RescueWorkflow", "InstanceId": target}
	case "aws:sleep":
		return map[string]string{"Duration": "PT1M"}
	case "aws:branch":
		return map[string]string{"Choices": `["` + strings.Join(d.choices, `","`) + `"]`}
	}
	return nil
}

func genSucceed(r *rand.Rand, st *Step, target string) {
	st.Status = "Success"
	switch st.Action {
	case "aws:runCommand":
		id := genUUID(r)
		st.Outputs = map[string][]string{"CommandId": {id}, "Status": {"Success"}}
		st.Response = "Command " + id + " completed on " + target
	case "aws:executeScript":
		st.Outputs = map[string][]string{"OutputPayload": {`{"Payload":{"status":"ok"}}`}}
	case "aws:executeAwsApi":
		st.Outputs = map[string][]string{"HTTPStatusCode": {"200"}, "RequestId": {genUUID(r)}}
	case "aws:executeAutomation":
		st.Outputs = map[string][]string{"ExecutionId": {genUUID(r)}, "Status": {"Success"}}
	case "aws:approve":
		st.Outputs = map[string][]string{"ApprovalStatus": {"Approved"}}
	}
}

type genFailure struct{ stage, typ, msg string }

var genFailures = []genFailure{
	{"Invocation", "Action", "Step fails when it is Executing. Fail to run the script: ValueError: instance is not in a running state."},
	{"PostVerification", "Verification", "Step fails when it is verifying the command has completed. Command returns unexpected invocation result: Failed."},
	{"InputValidation", "Permission", "An error occurred (UnauthorizedOperation) when calling the API: you are not authorized to perform this operation."},
	{"Invocation", "Throttling", "An error occurred (RequestLimitExceeded) when calling the DescribeInstances operation: Request limit exceeded."},
	{"Invocation", "Unknown", "Internal error occurred while running the step. Retry the automation."},
}

var genAlarms = []string{"ec2-cpu-utilization-high", "app-5xx-rate-high", "patch-compliance-breach"}

// genFail marks st Failed or TimedOut with a message, details and sometimes an alarm.
func genFail(r *rand.Rand, st *Step, status string) {
	f := genFailures[r.IntN(len(genFailures))]
	if status == "TimedOut" {
		f = genFailure{"Invocation", "Timeout", "Step timed out while step is verifying the " + st.Action + " has completed."}
	}
	st.Status, st.FailureMessage = status, f.msg
	st.FailureDetails = &FailureDetails{FailureStage: f.stage, FailureType: f.typ,
		Details: map[string][]string{"ExceptionMessage": {f.msg}}}
	if r.IntN(4) == 0 {
		st.TriggeredAlarms = []Alarm{{Name: genAlarms[r.IntN(len(genAlarms))], State: "ALARM"}}
	}
}
