package ssmapi

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
)

// spec is the contract's entry of ssm_automation_<name>, of type t.
func spec(name string, t contract.Type) contract.Metric {
	return contract.Must(prometheus.BuildFQName("ssm_automation", "", name), t)
}

// APIMetrics are the exporter's own counters of API use.
type APIMetrics struct {
	// mu orders the writes of a target's counters (read lock) before the
	// deletion of its series when it leaves the configuration (write lock).
	mu sync.RWMutex

	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	throttled     *prometheus.CounterVec
	rateLimitWait *prometheus.CounterVec
	errors        *prometheus.CounterVec
	vanished      *prometheus.CounterVec
	limitCut      *prometheus.CounterVec
	refreshed     *prometheus.CounterVec // of the targets following events
	skew          *prometheus.GaugeVec
}

// NewAPIMetrics creates the exporter's API counters and registers them.
func NewAPIMetrics(reg prometheus.Registerer) *APIMetrics {
	f := func(name string) *prometheus.CounterVec {
		m := spec("exporter_"+name, contract.Counter)
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, m.Labels)
		reg.MustRegister(c)
		return c
	}
	duration := spec("exporter_api_request_duration_seconds", contract.Histogram)
	refreshed := spec("events_executions_refreshed_total", contract.Counter)
	skew := spec("exporter_clock_skew_seconds", contract.Gauge)
	m := &APIMetrics{
		requests:      f("api_requests_total"),
		throttled:     f("api_throttled_total"),
		rateLimitWait: f("rate_limit_wait_seconds_total"),
		errors:        f("errors_total"),
		vanished:      f("executions_vanished_total"),
		limitCut:      f("limit_cut_total"),
		refreshed:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: refreshed.Name, Help: refreshed.Help}, refreshed.Labels),
		skew:          prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: skew.Name, Help: skew.Help}, skew.Labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    duration.Name,
			Help:    duration.Help,
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, duration.Labels),
	}
	reg.MustRegister(m.duration, m.refreshed, m.skew)
	return m
}

// TargetCounters writes the exporter's counters of one target. Once the
// target has left the configuration nothing more is written: a refresh
// still in flight cannot bring its series back.
type TargetCounters struct {
	m       *APIMetrics
	name    string
	removed bool         // guarded by m.mu
	skew    atomic.Int64 // the last clock skew measured, in nanoseconds
}

// ForTarget creates a target's error, cut and wait series at 0, so that
// dashboards and rate() see them before the first error, and returns the
// writer of its counters.
func (m *APIMetrics) ForTarget(target string) *TargetCounters {
	for reason := range advice {
		m.errors.WithLabelValues(target, reason)
	}
	for _, limit := range []string{"executions", "steps", "label_length", "response_bytes", "announced"} {
		m.limitCut.WithLabelValues(target, limit)
	}
	m.throttled.WithLabelValues(target)
	m.vanished.WithLabelValues(target)
	m.rateLimitWait.WithLabelValues(target)
	return &TargetCounters{m: m, name: target}
}

// add adds n to the series of v with the target's name and labels, unless
// the target is gone.
func (c *TargetCounters) add(v *prometheus.CounterVec, n float64, labels ...string) {
	c.m.mu.RLock()
	defer c.m.mu.RUnlock()
	if !c.removed {
		v.WithLabelValues(append([]string{c.name}, labels...)...).Add(n)
	}
}

// Name is the target's name.
func (c *TargetCounters) Name() string { return c.name }

// Cut counts n things left out by the limit (executions, steps,
// label_length, response_bytes, announced).
func (c *TargetCounters) Cut(limit string, n float64) { c.add(c.m.limitCut, n, limit) }

// Failed counts a failed fetch of the reason.
func (c *TargetCounters) Failed(reason string) { c.add(c.m.errors, 1, reason) }

// Vanished counts an execution that the API no longer knows.
func (c *TargetCounters) Vanished() { c.add(c.m.vanished, 1) }

// Drop deletes the series of a target that left the configuration, and
// stops every later write of this writer.
func (c *TargetCounters) Drop() {
	m := c.m
	m.mu.Lock()
	defer m.mu.Unlock()
	c.removed = true
	for _, v := range []*prometheus.CounterVec{m.requests, m.throttled, m.rateLimitWait, m.errors, m.vanished, m.limitCut, m.refreshed} {
		v.DeletePartialMatch(prometheus.Labels{"target": c.name})
	}
	m.skew.DeletePartialMatch(prometheus.Labels{"target": c.name})
}

// RefreshCauses are the causes of ssm_automation_events_executions_refreshed_total.
var RefreshCauses = []string{"event", "announced", "resync"}

// FollowEvents creates the target's series of refreshes by cause at 0
// when it follows events, and deletes them when it no longer does.
func (c *TargetCounters) FollowEvents(on bool) {
	c.m.mu.RLock()
	defer c.m.mu.RUnlock()
	if c.removed {
		return
	}
	if !on {
		c.m.refreshed.DeletePartialMatch(prometheus.Labels{"target": c.name})
		return
	}
	for _, cause := range RefreshCauses {
		c.m.refreshed.WithLabelValues(c.name, cause)
	}
}

// Refreshed counts n executions fetched for the cause (event, announced,
// resync).
func (c *TargetCounters) Refreshed(cause string, n float64) { c.add(c.m.refreshed, n, cause) }

// clockSkew records how far the service's clock (the Date header of an
// answer, to the second) is ahead of the exporter's as the answer came.
func (c *TargetCounters) clockSkew(d time.Duration) {
	if c.name == "" {
		return // a call made for no target
	}
	c.skew.Store(int64(d))
	c.m.mu.RLock()
	defer c.m.mu.RUnlock()
	if !c.removed {
		c.m.skew.WithLabelValues(c.name).Set(d.Seconds())
	}
}

// ClockSkew is how far the service's clock was ahead of the exporter's at
// the target's last answer (behind when negative; 0 before any). The
// service's Date header has whole seconds: it reads up to a second low.
func (c *TargetCounters) ClockSkew() time.Duration { return time.Duration(c.skew.Load()) }
