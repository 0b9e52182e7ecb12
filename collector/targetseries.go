package collector

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// emitter sends constant metrics for one target's view.
type emitter struct {
	ch     chan<- prometheus.Metric
	target string
}

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// targetSeries sends the per-target series of one target: everything but
// the families and the aggregates.
func (e *emitter) targetSeries(t config.ExpandedTarget, v *view) {
	e.gauge(descTargetInfo, 1, e.target, t.AccountID, t.Region, t.RoleARN)
	e.gauge(descUp, b2f(v.up), e.target)
	e.gauge(descScrapeDuration, v.duration, e.target)
	e.gauge(descLastRefresh, epochSeconds(v.refreshedAt), e.target)
	e.gauge(descPending, float64(v.pending), e.target)
	if t.Target.Events.Enabled() {
		e.gauge(descFollowing, b2f(v.following), e.target)
	}
	for _, r := range v.rules {
		e.gauge(descDiscovered, float64(r.found), e.target, r.name)
		e.gauge(descDropped, float64(r.dropped), e.target, r.name)
	}
	for k, n := range v.steps {
		e.gauge(descSteps, n, e.target, k.document, k.step, k.action, k.status)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
