package events

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
)

// delayBuckets suit events: EventBridge and SQS take well under a second
// to deliver, a backlog minutes.
var delayBuckets = []float64{.1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}

// Metrics are the consumer's series, by queue name.
type Metrics struct {
	received *prometheus.CounterVec
	invalid  *prometheus.CounterVec
	delay    *prometheus.HistogramVec
	up       *prometheus.GaugeVec
	last     *prometheus.GaugeVec
	// reading holds the queues whose series exist; only Apply, which
	// the consumer serialises, adds and removes them.
	reading map[string]bool
}

// NewMetrics creates the consumer's series and registers them.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name string) *prometheus.CounterVec {
		m := contract.Must(name, contract.Counter)
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, m.Labels)
	}
	delay := contract.Must("ssm_automation_event_delay_seconds", contract.Histogram)
	up := contract.Must("ssm_automation_events_up", contract.Gauge)
	last := contract.Must("ssm_automation_events_last_received_timestamp_seconds", contract.Gauge)
	m := &Metrics{
		received: counter("ssm_automation_events_received_total"),
		invalid:  counter("ssm_automation_events_invalid_total"),
		delay: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: delay.Name, Help: delay.Help, Buckets: delayBuckets,
			NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 100,
		}, delay.Labels),
		up:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: up.Name, Help: up.Help}, up.Labels),
		last:    prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: last.Name, Help: last.Help}, last.Labels),
		reading: map[string]bool{},
	}
	reg.MustRegister(m.received, m.invalid, m.delay, m.up, m.last)
	return m
}

// add creates the series of a queue: its counters at 0, up at 0 until a
// call succeeds, and the time of the last message at now, when the
// exporter begins reading it, until one comes. A queue read on by a new
// loop (its settings changed) keeps its time of the last message.
func (m *Metrics) add(queue string, now time.Time) {
	if !m.reading[queue] {
		m.reading[queue] = true
		m.receivedAt(queue, now)
	}
	for _, dt := range []string{StepDetailType, ExecutionDetailType, otherDetailType} {
		m.received.WithLabelValues(queue, dt)
	}
	for _, r := range Reasons {
		m.invalid.WithLabelValues(queue, r)
	}
	m.up.WithLabelValues(queue).Set(0)
}

// remove deletes the series of a queue no target names any more.
func (m *Metrics) remove(queue string) {
	labels := prometheus.Labels{"queue": queue}
	m.received.DeletePartialMatch(labels)
	m.invalid.DeletePartialMatch(labels)
	m.delay.DeletePartialMatch(labels)
	m.up.DeletePartialMatch(labels)
	m.last.DeletePartialMatch(labels)
	delete(m.reading, queue)
}

// receivedAt records when the last messages of a queue were received.
func (m *Metrics) receivedAt(queue string, at time.Time) {
	m.last.WithLabelValues(queue).Set(float64(at.UnixNano()) / 1e9)
}

func (m *Metrics) setUp(queue string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.up.WithLabelValues(queue).Set(v)
}

func (m *Metrics) receivedOne(queue, detailType string) {
	m.received.WithLabelValues(queue, detailType).Inc()
}

func (m *Metrics) invalidOne(queue, reason string) {
	m.invalid.WithLabelValues(queue, reason).Inc()
}

func (m *Metrics) delayed(queue string, d time.Duration) {
	m.delay.WithLabelValues(queue).Observe(max(d, 0).Seconds())
}
