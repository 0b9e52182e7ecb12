package collector

import (
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The per-execution series are built once per refresh of an execution (and
// never again once it is settled), with label pairs shared between series
// and interned across executions, so that a scrape only hands prepared
// metrics to the registry: no label slice is built or sorted per scrape.

// gaugeSeries is a prepared gauge. Write allocates nothing.
type gaugeSeries struct {
	desc   *prometheus.Desc
	labels []*dto.LabelPair // sorted by name
	gauge  dto.Gauge
	value  float64
}

func (s *gaugeSeries) Desc() *prometheus.Desc { return s.desc }

func (s *gaugeSeries) Write(m *dto.Metric) error {
	m.Label = s.labels
	m.Gauge = &s.gauge
	return nil
}

// sharedSeries is a prepared gauge whose value is shared with other series
// (1 for status, info and alarm series, and the few distinct attempts and
// timeouts). Write allocates nothing.
type sharedSeries struct {
	desc   *prometheus.Desc
	labels []*dto.LabelPair // sorted by name
	gauge  *dto.Gauge       // never modified
}

func (s *sharedSeries) Desc() *prometheus.Desc { return s.desc }

func (s *sharedSeries) Write(m *dto.Metric) error {
	m.Label = s.labels
	m.Gauge = s.gauge
	return nil
}

// runningDuration is now − start of a step still running, computed at
// scrape time.
type runningDuration struct {
	labels []*dto.LabelPair
	start  time.Time
	now    func() time.Time
}

func (s *runningDuration) Desc() *prometheus.Desc { return descStepDuration }

func (s *runningDuration) Write(m *dto.Metric) error {
	v := max(s.now().Sub(s.start).Seconds(), 0)
	m.Label = s.labels
	m.Gauge = &dto.Gauge{Value: &v}
	return nil
}

// interner shares label pairs and strings of low-cardinality values
// between series and executions.
type interner struct {
	pairs  map[[2]string]*dto.LabelPair
	strs   map[string]string
	gauges map[float64]*dto.Gauge
}

// internLimit bounds the interner; past it, it starts afresh (pairs already
// handed out stay valid).
const internLimit = 100000

func newInterner() *interner {
	return &interner{pairs: map[[2]string]*dto.LabelPair{}, strs: map[string]string{}, gauges: map[float64]*dto.Gauge{}}
}

// gauge returns the shared gauge holding v.
func (in *interner) gauge(v float64) *dto.Gauge {
	if g := in.gauges[v]; g != nil {
		return g
	}
	if len(in.gauges) >= internLimit {
		in.gauges = map[float64]*dto.Gauge{}
	}
	g := &dto.Gauge{Value: &v}
	in.gauges[v] = g
	return g
}

// shared prepares a gauge whose value is one of few.
func (in *interner) shared(d *prometheus.Desc, v float64, labels []*dto.LabelPair) prometheus.Metric {
	return &sharedSeries{desc: d, labels: labels, gauge: in.gauge(v)}
}

// str returns the shared copy of s. The copy is the interner's own, so a
// string decoded by the SDK (which may keep a whole response alive) is not
// retained.
func (in *interner) str(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	if len(in.strs) >= internLimit {
		in.strs = map[string]string{}
	}
	v := strings.Clone(s)
	in.strs[v] = v
	return v
}

// own replaces every string of t by an interned or private copy.
func (in *interner) own(t *tracked) {
	x := &t.exec
	x.id = strings.Clone(x.id)
	for _, p := range []*string{&x.document, &x.version, &x.status, &x.autoType, &x.mode, &x.parent} {
		*p = in.str(*p)
	}
	for i := range x.alarms {
		x.alarms[i] = alarm{name: in.str(x.alarms[i].name), state: in.str(x.alarms[i].state)}
	}
	for i := range t.steps {
		st := &t.steps[i]
		st.id = strings.Clone(st.id)
		for _, p := range []*string{&st.name, &st.action, &st.status, &st.onFailure, &st.nextStep,
			&st.isCritical, &st.isEnd, &st.parentStepName, &st.iteration, &st.failureStage, &st.failureType} {
			*p = in.str(*p)
		}
		for j := range st.alarms {
			st.alarms[j] = alarm{name: in.str(st.alarms[j].name), state: in.str(st.alarms[j].state)}
		}
	}
}

func (in *interner) pair(name, value string) *dto.LabelPair {
	k := [2]string{name, value}
	if p := in.pairs[k]; p != nil {
		return p
	}
	if len(in.pairs) >= internLimit {
		in.pairs = map[[2]string]*dto.LabelPair{}
	}
	p := newPair(name, value)
	in.pairs[k] = p
	return p
}

func newPair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: &name, Value: &value}
}

