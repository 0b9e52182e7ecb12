package main

import (
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Endpoints with user info whose passwords must appear in no error.
const (
	httpPassword = "hunter2-http-secret"
	ftpPassword  = "hunter2-ftp-secret"
)

var passwordConfig = `
targets:
  - name: a
    region: us-east-1
    endpoint: http://user:` + httpPassword + `@host:badport
    sts_endpoint: ftp://u:` + ftpPassword + `@host
    executions:
      - id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab
`

func checkNoPassword(t *testing.T, what, text string) {
	t.Helper()
	for _, pw := range []string{httpPassword, ftpPassword} {
		if strings.Contains(text, pw) {
			t.Errorf("%s holds the endpoint password %q:\n%s", what, pw, text)
		}
	}
	// Not vacuous: the problem is reported, with its field path.
	if !strings.Contains(text, "targets[0].endpoint") {
		t.Errorf("%s does not name targets[0].endpoint:\n%s", what, text)
	}
}

// TestConfigCheckHidesPasswords: --config.check reports the bad endpoints
// without their passwords.
func TestConfigCheckHidesPasswords(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "config.yml")
	writeFile(t, cfg, passwordConfig)
	p := startExporter(t, "--config.check", "--config.file="+cfg)
	var exit *exec.ExitError
	if err := p.exit(t); !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit %v, want status 1", err)
	}
	checkNoPassword(t, "--config.check output", p.logs.String())
}

// TestReloadHidesPasswords: a failed POST /-/reload answers and logs the
// reason without the passwords.
func TestReloadHidesPasswords(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "config.yml")
	writeFile(t, cfg, unreachableConfig)
	p := startExporter(t, "--config.file="+cfg, "--web.listen-address=127.0.0.1:0")
	addr := p.serving(t)
	writeFile(t, cfg, passwordConfig)
	code, body := post(t, "http://"+addr+"/-/reload")
	if code != http.StatusInternalServerError {
		t.Errorf("POST /-/reload of a bad file = %d, want 500", code)
	}
	checkNoPassword(t, "the /-/reload answer", body)
	p.waitLog(t, 0, "reloading configuration failed")
	if err := p.stop(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	checkNoPassword(t, "the log", p.logs.String())
}
