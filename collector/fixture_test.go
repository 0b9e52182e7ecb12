package collector

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// fixedNow is the clock of the hand-written scenario.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	idLoop    = "11111111-1111-4111-8111-111111111111"
	idFailed  = "22222222-2222-4222-8222-222222222222"
	idRunning = "33333333-3333-4333-8333-333333333333"
	idChild   = "44444444-4444-4444-8444-444444444444"
	idMissing = "99999999-9999-4999-8999-999999999999"
)

func at(min int) time.Time                    { return fixedNow.Add(time.Duration(min) * time.Minute) }
func i32(v int32) *int32                      { return &v }
func i64(v int64) *int64                      { return &v }
func boolp(v bool) *bool                      { return &v }
func secret(kind string) string               { return "SECRET-" + kind + "-MARKER" }
func secrets(kind string) map[string][]string { return map[string][]string{"k": {secret(kind)}} }

// scenario is a small frozen set of executions: a loop that repeats step
// names, a failed run with a critical step and an alarm, a running
// execution with pending steps, and a child execution.
func scenario() []*ssmsim.Execution {
	loop := &ssmsim.Execution{
		ID: idLoop, DocumentName: "AWS-PatchFleet", DocumentVersion: "3", Status: "Success",
		StartTime: at(-120), EndTime: at(-100), AutomationType: "Local", Mode: "Auto",
		Tags: map[string]string{"team": "ops"},
		Steps: []*ssmsim.Step{
			{StepExecutionID: "s-loop", StepName: "patchEach", Action: "aws:loop", Status: "Success",
				StartTime: at(-120), EndTime: at(-101), MaxAttempts: i32(1), OnFailure: "Abort", IsEnd: boolp(false),
				NextStep: "report", Inputs: map[string]string{"Secret": secret("input")}},
			{StepExecutionID: "s-l1", StepName: "patch", Action: "aws:runCommand", Status: "Success",
				StartTime: at(-119), EndTime: at(-115), MaxAttempts: i32(2), TimeoutSeconds: i64(600),
				Outputs: secrets("output"), Response: secret("response"),
				ParentStepDetails: &ssmsim.ParentStepDetails{StepExecutionID: "s-loop", StepName: "patchEach", Action: "aws:loop", Iteration: 1, IteratorValue: "i-1"}},
			{StepExecutionID: "s-l2", StepName: "patch", Action: "aws:runCommand", Status: "Success",
				StartTime: at(-114), EndTime: at(-102), MaxAttempts: i32(2), TimeoutSeconds: i64(600),
				OverriddenParameters: secrets("overridden"),
				ParentStepDetails:    &ssmsim.ParentStepDetails{StepExecutionID: "s-loop", StepName: "patchEach", Action: "aws:loop", Iteration: 2, IteratorValue: "i-2"}},
			{StepExecutionID: "s-report", StepName: "report", Action: "aws:executeScript", Status: "Success",
				StartTime: at(-101), EndTime: at(-100), IsEnd: boolp(true)},
		},
	}
	failed := &ssmsim.Execution{
		ID: idFailed, DocumentName: "Custom-Remediate", DocumentVersion: "1", Status: "Failed",
		StartTime: at(-60), EndTime: at(-50), AutomationType: "Local", Mode: "Interactive",
		FailureMessage: secret("failure"),
		Steps: []*ssmsim.Step{
			{StepExecutionID: "s-f1", StepName: "check", Action: "aws:assertAwsResourceProperty", Status: "Success",
				StartTime: at(-60), EndTime: at(-59)},
			{StepExecutionID: "s-f2", StepName: "fix", Action: "aws:executeScript", Status: "Failed",
				StartTime: at(-59), EndTime: at(-50), OnFailure: "Abort", IsCritical: boolp(true), MaxAttempts: i32(3),
				FailureMessage:  secret("stepfailure"),
				FailureDetails:  &ssmsim.FailureDetails{FailureStage: "Invocation", FailureType: "Verification", Details: secrets("details")},
				TriggeredAlarms: []ssmsim.Alarm{{Name: "HighErrorRate", State: "ALARM"}}},
			{StepExecutionID: "s-f3", StepName: "timeout", Action: "aws:waitForAwsResourceProperty", Status: "TimedOut",
				StartTime: at(-55), EndTime: at(-50), TimeoutSeconds: i64(300), OnFailure: "Continue"},
		},
	}
	running := &ssmsim.Execution{
		ID: idRunning, DocumentName: "AWS-PatchFleet", DocumentVersion: "3", Status: "InProgress",
		StartTime: at(-10), AutomationType: "CrossAccount", Mode: "Auto",
		TriggeredAlarms: []ssmsim.Alarm{{Name: "FleetHealth", State: "ALARM"}},
		Steps: []*ssmsim.Step{
			{StepExecutionID: "s-r1", StepName: "patchEach", Action: "aws:loop", Status: "InProgress", StartTime: at(-10)},
			{StepExecutionID: "s-r2", StepName: "report", Action: "aws:executeScript", Status: "Pending"},
		},
	}
	child := &ssmsim.Execution{
		ID: idChild, DocumentName: "AWS-PatchFleet", DocumentVersion: "3", Status: "Success",
		StartTime: at(-9), EndTime: at(-5), ParentExecutionID: idRunning, AutomationType: "Local", Mode: "Auto",
		Steps: []*ssmsim.Step{
			{StepExecutionID: "s-c1", StepName: "patch", Action: "aws:runCommand", Status: "Success", StartTime: at(-9), EndTime: at(-5)},
		},
	}
	return []*ssmsim.Execution{loop, failed, running, child}
}

// harness is the exporter pointed at a simulator over HTTP.
type harness struct {
	sim   *ssmsim.Server
	store *ssmsim.Store
	url   string
	exp   *Exporter
	base  *prometheus.Registry
	apiM  *ssmapi.APIMetrics
	cfg   *config.Config
	clock time.Time
}

func newHarness(t testing.TB, execs []*ssmsim.Execution, opts ssmsim.Options) *harness {
	t.Helper()
	ssmsim.SetTestEnv(t)
	store := ssmsim.TestStore(execs...)
	url, sim := ssmsim.NewTestServer(t, store, opts)
	base := prometheus.NewRegistry()
	m := ssmapi.NewAPIMetrics(base)
	clients, err := ssmapi.NewClients(context.Background(), m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	exp := NewExporter(clients, m, slog.New(slog.DiscardHandler))
	t.Cleanup(exp.Close)
	h := &harness{sim: sim, store: store, url: url, exp: exp, base: base, apiM: m, clock: fixedNow}
	exp.now = func() time.Time { return h.clock }
	return h
}

// apply parses a configuration whose %s is the simulator's URL.
func (h *harness) apply(t testing.TB, yml string) {
	t.Helper()
	if !strings.Contains(yml, "api:") {
		// Tests measure calls, not the client's rate limit.
		yml = "api:\n  requests_per_second: 10000\n  burst: 10000\n" + yml
	}
	cfg, err := config.Parse([]byte(fmt.Sprintf(yml, h.url)))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	h.cfg = cfg
	h.exp.Apply(cfg)
}

// registry runs one scrape of every target, as Serve answers it, and
// returns the answer.
func (h *harness) registry(t testing.TB) prometheus.Gatherer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return scraped(t, h.exp.Scrape(ctx, nil))
}

func (h *harness) calls(op string) float64 { return h.sim.Requests(op, "OK") }
