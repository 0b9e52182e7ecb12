package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const goodConfig = `
targets:
  - name: a
    region: us-east-1
    endpoint: http://127.0.0.1:1
    executions:
      - id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab
  - name: b
    region: eu-west-1
    endpoint: http://127.0.0.1:1
    executions:
      - id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab
`

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yml"), filepath.Join(dir, "bad.yml")
	writeFile(t, good, goodConfig)
	writeFile(t, bad, "targets:\n  - name: a\n    region: us-east-1\n    executions:\n      - id: short\n    colour: blue\n")
	var out bytes.Buffer
	if code := run([]string{"--config.check", "--config.file", good}, &out); code != 0 {
		t.Fatalf("good config: exit %d: %s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"--config.check", "--config.file", bad}, &out); code != 1 {
		t.Fatalf("bad config: exit %d, want 1", code)
	}
	for _, want := range []string{"line 5: targets[0].executions[0].id", "line 6: targets[0]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := run([]string{"--config.check", "--config.file", "example.yml"}, io.Discard); code != 1 {
		// example.yml sits at the module root, not here.
		t.Log("example.yml is checked from the module root below")
	}
	if code := run([]string{"--config.check", "--config.file", "../../example.yml"}, &out); code != 0 {
		t.Fatalf("example.yml: exit %d: %s", code, out.String())
	}
}

// server runs the routes in-process with a reload loop.
type server struct {
	url  string
	base *prometheus.Registry
	path string
}

func newServer(t *testing.T) *server {
	t.Helper()
	return newServerWith(t, goodConfig)
}

// newServerWith serves the configuration cfg as the exporter does: the
// base registry, the reload metrics and the API metrics built as serve
// builds them.
func newServerWith(t *testing.T, cfg string) *server {
	t.Helper()
	ssmsim.SetTestEnv(t)
	path := filepath.Join(t.TempDir(), "config.yml")
	writeFile(t, path, cfg)
	logger := slog.New(slog.DiscardHandler)
	base := newBaseRegistry()
	safe := config.NewSafeConfig(base)
	if err := safe.ReloadConfig(path, logger); err != nil {
		t.Fatal(err)
	}
	m := ssmapi.NewAPIMetrics(base)
	clients, err := ssmapi.NewClients(context.Background(), m, logger)
	if err != nil {
		t.Fatal(err)
	}
	exp := newExporter(base, clients, m, logger)
	t.Cleanup(exp.Close)
	exp.Apply(safe.Get())
	safe.Subscribe(exp.Apply)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	reloads := make(chan chan error)
	go reloadLoop(ctx, safe, path, nil, reloads, logger)
	o := &options{telemetryPath: "/metrics", defaultTimeout: 2 * time.Second, includeTargets: true}
	h := &handlers{o: o, base: base, exp: exp, reloads: reloads, logger: logger, stopping: ctx, cutoff: ctx}
	ts := httptest.NewServer(h.routes())
	t.Cleanup(ts.Close)
	return &server{url: ts.URL, base: base, path: path}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestReloadKeepsOldConfigOnError(t *testing.T) {
	s := newServer(t)
	if code, _ := get(t, s.url+"/-/reload"); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /-/reload = %d, want 405", code)
	}
	writeFile(t, s.path, "targets: []\n")
	code, body := post(t, s.url+"/-/reload")
	if code != http.StatusInternalServerError || !strings.Contains(body, "at least one target") {
		t.Fatalf("bad reload = %d %q, want 500 with the reason", code, body)
	}
	if v := gauge(t, s.base, "ssm_automation_exporter_config_last_reload_successful"); v != 0 {
		t.Fatalf("reload metric = %v after a failed reload, want 0", v)
	}
	// The old configuration still serves both targets.
	if code, _ := get(t, s.url+"/probe?target=b"); code != http.StatusOK {
		t.Fatalf("probe of a target of the kept configuration = %d", code)
	}
	writeFile(t, s.path, strings.Replace(goodConfig, "name: b", "name: c", 1))
	if code, body := post(t, s.url+"/-/reload"); code != http.StatusOK {
		t.Fatalf("good reload = %d %q", code, body)
	}
	if v := gauge(t, s.base, "ssm_automation_exporter_config_last_reload_successful"); v != 1 {
		t.Fatalf("reload metric = %v after a good reload, want 1", v)
	}
	if code, _ := get(t, s.url+"/probe?target=c"); code != http.StatusOK {
		t.Fatal("the reloaded configuration's target is not served")
	}
}

