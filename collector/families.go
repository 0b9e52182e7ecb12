package collector

import (
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/exposition"
)

// A family is one of the per-execution and per-step gauges: the bulk of
// an exposition, one series or more per step execution. Its series are
// written straight from the tracked records (serve.go and
// internal/exposition), never built as constant metrics: a scrape has one
// exposition path, the one tests read too. Its help and labels are the contract's
// (internal/contract); a series passes its label values in the order of
// those labels, which is sorted.
type family struct {
	*exposition.Family
	steps  bool // exported only with details: steps
	series func(o *seriesOut, t *tracked)
}

// newFamily is the family ssm_automation_<name> of the contract.
func newFamily(name string, steps bool, series func(o *seriesOut, t *tracked)) *family {
	m := contract.Must(prometheus.BuildFQName(namespace, "", name), contract.Gauge)
	return &family{Family: exposition.NewFamily(m.Name, m.Help, dto.MetricType_GAUGE, m.Labels), steps: steps,
		series: series}
}

// families lists the bulk families by name, the order of an exposition.
var families = []*family{
	newFamily("execution_end_timestamp_seconds", false,
		func(o *seriesOut, t *tracked) {
			if x := &t.exec; !x.end.IsZero() {
				o.emit(epochSeconds(x.end), x.document, x.id, o.target)
			}
		}),
	newFamily("execution_info", false,
		func(o *seriesOut, t *tracked) {
			x := &t.exec
			o.emit(1, x.autoType, x.document, x.version, x.id, x.mode, x.parent, o.target)
		}),
	newFamily("execution_last_success_timestamp_seconds", false,
		func(o *seriesOut, t *tracked) { o.emit(epochSeconds(t.lastSuccess), t.exec.id, o.target) }),
	newFamily("execution_start_timestamp_seconds", false,
		func(o *seriesOut, t *tracked) {
			if x := &t.exec; !x.start.IsZero() {
				o.emit(epochSeconds(x.start), x.document, x.id, o.target)
			}
		}),
	newFamily("execution_status", false,
		func(o *seriesOut, t *tracked) {
			if x := &t.exec; x.status != "" {
				o.emit(1, x.document, x.id, x.status, o.target)
			}
		}),
	newFamily("execution_steps", false,
		func(o *seriesOut, t *tracked) {
			for _, c := range t.statusCounts {
				o.emit(c.n, t.exec.document, t.exec.id, c.status, o.target)
			}
		}),
	newFamily("execution_triggered_alarm", false,
		func(o *seriesOut, t *tracked) {
			for _, a := range t.exec.alarms {
				o.emit(1, a.name, t.exec.document, t.exec.id, a.state, o.target)
			}
		}),
	stepFamily("step_duration_seconds",
		func(o *seriesOut, s *stepRec) (float64, bool) {
			switch {
			case s.start.IsZero():
				return 0, false
			case !s.end.IsZero():
				return max(s.end.Sub(s.start).Seconds(), 0), true
			case !isTerminal(s.status):
				return max(o.now.Sub(s.start).Seconds(), 0), true
			}
			return 0, false // ended without an end: no growing duration
		}),
	stepFamily("step_end_timestamp_seconds",
		func(_ *seriesOut, s *stepRec) (float64, bool) { return epochSeconds(s.end), !s.end.IsZero() }),
	newFamily("step_info", true,
		func(o *seriesOut, t *tracked) {
			for i := range t.steps {
				s := &t.steps[i]
				d := s.def
				o.emit(1, d.action, t.exec.document, t.exec.id, d.failureStage, d.failureType, d.isCritical, d.isEnd,
					s.iteration, d.nextStep, d.onFailure, d.parentStepName, s.id, d.name, o.target)
			}
		}),
	stepFamily("step_max_attempts",
		func(_ *seriesOut, s *stepRec) (float64, bool) { return s.def.maxAttempts, s.def.hasMaxAttempts }),
	stepFamily("step_start_timestamp_seconds",
		func(_ *seriesOut, s *stepRec) (float64, bool) { return epochSeconds(s.start), !s.start.IsZero() }),
	newFamily("step_status", true,
		func(o *seriesOut, t *tracked) {
			for i := range t.steps {
				if s := &t.steps[i]; s.status != "" {
					o.emit(1, s.def.action, t.exec.document, t.exec.id, s.status, s.id, s.def.name, o.target)
				}
			}
		}),
	stepFamily("step_timeout_seconds",
		func(_ *seriesOut, s *stepRec) (float64, bool) { return s.def.timeout, s.def.hasTimeout }),
	newFamily("step_triggered_alarm", true,
		func(o *seriesOut, t *tracked) {
			for i := range t.steps {
				s := &t.steps[i]
				for _, a := range s.alarms {
					o.emit(1, s.def.action, a.name, t.exec.document, t.exec.id, a.state, s.id, s.def.name, o.target)
				}
			}
		}),
}

// stepFamily is a family with one optional value per step execution and
// the step labels only.
func stepFamily(name string, value func(o *seriesOut, s *stepRec) (float64, bool)) *family {
	return newFamily(name, true,
		func(o *seriesOut, t *tracked) {
			for i := range t.steps {
				s := &t.steps[i]
				if v, ok := value(o, s); ok {
					o.emit(v, s.def.action, t.exec.document, t.exec.id, s.id, s.def.name, o.target)
				}
			}
		})
}

// seriesOut writes the series of one family, in the text or the protobuf
// format. A concrete writer rather than an interface keeps the label
// values on the stack.
type seriesOut struct {
	f      *family
	target string
	now    time.Time
	w      *exposition.SampleWriter
}

func (o *seriesOut) emit(v float64, values ...string) { o.w.Sample(o.f.Family, v, values) }

// exported reports whether a target with this level of detail exports f.
func (f *family) exported(details string) bool {
	switch details {
	case config.DetailsNone:
		return false
	case config.DetailsExecutions:
		return !f.steps
	}
	return true
}

// statusCount is how many step executions of an execution have a status.
type statusCount struct {
	status string
	n      float64
}

// stepStatusCounts counts an execution's step executions by status, with
// the base statuses always present, sorted by status.
func stepStatusCounts(steps []stepRec) []statusCount {
	counts := make(map[string]float64, len(baseStepStatuses))
	for _, s := range baseStepStatuses {
		counts[s] = 0
	}
	for i := range steps {
		if s := steps[i].status; s != "" {
			counts[s]++
		}
	}
	out := make([]statusCount, 0, len(counts))
	for s, n := range counts {
		out = append(out, statusCount{s, n})
	}
	slices.SortFunc(out, func(a, b statusCount) int { return strings.Compare(a.status, b.status) })
	return out
}
