// Package collector turns SSM Automation executions into Prometheus metrics
// at scrape time.
package collector

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// ClientSource gives the SSM client of an expanded target.
type ClientSource interface {
	For(t config.ExpandedTarget, api config.API) API
}

// Exporter holds every target's state across scrapes and reloads.
type Exporter struct {
	clients ClientSource
	metrics *apiMetrics
	logger  *slog.Logger
	now     func() time.Time

	warn  *warnings
	slots chan struct{} // one per target refresh running (maxRefreshes)
	turns atomic.Uint64 // counts the refreshes started (targetState.turn)

	mu      sync.RWMutex
	order   []string
	targets map[string]*targetState
}

// NewExporter returns an exporter with no targets; call Apply.
func NewExporter(clients ClientSource, m *apiMetrics, logger *slog.Logger) *Exporter {
	return &Exporter{
		clients: clients, metrics: m, logger: logger, now: time.Now,
		warn: newWarnings(logger), slots: make(chan struct{}, maxRefreshes),
		targets: map[string]*targetState{},
	}
}

// Apply installs a configuration: targets whose expanded name stays keep
// their tracked data and counters; new ones start empty; removed ones go.
func (e *Exporter) Apply(cfg *config.Config) {
	expanded := cfg.ExpandedTargets()
	e.mu.Lock()
	defer e.mu.Unlock()
	next := make(map[string]*targetState, len(expanded))
	order := make([]string, 0, len(expanded))
	for _, t := range expanded {
		api := e.clients.For(t, cfg.API)
		if ts := e.targets[t.Name]; ts != nil {
			ts.update(t, api, cfg.API)
			next[t.Name] = ts
		} else {
			next[t.Name] = newTargetState(t, api, cfg.API, e)
		}
		order = append(order, t.Name)
	}
	for name, ts := range e.targets {
		if next[name] == nil {
			ts.counters.drop() // a refresh still in flight writes nothing more
		}
	}
	e.targets, e.order = next, order
}

// Targets lists the expanded target names in configuration order.
func (e *Exporter) Targets() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append([]string(nil), e.order...)
}

// HasTarget reports whether name is an expanded target.
func (e *Exporter) HasTarget(name string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.targets[name] != nil
}

// Scrape returns one scrape of the named targets (every target when
// names is nil). It refreshes them within ctx's deadline when first
// collected or written.
func (e *Exporter) Scrape(ctx context.Context, names []string) *Scrape {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if names == nil {
		names = e.order
	}
	sc := &Scrape{ctx: ctx, exp: e}
	for _, n := range names {
		if ts := e.targets[n]; ts != nil {
			sc.targets = append(sc.targets, ts)
		}
	}
	return sc
}

// Scrape is one scrape of some targets. It is a checked collector, and it
// can also write its families itself (see Serve), which is how the
// exporter's handlers answer, in the text and the protobuf format.
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

var _ prometheus.Collector = (*Scrape)(nil)

// aggregateTemplate describes the per-target counters and histogram.
var aggregateTemplate = newAggregateMetrics()

func (s *Scrape) Describe(ch chan<- *prometheus.Desc) {
	describeTargets(ch)
	for _, f := range families {
		ch <- f.desc
	}
}

func describeTargets(ch chan<- *prometheus.Desc) {
	for _, d := range targetDescs {
		ch <- d
	}
	aggregateTemplate.describe(ch)
}

// Collect refreshes the targets, then sends their series.
func (s *Scrape) Collect(ch chan<- prometheus.Metric) {
	s.collectTargets(ch)
	for _, f := range families {
		s.eachSeries(f, &seriesOut{ch: ch})
	}
}

// refreshed refreshes the targets once per scrape (see refresh), then
// writes the warnings due.
func (s *Scrape) refreshed() []scrapePart {
	s.once.Do(func() {
		s.parts = s.refresh()
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
		p.ts.agg.collect(ch)
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

// targetsOnly is a scrape without its families, for the exposition to
// gather before it writes the families itself.
type targetsOnly struct{ s *Scrape }

func (t targetsOnly) Describe(ch chan<- *prometheus.Desc) { describeTargets(ch) }
func (t targetsOnly) Collect(ch chan<- prometheus.Metric) { t.s.collectTargets(ch) }
