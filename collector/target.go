package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/discovery"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// targetState is everything the exporter keeps for one expanded target
// across scrapes and reloads. Its refresh is in refresh.go (with what it
// fetches in fetch.go, and with events eventrefresh.go), the single
// refresh in flight and what a scrape out of time answers in flight.go.
type targetState struct {
	name     string
	counters *ssmapi.TargetCounters // the exporter's counters of the target
	logger   *slog.Logger
	warn     *warnings
	now      func() time.Time
	turn     atomic.Uint64 // the exporter's turn of its last refresh start
	exp      *Exporter
	// ctx is the context of the target's refreshes: cancel ends them when
	// the target is removed; the exporter's Close ends them all.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex // guards the fields below
	cfg      config.ExpandedTarget
	api      ssmapi.API
	apiCfg   config.API
	current  *view
	inflight *flight
	tracked  map[string]*tracked
	finished *finishedCounter
	in       *interner
	// lastRules is what each discovery rule found in the last refresh in
	// which it succeeded, so a failed call hides nothing.
	lastRules map[string]ruleResult
	// changes are the executions events named since the last refresh
	// took them (see Offer); kept across reloads.
	changes *events.Changes
	// eventsGen is the generation of the queue at the target's last
	// polling refresh that succeeded: its events are trusted while the
	// queue stays in it. fetchedAt is when each execution was last
	// fetched, for the resync (see eventrefresh.go).
	eventsGen uint64
	fetchedAt map[string]time.Time
}

func newTargetState(t config.ExpandedTarget, api ssmapi.API, apiCfg config.API, e *Exporter) *targetState {
	ctx, cancel := context.WithCancel(e.ctx)
	return &targetState{
		exp: e, ctx: ctx, cancel: cancel,
		name: t.Name, cfg: t, api: api, apiCfg: apiCfg, counters: e.metrics.ForTarget(t.Name),
		logger: e.logger.With("target", t.Name), warn: e.warn, now: e.now,
		tracked: map[string]*tracked{}, finished: newFinishedCounter(t.Name, seenLimit),
		in:        newInterner(),
		lastRules: map[string]ruleResult{},
		changes:   events.NewChanges(),
	}
}

// update applies a reloaded configuration. The counters and what they
// counted stay; the tracked data stays too unless what is fetched, or how,
// changed (another client, other step filters, other caps), since ended
// executions are never fetched again.
func (ts *targetState) update(t config.ExpandedTarget, api ssmapi.API, apiCfg config.API) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if api != ts.api || fetchSignature(t) != fetchSignature(ts.cfg) {
		ts.tracked, ts.current = map[string]*tracked{}, nil
		ts.lastRules = map[string]ruleResult{}
		ts.eventsGen, ts.fetchedAt = 0, nil
		ts.dropLocked() // what a refresh in flight fetches is of the old kind
	}
	if t.Target.Events.QueueURL != ts.cfg.Target.Events.QueueURL || !t.Target.Events.Enabled() {
		// Events turned off, or another queue: what was changed meanwhile
		// is known only once a polling refresh has succeeded again.
		ts.eventsGen = 0
	}
	ts.cfg, ts.api, ts.apiCfg = t, api, apiCfg
}

// fetchSignature is what decides the content of a fetched execution.
func fetchSignature(t config.ExpandedTarget) string {
	x := t.Target
	sig := fmt.Sprint(x.Limits.MaxStepsPerExecution, x.Limits.MaxLabelLength)
	for _, e := range x.Executions {
		sig += fmt.Sprint(e.ID, e.Filters)
	}
	for _, r := range x.Discovery {
		sig += fmt.Sprint(r.Name, r.StepFilters)
	}
	return sig
}

// ruleResult is what one discovery rule found: its figures, the ids it
// kept, newest first, the listing its next refresh starts from, and the
// children it listed for it (include_children).
type ruleResult struct {
	stat     ruleStat
	ids      []string
	listing  *discovery.Listing
	listedAt time.Time
	children []*types.AutomationExecutionMetadata
}

func (ts *targetState) setLastRule(name string, r ruleResult) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if f := ts.inflight; f != nil && f.stale {
		return
	}
	ts.lastRules[name] = r
}

// fail counts a failed fetch by reason and hands it to the warnings,
// which summarise the failures of every target once per reason and
// interval with advice and the AWS error code; the error text itself is
// logged only at debug level (it may quote request values).
func (ts *targetState) fail(err error, msg string, args ...any) {
	if ts.ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return // the target was removed, or the exporter closes: no failure
	}
	reason := ssmapi.Reason(err)
	ts.counters.Failed(reason)
	ts.logger.Debug(msg, append(args, "reason", reason, "err", err)...)
	ts.warn.add(reason, ts.name, ssmapi.ErrorCode(err))
}

var _ events.Sink = (*targetState)(nil)

// config is the target's configuration as the last reload left it.
func (ts *targetState) config() config.ExpandedTarget {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.cfg
}

// Offer takes an event routed to the target (events.Sink): an execution
// it follows is marked changed; a new one that a discovery rule may find
// is announced, for the next refresh to look up; anything else is left.
func (ts *targetState) Offer(ev events.Event) bool {
	ts.mu.Lock()
	_, known := ts.tracked[ev.ExecutionID]
	t := ts.cfg.Target
	ts.mu.Unlock()
	if !t.Events.Enabled() {
		return false // events turned off since the consumer took the route
	}
	if known || slices.ContainsFunc(t.Executions, func(x config.Execution) bool { return x.ID == ev.ExecutionID }) {
		ts.changes.Mark(ev.ExecutionID, ev.Time)
		return true
	}
	for i := range t.Discovery {
		if discovery.MayFind(&t.Discovery[i], ev.ExecutionID, ev.Document) {
			if !ts.changes.Announce(ev.ExecutionID, ev.Document, ev.Time) {
				ts.counters.Cut("announced", 1) // the rules list at the next refresh instead
			}
			return true
		}
	}
	return false
}
