package collector

import "github.com/prometheus/client_golang/prometheus"

// seenLimit bounds the ids remembered as already counted, per target.
const seenLimit = 200000

// finishedCounter counts, once per id, the step executions and executions
// of one target seen in a terminal status: steps_finished_total,
// executions_finished_total and step_finished_duration_seconds.
type finishedCounter struct {
	target string
	agg    *aggregateMetrics
	seen   *seenMemory // ended step and execution ids already counted
}

func newFinishedCounter(target string, limit int) *finishedCounter {
	return &finishedCounter{target: target, agg: newAggregateMetrics(), seen: newSeenMemory(limit)}
}

// count counts what next holds that has ended and was not counted yet.
// Not safe for concurrent use: the target's lock orders the calls.
func (c *finishedCounter) count(next map[string]*tracked) {
	for _, t := range next {
		exec := seenKey{kind: seenExecution, id: t.exec.id}
		if t.counted || t.ended && c.seen.has(exec) {
			continue // counted in full already
		}
		for i := range t.steps {
			c.step(t, &t.steps[i])
		}
		if isTerminal(t.exec.status) && !c.seen.has(exec) {
			c.seen.add(exec)
			c.agg.execsFinished.WithLabelValues(c.target, t.exec.document, t.exec.status).Inc()
		}
		// An ended execution never changes: the flag, copied with it when
		// it is reused, keeps it from being counted again even once the
		// bounded memory of ids has forgotten it.
		t.counted = t.ended
	}
}

// step counts one step execution of t if it has ended and was not
// counted yet.
func (c *finishedCounter) step(t *tracked, s *stepRec) {
	key := seenKey{kind: seenStep, id: s.id}
	if !isTerminal(s.status) || s.id == "" || c.seen.has(key) {
		return
	}
	c.seen.add(key)
	c.agg.stepsFinished.WithLabelValues(c.target, t.exec.document, s.def.name, s.def.action, s.status).Inc()
	if !s.start.IsZero() && !s.end.IsZero() {
		c.agg.stepDuration.WithLabelValues(c.target, t.exec.document, s.def.name, s.def.action).Observe(s.end.Sub(s.start).Seconds())
	}
}

// collect sends the counters and the histogram.
func (c *finishedCounter) collect(ch chan<- prometheus.Metric) { c.agg.collect(ch) }

// seenKind tells step execution ids from execution ids: the two are
// remembered apart.
type seenKind uint8

const (
	seenStep seenKind = iota
	seenExecution
)

// seenKey is one id remembered as counted.
type seenKey struct {
	kind seenKind
	id   string
}

// seenMemory remembers ids already counted as ended, bounded: the oldest
// entries are forgotten first once it holds max ids.
type seenMemory struct {
	max   int
	ids   map[seenKey]bool
	order []seenKey
}

func newSeenMemory(max int) *seenMemory {
	return &seenMemory{max: max, ids: map[seenKey]bool{}}
}

func (m *seenMemory) has(k seenKey) bool { return m.ids[k] }

func (m *seenMemory) add(k seenKey) {
	if m.ids[k] {
		return
	}
	m.ids[k] = true
	m.order = append(m.order, k)
	for len(m.order) > m.max {
		delete(m.ids, m.order[0])
		m.order = m.order[1:]
	}
}
