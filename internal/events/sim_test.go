package events

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// safety bounds how long a test waits for what happens at once when the
// code is right; it only ends a test that would hang.
const safety = 10 * time.Second

// account is the simulator's default account, that of the test credentials.
const account = "123456789012"

// sim is a simulator serving SQS, and a consumer reading it through the
// SDK's client as the exporter builds it.
type sim struct {
	t        *testing.T
	srv      *ssmsim.Server
	endpoint string
	c        *Consumer
	clients  *ssmapi.Clients
	reg      *prometheus.Registry
	logs     *syncBuffer

	polls  atomic.Int64  // long polls that started waiting on an empty queue
	polled chan struct{} // signalled at each
}

func newSim(t *testing.T, opts ssmsim.Options) *sim {
	t.Helper()
	ssmsim.SetTestEnv(t)
	s := &sim{t: t, reg: prometheus.NewRegistry(), logs: &syncBuffer{}, polled: make(chan struct{}, 1)}
	opts.OnLongPoll = func(ssmsim.Queue) {
		s.polls.Add(1)
		select {
		case s.polled <- struct{}{}:
		default:
		}
	}
	s.endpoint, s.srv = ssmsim.NewTestServer(t, nil, opts)
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clients, err := ssmapi.NewClients(context.Background(), ssmapi.NewAPIMetrics(s.reg), logger)
	if err != nil {
		t.Fatal(err)
	}
	s.clients = clients
	s.c = NewConsumer(clients, NewMetrics(s.reg), logger)
	s.c.SetRetry(func(int) time.Duration { return 0 })
	t.Cleanup(s.c.Close)
	return s
}

// queue creates a queue of the default account in region and returns its
// settings.
func (s *sim) queue(name, region string) (ssmsim.Queue, config.Events) {
	q := ssmsim.Queue{Account: account, Region: region, Name: name}
	s.srv.CreateQueue(q)
	return q, config.Events{QueueURL: ssmsim.QueueURL(s.endpoint, q), Region: region, WaitTime: 20 * time.Second}
}

// api are the API settings of the tests: no retries, so that a fault
// reaches the loop at once.
var api = func() config.API { a := config.DefaultAPI; a.MaxAttempts = 1; return a }()

// waitPolls waits until n long polls have started waiting.
func (s *sim) waitPolls(n int64) {
	s.t.Helper()
	deadline := time.After(safety)
	for s.polls.Load() < n {
		select {
		case <-s.polled:
		case <-deadline:
			s.t.Fatalf("%d long polls after %s, want %d", s.polls.Load(), safety, n)
		}
	}
}

// value is the value of the series of name with labels, 0 when absent.
func (s *sim) value(name string, labels map[string]string) float64 {
	s.t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if has(m, labels) {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

// histogram is the count and sum of the histogram of name (every series).
func (s *sim) histogram(name string) (count uint64, sum float64) {
	s.t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				count += m.GetHistogram().GetSampleCount()
				sum += m.GetHistogram().GetSampleSum()
			}
		}
	}
	return count, sum
}

func has(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, lp := range m.GetLabel() {
		if v, ok := labels[lp.GetName()]; ok && v == lp.GetValue() {
			n++
		}
	}
	return n == len(labels)
}

// sink is a target that records the events offered to it, and takes
// those take accepts (every one when take is nil) into its changes.
type sink struct {
	take    func(Event) bool
	changes *Changes
	got     chan Event
}

func newSink(take func(Event) bool) *sink {
	return &sink{take: take, changes: NewChanges(), got: make(chan Event, 100)}
}

func (k *sink) Offer(ev Event) bool {
	ok := k.take == nil || k.take(ev)
	if ok {
		k.changes.Mark(ev.ExecutionID, ev.Time)
	}
	k.got <- ev
	return ok
}

// next is the next event offered to k.
func (k *sink) next(t *testing.T) Event {
	t.Helper()
	select {
	case ev := <-k.got:
		return ev
	case <-time.After(safety):
		t.Fatal("no event offered")
		return Event{}
	}
}

// execution is an execution whose events the tests publish.
func execution(id string) *ssmsim.Execution {
	return &ssmsim.Execution{ID: id, DocumentName: "AWS-PatchFleet", DocumentVersion: "1", Status: "InProgress",
		StartTime: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func verifyNoLeak(t *testing.T, before goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, before,
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

// clock is a simulated clock that a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
