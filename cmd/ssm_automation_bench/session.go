package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// Settings of the events workload (W3-events).
const (
	eventsScrapes = 8 // the first is cold
	// eventsResync is the events exporter's resync_interval: the
	// product's default, since its configuration leaves the key out.
	eventsResync = config.DefaultEventsResyncInterval
	// faultyResync is the faulty exporter's, short enough that its safety
	// net shows within the run.
	faultyResync = time.Minute
	eventsQueue  = "bench-events"
	// reorderDelay holds back the reordered events of the faulty queue.
	reorderDelay = 5 * time.Second
)

// faultyEvents are the delivery faults of the faulty exporter's queue.
var faultyEvents = ssmsim.EventFaults{DropRate: 0.1, DuplicateRate: 0.05, ReorderRate: 0.1,
	ReorderDelay: reorderDelay, DelayJitter: 500 * time.Millisecond, Seed: 1}

// Roles of the exporters of a live session.
const (
	rolePolling = "polling" // W3's
	roleEvents  = "events"  // follows a queue, on the polling exporter's store
	roleFaulty  = "faulty"  // follows a faulty queue, on a store of its own
)

// liveStore is a store in live mode and its truth.
type liveStore struct {
	store  *ssmsim.Store
	tl     *timeline
	events *ssmsim.Server // publishes the store's events, when one does
}

// twin is one exporter of a live session and the simulator only it calls.
type twin struct {
	role    string
	sim     *simulator
	exp     *process
	ls      *liveStore
	polled  chan struct{} // a long poll waits on the queue (events roles)
	fresh   *freshness
	scrapes []twinScrape
	counts  exporterCounts // the exporter's counters at its last scrape
}

// liveSession is a live run: the polling exporter (W3) and, with events,
// an exporter following a queue of the same simulated store, and one
// following a faulty queue of a store of its own that holds the same
// executions and goes live with the same seed.
type liveSession struct {
	d      dataset
	stores []*liveStore
	twins  []*twin
	began  time.Time // the stores went live
}

// startSession starts the session's simulators and exporters.
func (b *bench) startSession(ctx context.Context, d dataset, w workload, events bool) (*liveSession, error) {
	s := &liveSession{d: d}
	shared := &liveStore{store: storeOf(d.executions), tl: newTimeline()}
	s.stores = append(s.stores, shared)
	roles := []string{rolePolling}
	if events {
		s.stores = append(s.stores, &liveStore{store: storeOf(d.executions), tl: newTimeline()})
		roles = append(roles, roleEvents, roleFaulty)
	}
	for _, role := range roles {
		ls := shared
		if role == roleFaulty {
			ls = s.stores[1]
		}
		t, err := b.startTwin(ctx, w, role, ls)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("%s exporter: %w", role, err)
		}
		s.twins = append(s.twins, t)
	}
	return s, nil
}

// startTwin serves ls to one exporter; an events role gets a queue
// subscribed to the store's events, which the simulator publishes.
func (b *bench) startTwin(ctx context.Context, w workload, role string, ls *liveStore) (*twin, error) {
	t := &twin{role: role, ls: ls}
	opts := ssmsim.Options{}
	if role != rolePolling {
		t.polled = make(chan struct{}, 1)
		opts.OnLongPoll = func(ssmsim.Queue) {
			select {
			case t.polled <- struct{}{}:
			default:
			}
		}
	}
	sim, err := serveStore(ls.store, opts)
	if err != nil {
		return nil, err
	}
	t.sim = sim
	events := ""
	if role != rolePolling {
		q := ssmsim.Queue{Account: simAccount, Region: simRegion, Name: eventsQueue}
		sim.srv.CreateQueue(q)
		sim.srv.Subscribe(simAccount, simRegion, q)
		if role == roleFaulty {
			sim.srv.SetEventFaults(faultyEvents)
		}
		ls.events = sim.srv
		// The queue's budget as unlimited as api's: the figures measure
		// the exporter, not its token buckets.
		budget := fmt.Sprintf("requests_per_second: %d, burst: %d", unlimitedRPS, unlimitedRPS)
		events = fmt.Sprintf("    events: {queue_url: %q, %s}\n", ssmsim.QueueURL(sim.url, q), budget)
		if role == roleFaulty {
			events = fmt.Sprintf("    events: {queue_url: %q, resync_interval: %.0fs, %s}\n", ssmsim.QueueURL(sim.url, q), faultyResync.Seconds(), budget)
		}
	}
	cfg := exporterConfig(sim.url, apiBudget{rps: unlimitedRPS, burst: unlimitedRPS, maxConcurrency: 4}, events)
	if t.exp, err = startExporter(ctx, b.bin, b.dir, w.name+"-"+role, cfg); err != nil {
		sim.close()
		return nil, err
	}
	return t, nil
}

// waitConsumers waits until the consumer of each events exporter long
// polls its queue: the queue works, so the cold scrape's refresh, which
// polls, makes the next ones trust the events.
func (s *liveSession) waitConsumers(ctx context.Context) error {
	for _, t := range s.twins {
		if t.polled == nil {
			continue
		}
		select {
		case <-t.polled:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return fmt.Errorf("the %s exporter did not read its queue within 30 s: %s", t.role, t.exp.logTail())
		}
	}
	return nil
}

// goLive starts live mode on every store until ctx ends, each step
// running for a time drawn for its action (ssmsim.PaceDurations); the
// stores' events, when they have a queue, reach it.
func (s *liveSession) goLive(ctx context.Context, seed int64) {
	for _, ls := range s.stores {
		ssmsim.StartLive(ctx, ls.store, ssmsim.LiveOptions{Tick: liveTick, Seed: seed, Pace: ssmsim.PaceDurations,
			Account: simAccount, Region: simRegion, MaxExecutions: 1 << 30, Events: ls.events})
	}
	s.began = time.Now()
	for _, t := range s.twins {
		t.fresh = newFreshness(s.began)
	}
}

// close stops the exporters, then their simulators.
func (s *liveSession) close() {
	for _, t := range s.twins {
		t.exp.stop()
		t.sim.close()
	}
}

// twin is the exporter of a role, nil when the session has none.
func (s *liveSession) twin(role string) *twin {
	for _, t := range s.twins {
		if t.role == role {
			return t
		}
	}
	return nil
}