// labelSet builds sorted label slices from a shared base.
type labelSet []*dto.LabelPair

// with returns the base plus extra pairs, sorted by name, in a new slice.
func (base labelSet) with(extra ...*dto.LabelPair) []*dto.LabelPair {
	out := make([]*dto.LabelPair, 0, len(base)+len(extra))
	out = append(out, base...)
	out = append(out, extra...)
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out
}

// builder prepares the series of executions for one target.
type builder struct {
	target string
	in     *interner
	now    func() time.Time
}

func gauge(d *prometheus.Desc, v float64, labels []*dto.LabelPair) prometheus.Metric {
	s := &gaugeSeries{desc: d, labels: labels, value: v}
	s.gauge.Value = &s.value
	return s
}

// executionSeries prepares the execution-level series of t.
func (b *builder) executionSeries(t *tracked) []prometheus.Metric {
	x := &t.exec
	in := b.in
	base := labelSet{in.pair("target", b.target), newPair("execution_id", x.id), in.pair("document_name", x.document)}
	base = labelSet(base.with())
	out := make([]prometheus.Metric, 0, 12)
	out = append(out, in.shared(descExecInfo, 1, base.with(in.pair("document_version", x.version),
		in.pair("automation_type", x.autoType), in.pair("mode", x.mode), in.pair("parent_execution_id", x.parent))))
	if x.status != "" {
		out = append(out, in.shared(descExecStatus, 1, base.with(in.pair("status", x.status))))
	}
	if !x.start.IsZero() {
		out = append(out, gauge(descExecStart, epochSeconds(x.start), base))
	}
	if !x.end.IsZero() {
		out = append(out, gauge(descExecEnd, epochSeconds(x.end), base))
	}
	counts := map[string]float64{}
	for _, s := range baseStepStatuses {
		counts[s] = 0
	}
	for i := range t.steps {
		counts[t.steps[i].status]++
	}
	statuses := make([]string, 0, len(counts))
	for s := range counts {
		if s != "" {
			statuses = append(statuses, s)
		}
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		out = append(out, in.shared(descExecSteps, counts[s], base.with(in.pair("status", s))))
	}
	for _, a := range x.alarms {
		out = append(out, in.shared(descExecAlarm, 1, base.with(in.pair("alarm_name", a.name), in.pair("state", a.state))))
	}
	return out
}

// stepSeries prepares the step-level series of t.
func (b *builder) stepSeries(t *tracked) []prometheus.Metric {
	in := b.in
	target, doc, execID := in.pair("target", b.target), in.pair("document_name", t.exec.document), newPair("execution_id", t.exec.id)
	out := make([]prometheus.Metric, 0, len(t.steps)*7)
	for i := range t.steps {
		s := &t.steps[i]
		base := labelSet(labelSet{target, doc, execID, newPair("step_execution_id", s.id),
			in.pair("step_name", s.name), in.pair("action", s.action)}.with())
		if s.status != "" {
			out = append(out, in.shared(descStepStatus, 1, base.with(in.pair("status", s.status))))
		}
		if !s.start.IsZero() {
			out = append(out, gauge(descStepStart, epochSeconds(s.start), base))
			switch {
			case !s.end.IsZero():
				out = append(out, gauge(descStepDuration, max(s.end.Sub(s.start).Seconds(), 0), base))
			case !isTerminal(s.status):
				out = append(out, &runningDuration{labels: base, start: s.start, now: b.now})
			}
		}
		if !s.end.IsZero() {
			out = append(out, gauge(descStepEnd, epochSeconds(s.end), base))
		}
		if s.hasMaxAttempts {
			out = append(out, in.shared(descStepAttempts, s.maxAttempts, base))
		}
		if s.hasTimeout {
			out = append(out, in.shared(descStepTimeout, s.timeout, base))
		}
		out = append(out, in.shared(descStepInfo, 1, base.with(
			in.pair("on_failure", s.onFailure), in.pair("is_critical", s.isCritical), in.pair("is_end", s.isEnd),
			in.pair("next_step", s.nextStep), in.pair("parent_step_name", s.parentStepName),
			in.pair("iteration", s.iteration), in.pair("failure_stage", s.failureStage), in.pair("failure_type", s.failureType))))
		for _, a := range s.alarms {
			out = append(out, in.shared(descStepAlarm, 1, base.with(in.pair("alarm_name", a.name), in.pair("state", a.state))))
		}
	}
	return out
}
