// Package collector turns SSM Automation executions into Prometheus metrics
// at scrape time.
package collector

import (
	"context"
	"log/slog"
	"sync"
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

	mu      sync.RWMutex
	order   []string
	targets map[string]*targetState
}

// NewExporter returns an exporter with no targets; call Apply.
func NewExporter(clients ClientSource, m *apiMetrics, logger *slog.Logger) *Exporter {
	return &Exporter{clients: clients, metrics: m, logger: logger, now: time.Now, targets: map[string]*targetState{}}
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
			next[t.Name] = newTargetState(t, api, cfg.API, e.metrics, e.logger, e.now)
		}
		order = append(order, t.Name)
	}
	for name := range e.targets {
		if next[name] == nil {
			e.metrics.dropTarget(name)
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

// Scrape returns a collector that refreshes the named targets (every
// target when names is nil) within ctx's deadline and sends their series.
func (e *Exporter) Scrape(ctx context.Context, names []string) prometheus.Collector {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if names == nil {
		names = e.order
	}
	sc := &scrape{ctx: ctx}
	for _, n := range names {
		if ts := e.targets[n]; ts != nil {
			sc.targets = append(sc.targets, ts)
		}
	}
	return sc
}

// scrape is a checked collector for one scrape of some targets.
type scrape struct {
	ctx     context.Context
	targets []*targetState
}

var _ prometheus.Collector = (*scrape)(nil)

// aggregateTemplate describes the per-target counters and histogram.
var aggregateTemplate = newAggregateMetrics()

func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
	aggregateTemplate.describe(ch)
}

// Collect refreshes the targets concurrently, then sends their series.
func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	views := make([]*view, len(s.targets))
	var wg sync.WaitGroup
	for i, ts := range s.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			views[i] = ts.get(s.ctx)
		}()
	}
	wg.Wait()
	if dl, ok := s.ctx.Deadline(); ok {
		ch <- prometheus.MustNewConstMetric(descScrapeTimeout, prometheus.GaugeValue, time.Until(dl).Seconds())
	}
	for i, ts := range s.targets {
		ts.mu.Lock()
		cfg := ts.cfg
		ts.mu.Unlock()
		em := &emitter{ch: ch, target: ts.name}
		em.targetSeries(cfg, views[i])
		ts.agg.collect(ch)
	}
}
