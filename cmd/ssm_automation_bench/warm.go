package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"time"
)

// warmScrapes scrapes the warm exporter once untimed, starts the floor
// from that body, then alternates b.scrapes timed scrapes of each, so that
// both see the same load on the machine.
func (b *bench) warmScrapes(ctx context.Context, sim *simulator, sc *scraper, url string, r *result) error {
	b.progress(r.w, "%d warm scrapes, each followed by a scrape of the floor", b.scrapes)
	body, _, calls, err := countedScrape(ctx, sim, sc, url)
	if err != nil {
		return fmt.Errorf("warm scrape: %w", err)
	}
	r.warm = append(r.warm, calls)
	floor, err := startFloor(ctx, b.dir, r.w.name+"-floor", body)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	defer floor.stop()
	floorURL := floor.url + "/metrics"
	if body, _, err = sc.scrape(ctx, floorURL); err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	r.floorSeries = countSamples(body, "")

	var first, last []byte
	var cpu time.Duration
	r.warmUp = true
	for i := range b.scrapes {
		cpu0 := selfCPU()
		body, d, calls, err := countedScrape(ctx, sim, sc, url)
		if err != nil {
			return fmt.Errorf("warm scrape %d: %w", i+1, err)
		}
		cpu += selfCPU() - cpu0
		r.warm, r.warmLatency = append(r.warm, calls), append(r.warmLatency, d)
		if v, ok := sampleValue(body, refreshSample); ok {
			r.refresh = append(r.refresh, time.Duration(v*float64(time.Second)))
		}
		r.warmUp = r.warmUp && isUp(body)
		if i == 0 {
			first = body
		}
		last = body
		if _, d, err = sc.scrape(ctx, floorURL); err != nil {
			return fmt.Errorf("floor scrape %d: %w", i+1, err)
		}
		r.floorLatency = append(r.floorLatency, d)
	}
	r.benchCPU = cpu / time.Duration(b.scrapes)
	r.fromBodies(first, last, b.scrapes-1)
	b.progress(r.w, "warm scrapes: median %s, floor %s, %d samples; calls of each: %s",
		fmtDuration(median(r.warmLatency)), fmtDuration(median(r.floorLatency)), r.series, callList(r.warm))
	if r.exporterErrors != "" {
		b.progress(r.w, "the exporter's failed attempts so far: %s", r.exporterErrors)
	}
	return nil
}

// fromBodies reads figures from the exporter's own series. Its Go and
// process series are gathered before the targets are refreshed, so their
// values in a body are those at the start of that scrape: the first and
// last timed bodies span spans scrapes.
func (r *result) fromBodies(first, last []byte, spans int) {
	r.series = countSamples(last, "")
	r.trackedSteps = countSamples(last, "ssm_automation_step_info{")
	n := float64(spans)
	r.mallocs = delta(first, last, "go_memstats_mallocs_total ") / n
	r.bytes = delta(first, last, "go_memstats_alloc_bytes_total ") / n
	r.exporterCPU = time.Duration(delta(first, last, "process_cpu_seconds_total ") / n * float64(time.Second))
	r.exporterErrors = failedAttempts(last)
}

// concurrentScrapes sends 50 scrapes at once to the warm exporter.
func (b *bench) concurrentScrapes(ctx context.Context, sim *simulator, sc *scraper, url string, r *result) error {
	b.progress(r.w, "%d concurrent scrapes", concurrentScrapes)
	before, err := sim.calls()
	if err != nil {
		return err
	}
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
	after, err := sim.calls()
	r.burst = after.sub(before)
	b.progress(r.w, "%d concurrent scrapes: %d calls in %s", concurrentScrapes, r.burst.total(), fmtDuration(r.burstWall))
	if firstErr != nil {
		return firstErr
	}
	return err
}

func callList(cs []apiCalls) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%d+%d", c.executions, c.steps)
	}
	return strings.Join(out, " ")
}

// failedAttempts lists the exporter's API attempts that did not answer
// OK: a retried attempt costs the API a call.
func failedAttempts(body []byte) string {
	var out []string
	prefix := []byte("ssm_automation_exporter_api_requests_total{")
	for line := range bytes.Lines(body) {
		if bytes.HasPrefix(line, prefix) && !bytes.Contains(line, []byte(`code="OK"`)) {
			out = append(out, string(bytes.TrimSpace(bytes.TrimPrefix(line, prefix[:len(prefix)-1]))))
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

// selfCPU is the user and system time of this process so far: the
// simulator's and the scraping client's.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
