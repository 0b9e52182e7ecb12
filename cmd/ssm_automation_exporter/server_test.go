package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestOnlyGETAndHEADScrape sends every other method to /metrics and
// /probe, and HEAD: none may call the API.
func TestOnlyGETAndHEADScrape(t *testing.T) {
	t.Parallel()
	sim := ssmsim.New(ssmsim.NewStore(), ssmsim.Options{})
	var calls atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	cfg := filepath.Join(t.TempDir(), "config.yml")
	writeFile(t, cfg, strings.Replace(unreachableConfig, "http://127.0.0.1:1", ts.URL, 1))
	p := startExporter(t, "--config.file="+cfg, "--web.listen-address=127.0.0.1:0")
	base := "http://" + p.serving(t)
	do := func(method, path string) (*http.Response, string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	paths := []string{"/metrics", "/probe?target=unreachable"}
	for _, path := range paths {
		for _, method := range []string{"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"} {
			resp, _ := do(method, path)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s = %d, Allow %q; want 405, Allow GET, HEAD", method, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
		resp, body := do(http.MethodHead, path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") == "" || body != "" {
			t.Errorf("HEAD %s = %d, Content-Type %q, body %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d API calls for requests other than GET, want none", n)
	}
	if resp, body := do(http.MethodGet, paths[1]); resp.StatusCode != http.StatusOK || calls.Load() == 0 {
		t.Fatalf("GET %s = %d after %d API calls:\n%s", paths[1], resp.StatusCode, calls.Load(), body)
	}
}

func TestServerTimeouts(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(o, http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout <= 0 || srv.IdleTimeout != idleTimeout || srv.ErrorLog == nil {
		t.Errorf("read header timeout %s, idle timeout %s, error log %v", srv.ReadHeaderTimeout, srv.IdleTimeout, srv.ErrorLog)
	}
	// The write timeout runs from the request's headers: it must outlast
	// the longest scrape.
	if srv.WriteTimeout <= maxScrapeTimeout {
		t.Errorf("write timeout %s cuts scrapes of up to %s", srv.WriteTimeout, maxScrapeTimeout)
	}
}

// TestIdleConnectionClosed keeps a connection open after a request: the
// server must close it after the idle timeout.
func TestIdleConnectionClosed(t *testing.T) {
	o := &options{idleTimeout: 50 * time.Millisecond}
	srv := newHTTPServer(o, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") }),
		slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: exporter\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "ok" || resp.Close {
		t.Fatalf("answer %q, close %v: want a kept-alive ok", b, resp.Close)
	}
	_ = conn.SetReadDeadline(time.Now().Add(waitBound))
	if n, err := br.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %d, %v; want the server to close it", n, err)
	}
}

// TestReloadWhileShuttingDown: a reload asked for once the shutdown began
// answers 503 instead of waiting for a reload loop that has ended.
func TestReloadWhileShuttingDown(t *testing.T) {
	stopping, stop := context.WithCancel(context.Background())
	stop()
	h := &handlers{stopping: stopping}
	rec := httptest.NewRecorder()
	h.reload(rec, httptest.NewRequest(http.MethodPost, "/-/reload", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("POST /-/reload while shutting down = %d, want 503", rec.Code)
	}
}

// TestTLSHandshakeErrorLoggedAsJSON connects to the TLS port with
// something that is not TLS: the server's error goes through the
// configured logger, as JSON.
func TestTLSHandshakeErrorLoggedAsJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	cfg := filepath.Join(dir, "config.yml")
	writeFile(t, cfg, unreachableConfig)
	p := startExporter(t, "--config.file="+cfg, "--web.config.file="+webConfig(t, dir, certFile, keyFile),
		"--web.listen-address=127.0.0.1:0", "--log.format=json")
	addr := p.serving(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "not a TLS handshake\r\n\r\n")
	conn.Close()
	p.waitLog(t, 0, "TLS handshake error")
	for _, line := range strings.Split(p.logs.String(), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("not JSON under --log.format=json: %s", line)
		}
	}
}
