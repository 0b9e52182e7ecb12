package collector

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// secretsConfig watches every execution of scenario(), by id and by a
// discovery rule, and one id the simulator does not know, so that the
// not-found path logs too.
var secretsConfig = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: ` + idLoop + `
      - id: ` + idFailed + `
      - id: ` + idMissing + `
    discovery:
      - name: all
        lookback: 24h
        include_children: true
`

// syncBuffer is a log destination the refresh goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withLogger rebuilds the harness's clients and exporter with logger, so
// that everything the collector and the clients log lands there. It reads
// the credentials from the environment as it is now.
func withLogger(t *testing.T, h *harness, logger *slog.Logger) *ssmapi.Clients {
	t.Helper()
	clients, err := ssmapi.NewClients(context.Background(), h.apiM, logger)
	if err != nil {
		t.Fatal(err)
	}
	exp := NewExporter(clients, h.apiM, logger)
	exp.now = h.exp.now
	h.exp = exp
	return clients
}

// scrapeText serves one scrape as /metrics does: the exporter's own
// metrics and the targets' series, in the text format.
func scrapeText(t *testing.T, h *harness) string {
	t.Helper()
	g := prometheus.Gatherers{h.base, h.registry(t)}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics answered %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestSimulatorServesSecrets makes sure the tests below mean something:
// the free text that holds the markers does reach the exporter's client.
func TestSimulatorServesSecrets(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	c := ssmsim.SDKClient(context.Background(), h.url, "AKIDTEST", "us-east-1")
	out, err := c.DescribeAutomationStepExecutions(context.Background(),
		&ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(idFailed)})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, s := range out.StepExecutions {
		fmt.Fprintf(&text, "%v %v %s\n", s.FailureDetails, s.Inputs, aws.ToString(s.FailureMessage))
		if s.FailureDetails != nil {
			fmt.Fprintf(&text, "%v\n", s.FailureDetails.Details)
		}
	}
	for _, kind := range []string{"stepfailure", "details"} {
		if !strings.Contains(text.String(), secret(kind)) {
			t.Errorf("the simulator does not serve %s; the secrets tests would prove nothing", secret(kind))
		}
	}
}

// TestNoSecretsInMetricsOrLogs scrapes executions whose inputs, outputs,
// overridden parameters, responses and failure texts hold markers, and
// finds none of them in /metrics nor in the logs, at info and debug level.
func TestNoSecretsInMetricsOrLogs(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			h := newHarness(t, scenario(), ssmsim.Options{})
			var logs syncBuffer
			withLogger(t, h, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level})))
			h.apply(t, secretsConfig)
			var metrics string
			for range 2 { // the second scrape reuses ended executions
				metrics += scrapeText(t, h)
			}
			// The scrape did export the executions that carry the markers.
			for _, want := range []string{`execution_id="` + idLoop + `"`, `step_name="fix"`, `failure_type="Verification"`} {
				if !strings.Contains(metrics, want) {
					t.Fatalf("/metrics lacks %s:\n%s", want, metrics)
				}
			}
			if !strings.Contains(logs.String(), "reason=not_found") {
				t.Errorf("the missing execution was not logged:\n%s", logs.String())
			}
			if i := strings.Index(metrics, "SECRET"); i >= 0 {
				t.Errorf("/metrics holds a secret: ...%s...", metrics[max(0, i-200):min(len(metrics), i+50)])
			}
			if strings.Contains(logs.String(), "SECRET") {
				t.Errorf("the log holds a secret:\n%s", logs.String())
			}
		})
	}
}

// TestSecretAccessKeyNotExposed signs with a marker secret access key and
// session token against a simulator that fails half of the calls, and
// finds neither in /metrics nor in the logs of the error paths.
func TestSecretAccessKeyNotExposed(t *testing.T) {
	const (
		secretKey = "SECRETKEY-wJalrXUtnFEMI-K7MDENG-MARKER"
		token     = "SECRETTOKEN-FwoGZXIvYXdzEJr-MARKER"
	)
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			h := newHarness(t, scenario(), ssmsim.Options{Faults: ssmsim.Faults{
				ErrorRates: map[string]float64{"InternalServerError": 0.5}, Seed: 1,
			}})
			t.Setenv("AWS_SECRET_ACCESS_KEY", secretKey)
			t.Setenv("AWS_SESSION_TOKEN", token)
			var logs syncBuffer
			clients := withLogger(t, h, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level})))
			creds, err := clients.Credentials().Retrieve(context.Background())
			if err != nil || creds.SecretAccessKey != secretKey || creds.SessionToken != token {
				t.Fatalf("the clients do not sign with the marker key: %v", err)
			}
			h.apply(t, "api:\n  requests_per_second: 10000\n  burst: 10000\n  max_attempts: 2\n  call_timeout: 5s\n"+secretsConfig)
			var metrics string
			for range 3 {
				metrics += scrapeText(t, h)
			}
			if v, ok := value(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "server_error"}); !ok || v == 0 {
				t.Fatalf("no call failed with a server error; the error paths were not exercised:\n%s", metrics)
			}
			if !strings.Contains(logs.String(), "reason=server_error") {
				t.Errorf("the server errors were not logged:\n%s", logs.String())
			}
			for _, s := range []string{secretKey, token, "SECRET"} {
				if strings.Contains(metrics, s) {
					t.Errorf("/metrics holds %s", s)
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log holds %s:\n%s", s, logs.String())
				}
			}
		})
	}
}
