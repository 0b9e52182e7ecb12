package collector

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// noDelay makes retries immediate so hundreds of faulty scrapes run fast.
type noDelay struct{}

func (noDelay) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// faultConfig watches two static executions (one running, so it is fetched
// every scrape) and everything else by discovery.
const faultConfig = `
api:
  requests_per_second: 100000
  burst: 100000
  max_attempts: 3
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: ` + idRunning + `
      - id: ` + idBig + `
    discovery: [{name: all, max_executions: 1000}]
`

const idBig = "66666666-6666-4666-8666-666666666666"

// faultScenario adds a running execution with 120 steps (three pages), so
// paging faults have a NextToken to repeat, and more executions, so the
// discovery listing has pages too.
func faultScenario() []*ssmsim.Execution {
	execs := scenario()
	big := execs[2].Clone()
	big.ID = idBig
	big.Steps = nil
	for i := range 120 {
		big.Steps = append(big.Steps, &ssmsim.Step{StepExecutionID: "big-" + string(rune('a'+i/26)) + string(rune('a'+i%26)),
			StepName: "step", Action: "aws:sleep", Status: "Success", StartTime: at(-10), EndTime: at(-9)})
	}
	big.Steps[119].Status, big.Steps[119].EndTime = "InProgress", time.Time{}
	execs = append(execs, big)
	for i := range 60 {
		e := execs[1].Clone()
		e.ID = "dddddddd-0000-4000-8000-0000000000" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		e.StartTime = at(-30 - i)
		execs = append(execs, e)
	}
	return execs
}

// executionLines returns the per-execution sample lines, without the
// freshness timestamps, keyed by execution id.
func executionLines(t testing.TB, g prometheus.Gatherer) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, line := range strings.Split(gatheredText(t, g), "\n") {
		i := strings.Index(line, `execution_id="`)
		if i < 0 || strings.HasPrefix(line, "ssm_automation_execution_last_success_timestamp_seconds") {
			continue
		}
		id := line[i+len(`execution_id="`):]
		id = id[:strings.IndexByte(id, '"')]
		out[id] = append(out[id], line)
	}
	for _, lines := range out {
		slices.Sort(lines)
	}
	return out
}

// faultHarness is a harness whose retries do not wait and whose log lines
// are kept.
func faultHarness(t *testing.T, opts ssmsim.Options) (*harness, *bytes.Buffer) {
	h := newHarness(t, faultScenario(), opts)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	clients, err := ssmapi.NewClients(context.Background(), h.apiM, logger)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetBackoff(noDelay{})
	h.exp = NewExporter(clients, h.apiM, logger)
	h.exp.now = func() time.Time { return h.clock }
	h.apply(t, faultConfig)
	return h, &logs
}

func scrapeWithin(t testing.TB, h *harness, d time.Duration) prometheus.Gatherer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	reg := scraped(t, h.exp.Scrape(ctx, nil))
	return reg
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// faultCase is one row of the fault matrix.
type faultCase struct {
	name    string
	faults  ssmsim.Faults
	timeout time.Duration // scrape deadline while the faults are on
	// check compares the exporter's error counters with what the
	// simulator injected.
	check func(t *testing.T, h *harness, injected map[string]int)
}

func codeCount(t *testing.T, h *harness, code string) float64 {
	return sum(t, h.base, "ssm_automation_exporter_api_requests_total", map[string]string{"code": code})
}

var faultCases = []faultCase{
	{name: "throttling bursts", faults: ssmsim.Faults{ErrorRates: map[string]float64{"ThrottlingException": 0.4}},
		check: func(t *testing.T, h *harness, injected map[string]int) {
			n := float64(injected["ThrottlingException"])
			if got := codeCount(t, h, "ThrottlingException"); n == 0 || got != n {
				t.Errorf("counted %v ThrottlingException answers, the simulator injected %v", got, n)
			}
			if got := sum(t, h.base, "ssm_automation_exporter_api_throttled_total", nil); got != n {
				t.Errorf("api_throttled_total = %v, injected %v", got, n)
			}
		}},
	{name: "5xx bursts", faults: ssmsim.Faults{ErrorRates: map[string]float64{"InternalServerError": 0.4}},
		check: func(t *testing.T, h *harness, injected map[string]int) {
			n := float64(injected["InternalServerError"])
			if got := codeCount(t, h, "InternalServerError"); n == 0 || got != n {
				t.Errorf("counted %v InternalServerError answers, the simulator injected %v", got, n)
			}
		}},
	// A scrape that answers at its deadline while the refresh goes on in
	// the background is no timeout: only a refresh that reaches
	// api.refresh_timeout counts one (TestRefreshTimeoutCountsATimeout).
	{name: "latency above the scrape timeout", faults: ssmsim.Faults{Latency: 300 * time.Millisecond}, timeout: 60 * time.Millisecond,
		check: func(t *testing.T, h *harness, injected map[string]int) {
			got := sum(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "timeout"})
			if injected["Latency"] == 0 || got != 0 {
				t.Errorf("slow answers (injected %d) counted %v timeouts, want none", injected["Latency"], got)
			}
		}},
	{name: "malformed bodies", faults: ssmsim.Faults{MalformedRate: 0.3},
		check: func(t *testing.T, h *harness, injected map[string]int) {
			n := float64(injected["MalformedBody"])
			if got := codeCount(t, h, "DeserializationError"); n == 0 || got != n {
				t.Errorf("counted %v unusable bodies, the simulator cut %v", got, n)
			}
		}},
	{name: "repeating NextToken", faults: ssmsim.Faults{RepeatTokenRate: 0.3},
		check: func(t *testing.T, h *harness, injected map[string]int) {
			n := float64(injected["RepeatToken"])
			got := sum(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "invalid_response"})
			if n == 0 || got != n {
				t.Errorf("counted %v repeated tokens, the simulator repeated %v", got, n)
			}
		}},
}

