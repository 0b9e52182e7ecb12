package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const (
	job      = "ssm_automation"
	target   = "e2e"
	region   = "us-east-1"
	lookback = 87600 * time.Hour
	queue    = "automation" // the simulator's queue of events, which the target follows
)

// exporterStack is the simulator and the exporter, running: every
// Prometheus server the test runs scrapes the same exporter.
type exporterStack struct {
	root     string
	scenario *ssmsim.Scenario
	account  string // the account the exporter reads
	simURL   string
	expAddr  string
	rules    string // the copy of the rules file the servers load
	execs    []*ssmsim.Execution
}

// stack is one Prometheus server scraping the exporter, and the
// Alertmanager it sends alerts to.
type stack struct {
	*exporterStack
	srv  promServer
	api  *promAPI
	hook *webhook // nil when there is no Alertmanager
}

// TestEndToEnd runs the simulator on the e2e scenario and the exporter
// against it, then, for Prometheus 2 (text exposition) and Prometheus 3
// (native histograms, so protobuf exposition) in turn, a real Prometheus
// scraping the exporter with the project's rules and sending the alerts to
// a real Alertmanager, which notifies a webhook the test serves. It checks
// the series, every dashboard query, the alerts, the runbooks' queries and
// the notifications.
func TestEndToEnd(t *testing.T) {
	requireTools(t)
	e := startExporter(t)
	t.Logf("the exporter sees account %s, region %s: %d executions", e.account, region, len(e.execs))
	t.Run("promtool check metrics", func(t *testing.T) { testCheckMetrics(t, e) })
	for _, srv := range []struct {
		name string
		find func(*testing.T) promServer
	}{{"prometheus2", prometheus2}, {"prometheus3", prometheus3}} {
		t.Run(srv.name, func(t *testing.T) {
			begin := time.Now()
			testServer(t, e, srv.find(t))
			t.Logf("%s: %s", srv.name, time.Since(begin).Round(time.Second))
		})
	}
}

// testServer runs one Prometheus server against the exporter and checks
// what it makes of it.
func testServer(t *testing.T, e *exporterStack, srv promServer) {
	s := startServer(t, e, srv)
	t.Logf("%s %s (%s) is scraping the exporter", srv.name, srv.version, srv.bin)
	t.Run("series", func(t *testing.T) { testSeries(t, s) })
	t.Run("executions", func(t *testing.T) { testExecutions(t, trackedExecutions(t, s), e.execs) })
	t.Run("events", func(t *testing.T) { testEvents(t, s) }) // before the dashboards: the event delay's panel needs one
	t.Run("dashboards", func(t *testing.T) { testDashboards(t, s) })
	t.Run("alerts", func(t *testing.T) { testAlerts(t, s) })
	t.Run("runbooks", func(t *testing.T) { testRunbooks(t, s) })
	t.Run("notifications", func(t *testing.T) { testNotifications(t, s) })
	if srv.nativeHistograms {
		t.Run("native histograms", func(t *testing.T) { testNativeHistograms(t, s) })
	}
}

