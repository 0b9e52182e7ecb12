package collector

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenConfig = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: 22222222-2222-4222-8222-222222222222
    discovery:
      - name: fleet
        document_name_prefix: AWS-Patch
        lookback: 24h
        include_children: true
`

// goldenMetrics are compared with testdata/golden.prom: every metric whose
// value does not depend on wall-clock time.
var goldenMetrics = []string{
	"ssm_automation_execution_info", "ssm_automation_execution_status",
	"ssm_automation_execution_start_timestamp_seconds", "ssm_automation_execution_end_timestamp_seconds",
	"ssm_automation_execution_steps", "ssm_automation_execution_triggered_alarm",
	"ssm_automation_execution_last_success_timestamp_seconds",
	"ssm_automation_step_status", "ssm_automation_step_duration_seconds",
	"ssm_automation_step_start_timestamp_seconds", "ssm_automation_step_end_timestamp_seconds",
	"ssm_automation_step_max_attempts", "ssm_automation_step_timeout_seconds",
	"ssm_automation_step_info", "ssm_automation_step_triggered_alarm",
	"ssm_automation_steps", "ssm_automation_steps_finished_total", "ssm_automation_executions_finished_total",
	"ssm_automation_step_finished_duration_seconds",
	"ssm_automation_discovered_executions", "ssm_automation_discovery_dropped_executions",
	"ssm_automation_target_info", "ssm_automation_up", "ssm_automation_last_refresh_timestamp_seconds",
	"ssm_automation_exporter_api_requests_total", "ssm_automation_exporter_errors_total",
}

// timedMetrics exist in every scrape but measure time, so only their
// presence is checked.
var timedMetrics = []string{
	"ssm_automation_scrape_duration_seconds", "ssm_automation_scrape_timeout_seconds",
	"ssm_automation_exporter_api_request_duration_seconds", "ssm_automation_exporter_rate_limit_wait_seconds_total",
}

func TestGolden(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	// One scrape, gathered once: every check below reads the same families.
	mfs := mustGather(t, prometheus.Gatherers{h.registry(t), h.base})
	reg := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })
	golden := filepath.Join("testdata", "golden.prom")
	if *update {
		var b strings.Builder
		writeText(t, &b, mfs, goldenMetrics)
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.GatherAndCompare(reg, f, goldenMetrics...); err != nil {
		t.Fatal(err)
	}
	for _, name := range timedMetrics {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n == 0 {
			t.Errorf("%s: %d series, %v", name, n, err)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestNoSecretsInMetrics(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	text := exposition(t, h.registry(t)) + exposition(t, h.base)
	if strings.Contains(text, "SECRET") {
		t.Fatalf("free text reached the metrics:\n%s", text)
	}
	if !strings.Contains(text, `step_name="fix"`) {
		t.Fatal("expected the failed step in the metrics")
	}
}
