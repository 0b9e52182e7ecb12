package collector

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// servedGatherer answers one scrape through Serve, with the harness's
// base registry, and returns what it wrote as a gatherer.
func servedGatherer(t *testing.T, h *harness) prometheus.Gatherer {
	t.Helper()
	mfs := served(t, h, expfmt.FmtText)
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })
}

// TestServeCountsTheScrapesOwnCalls checks that an answer of Serve holds
// the API calls and errors of its own refresh: the first answer of a
// fresh exporter counts the calls it made, and the answer that says up 0
// says why.
func TestServeCountsTheScrapesOwnCalls(t *testing.T) {
	h, _ := faultHarness(t, ssmsim.Options{})
	first := servedGatherer(t, h)
	made := h.sim.Requests("DescribeAutomationStepExecutions", "OK")
	got := sum(t, first, "ssm_automation_exporter_api_requests_total", map[string]string{"operation": "DescribeAutomationStepExecutions", "code": "OK"})
	if made == 0 || got != made {
		t.Fatalf("the first answer counts %v step execution calls, the refresh made %v", got, made)
	}
	h.sim.SetFaults(ssmsim.Faults{ErrorRates: map[string]float64{"InternalServerError": 1}})
	dead := servedGatherer(t, h)
	if v, _ := value(t, dead, "ssm_automation_up", nil); v != 0 {
		t.Fatal("a scrape whose calls all failed must say up 0")
	}
	if v := sum(t, dead, "ssm_automation_exporter_errors_total", map[string]string{"reason": "server_error"}); v == 0 {
		t.Fatal(`the answer that says up 0 counts no errors_total{reason="server_error"}`)
	}
	if v := sum(t, dead, "ssm_automation_exporter_api_requests_total", map[string]string{"code": "InternalServerError"}); v == 0 {
		t.Fatal("the answer that says up 0 counts none of its failed calls")
	}
}
