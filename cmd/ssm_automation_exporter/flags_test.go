package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckTelemetryPath(t *testing.T) {
	for p, ok := range map[string]bool{
		"/metrics": true, "/": true, "/custom/metrics": true, "/metrics/": true, "/a-b_c.d~": true,
		"/probe": false, "/-/reload": false, "/-/healthy": false, "/-/ready": false,
		"metrics": false, "": false, "/a b": false, "GET /metrics": false, "//metrics": false, "//": false,
		"/a/../metrics": false, "/./metrics": false, "/{x}": false, "/metrics/{$}": false,
		"/m?x": false, "/m#x": false, "/%41": false, "/ä": false,
	} {
		if err := checkTelemetryPath(p); (err == nil) != ok {
			t.Errorf("checkTelemetryPath(%q) = %v, want ok %v", p, err, ok)
		}
	}
}

func TestValidateTimeouts(t *testing.T) {
	for _, c := range []struct {
		offset, def, grace time.Duration
		wantErr            string
	}{
		{500 * time.Millisecond, 10 * time.Second, 10 * time.Second, ""},
		{0, maxScrapeTimeout, 0, ""},
		{9 * time.Second, 10 * time.Second, time.Second, ""},
		{-5 * time.Second, 10 * time.Second, time.Second, "--scrape.timeout-offset -5s"},
		{10 * time.Second, 10 * time.Second, time.Second, "--scrape.timeout-offset 10s"},
		{time.Hour, 10 * time.Second, time.Second, "--scrape.timeout-offset 1h0m0s"},
		{0, 0, time.Second, "--scrape.default-timeout 0s"},
		{0, -time.Second, time.Second, "--scrape.default-timeout -1s"},
		{0, maxScrapeTimeout + time.Second, time.Second, "--scrape.default-timeout 5m1s"},
		{0, time.Second, -time.Second, "--web.shutdown-grace -1s"},
	} {
		o := &options{telemetryPath: "/metrics", timeoutOffset: c.offset, defaultTimeout: c.def, shutdownGrace: c.grace}
		err := o.validate()
		if (err == nil) != (c.wantErr == "") || (err != nil && !strings.HasPrefix(err.Error(), c.wantErr+":")) {
			t.Errorf("offset %s, default %s, grace %s: %v, want %q", c.offset, c.def, c.grace, err, c.wantErr)
		}
	}
}

// TestBadFlagsExitAtStart runs the exporter with each bad flag: it must
// exit 1 at start-up with one line that names the flag, neither panic nor
// serve.
func TestBadFlagsExitAtStart(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yml")
	writeFile(t, cfg, unreachableConfig)
	for _, flag := range []string{
		"--web.telemetry-path=/probe", "--web.telemetry-path=/-/reload", "--web.telemetry-path=/-/healthy",
		"--web.telemetry-path=/-/ready", "--web.telemetry-path=metrics", "--web.telemetry-path=",
		"--web.telemetry-path=/a b",
		"--scrape.timeout-offset=-5s", "--scrape.timeout-offset=1h",
		"--scrape.default-timeout=0s", "--scrape.default-timeout=-1s", "--scrape.default-timeout=6m",
		"--web.shutdown-grace=-1s", "--runtime.gc-percent=0", "--runtime.gc-percent=-1",
		"--runtime.gc-percent=2147483648", "--runtime.gc-percent=99999999999999999999",
		"--runtime.gc-percent=1.5", "--runtime.gc-percent=1e3",
	} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			p := startExporter(t, "--config.file="+cfg, "--web.listen-address=127.0.0.1:0", flag)
			timeout := time.After(waitBound)
			for exited := false; !exited; {
				line, _, changed := p.logs.find(0, "TLS is")
				if line != "" {
					t.Fatalf("the exporter serves with %s", flag)
				}
				select {
				case <-p.done:
					exited = true
				case <-changed:
				case <-timeout:
					t.Fatalf("the exporter neither served nor exited within %s", waitBound)
				}
			}
			var exit *exec.ExitError
			if !errors.As(p.err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit %v, want status 1", p.err)
			}
			name, value, _ := strings.Cut(strings.TrimPrefix(flag, "--"), "=")
			out := p.logs.String()
			if strings.Count(out, "\n") != 0 || !strings.Contains(out, "invalid flag") || !strings.Contains(out, name) {
				t.Errorf("output %q, want one line naming %s", out, name)
			}
			// A number is quoted as typed, not as it was read.
			if name == "runtime.gc-percent" && !strings.Contains(out, value) {
				t.Errorf("output %q, want it to quote %s", out, value)
			}
		})
	}
}
