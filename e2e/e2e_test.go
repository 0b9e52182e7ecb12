package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/dashboards"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const (
	job      = "ssm_automation"
	target   = "e2e"
	region   = "us-east-1"
	lookback = 87600 * time.Hour
	queue    = "automation" // the simulator's queue of events, which the target follows
)

// stack is the simulator, the exporter and Prometheus, running.
type stack struct {
	root     string
	scenario *ssmsim.Scenario
	account  string // the account the exporter reads
	simURL   string
	expAddr  string
	api      *promAPI
}

// TestEndToEnd runs the simulator on the e2e scenario, the exporter against
// it and a real Prometheus scraping the exporter with the project's rules,
// then checks every dashboard query, the alerts and the exposition.
func TestEndToEnd(t *testing.T) {
	requireTools(t)
	s := startStack(t)
	execs, err := visible(s.scenario, s.account, region, time.Now(), lookback)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the exporter sees account %s, region %s: %d executions", s.account, region, len(execs))
	t.Run("executions", func(t *testing.T) { testExecutions(t, trackedExecutions(t, s), execs) })
	t.Run("events", func(t *testing.T) { testEvents(t, s, execs) }) // before the dashboards: the event delay's panel needs one
	t.Run("dashboards", func(t *testing.T) { testDashboards(t, s, execs) })
	t.Run("alerts", func(t *testing.T) { testAlerts(t, s, execs) })
	t.Run("promtool check metrics", func(t *testing.T) { testCheckMetrics(t, s) })
}

