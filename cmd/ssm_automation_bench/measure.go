package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// Settings of the runs.
const (
	concurrentScrapes = 50
	quotaRPS          = 20
	unlimitedRPS      = 100000
	upSample          = `ssm_automation_up{target="bench"}`
)

// bench holds what every workload's runs share.
type bench struct {
	bin     string // the exporter binary
	dir     string // configurations and logs
	scrapes int
	seed    int64
	log     io.Writer
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
	warmUp         bool // every warm scrape said up 1
	floorLatency   []time.Duration
	floorSeries    int // samples the floor serves
	idle, peak     procStatus
	afterBurst     procStatus
	mallocs, bytes float64       // per warm scrape
	exporterCPU    time.Duration // per warm scrape
	benchCPU       time.Duration // per warm scrape: simulator and client
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

// run measures one workload: a fresh simulator and exporter without a
// quota, the floor, then a fresh pair under the quota.
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

// unlimited runs the cold, warm and concurrent scrapes.
func (b *bench) unlimited(ctx context.Context, r *result) error {
	sim, err := startSimulator(r.data.executions, ssmsim.Options{})
	if err != nil {
		return err
	}
	defer sim.close()
	exp, err := startExporter(ctx, b.bin, b.dir, r.w.name+"-unlimited", sim.url,
		apiBudget{rps: unlimitedRPS, burst: unlimitedRPS, maxConcurrency: 4})
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

	before, _ := sim.calls()
	body, d, err := sc.scrape(ctx, url)
	if err != nil {
		return fmt.Errorf("cold scrape: %w", err)
	}
	after, _ := sim.calls()
	r.cold, r.coldLatency = after.sub(before), d
	r.coldUp = isUp(body)
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
	if r.afterBurst, err = readProcStatus(exp.pid()); err != nil {
		return err
	}
	return nil
}

// warmScrapes scrapes the warm exporter once untimed, builds the floor
// from that body, then alternates b.scrapes timed scrapes of each, so
// that both see the same load on the machine. Allocations and CPU come
// from the exporter's own series: their values in a body were read as
// that scrape began, so the first and last timed bodies span scrapes - 1
// scrapes.
func (b *bench) warmScrapes(ctx context.Context, sim *simulator, sc *scraper, url string, r *result) error {
	b.progress(r.w, "%d warm scrapes, each followed by a scrape of the floor", b.scrapes)
	before, _ := sim.calls()
	body, _, err := sc.scrape(ctx, url)
	if err != nil {
		return fmt.Errorf("warm scrape: %w", err)
	}
	after, _ := sim.calls()
	r.warm = append(r.warm, after.sub(before))
	floor, err := newFloorServer(body)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	defer floor.close()
	if body, _, err = sc.scrape(ctx, floor.url()); err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	r.floorSeries = countSamples(body, "")

	var first, last []byte
	r.warmUp = true
	var cpu time.Duration
	for i := range b.scrapes {
		before, _ := sim.calls()
		cpu0 := selfCPU()
		body, d, err := sc.scrape(ctx, url)
		if err != nil {
			return fmt.Errorf("warm scrape %d: %w", i+1, err)
		}
		cpu += selfCPU() - cpu0
		after, _ := sim.calls()
		r.warm = append(r.warm, after.sub(before))
		if got := after.sub(before); got.total() != r.data.expect.warm() {
			b.progress(r.w, "warm scrape %d: %d+%d calls, not %d; the exporter's own counts: %s", i+1,
				got.executions, got.steps, r.data.expect.warm(), exporterCalls(body))
		}
		r.warmLatency = append(r.warmLatency, d)
		r.warmUp = r.warmUp && isUp(body)
		if i == 0 {
			first = body
		}
		last = body
		_, d, err = sc.scrape(ctx, floor.url())
		if err != nil {
			return fmt.Errorf("floor scrape %d: %w", i+1, err)
		}
		r.floorLatency = append(r.floorLatency, d)
	}
	r.benchCPU = cpu / time.Duration(b.scrapes)
	r.series = countSamples(last, "")
	r.trackedSteps = countSamples(last, "ssm_automation_step_info{")
	spans := float64(b.scrapes - 1)
	r.mallocs = delta(first, last, "go_memstats_mallocs_total ") / spans
	r.bytes = delta(first, last, "go_memstats_alloc_bytes_total ") / spans
	r.exporterCPU = time.Duration(delta(first, last, "process_cpu_seconds_total ") / spans * float64(time.Second))
	calls := make([]string, len(r.warm))
	for i, c := range r.warm {
		calls[i] = fmt.Sprintf("%d+%d", c.executions, c.steps)
	}
	b.progress(r.w, "warm scrapes: median %s, floor %s, %d samples; calls of each: %s",
		fmtDuration(median(r.warmLatency)), fmtDuration(median(r.floorLatency)), r.series, strings.Join(calls, " "))
	return nil
}

// concurrentScrapes sends 50 scrapes at once to the warm exporter.
func (b *bench) concurrentScrapes(ctx context.Context, sim *simulator, sc *scraper, url string, r *result) error {
	b.progress(r.w, "%d concurrent scrapes", concurrentScrapes)
	before, _ := sim.calls()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	r.burstUp = true
	for range concurrentScrapes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body, _, err := sc.scrape(ctx, url)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			r.burstUp = r.burstUp && err == nil && isUp(body)
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	r.burstWall = time.Since(t0)
	after, _ := sim.calls()
	r.burst = after.sub(before)
	return firstErr
}

// underQuota times one cold scrape of a fresh exporter and simulator that
// both allow 20 requests/s.
func (b *bench) underQuota(ctx context.Context, r *result) error {
	sim, err := startSimulator(r.data.executions, ssmsim.Options{RequestsPerSecond: quotaRPS, Burst: quotaRPS})
	if err != nil {
		return err
	}
	defer sim.close()
	exp, err := startExporter(ctx, b.bin, b.dir, r.w.name+"-quota", sim.url,
		apiBudget{rps: quotaRPS, burst: quotaRPS, maxConcurrency: 4})
	if err != nil {
		return err
	}
	defer exp.stop()
	sc := newScraper(600 * time.Second)
	defer sc.close()
	before, _ := sim.calls()
	body, d, err := sc.scrape(ctx, exp.url+"/metrics")
	if err != nil {
		return err
	}
	after, _ := sim.calls()
	r.quota, r.quotaLatency, r.quotaUp = after.sub(before), d, isUp(body)
	b.progress(r.w, "cold scrape under quota: %d calls in %s, %d throttled, up %v",
		r.quota.total(), fmtDuration(d), r.quota.throttled, r.quotaUp)
	return nil
}

// exporterCalls lists the exporter's API call counters, for a scrape that
// did not cost what was expected.
func exporterCalls(body []byte) string {
	var out []string
	for line := range bytes.Lines(body) {
		if bytes.HasPrefix(line, []byte("ssm_automation_exporter_api_requests_total{")) ||
			bytes.HasPrefix(line, []byte("ssm_automation_exporter_errors_total{")) {
			out = append(out, string(bytes.TrimSpace(line)))
		}
	}
	return strings.Join(out, ", ")
}

func isUp(body []byte) bool {
	v, ok := sampleValue(body, upSample)
	return ok && v == 1
}

// delta is a sample's value in last minus its value in first.
func delta(first, last []byte, prefix string) float64 {
	a, _ := sampleValue(first, prefix)
	z, _ := sampleValue(last, prefix)
	return z - a
}

// selfCPU is the user and system time of this process so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
