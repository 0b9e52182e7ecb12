package collector

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// served answers one scrape through Serve, with the harness's base
// registry, and returns what it wrote as a gatherer.
func served(t *testing.T, h *harness) prometheus.Gatherer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	Serve(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil), h.exp.Scrape(ctx, nil), h.base, slog.New(slog.DiscardHandler))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		var out []*dto.MetricFamily
		for _, mf := range mfs {
			out = append(out, mf)
		}
		return out, nil
	})
}

// TestServeCountsTheScrapesOwnCalls checks that an answer of Serve holds
// the API calls and errors of its own refresh: the first answer of a
// fresh exporter counts the calls it made, and the answer that says up 0
// says why.
func TestServeCountsTheScrapesOwnCalls(t *testing.T) {
	h, _ := faultHarness(t, ssmsim.Options{})
	first := served(t, h)
	made := h.sim.Requests("DescribeAutomationStepExecutions", "OK")
	got := sum(t, first, "ssm_automation_exporter_api_requests_total", map[string]string{"operation": "DescribeAutomationStepExecutions", "code": "OK"})
	if made == 0 || got != made {
		t.Fatalf("the first answer counts %v step execution calls, the refresh made %v", got, made)
	}
	h.sim.SetFaults(ssmsim.Faults{ErrorRates: map[string]float64{"InternalServerError": 1}})
	dead := served(t, h)
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
