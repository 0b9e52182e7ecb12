package collector

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
)

const namespace = "ssm_automation"

// spec is the contract's entry of ssm_automation_<name>, of type t.
func spec(name string, t contract.Type) contract.Metric {
	return contract.Must(prometheus.BuildFQName(namespace, "", name), t)
}

// desc is the descriptor of the gauge ssm_automation_<name>.
func desc(name string) *prometheus.Desc {
	m := spec(name, contract.Gauge)
	return prometheus.NewDesc(m.Name, m.Help, m.Labels, nil)
}

var (
	descSteps          = desc("steps")
	descDiscovered     = desc("discovered_executions")
	descDropped        = desc("discovery_dropped_executions")
	descTargetInfo     = desc("target_info")
	descUp             = desc("up")
	descScrapeDuration = desc("scrape_duration_seconds")
	descLastRefresh    = desc("last_refresh_timestamp_seconds")
	descScrapeTimeout  = desc("scrape_timeout_seconds")
)

// targetDescs lists the descriptors of the per-target series: everything
// the collector sends besides the families and the aggregates.
var targetDescs = []*prometheus.Desc{
	descSteps, descDiscovered, descDropped, descTargetInfo, descUp, descScrapeDuration, descLastRefresh, descScrapeTimeout,
}

// finishedDurationBuckets suit runbook steps: seconds to hours.
var finishedDurationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400}

// aggregateMetrics are the counters and the histogram that outlive executions
// and reloads.
type aggregateMetrics struct {
	stepsFinished *prometheus.CounterVec
	execsFinished *prometheus.CounterVec
	stepDuration  *prometheus.HistogramVec
}

func newAggregateMetrics() *aggregateMetrics {
	steps := spec("steps_finished_total", contract.Counter)
	execs := spec("executions_finished_total", contract.Counter)
	duration := spec("step_finished_duration_seconds", contract.Histogram)
	return &aggregateMetrics{
		stepsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: steps.Name, Help: steps.Help}, steps.Labels),
		execsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: execs.Name, Help: execs.Help}, execs.Labels),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:                            duration.Name,
			Help:                            duration.Help,
			Buckets:                         finishedDurationBuckets,
			NativeHistogramBucketFactor:     1.1,
			NativeHistogramMaxBucketNumber:  100,
			NativeHistogramMinResetDuration: 0,
		}, duration.Labels),
	}
}

func (a *aggregateMetrics) describe(ch chan<- *prometheus.Desc) {
	a.stepsFinished.Describe(ch)
	a.execsFinished.Describe(ch)
	a.stepDuration.Describe(ch)
}

func (a *aggregateMetrics) collect(ch chan<- prometheus.Metric) {
	a.stepsFinished.Collect(ch)
	a.execsFinished.Collect(ch)
	a.stepDuration.Collect(ch)
}

// apiMetrics are the exporter's own counters of API use.
type apiMetrics struct {
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
}

// NewAPIMetrics creates the exporter's API counters and registers them.
func NewAPIMetrics(reg prometheus.Registerer) *apiMetrics {
	f := func(name string) *prometheus.CounterVec {
		m := spec("exporter_"+name, contract.Counter)
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, m.Labels)
		reg.MustRegister(c)
		return c
	}
	duration := spec("exporter_api_request_duration_seconds", contract.Histogram)
	m := &apiMetrics{
		requests:      f("api_requests_total"),
		throttled:     f("api_throttled_total"),
		rateLimitWait: f("rate_limit_wait_seconds_total"),
		errors:        f("errors_total"),
		vanished:      f("executions_vanished_total"),
		limitCut:      f("limit_cut_total"),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    duration.Name,
			Help:    duration.Help,
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, duration.Labels),
	}
	reg.MustRegister(m.duration)
	return m
}

// targetCounters writes the exporter's counters of one target. Once the
// target has left the configuration nothing more is written: a refresh
// still in flight cannot bring its series back.
type targetCounters struct {
	m       *apiMetrics
	name    string
	removed bool // guarded by m.mu
}

// forTarget creates a target's error, cut and wait series at 0, so that
// dashboards and rate() see them before the first error, and returns the
// writer of its counters.
func (m *apiMetrics) forTarget(target string) *targetCounters {
	for reason := range advice {
		m.errors.WithLabelValues(target, reason)
	}
	for _, limit := range []string{"executions", "steps", "label_length", "response_bytes"} {
		m.limitCut.WithLabelValues(target, limit)
	}
	m.throttled.WithLabelValues(target)
	m.vanished.WithLabelValues(target)
	m.rateLimitWait.WithLabelValues(target)
	return &targetCounters{m: m, name: target}
}

// add adds n to the series of v with the target's name and labels, unless
// the target is gone.
func (c *targetCounters) add(v *prometheus.CounterVec, n float64, labels ...string) {
	c.m.mu.RLock()
	defer c.m.mu.RUnlock()
	if !c.removed {
		v.WithLabelValues(append([]string{c.name}, labels...)...).Add(n)
	}
}

func (c *targetCounters) cut(limit string, n float64) { c.add(c.m.limitCut, n, limit) }
func (c *targetCounters) failed(reason string)        { c.add(c.m.errors, 1, reason) }
func (c *targetCounters) vanished()                   { c.add(c.m.vanished, 1) }

// drop deletes the series of a target that left the configuration, and
// stops every later write of this writer.
func (c *targetCounters) drop() {
	m := c.m
	m.mu.Lock()
	defer m.mu.Unlock()
	c.removed = true
	for _, v := range []*prometheus.CounterVec{m.requests, m.throttled, m.rateLimitWait, m.errors, m.vanished, m.limitCut} {
		v.DeletePartialMatch(prometheus.Labels{"target": c.name})
	}
}
