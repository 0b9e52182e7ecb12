package main

import (
	"context"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const pendingSample = `ssm_automation_pending_executions{target="bench"}`

// runLoop starts a fresh exporter against a fresh simulator that allows
// 20 requests/s, configured as in the quota run, and scrapes it every 15 s
// with a 10 s scrape timeout until a scrape exports every execution with
// up 1, or twice the target has passed.
func (b *bench) runLoop(ctx context.Context, w workload) ([]row, error) {
	d := generate(w, b.seed, time.Now())
	sim, err := startSimulator(d.executions, ssmsim.Options{RequestsPerSecond: quotaRPS, Burst: quotaRPS})
	if err != nil {
		return nil, err
	}
	defer sim.close()
	exp, err := startExporter(ctx, b.bin, b.dir, w.name+"-loop",
		exporterConfig(sim.url, apiBudget{rps: quotaRPS * 0.95, burst: quotaRPS / 4, maxConcurrency: 4}, ""))
	if err != nil {
		return nil, err
	}
	defer exp.stop()
	sc := newScraper(loopTimeout)
	defer sc.close()
	limit := 2 * summarizeLoop(nil, 0, d.expect.cold()).target
	b.progress(w, "%d executions, %d calls needed: scraping every %s with a %s timeout (about %ds, at most %s)",
		len(d.executions), d.expect.cold(), fmtSeconds(scrapeInterval), fmtSeconds(loopTimeout), d.expect.cold()/quotaRPS, fmtSeconds(limit))

	var ss []loopScrape
	t0 := time.Now()
	tick := time.NewTicker(scrapeInterval)
	defer tick.Stop()
	for {
		body, lat, err := sc.scrape(ctx, exp.url+"/metrics")
		if err != nil {
			return nil, err
		}
		s := loopScrape{at: time.Since(t0), latency: lat, executions: countSamples(body, "ssm_automation_execution_info{"), up: isUp(body)}
		s.pending, _ = sampleValue(body, pendingSample)
		ss = append(ss, s)
		b.progress(w, "%.0f s: answered in %s, %d executions exported, %.0f pending, up %s",
			s.at.Seconds(), fmtDuration(lat), s.executions, s.pending, upString(s.up))
		if (s.up && s.executions >= len(d.executions)) || time.Since(t0) > limit {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
	total, err := sim.calls()
	if err != nil {
		return nil, err
	}
	b.progress(w, "%d calls, %d throttled", total.total(), total.throttled)
	return loopRows(d, ss, total), nil
}
