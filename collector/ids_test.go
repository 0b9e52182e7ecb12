package collector

import (
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestShortLabelLimitCutsNoIdentifier sets max_label_length below the
// length of a step execution id: two step executions whose ids differ only
// in their last character stay two, in every series and every count.
func TestShortLabelLimitCutsNoIdentifier(t *testing.T) {
	e := scenario()[1] // failed
	e.Steps = []*ssmsim.Step{
		{StepExecutionID: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1", StepName: "fix", Action: "aws:executeScript", Status: "Failed",
			StartTime: at(-59), EndTime: at(-55)},
		{StepExecutionID: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2", StepName: "fix", Action: "aws:executeScript", Status: "Success",
			StartTime: at(-55), EndTime: at(-50)},
	}
	h := newHarness(t, []*ssmsim.Execution{e}, ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions: [{id: `+idFailed+`}]
    limits: {max_label_length: 35}
`)
	reg := h.registry(t)
	for _, id := range []string{e.Steps[0].StepExecutionID, e.Steps[1].StepExecutionID} {
		if _, ok := value(t, reg, "ssm_automation_step_status", map[string]string{"step_execution_id": id}); !ok {
			t.Errorf("no step_status series for step execution %s", id)
		}
	}
	for _, status := range []string{"Failed", "Success"} {
		byExec := map[string]string{"execution_id": idFailed, "status": status}
		if v, _ := value(t, reg, "ssm_automation_execution_steps", byExec); v != 1 {
			t.Errorf("execution_steps{status=%q} = %v, want 1", status, v)
		}
		byStep := map[string]string{"step_name": "fix", "status": status}
		if v, _ := value(t, reg, "ssm_automation_steps", byStep); v != 1 {
			t.Errorf("steps{status=%q} = %v, want 1", status, v)
		}
		if v, _ := value(t, reg, "ssm_automation_steps_finished_total", byStep); v != 1 {
			t.Errorf("steps_finished_total{status=%q} = %v, want 1", status, v)
		}
	}
}