func TestProbeTargets(t *testing.T) {
	s := newServer(t)
	code, body := get(t, s.url+"/probe?target=a")
	if code != http.StatusOK || !strings.Contains(body, `ssm_automation_up{target="a"} 0`) || strings.Contains(body, `target="b"`) {
		t.Fatalf("probe a = %d:\n%s", code, body)
	}
	for _, q := range []string{"?target=nope", ""} {
		code, body := get(t, s.url+"/probe"+q)
		if code != http.StatusBadRequest || !strings.Contains(body, "valid targets: a, b") {
			t.Fatalf("probe%s = %d %q, want 400 listing the targets", q, code, body)
		}
	}
	code, body = get(t, s.url+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `ssm_automation_up{target="a"}`) || !strings.Contains(body, `ssm_automation_up{target="b"}`) ||
		!strings.Contains(body, "ssm_automation_exporter_build_info") {
		t.Fatalf("/metrics = %d:\n%s", code, body)
	}
	if code, _ := get(t, s.url+"/-/healthy"); code != http.StatusOK {
		t.Fatal("not healthy")
	}
}

func gauge(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("%s not found", name)
	return 0
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var stepSeries = regexp.MustCompile(`(?m)^ssm_automation_step_(status|end_timestamp_seconds)\{.*$`)

// TestDemoMoves runs the built binary with --demo and sees step series
// change between two scrapes, and the events of the changes received from
// the demo's queue.
func TestDemoMoves(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ssm_automation_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr := freePort(t)
	cmd := exec.Command(bin, "--demo", "--web.listen-address="+addr)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log(sc.Text())
		}
	}()
	scrape := func() string {
		for range 100 {
			resp, err := http.Get("http://" + addr + "/metrics")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return string(b)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal("the demo never served /metrics")
		return ""
	}
	first := scrape()
	if !strings.Contains(first, `ssm_automation_up{target="demo"} 1`) {
		t.Fatalf("first scrape is not up:\n%s", first)
	}
	before := strings.Join(stepSeries.FindAllString(first, -1), "\n")
	if before == "" {
		t.Fatal("no step series in the first scrape")
	}
	moved, followed := false, false
	for range 60 {
		time.Sleep(time.Second)
		text := scrape()
		moved = moved || strings.Join(stepSeries.FindAllString(text, -1), "\n") != before
		followed = followed || strings.Contains(text, `ssm_automation_events_up{queue="automation"} 1`) && demoEvents.MatchString(text)
		if moved && followed {
			return
		}
	}
	t.Fatalf("within a minute of live mode: step series changed %v, step events received %v", moved, followed)
}

// demoEvents matches a count of step events received, other than 0.
var demoEvents = regexp.MustCompile(`(?m)^ssm_automation_events_received_total\{detail_type="EC2 Automation Step Status-change Notification",queue="automation"\} [1-9]`)

var _ = testutil.ToFloat64

func TestScrapeTimeoutFromHeader(t *testing.T) {
	o := &options{defaultTimeout: 10 * time.Second, timeoutOffset: 500 * time.Millisecond}
	for header, want := range map[string]time.Duration{
		"":      10 * time.Second,
		"2":     1500 * time.Millisecond,
		"30.5":  30 * time.Second,
		"0.2":   100 * time.Millisecond, // never below the floor
		"bogus": 10 * time.Second,
		"86400": maxScrapeTimeout, // never above the cap
	} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if header != "" {
			r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
		}
		if got := scrapeTimeout(r, o); got != want {
			t.Errorf("header %q: timeout %s, want %s", header, got, want)
		}
	}
}
