package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// writeFIFO waits until the exporter opens the named pipe path to read it
// (the configuration load blocks there until a writer comes), calls
// opened, then writes content and closes the pipe, ending the load.
func writeFIFO(t *testing.T, p *exporterProc, path, content string, opened func()) {
	t.Helper()
	type result struct {
		f   *os.File
		err error
	}
	res := make(chan result, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		res <- result{f, err}
	}()
	var r result
	select {
	case r = <-res:
	case <-p.done:
		// Unblock the open above: the exporter will not read any more.
		if f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer f.Close()
		}
		t.Fatalf("the exporter exited (%v) instead of reading its configuration", p.err)
	case <-time.After(waitBound):
		t.Fatalf("the exporter did not open its configuration within %s", waitBound)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.f.Close()
	opened()
	if _, err := io.WriteString(r.f, content); err != nil {
		t.Fatalf("writing the configuration: %v (the exporter: %v)", err, p.exit(t))
	}
}

// TestSIGHUPWhileStarting sends SIGHUP while the configuration first
// loads: the exporter survives, and reloads once it serves.
func TestSIGHUPWhileStarting(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startExporter(t, "--config.file="+fifo, "--web.listen-address=127.0.0.1:0")
	writeFIFO(t, p, fifo, unreachableConfig, func() { p.signal(t, syscall.SIGHUP) })
	addr := p.serving(t) // the first load is over: the pipe has no reader
	// The SIGHUP was kept: the exporter reads its configuration again.
	writeFIFO(t, p, fifo, unreachableConfig, func() {})
	p.waitLog(t, 0, "configuration reloaded")
	if code, body := get(t, "http://"+addr+"/-/healthy"); code != http.StatusOK {
		t.Fatalf("/-/healthy = %d %q", code, body)
	}
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestSIGTERMWhileStarting sends SIGTERM while the configuration first
// loads: the exporter stops once it is loaded, with exit status 0.
func TestSIGTERMWhileStarting(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startExporter(t, "--config.file="+fifo, "--web.listen-address=127.0.0.1:0")
	writeFIFO(t, p, fifo, unreachableConfig, func() { p.signal(t, syscall.SIGTERM) })
	if err := p.exit(t); err != nil {
		t.Fatalf("exit after SIGTERM while starting: %v", err)
	}
}

// stalledTarget serves the simulator behind a gate: a call waits until
// release is called (or its client goes away), so a refresh lasts until
// its deadline unless released. It returns a configuration watching it;
// arrived receives a value when a call comes in.
func stalledTarget(t *testing.T) (cfg string, arrived <-chan struct{}, release func()) {
	t.Helper()
	sim := ssmsim.New(ssmsim.NewStore(), ssmsim.Options{})
	calls, gate := make(chan struct{}, 1), make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: only then does the server see the client
		// go away and end r's context.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case calls <- struct{}{}:
		default:
		}
		select {
		case <-gate:
			sim.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(ts.Close)
	cfg = filepath.Join(t.TempDir(), "config.yml")
	writeFile(t, cfg, fmt.Sprintf(`
api:
  max_attempts: 1
  call_timeout: 10m
targets:
  - name: stalled
    region: us-east-1
    endpoint: %s
    executions:
      - id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab
`, ts.URL))
	var once sync.Once
	return cfg, calls, func() { once.Do(func() { close(gate) }) }
}

// scrapeInFlight starts a scrape with Prometheus's 30s timeout header and
// returns once its refresh is waiting on the API; the answer comes on the
// channel.
func scrapeInFlight(t *testing.T, p *exporterProc, addr string, arrived <-chan struct{}) <-chan string {
	t.Helper()
	answer := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "30")
		resp, err := (&http.Client{Timeout: waitBound}).Do(req)
		if err != nil {
			answer <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answer <- fmt.Sprintf("%d %v\n%s", resp.StatusCode, err, b)
	}()
	select {
	case <-arrived:
	case a := <-answer:
		t.Fatalf("the scrape ended before its refresh called the API: %s", a)
	case <-p.done:
		t.Fatalf("the exporter exited: %v", p.err)
	case <-time.After(waitBound):
		t.Fatal("the scrape's refresh did not call the API")
	}
	return answer
}

// answered waits for the scrape's answer and checks it is a 200 with the
// target's up series (of value wantUp when not empty).
func answered(t *testing.T, answer <-chan string, wantUp string) {
	t.Helper()
	var a string
	select {
	case a = <-answer:
	case <-time.After(waitBound):
		t.Fatal("the scrape got no answer")
	}
	if !strings.HasPrefix(a, "200 <nil>\n") || !strings.Contains(a, `ssm_automation_up{target="stalled"} `+wantUp) {
		t.Errorf("the scrape in flight at shutdown got %.300s, want 200 with up %s", a, wantUp)
	}
}

// TestSIGTERMAnswersLongScrape sends SIGTERM while a scrape with a 30s
// deadline waits on the API: at the grace (1s here) the exporter answers
// it with what it knows, and exits 0.
func TestSIGTERMAnswersLongScrape(t *testing.T) {
	t.Parallel()
	cfg, arrived, _ := stalledTarget(t)
	p := startExporter(t, "--config.file="+cfg, "--web.listen-address=127.0.0.1:0", "--web.shutdown-grace=1s")
	answer := scrapeInFlight(t, p, p.serving(t), arrived)
	p.signal(t, syscall.SIGTERM)
	answered(t, answer, "0")
	if err := p.exit(t); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
}

// TestSIGHUPWhileShuttingDown sends SIGHUP while the shutdown waits for a
// scrape in flight: the exporter goes on, answers the scrape once its API
// call returns, and exits 0.
func TestSIGHUPWhileShuttingDown(t *testing.T) {
	t.Parallel()
	cfg, arrived, release := stalledTarget(t)
	p := startExporter(t, "--config.file="+cfg, "--web.listen-address=127.0.0.1:0", "--web.shutdown-grace=10m")
	answer := scrapeInFlight(t, p, p.serving(t), arrived)
	p.signal(t, syscall.SIGTERM)
	p.waitLog(t, 0, "shutting down")
	p.signal(t, syscall.SIGHUP) // the shutdown waits for the scrape until release
	release()
	answered(t, answer, "")
	if err := p.exit(t); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
}
