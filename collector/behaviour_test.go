package collector

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestMissingExecutionHidesNothing(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: `+idMissing+`
      - id: `+idFailed+`
`)
	reg := h.registry(t)
	if v, ok := value(t, reg, "ssm_automation_up", map[string]string{"target": "t1"}); !ok || v != 0 {
		t.Fatalf("up = %v (present %v), want 0", v, ok)
	}
	nf := map[string]string{"target": "t1", "operation": "DescribeAutomationStepExecutions", "code": "AutomationExecutionNotFoundException"}
	if v, _ := value(t, h.base, "ssm_automation_exporter_api_requests_total", nf); v != 1 {
		t.Fatalf("not-found calls = %v, want 1", v)
	}
	if v, _ := value(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "not_found"}); v != 1 {
		t.Fatalf("errors_total{reason=not_found} = %v, want 1", v)
	}
	if _, ok := value(t, reg, "ssm_automation_step_status", map[string]string{"step_execution_id": "s-f2", "status": "Failed"}); !ok {
		t.Fatal("the other execution's step series are missing")
	}
	if _, ok := value(t, reg, "ssm_automation_execution_info", map[string]string{"execution_id": idMissing}); ok {
		t.Fatal("a missing execution must not be exported")
	}
}

func TestWarmScrapeFetchesOnlyWhatCanChange(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	h.registry(t).Gather()
	coldExec, coldSteps := h.calls("DescribeAutomationExecutions"), h.calls("DescribeAutomationStepExecutions")
	// Discovery (1 page), children of the three found (1 call), metadata of the static id (1 call).
	if coldExec != 3 || coldSteps != 4 {
		t.Fatalf("cold scrape: %v DescribeAutomationExecutions, %v DescribeAutomationStepExecutions; want 3 and 4", coldExec, coldSteps)
	}
	h.registry(t).Gather()
	warmExec, warmSteps := h.calls("DescribeAutomationExecutions")-coldExec, h.calls("DescribeAutomationStepExecutions")-coldSteps
	// Discovery and children again; only the running execution's steps.
	if warmExec != 2 || warmSteps != 1 {
		t.Fatalf("warm scrape: %v DescribeAutomationExecutions, %v DescribeAutomationStepExecutions; want 2 and 1", warmExec, warmSteps)
	}
}

func TestFinishedCountersCountOnce(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	failedStep := map[string]string{"target": "t1", "document_name": "Custom-Remediate", "step_name": "fix", "status": "Failed"}
	failedExec := map[string]string{"target": "t1", "document_name": "Custom-Remediate", "status": "Failed"}
	check := func(when string) {
		t.Helper()
		reg := h.registry(t)
		if v, _ := value(t, reg, "ssm_automation_steps_finished_total", failedStep); v != 1 {
			t.Fatalf("%s: steps_finished_total = %v, want 1", when, v)
		}
		if v, _ := value(t, reg, "ssm_automation_executions_finished_total", failedExec); v != 1 {
			t.Fatalf("%s: executions_finished_total = %v, want 1", when, v)
		}
		if v, _ := value(t, reg, "ssm_automation_step_finished_duration_seconds", map[string]string{"step_name": "patch"}); v != 3 {
			t.Fatalf("%s: patch durations observed = %v, want 3", when, v)
		}
	}
	check("first scrape")
	check("second scrape")
	h.apply(t, goldenConfig) // a reload keeps the counters and what they counted
	check("after reload")
	// The failed execution leaves the configuration, then comes back.
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery:
      - name: fleet
        document_name_prefix: AWS-Patch
        lookback: 24h
        include_children: true
`)
	h.registry(t).Gather()
	h.apply(t, goldenConfig)
	check("after leaving and returning")
}

func TestGeneratedRunbooksGiveNoDuplicateSeries(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t, nil, ssmsim.Options{})
			execs := ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: seed, Executions: 25, StepsPerExecution: 10, Now: fixedNow})
			h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery:
      - name: all
        lookback: 48h
        max_executions: 1000
`)
			reg := h.registry(t)
			mfs := mustGather(t, reg) // a duplicate series fails Gather
			steps, repeated := 0, false
			for _, e := range execs {
				names := map[string]bool{}
				for _, s := range e.Steps {
					steps++
					repeated = repeated || names[s.StepName]
					names[s.StepName] = true
				}
			}
			if !repeated {
				t.Fatal("the generated runbooks should repeat step names (loops, jumps back)")
			}
			for _, mf := range mfs {
				if mf.GetName() == "ssm_automation_step_status" && len(mf.GetMetric()) != steps {
					t.Fatalf("step_status series = %d, want one per step execution (%d)", len(mf.GetMetric()), steps)
				}
			}
		})
	}
}

func TestNilFieldsNeverPanic(t *testing.T) {
	_ = stepFromSDK(&types.StepExecution{})
	_ = stepFromSDK(&types.StepExecution{ParentStepDetails: &types.ParentStepDetails{}, FailureDetails: &types.FailureDetails{},
		TriggeredAlarms: []types.AlarmStateInformation{{}}})
	_ = execFromSDK(&types.AutomationExecutionMetadata{})
	bare := &ssmsim.Execution{ID: "55555555-5555-4555-8555-555555555555", StartTime: at(-1),
		Steps: []*ssmsim.Step{{}, {}, {StepExecutionID: "x"}}}
	h := newHarness(t, []*ssmsim.Execution{bare}, ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: 55555555-5555-4555-8555-555555555555
`)
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_execution_steps", map[string]string{"execution_id": bare.ID, "status": "Pending"}); v != 0 {
		t.Fatalf("steps without a status are not Pending: got %v", v)
	}
	if _, ok := value(t, reg, "ssm_automation_step_info", map[string]string{"step_execution_id": "x"}); !ok {
		t.Fatal("a step with only an id is still exported")
	}
	_ = time.Now
}

func TestDetailsChooseHowMuchIsExported(t *testing.T) {
	for _, c := range []struct {
		details         string
		execs, stepRows bool
	}{{"steps", true, true}, {"executions", true, false}, {"none", false, false}} {
		t.Run(c.details, func(t *testing.T) {
			h := newHarness(t, scenario(), ssmsim.Options{})
			h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    details: `+c.details+`
    discovery: [{name: all}]
`)
			reg := h.registry(t)
			if _, ok := value(t, reg, "ssm_automation_execution_info", nil); ok != c.execs {
				t.Errorf("execution series present = %v, want %v", ok, c.execs)
			}
			if _, ok := value(t, reg, "ssm_automation_step_status", nil); ok != c.stepRows {
				t.Errorf("step series present = %v, want %v", ok, c.stepRows)
			}
			// The aggregates never depend on the detail level.
			if v, _ := value(t, reg, "ssm_automation_steps", map[string]string{"step_name": "patch", "status": "Success"}); v != 3 {
				t.Errorf("steps{patch,Success} = %v, want 3", v)
			}
			if v, _ := value(t, reg, "ssm_automation_steps_finished_total", map[string]string{"step_name": "fix", "status": "Failed"}); v != 1 {
				t.Errorf("steps_finished_total{fix,Failed} = %v, want 1", v)
			}
		})
	}
}
