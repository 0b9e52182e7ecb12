package main

import (
	"context"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// Settings of the live and loop workloads.
const (
	scrapeInterval = 15 * time.Second
	loopTimeout    = 10 * time.Second // X-Prometheus-Scrape-Timeout-Seconds
	liveScrapes    = 6                // the first is cold
	liveTick       = 2 * time.Second  // the simulator advances every running execution this often
)

// stepState is what a scrape can see change of a step execution.
type stepState struct {
	status     string
	start, end time.Time
}

// storeSnapshot is the simulator's state at one instant: whether each
// execution is settled, and the state of each step execution.
type storeSnapshot struct {
	settled map[string]bool      // by execution id
	steps   map[string]stepState // by step execution id
}

func snapshotStore(store *ssmsim.Store) storeSnapshot {
	s := storeSnapshot{settled: map[string]bool{}, steps: map[string]stepState{}}
	store.Update(func(_, _ string, e *ssmsim.Execution) {
		s.settled[e.ID] = settled(e)
		for _, st := range e.Steps {
			s.steps[st.StepExecutionID] = stepState{st.Status, st.StartTime, st.EndTime}
		}
	})
	return s
}

// liveCounts compares two snapshots: running is the executions of cur
// that were not settled in prev (new ones included), which the exporter
// must look at again; ended is those of them settled in cur, whose delta
// also fetches by id what they had not started or finished (or which are
// listed in full when that costs no more); changed is the step executions
// of cur that are new or whose status or times differ from prev.
func liveCounts(prev, cur storeSnapshot) (running, ended, changed int) {
	for id, done := range cur.settled {
		if !prev.settled[id] {
			running++
			if done {
				ended++
			}
		}
	}
	for id, st := range cur.steps {
		if old, ok := prev.steps[id]; !ok || old.status != st.status || !old.start.Equal(st.start) || !old.end.Equal(st.end) {
			changed++
		}
	}
	return running, ended, changed
}

// liveScrape is one scrape of the live workload. Its calls run from its
// start to the start of the next scrape, so a refresh that outlives the
// answer is counted with the scrape that started it.
type liveScrape struct {
	calls                   apiCalls
	running, ended, changed int
	latency                 time.Duration
	up                      bool
}

// liveRun is the outcome of the live session, which W3 and W3-events
// share: run once, at the first of them.
type liveRun struct {
	s   *liveSession
	err error
}

// live runs the live session once: the polling exporter, and, when
// W3-events is among the workloads, the events exporters beside it,
// scraped together for W3-events' scrapes.
func (b *bench) live(ctx context.Context, w workload) (*liveSession, error) {
	if b.liveRun != nil {
		return b.liveRun.s, b.liveRun.err
	}
	d := generate(w, b.seed, time.Now())
	rounds, what := liveScrapes, "live"
	if b.events {
		rounds, what = eventsScrapes, "live, polling and events side by side"
	}
	b.progress(w, "generated %d executions (%d still running); %d scrapes every %s, %s", len(d.executions), d.running, rounds, fmtSeconds(scrapeInterval), what)
	s, err := b.startSession(ctx, d, w, b.events)
	if err == nil {
		err = b.runSession(ctx, w, s, rounds)
		s.close()
	}
	b.liveRun = &liveRun{s, err}
	return s, err
}

// runLive is W3: the polling exporter's first six scrapes.
func (b *bench) runLive(ctx context.Context, w workload) ([]row, error) {
	s, err := b.live(ctx, w)
	if err != nil {
		return nil, err
	}
	var out []liveScrape
	for _, sp := range s.twin(rolePolling).scrapes[:liveScrapes] {
		out = append(out, sp.liveScrape)
	}
	return liveRows(s.d, out), nil
}

// runEvents is W3-events.
func (b *bench) runEvents(ctx context.Context, w workload) ([]row, error) {
	s, err := b.live(ctx, w)
	if err != nil {
		return nil, err
	}
	return eventsRows(s), nil
}
