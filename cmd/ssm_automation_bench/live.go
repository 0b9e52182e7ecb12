package main

import (
	"context"
	"fmt"
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

// runLive scrapes the exporter every 15 s while the simulator advances
// every running execution by one step every 2 s and starts a new
// execution every 30 s.
func (b *bench) runLive(ctx context.Context, w workload) ([]row, error) {
	d := generate(w, b.seed, time.Now())
	b.progress(w, "generated %d executions (%d still running); %d scrapes every %s, live", len(d.executions), d.running, liveScrapes, fmtSeconds(scrapeInterval))
	sim, err := startSimulator(d.executions, ssmsim.Options{})
	if err != nil {
		return nil, err
	}
	defer sim.close()
	exp, err := startExporter(ctx, b.bin, b.dir, w.name+"-live", sim.url,
		apiBudget{rps: unlimitedRPS, burst: unlimitedRPS, maxConcurrency: 4})
	if err != nil {
		return nil, err
	}
	defer exp.stop()
	lctx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	ssmsim.StartLive(lctx, sim.store, ssmsim.LiveOptions{Tick: liveTick, Seed: b.seed,
		Account: simAccount, Region: simRegion, MaxExecutions: 1 << 30})
	sc := newScraper(loopTimeout)
	defer sc.close()

	var out []liveScrape
	prev := storeSnapshot{}
	prevCalls, err := sim.calls()
	tick := time.NewTicker(scrapeInterval)
	defer tick.Stop()
	for i := 0; err == nil; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-tick.C:
			}
		}
		cur := snapshotStore(sim.store)
		var c apiCalls
		if c, err = sim.calls(); err != nil {
			break
		}
		if i > 0 {
			out[i-1].calls = c.sub(prevCalls)
			s := out[i-1]
			b.progress(w, "scrape %d: %s", i, s.describe())
		}
		if i == liveScrapes {
			break
		}
		s := liveScrape{}
		s.running, s.ended, s.changed = liveCounts(prev, cur)
		body, lat, serr := sc.scrape(ctx, exp.url+"/metrics")
		if serr != nil {
			return nil, fmt.Errorf("scrape %d: %w", i+1, serr)
		}
		s.latency, s.up = lat, isUp(body)
		out, prev, prevCalls = append(out, s), cur, c
	}
	if err != nil {
		return nil, err
	}
	return liveRows(d, out), nil
}
