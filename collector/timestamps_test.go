package collector

import (
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestTimestampsOutOfRangeAreNotExported plants an execution that started
// 9e15 seconds after 1970, a step that started then too and a step that
// ends two days from now: none of those times, nor a duration made of
// them, is exported; each fetch that sees them counts an invalid response,
// and everything else about the execution is still exported.
func TestTimestampsOutOfRangeAreNotExported(t *testing.T) {
	e := scenario()[1] // failed: s-f1, s-f2, s-f3
	absurd := time.Unix(9e15, 0)
	e.StartTime = absurd
	e.Steps[0].StartTime = absurd
	e.Steps[1].EndTime = fixedNow.Add(48 * time.Hour)
	h := newHarness(t, []*ssmsim.Execution{e}, ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions: [{id: `+idFailed+`}]
`)
	reg := h.registry(t)
	absent := []struct {
		name string
		at   map[string]string
	}{
		{"ssm_automation_execution_start_timestamp_seconds", map[string]string{"execution_id": idFailed}},
		{"ssm_automation_step_start_timestamp_seconds", map[string]string{"step_execution_id": "s-f1"}},
		{"ssm_automation_step_duration_seconds", map[string]string{"step_execution_id": "s-f1"}},
		{"ssm_automation_step_end_timestamp_seconds", map[string]string{"step_execution_id": "s-f2"}},
		{"ssm_automation_step_duration_seconds", map[string]string{"step_execution_id": "s-f2"}},
	}
	for _, a := range absent {
		if v, ok := value(t, reg, a.name, a.at); ok {
			t.Errorf("%s%v = %v: a time out of range was exported", a.name, a.at, v)
		}
	}
	if v, ok := value(t, reg, "ssm_automation_step_duration_seconds", map[string]string{"step_execution_id": "s-f3"}); !ok || v != 300 {
		t.Errorf("the step with sane times lost its duration: %v, %v", v, ok)
	}
	if _, ok := value(t, reg, "ssm_automation_execution_status", map[string]string{"execution_id": idFailed, "status": "Failed"}); !ok {
		t.Error("the execution itself must still be exported")
	}
	if v, _ := value(t, reg, "ssm_automation_step_finished_duration_seconds", map[string]string{"step_name": "fix"}); v != 0 {
		t.Error("a duration made of a time out of range was observed")
	}
	if v, _ := value(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "invalid_response"}); v != 1 {
		t.Errorf(`errors_total{reason="invalid_response"} = %v, want 1 for the one fetch`, v)
	}
	if v, _ := value(t, reg, "ssm_automation_up", nil); v != 0 {
		t.Error("a scrape that got an unusable answer must say up 0")
	}
}
