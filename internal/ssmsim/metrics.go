package ssmsim

import (
	"maps"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	requestsDesc = prometheus.NewDesc(
		"ssm_simulator_requests_total",
		"Requests served by the SSM simulator (SSM, STS and SQS), by operation and result code (OK or the error code).",
		[]string{"operation", "code"}, nil,
	)
	injectedFaultsDesc = prometheus.NewDesc(
		"ssm_simulator_injected_faults_total",
		"Faults injected by the SSM simulator, by kind (an error code, Latency, MalformedBody, RepeatToken, WrongMD5, EventDrop, EventDuplicate or EventReorder).",
		[]string{"kind"}, nil,
	)
	eventsDesc = prometheus.NewDesc(
		"ssm_simulator_events_total",
		"EventBridge events the simulator published, by detail type, before delivery faults.",
		[]string{"detail_type"}, nil,
	)
)

// operationUnknown labels requests that name no known operation.
const operationUnknown = "Unknown"

type requestLabels struct{ operation, code string }

// simMetrics counts requests and faults; it is the simulator's collector.
type simMetrics struct {
	mu       sync.Mutex
	requests map[requestLabels]float64
	faults   map[string]float64
	events   map[string]float64
}

var _ prometheus.Collector = (*simMetrics)(nil)

func newSimMetrics() *simMetrics {
	return &simMetrics{requests: map[requestLabels]float64{}, faults: map[string]float64{}, events: map[string]float64{}}
}

func (m *simMetrics) request(operation, code string) {
	m.mu.Lock()
	m.requests[requestLabels{operation, code}]++
	m.mu.Unlock()
}

func (m *simMetrics) fault(kind string) {
	m.mu.Lock()
	m.faults[kind]++
	m.mu.Unlock()
}

func (m *simMetrics) event(detailType string) {
	m.mu.Lock()
	m.events[detailType]++
	m.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (m *simMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- requestsDesc
	ch <- injectedFaultsDesc
	ch <- eventsDesc
}

// Collect implements prometheus.Collector.
func (m *simMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	requests := maps.Clone(m.requests)
	faults := maps.Clone(m.faults)
	events := maps.Clone(m.events)
	m.mu.Unlock()
	for l, v := range requests {
		ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, v, l.operation, l.code)
	}
	for kind, v := range faults {
		ch <- prometheus.MustNewConstMetric(injectedFaultsDesc, prometheus.CounterValue, v, kind)
	}
	for dt, v := range events {
		ch <- prometheus.MustNewConstMetric(eventsDesc, prometheus.CounterValue, v, dt)
	}
}

// Requests returns how many requests for operation were answered with code
// ("OK" or an error code).
func (s *Server) Requests(operation, code string) float64 {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	return s.metrics.requests[requestLabels{operation, code}]
}

// EventsPublished returns how many events of a detail type were published.
func (s *Server) EventsPublished(detailType string) float64 {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	return s.metrics.events[detailType]
}

// InjectedFaults returns the faults injected so far, by kind: the error code
// of an injected error, or Latency, MalformedBody, RepeatToken, WrongMD5,
// EventDrop, EventDuplicate, EventReorder.
func (s *Server) InjectedFaults() map[string]int {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	out := make(map[string]int, len(s.metrics.faults))
	for k, v := range s.metrics.faults {
		out[k] = int(v)
	}
	return out
}

// Registry returns the registry holding the simulator's own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }
