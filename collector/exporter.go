// Package collector turns SSM Automation executions into Prometheus metrics
// at scrape time.
package collector

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// ClientSource gives the SSM client of an expanded target.
type ClientSource interface {
	For(t config.ExpandedTarget, api config.API) ssmapi.API
}

// Exporter holds every target's state across scrapes and reloads.
type Exporter struct {
	clients ClientSource
	metrics *ssmapi.APIMetrics
	logger  *slog.Logger
	now     func() time.Time

	warn  *warnings
	slots chan struct{} // one per target refresh running (maxRefreshes)
	turns atomic.Uint64 // counts the refreshes started (targetState.turn)
	cost  writeCost     // what writing an answer takes, per target

	// ctx ends every refresh when the exporter closes; running counts the
	// refreshes under way, which Close waits for.
	ctx     context.Context
	stop    context.CancelFunc
	runMu   sync.Mutex // guards closed and running.Add
	closed  bool
	running sync.WaitGroup

	mu      sync.RWMutex
	order   []string
	targets map[string]*targetState
	events  *events.Consumer // nil: no target follows events (see UseEvents)
}

// NewExporter returns an exporter with no targets; call Apply, and Close
// when done.
func NewExporter(clients ClientSource, m *ssmapi.APIMetrics, logger *slog.Logger) *Exporter {
	ctx, stop := context.WithCancel(context.Background())
	return &Exporter{
		clients: clients, metrics: m, logger: logger, now: time.Now,
		warn: newWarnings(logger), slots: make(chan struct{}, maxRefreshes),
		targets: map[string]*targetState{}, ctx: ctx, stop: stop,
	}
}

// Close ends every refresh under way, each target's last one included,
// and returns once they have ended. Scrapes afterwards start no refresh.
func (e *Exporter) Close() {
	e.mu.RLock()
	c := e.events
	e.mu.RUnlock()
	if c != nil {
		c.Close()
	}
	e.runMu.Lock()
	e.closed = true
	e.runMu.Unlock()
	e.stop()
	e.running.Wait()
}

// goRefresh runs a refresh in its own goroutine, counted for Close, and
// reports false (running nothing) once the exporter is closed.
func (e *Exporter) goRefresh(run func()) bool {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if e.closed {
		return false
	}
	e.running.Add(1)
	go func() {
		defer e.running.Done()
		run()
	}()
	return true
}

// Apply installs a configuration: targets whose expanded name stays keep
// their tracked data and counters; new ones start empty; removed ones go.
func (e *Exporter) Apply(cfg *config.Config) {
	e.applyTargets(cfg)
	e.applyEvents(cfg)
}

func (e *Exporter) applyTargets(cfg *config.Config) {
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
			ts.counters.Drop() // a refresh still in flight writes nothing more
			ts.cancel()        // and ends at once
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
