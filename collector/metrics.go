package collector

import (
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
	descPending        = desc("pending_executions")
	descScrapeTimeout  = desc("scrape_timeout_seconds")
	descFollowing      = desc("events_following")
)

// targetDescs lists the descriptors of the per-target series: everything
// the collector sends besides the families and the aggregates.
var targetDescs = []*prometheus.Desc{
	descSteps, descDiscovered, descDropped, descTargetInfo, descUp, descScrapeDuration, descLastRefresh, descPending, descScrapeTimeout, descFollowing,
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
