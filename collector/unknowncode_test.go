package collector

import (
	"strings"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestUnknownErrorCodeIsOther answers every call with an error code the
// service does not have: it is counted, but as code "other", and the code
// itself reaches no label and no log line above debug.
func TestUnknownErrorCodeIsOther(t *testing.T) {
	h, logs := faultHarness(t, ssmsim.Options{})
	h.sim.SetFaults(ssmsim.Faults{ErrorRates: map[string]float64{"MadeUpFailureException": 1}})
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_up", nil); v != 0 {
		t.Fatal("failed calls must report up 0")
	}
	injected := float64(h.sim.InjectedFaults()["MadeUpFailureException"])
	if got := codeCount(t, h, "other"); injected == 0 || got != injected {
		t.Fatalf("counted %v calls as code other, the simulator injected %v", got, injected)
	}
	if v := sum(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "other"}); v == 0 {
		t.Fatal(`the failed fetches were not counted as errors_total{reason="other"}`)
	}
	text := gatheredText(t, h.base) + logs.String()
	if strings.Contains(text, "MadeUpFailureException") {
		t.Fatalf("the unknown code reached a label or a log line:\n%s", text)
	}
}