// startExporter builds and starts the simulator and the exporter.
func startExporter(t *testing.T) *exporterStack {
	t.Helper()
	root := moduleRoot(t)
	scenarioPath := filepath.Join(root, "internal", "ssmsim", "testdata", "e2e.yml")
	sc, err := ssmsim.LoadScenario(scenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Accounts) == 0 {
		t.Fatalf("%s: no accounts", scenarioPath)
	}
	dir := t.TempDir()
	bins := build(t, root, dir, "ssm_simulator", "ssm_automation_exporter")

	// The exporter's credentials name no account: the simulator puts them in
	// the scenario's first account.
	account := sc.Accounts[0].ID
	simAddr := freePort(t)
	sim := start(t, "ssm_simulator", bins["ssm_simulator"], nil,
		"--web.listen-address", simAddr, "--mode", "frozen", "--scenario", scenarioPath, "--account", account,
		"--region", region, "--events.queue", queue)
	waitHTTP(t, sim, "http://"+simAddr+"/metrics", 30*time.Second)

	expAddr := freePort(t)
	exp := start(t, "ssm_automation_exporter", bins["ssm_automation_exporter"], []string{
		"AWS_ACCESS_KEY_ID=AKIDE2E", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=",
		"AWS_REGION=" + region, "AWS_EC2_METADATA_DISABLED=true", "AWS_PROFILE=",
		// Keep the developer's own AWS files out of the test.
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-aws-credentials"),
	}, "--config.file", writeExporterConfig(t, dir, simAddr, account), "--web.listen-address", expAddr)
	waitHTTP(t, exp, "http://"+expAddr+"/", 30*time.Second)

	execs, err := visible(sc, account, region, time.Now(), lookback)
	if err != nil {
		t.Fatal(err)
	}
	return &exporterStack{
		root: root, scenario: sc, account: account, simURL: "http://" + simAddr, expAddr: expAddr, execs: execs,
		rules: copyRulesWithoutFor(t, filepath.Join(root, "alerts", "ssm_automation.rules.yml"), dir),
	}
}

// startServer starts Alertmanager with the webhook, and Prometheus, and
// waits until Prometheus has scraped the exporter successfully. Without
// Alertmanager (outside CI) Prometheus runs alone and the notifications
// are not tested.
func startServer(t *testing.T, e *exporterStack, srv promServer) *stack {
	t.Helper()
	dir := t.TempDir()
	s := &stack{exporterStack: e, srv: srv}
	cfg := promConfig{exporter: e.expAddr, rules: e.rules, nativeHistograms: srv.nativeHistograms}
	if bin, err := alertmanagerBin(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Log(err)
	} else {
		s.hook = startWebhook(t)
		cfg.alertmanager = startAlertmanager(t, bin, dir, s.hook)
	}
	promAddr := freePort(t)
	prom := start(t, srv.name, srv.bin, nil,
		"--config.file", writePromConfig(t, dir, cfg),
		"--storage.tsdb.path", filepath.Join(dir, "prometheus-data"),
		"--web.listen-address", promAddr)
	waitHTTP(t, prom, "http://"+promAddr+"/-/ready", 30*time.Second)
	s.api = newPromAPI(promAddr)

	err := s.api.eachOneSeries(t.Context(), 60*time.Second,
		fmt.Sprintf(`up{job=%q} == 1`, job),
		fmt.Sprintf(`ssm_automation_up{job=%q, target=%q} == 1`, job, target),
		fmt.Sprintf(`ssm_automation_events_up{job=%q, queue=%q} == 1`, job, queue))
	if err != nil {
		t.Fatalf("the exporter is not up in %s: %v", srv.name, err)
	}
	return s
}

// trackedExecutions returns the ids of the executions the exporter exports.
func trackedExecutions(t *testing.T, s *stack) []string {
	t.Helper()
	res, err := s.api.query(t.Context(), fmt.Sprintf(`ssm_automation_execution_info{target=%q}`, target))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range res {
		ids = append(ids, r.Metric["execution_id"])
	}
	sort.Strings(ids)
	return ids
}

// testExecutions checks that the exporter tracks exactly the executions
// the simulator holds for the target's account and region: the alerts
// below depend on it.
func testExecutions(t *testing.T, tracked []string, execs []*ssmsim.Execution) {
	var want []string
	for _, e := range execs {
		want = append(want, e.ID)
	}
	sort.Strings(want)
	if !slices.Equal(tracked, want) {
		t.Errorf("tracked executions = %q, want the scenario's %q", tracked, want)
	}
}

// testCheckMetrics runs promtool's linter over the exporter's exposition.
func testCheckMetrics(t *testing.T, s *exporterStack) {
	resp, err := http.Get("http://" + s.expAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s, %v", resp.Status, err)
	}
	if !bytes.Contains(body, []byte("ssm_automation_step_status{")) {
		t.Fatalf("GET /metrics: no step series in\n%s", body)
	}
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
