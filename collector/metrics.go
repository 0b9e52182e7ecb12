package collector

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "ssm_automation"

var aggLabels = []string{"target", "document_name", "step_name", "action"}

func desc(name, help string, labels ...[]string) *prometheus.Desc {
	var all []string
	for _, l := range labels {
		all = append(all, l...)
	}
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, all, nil)
}

var (
	descSteps = desc("steps", "Step executions in each status across every tracked execution of the target.",
		aggLabels, []string{"status"})
	descDiscovered = desc("discovered_executions", "Executions a discovery rule found in its window.", []string{"target", "rule"})
	descDropped    = desc("discovery_dropped_executions", "Executions a discovery rule found beyond max_executions; counted, not exported.",
		[]string{"target", "rule"})
	descTargetInfo = desc("target_info", "Account, region and role of a target (value 1).",
		[]string{"target", "account_id", "region", "role_arn"})
	descUp             = desc("up", "1 when everything for the target was fetched in this scrape.", []string{"target"})
	descScrapeDuration = desc("scrape_duration_seconds", "Time spent on the target in this scrape.", []string{"target"})
	descLastRefresh    = desc("last_refresh_timestamp_seconds", "When the target's data was last refreshed from the API.", []string{"target"})
	descScrapeTimeout  = desc("scrape_timeout_seconds", "Deadline this scrape had for refreshing targets.")
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
	return &aggregateMetrics{
		stepsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "steps_finished_total",
			Help: "Step executions observed in a terminal status, once per step execution.",
		}, append(append([]string{}, aggLabels...), "status")),
		execsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "executions_finished_total",
			Help: "Executions observed in a terminal status, once per execution.",
		}, []string{"target", "document_name", "status"}),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "step_finished_duration_seconds",
			Help:                            "Durations of finished step executions.",
			Buckets:                         finishedDurationBuckets,
			NativeHistogramBucketFactor:     1.1,
			NativeHistogramMaxBucketNumber:  100,
			NativeHistogramMinResetDuration: 0,
		}, aggLabels),
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
	f := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "exporter", Name: name, Help: help,
		}, labels)
		reg.MustRegister(c)
		return c
	}
	m := &apiMetrics{
		requests: f("api_requests_total", "API calls the SDK made, retries included, by outcome (OK or the error code).",
			"target", "operation", "code"),
		throttled:     f("api_throttled_total", "ThrottlingException answers received.", "target"),
		rateLimitWait: f("rate_limit_wait_seconds_total", "Time spent waiting for the client-side token bucket.", "target"),
		errors:        f("errors_total", "Failed fetches by reason.", "target", "reason"),
		vanished:      f("executions_vanished_total", "Executions the API said no longer exist; dropped.", "target"),
		limitCut:      f("limit_cut_total", "What a configured cap cut, by cap.", "target", "limit"),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "exporter", Name: "api_request_duration_seconds",
			Help:    "Duration of API attempts.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
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
