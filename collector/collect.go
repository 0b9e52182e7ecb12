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
	now    time.Time
}

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func ts(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// target sends every series of one target.
func (e *emitter) targetSeries(t config.ExpandedTarget, v *view, lastSuccess bool) {
	e.gauge(descTargetInfo, 1, e.target, t.AccountID, t.Region, t.RoleARN)
	e.gauge(descUp, b2f(v.up), e.target)
	e.gauge(descScrapeDuration, v.duration, e.target)
	e.gauge(descLastRefresh, ts(v.refreshedAt), e.target)
	for _, r := range v.rules {
		e.gauge(descDiscovered, float64(r.found), e.target, r.name)
		e.gauge(descDropped, float64(r.dropped), e.target, r.name)
	}
	for k, n := range v.steps {
		e.gauge(descSteps, n, e.target, k.document, k.step, k.action, k.status)
	}
	details := t.Target.Details
	if details == config.DetailsNone {
		return
	}
	for _, x := range v.execs {
		e.execution(x)
		if details == config.DetailsSteps {
			for i := range x.steps {
				e.step(&x.exec, &x.steps[i])
			}
		}
	}
}

func (e *emitter) execution(t *tracked) {
	x := &t.exec
	e.gauge(descExecInfo, 1, e.target, x.id, x.document, x.version, x.autoType, x.mode, x.parent)
	if x.status != "" {
		e.gauge(descExecStatus, 1, e.target, x.id, x.document, x.status)
	}
	if !x.start.IsZero() {
		e.gauge(descExecStart, ts(x.start), e.target, x.id, x.document)
	}
	if !x.end.IsZero() {
		e.gauge(descExecEnd, ts(x.end), e.target, x.id, x.document)
	}
	e.gauge(descExecLastSuccess, ts(t.lastSuccess), e.target, x.id)
	counts := map[string]float64{}
	for _, s := range baseStepStatuses {
		counts[s] = 0
	}
	for i := range t.steps {
		counts[t.steps[i].status]++
	}
	for status, n := range counts {
		if status != "" {
			e.gauge(descExecSteps, n, e.target, x.id, x.document, status)
		}
	}
	for _, a := range x.alarms {
		e.gauge(descExecAlarm, 1, e.target, x.id, x.document, a.name, a.state)
	}
}

func (e *emitter) step(x *execRec, s *stepRec) {
	l := []string{e.target, x.id, x.document, s.id, s.name, s.action}
	if s.status != "" {
		e.gauge(descStepStatus, 1, append(l, s.status)...)
	}
	if !s.start.IsZero() {
		e.gauge(descStepStart, ts(s.start), l...)
		end := s.end
		if end.IsZero() {
			end = e.now
		}
		e.gauge(descStepDuration, max(end.Sub(s.start).Seconds(), 0), l...)
	}
	if !s.end.IsZero() {
		e.gauge(descStepEnd, ts(s.end), l...)
	}
	if s.hasMaxAttempts {
		e.gauge(descStepAttempts, s.maxAttempts, l...)
	}
	if s.hasTimeout {
		e.gauge(descStepTimeout, s.timeout, l...)
	}
	e.gauge(descStepInfo, 1, append(l, s.onFailure, s.isCritical, s.isEnd, s.nextStep,
		s.parentStepName, s.iteration, s.failureStage, s.failureType)...)
	for _, a := range s.alarms {
		e.gauge(descStepAlarm, 1, append(l, a.name, a.state)...)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
