package collector

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// Scrape is one scrape of some targets, which Serve answers: the
// exporter's handlers, in the text and the protobuf format, and the tests.
type Scrape struct {
	ctx     context.Context
	exp     *Exporter
	targets []*targetState

	once  sync.Once
	parts []scrapePart
}

// scrapePart is what one target contributes to a scrape.
type scrapePart struct {
	ts  *targetState
	cfg config.ExpandedTarget
	v   *view
	now time.Time
}

// aggregateTemplate describes the per-target counters and histogram.
var aggregateTemplate = newAggregateMetrics()

// refreshed refreshes the targets once per scrape (see refreshTargets), ending
// early enough for the answer to be written by the deadline (see
// writeCost), then writes the warnings due.
func (s *Scrape) refreshed() []scrapePart {
	s.once.Do(func() {
		ctx, cancel := s.exp.cost.refreshContext(s.ctx, len(s.targets))
		defer cancel()
		s.parts = s.refreshTargets(ctx)
		s.exp.warn.flush()
	})
	return s.parts
}

// collectTargets sends everything but the families: the per-target series
// and the aggregates.
func (s *Scrape) collectTargets(ch chan<- prometheus.Metric) {
	parts := s.refreshed()
	if dl, ok := s.ctx.Deadline(); ok {
		ch <- prometheus.MustNewConstMetric(descScrapeTimeout, prometheus.GaugeValue, time.Until(dl).Seconds())
	}
	for _, p := range parts {
		em := &emitter{ch: ch, target: p.ts.name}
		em.targetSeries(p.cfg, p.v)
		p.ts.finished.collect(ch)
	}
}

// eachSeries hands every series of family f, across the targets, to o.
func (s *Scrape) eachSeries(f *family, o *seriesOut) {
	o.f = f
	for _, p := range s.refreshed() {
		if !f.exported(p.cfg.Target.Details) {
			continue
		}
		o.target, o.now = p.ts.name, p.now
		for _, t := range p.v.execs {
			f.series(o, t)
		}
	}
}

// targetsOnly is a scrape without its families: the per-target series
// and the aggregates, which client_golang gathers and encodes before the
// exposition writes the families itself (see Serve).
type targetsOnly struct{ s *Scrape }

var _ prometheus.Collector = targetsOnly{}

func (t targetsOnly) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range targetDescs {
		ch <- d
	}
	aggregateTemplate.describe(ch)
}

func (t targetsOnly) Collect(ch chan<- prometheus.Metric) { t.s.collectTargets(ch) }
