package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// Settings of the runs.
const (
	concurrentScrapes = 50
	quotaRPS          = 20
	unlimitedRPS      = 100000
	upSample          = `ssm_automation_up{target="bench"}`
	refreshSample     = `ssm_automation_scrape_duration_seconds{target="bench"}`
)

// bench holds what every workload's runs share.
type bench struct {
	bin     string // the exporter binary
	dir     string // configurations and logs
	scrapes int
	seed    int64
	log     io.Writer
	events  bool     // W3-events is among the workloads
	liveRun *liveRun // the live session, once run
}

// result is everything measured for one workload.
type result struct {
	w    workload
	data dataset

	// Without a quota.
	cold           apiCalls
	coldLatency    time.Duration
	coldUp         bool
	series         int // samples in the exposition
	trackedSteps   int // ssm_automation_step_info series
	warm           []apiCalls
	warmLatency    []time.Duration
	refresh        []time.Duration // the exporter's own time refreshing the target
	warmUp         bool            // every warm scrape said up 1
	floorLatency   []time.Duration
	floorSeries    int // samples the floor serves
	idle, peak     procStatus
	afterBurst     procStatus
	mallocs, bytes float64       // per warm scrape
	exporterCPU    time.Duration // per warm scrape
	benchCPU       time.Duration // per warm scrape: simulator and client
	exporterErrors string        // the exporter's failed attempts, when any
	burst          apiCalls
	burstWall      time.Duration
	burstUp        bool

	// Under a 20 requests/s quota.
	quota        apiCalls
	quotaLatency time.Duration
	quotaUp      bool
}

func (b *bench) progress(w workload, format string, args ...any) {
	fmt.Fprintf(b.log, "[%s] %s\n", w.name, fmt.Sprintf(format, args...))
}

// measure runs one workload and lays out its figures.
func (b *bench) measure(ctx context.Context, w workload) ([]row, error) {
	switch w.kind {
	case kindLive:
		return b.runLive(ctx, w)
	case kindEvents:
		return b.runEvents(ctx, w)
	case kindLoop:
		return b.runLoop(ctx, w)
	}
	r, err := b.run(ctx, w)
	if err != nil {
		return nil, err
	}
	return rows(r), nil
}

// run measures one workload: a fresh simulator and exporter without a
// quota, then a fresh pair under the quota.
func (b *bench) run(ctx context.Context, w workload) (*result, error) {
	r := &result{w: w, data: generate(w, b.seed, time.Now())}
	b.progress(w, "generated %d executions (%d still running), %d step executions; expected calls: cold %d, warm %d",
		len(r.data.executions), r.data.running, r.data.steps, r.data.expect.cold(), r.data.expect.warm())
	if err := b.unlimited(ctx, r); err != nil {
		return r, err
	}
	b.progress(w, "cold scrape under a %d requests/s quota (about %ds)", quotaRPS, r.cold.total()/quotaRPS)
	if err := b.underQuota(ctx, r); err != nil {
		return r, fmt.Errorf("under quota: %w", err)
	}
	return r, nil
}

// countedScrape scrapes url and counts the API calls the simulator
// answered meanwhile.
func countedScrape(ctx context.Context, sim *simulator, sc *scraper, url string) ([]byte, time.Duration, apiCalls, error) {
	before, err := sim.calls()
	if err != nil {
		return nil, 0, apiCalls{}, err
	}
	body, d, err := sc.scrape(ctx, url)
	if err != nil {
		return nil, 0, apiCalls{}, err
	}
	after, err := sim.calls()
	return body, d, after.sub(before), err
}

// unlimited runs the cold, warm and concurrent scrapes.
func (b *bench) unlimited(ctx context.Context, r *result) error {
	sim, err := startSimulator(r.data.executions, ssmsim.Options{})
	if err != nil {
		return err
	}
	defer sim.close()
	exp, err := startExporter(ctx, b.bin, b.dir, r.w.name+"-unlimited",
		exporterConfig(sim.url, apiBudget{rps: unlimitedRPS, burst: unlimitedRPS, maxConcurrency: 4}, ""))
	if err != nil {
		return err
	}
	defer exp.stop()
	time.Sleep(time.Second) // let the start settle before reading the idle size
	if r.idle, err = readProcStatus(exp.pid()); err != nil {
		return err
	}
	sc := newScraper(120 * time.Second)
	defer sc.close()
	url := exp.url + "/metrics"

	body, d, calls, err := countedScrape(ctx, sim, sc, url)
	if err != nil {
		return fmt.Errorf("cold scrape: %w", err)
	}
	r.cold, r.coldLatency, r.coldUp = calls, d, isUp(body)
	b.progress(r.w, "cold scrape: %d calls in %s, up %v", r.cold.total(), fmtDuration(d), r.coldUp)

	if err := b.warmScrapes(ctx, sim, sc, url, r); err != nil {
		return err
	}
	if r.peak, err = readProcStatus(exp.pid()); err != nil {
		return err
	}
	if err := b.concurrentScrapes(ctx, sim, sc, url, r); err != nil {
		return err
	}
	r.afterBurst, err = readProcStatus(exp.pid())
	return err
}

// underQuota times one cold scrape of a fresh exporter against a fresh
// simulator that allows 20 requests/s (burst 20); the exporter allows itself
// 19 requests/s with a burst of 5.
func (b *bench) underQuota(ctx context.Context, r *result) error {
	sim, err := startSimulator(r.data.executions, ssmsim.Options{RequestsPerSecond: quotaRPS, Burst: quotaRPS})
	if err != nil {
		return err
	}
	defer sim.close()
	// The exporter is configured as a user would against a known quota: a
	// little below its rate, with a smaller burst, so that the jitter of
	// requests in flight never empties the service's bucket.
	exp, err := startExporter(ctx, b.bin, b.dir, r.w.name+"-quota",
		exporterConfig(sim.url, apiBudget{rps: quotaRPS * 0.95, burst: quotaRPS / 4, maxConcurrency: 4}, ""))
	if err != nil {
		return err
	}
	defer exp.stop()
	sc := newScraper(600 * time.Second)
	defer sc.close()
	body, d, calls, err := countedScrape(ctx, sim, sc, exp.url+"/metrics")
	if err != nil {
		return err
	}
	r.quota, r.quotaLatency, r.quotaUp = calls, d, isUp(body)
	b.progress(r.w, "cold scrape under quota: %d calls in %s, %d throttled, up %v",
		r.quota.total(), fmtDuration(d), r.quota.throttled, r.quotaUp)
	return nil
}