// TestFaultMatrix runs each fault in bursts for hundreds of scrapes and
// checks that nothing is lost: the series of every execution stay exactly
// those of a fault-free run, errors are counted as injected, the heap stays
// flat and no goroutine is left behind.
func TestFaultMatrix(t *testing.T) {
	scrapes := 200
	if raceEnabled || testing.Short() {
		scrapes = 100 // the race detector slows every call several times
	}
	clean := newHarness(t, faultScenario(), ssmsim.Options{})
	clean.apply(t, faultConfig)
	want := executionLines(t, clean.registry(t))
	if len(want) != len(faultScenario()) {
		t.Fatalf("fault-free run exports %d executions, want %d", len(want), len(faultScenario()))
	}
	for _, c := range faultCases {
		t.Run(c.name, func(t *testing.T) {
			defer verifyNoLeak(t, goleak.IgnoreCurrent())
			h, _ := faultHarness(t, ssmsim.Options{})
			h.registry(t).Gather() // a good first scrape
			var heap0 uint64
			for i := range scrapes {
				on := (i/10)%2 == 0
				timeout := 20 * time.Second
				if on {
					f := c.faults
					f.Seed = int64(i)
					h.sim.SetFaults(f)
					if c.timeout > 0 {
						timeout = c.timeout
					}
				} else {
					h.sim.SetFaults(ssmsim.Faults{})
				}
				got := executionLines(t, scrapeWithin(t, h, timeout))
				for id, lines := range want {
					if !slices.Equal(got[id], lines) {
						t.Fatalf("scrape %d: the series of %s differ from the fault-free run:\n got %q\nwant %q", i, id, got[id], lines)
					}
				}
				if i == 20 {
					heap0 = heapInUse()
				}
			}
			h.sim.SetFaults(ssmsim.Faults{})
			if v, _ := value(t, h.registry(t), "ssm_automation_up", nil); v != 1 {
				t.Fatal("not up again once the faults stopped")
			}
			c.check(t, h, h.sim.InjectedFaults())
			if grown := int64(heapInUse()) - int64(heap0); grown > 4<<20 {
				t.Errorf("heap grew by %d bytes over the run", grown)
			}
		})
	}
}

// verifyNoLeak fails t if a goroutine not in before (goleak.IgnoreCurrent
// taken when the test started) is still running, but for the idle
// keep-alive connections of the HTTP client and server.
func verifyNoLeak(t *testing.T, before goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, before,
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

func TestExecutionDeletedMidRunIsDroppedAndCounted(t *testing.T) {
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	h, _ := faultHarness(t, ssmsim.Options{})
	clean := newHarness(t, faultScenario(), ssmsim.Options{})
	clean.apply(t, faultConfig)
	want := executionLines(t, clean.registry(t))
	for i := range 40 {
		if i == 20 {
			h.store.Delete("123456789012", "us-east-1", idRunning)
		}
		got := executionLines(t, h.registry(t))
		for id, lines := range want {
			if id == idRunning && i >= 20 {
				if len(got[id]) != 0 {
					t.Fatalf("scrape %d: the deleted execution is still exported", i)
				}
				continue
			}
			if !slices.Equal(got[id], lines) {
				t.Fatalf("scrape %d: the series of %s changed", i, id)
			}
		}
	}
	if v := sum(t, h.base, "ssm_automation_exporter_executions_vanished_total", nil); v != 1 {
		t.Fatalf("vanished_total = %v, want 1", v)
	}
}

func TestCredentialsRevokedMidRun(t *testing.T) {
	defer verifyNoLeak(t, goleak.IgnoreCurrent())
	h, logs := faultHarness(t, ssmsim.Options{})
	clean := newHarness(t, faultScenario(), ssmsim.Options{})
	clean.apply(t, faultConfig)
	want := executionLines(t, clean.registry(t))
	for i := range 60 {
		if i == 10 {
			h.sim.RevokeAccessKey("AKIDTEST")
		}
		reg := h.registry(t)
		up, _ := value(t, reg, "ssm_automation_up", nil)
		if wantUp := i < 10; (up == 1) != wantUp {
			t.Fatalf("scrape %d: up = %v", i, up)
		}
		got := executionLines(t, reg)
		for id, lines := range want {
			if !slices.Equal(got[id], lines) {
				t.Fatalf("scrape %d: the series of %s changed after the credentials were revoked", i, id)
			}
		}
	}
	refused := sum(t, h.base, "ssm_automation_exporter_api_requests_total", map[string]string{"code": "UnrecognizedClientException"})
	denied := sum(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "access_denied"})
	if refused == 0 || denied == 0 {
		t.Fatalf("refused calls %v, access_denied errors %v: both should count", refused, denied)
	}
	if n := strings.Count(logs.String(), "reason=access_denied"); n != 1 {
		t.Fatalf("%d warnings for 50 scrapes with revoked credentials, want one per interval:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "SECRET") || strings.Contains(logs.String(), "secret") {
		t.Fatal("a log line carries the secret")
	}
}