// startStack builds and starts everything and waits until Prometheus has
// scraped the exporter successfully.
func startStack(t *testing.T) *stack {
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

	rules := copyRulesWithoutFor(t, filepath.Join(root, "alerts", "ssm_automation.rules.yml"), dir)
	promAddr := freePort(t)
	prom := start(t, "prometheus", "prometheus", nil,
		"--config.file", writePromConfig(t, dir, expAddr, rules),
		"--storage.tsdb.path", filepath.Join(dir, "prometheus-data"),
		"--web.listen-address", promAddr)
	waitHTTP(t, prom, "http://"+promAddr+"/-/ready", 30*time.Second)

	s := &stack{root: root, scenario: sc, account: account, simURL: "http://" + simAddr, expAddr: expAddr, api: newPromAPI(promAddr)}
	err = eventually(t.Context(), 60*time.Second, func() error {
		for _, q := range []string{
			fmt.Sprintf(`up{job=%q} == 1`, job),
			fmt.Sprintf(`ssm_automation_up{job=%q, target=%q} == 1`, job, target),
			fmt.Sprintf(`ssm_automation_events_up{job=%q, queue=%q} == 1`, job, queue),
		} {
			if res, err := s.api.query(t.Context(), q); err != nil {
				return err
			} else if len(res) != 1 {
				return fmt.Errorf("%s: %d series, want 1", q, len(res))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the exporter is not up in Prometheus: %v", err)
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

// testDashboards runs every panel query of every dashboard and expects
// data. Queries on $execution try the executions with steps, richest
// first, until one gives data: no single execution of the scenario has
// every feature (a loop, an alarm, a running step).
func testDashboards(t *testing.T, s *stack, execs []*ssmsim.Execution) {
	queries, err := dashboards.Queries(filepath.Join(s.root, "dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	candidates := executionCandidates(execs)
	if len(candidates) == 0 {
		t.Fatal("no execution with steps in the scenario")
	}
	vars := map[string]string{
		"target": target, "document": ".*",
		// Prometheus scrapes every second: four samples per rate window.
		"__rate_interval": "4s", "__interval": "2s", "__range": "1h",
	}
	pending := map[int]bool{}
	for i := range queries {
		pending[i] = true
	}
	lastErr := map[int]error{}
	// rate() and increase() need two samples in their window, and the
	// recording rules one evaluation: give them a few rounds.
	_ = eventually(t.Context(), 30*time.Second, func() error {
		for i := range pending {
			q := queries[i]
			if err := queryHasData(t.Context(), s.api, q, vars, candidates); err != nil {
				lastErr[i] = err
				continue
			}
			delete(pending, i)
		}
		if len(pending) > 0 {
			return fmt.Errorf("%d queries without data", len(pending))
		}
		return nil
	})
	for i := range queries {
		if !pending[i] {
			continue
		}
		q := queries[i]
		msg := fmt.Sprintf("%s / %q / %s: %v\n  %s", q.File, q.Panel, q.RefID, lastErr[i], q.Expr)
		t.Errorf("no data: %s", msg)
	}
}

// queryHasData runs one panel query and returns an error when it has no data.
func queryHasData(ctx context.Context, api *promAPI, q dashboards.Query, vars map[string]string, candidates []string) error {
	perExecution := strings.Contains(q.Expr, "$execution") || strings.Contains(q.Expr, "${execution")
	ids := []string{candidates[0]}
	if perExecution {
		ids = candidates
	}
	var errs []error
	for _, id := range ids {
		vars["execution"] = id
		res, err := api.query(ctx, dashboards.Substitute(q.Expr, vars))
		switch {
		case err != nil:
			errs = append(errs, err)
		case len(res) == 0 && perExecution:
			errs = append(errs, fmt.Errorf("empty result for execution %s", id))
		case len(res) == 0:
			errs = append(errs, errors.New("empty result"))
		default:
			return nil
		}
	}
	return errors.Join(errs...)
}

// executionCandidates orders the ids of the executions with steps by how
// much of the execution dashboard they exercise.
func executionCandidates(execs []*ssmsim.Execution) []string {
	type scored struct {
		id    string
		score int
	}
	var all []scored
	for _, e := range execs {
		if len(e.Steps) == 0 {
			continue
		}
		features := map[string]bool{}
		for _, st := range e.Steps {
			features["loop"] = features["loop"] || st.ParentStepDetails != nil
			features["alarm"] = features["alarm"] || len(st.TriggeredAlarms) > 0
			features["timeout"] = features["timeout"] || (st.TimeoutSeconds != nil && *st.TimeoutSeconds > 0)
			features["running"] = features["running"] || st.Status == "InProgress"
		}
		score := 0
		for _, on := range features {
			if on {
				score++
			}
		}
		all = append(all, scored{e.ID, score})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	ids := make([]string, len(all))
	for i, s := range all {
		ids[i] = s.id
	}
	return ids
}

// testAlerts expects exactly the alerts the scenario calls for.
func testAlerts(t *testing.T, s *stack, execs []*ssmsim.Execution) {
	common := map[string]string{"job": job, "instance": s.expAddr, "target": target}
	var last map[string][]string
	var want map[string][]string
	err := eventually(t.Context(), 30*time.Second, func() error {
		alerts, err := s.api.alerts(t.Context())
		if err != nil {
			return err
		}
		want = expectedAlerts(execs, common, time.Now())
		last = firingAlerts(alerts)
		if d := diffAlerts(want, last); d != "" {
			return errors.New(d)
		}
		return nil
	})
	if err != nil {
		t.Errorf("firing alerts differ from the scenario's:%v", err)
	}
	for _, name := range ruleAlerts {
		t.Logf("%s: %d firing as expected", name, len(want[name]))
	}
	for _, name := range []string{"SSMAutomationStepFailed", "SSMAutomationCriticalStepFailed", "SSMAutomationExecutionStuck", "SSMAutomationStepTriggeredAlarm"} {
		if len(want[name]) == 0 {
			t.Errorf("the scenario gives no %s: the test does not exercise it", name)
		}
	}
}

// testCheckMetrics runs promtool's linter over the exporter's exposition.
func testCheckMetrics(t *testing.T, s *stack) {
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
