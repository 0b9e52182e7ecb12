package ssmsim

import (
	"maps"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	requestsDesc = prometheus.NewDesc(
		"ssm_simulator_requests_total",
		"Requests served by the SSM simulator, by operation and result code (OK or the error code).",
		[]string{"operation", "code"}, nil,
	)
	injectedFaultsDesc = prometheus.NewDesc(
		"ssm_simulator_injected_faults_total",
		"Faults injected by the SSM simulator, by kind (an error code, Latency, MalformedBody or RepeatToken).",
		[]string{"kind"}, nil,
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
}

var _ prometheus.Collector = (*simMetrics)(nil)

func newSimMetrics() *simMetrics {
	return &simMetrics{requests: map[requestLabels]float64{}, faults: map[string]float64{}}
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

// Describe implements prometheus.Collector.
func (m *simMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- requestsDesc
	ch <- injectedFaultsDesc
}

// Collect implements prometheus.Collector.
func (m *simMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	requests := maps.Clone(m.requests)
	faults := maps.Clone(m.faults)
	m.mu.Unlock()
	for l, v := range requests {
		ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, v, l.operation, l.code)
	}
	for kind, v := range faults {
		ch <- prometheus.MustNewConstMetric(injectedFaultsDesc, prometheus.CounterValue, v, kind)
	}
}

// Requests returns how many requests for operation were answered with code
// ("OK" or an error code).
func (s *Server) Requests(operation, code string) float64 {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	return s.metrics.requests[requestLabels{operation, code}]
}

// InjectedFaults returns the faults injected so far, by kind: the error code
// of an injected error, or Latency, MalformedBody, RepeatToken.
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
