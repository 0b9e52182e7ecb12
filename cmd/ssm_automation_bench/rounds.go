package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// twinScrape is one scrape of a twin: what W3 reports of it, and how it
// compares with the truth.
type twinScrape struct {
	liveScrape
	start, end time.Time
	lag        time.Duration // the largest of its series (see timeline.lag)
	behind     int           // statuses other than the store's at its start
	example    string        // the status that lagged most, for the progress line
	counts     exporterCounts
	queueUp    bool // ssm_automation_events_up 1
	// changedExecs is the executions of its store with a change since the
	// previous scrape began, up to its answer.
	changedExecs int
}

// runSession scrapes the session's exporters rounds times: the cold round
// one exporter after the other, on still stores that go live when it is
// over; the warm rounds all at once, every 15 s from then. Each store is
// observed right before and right after each round. The calls of a
// scrape run from the start of its round to the start of the next.
func (b *bench) runSession(ctx context.Context, w workload, s *liveSession, rounds int) error {
	if err := s.waitConsumers(ctx); err != nil {
		return err
	}
	lctx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	sc := newScraper(loopTimeout)
	defer sc.close()
	prevCalls := make([]apiCalls, len(s.twins))
	for i, t := range s.twins {
		var err error
		if prevCalls[i], err = t.sim.calls(); err != nil {
			return err
		}
	}
	prevSnap := storeSnapshot{}
	tick := time.NewTicker(scrapeInterval)
	defer tick.Stop()
	for k := 0; ; k++ {
		if k > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
			for i, t := range s.twins {
				c, err := t.sim.calls()
				if err != nil {
					return err
				}
				t.scrapes[k-1].calls, prevCalls[i] = c.sub(prevCalls[i]), c
			}
			b.progress(w, "scrape %d: %s", k, s.describeRound(k-1))
		}
		if k == rounds {
			return nil
		}
		for _, ls := range s.stores {
			ls.tl.observe(ls.store, time.Now())
		}
		cur := snapshotStore(s.stores[0].store)
		var ws liveScrape
		ws.running, ws.ended, ws.changed = liveCounts(prevSnap, cur)
		prevSnap = cur
		if err := s.round(ctx, sc, k, ws); err != nil {
			return err
		}
		if k == 0 { // the warm rounds run every 15 s from now
			s.goLive(lctx, b.seed)
			tick.Reset(scrapeInterval)
		}
	}
}

// round scrapes every exporter once, observes the stores and compares.
func (s *liveSession) round(ctx context.Context, sc *scraper, k int, ws liveScrape) error {
	bodies := make([][]byte, len(s.twins))
	errs := make([]error, len(s.twins))
	var wg sync.WaitGroup
	start := time.Now()
	for i, t := range s.twins {
		t.scrapes = append(t.scrapes, twinScrape{liveScrape: ws, start: start})
		scrape := func() {
			sp := &t.scrapes[k]
			if k == 0 { // one after the other: each cold scrape has the machine
				sp.start = time.Now()
			}
			bodies[i], sp.latency, errs[i] = sc.scrape(ctx, t.exp.url+"/metrics")
			sp.end = time.Now()
		}
		if k == 0 {
			scrape()
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); scrape() }()
	}
	wg.Wait()
	at := time.Now()
	for _, ls := range s.stores {
		ls.tl.observe(ls.store, at)
	}
	for i, t := range s.twins {
		if errs[i] != nil {
			return fmt.Errorf("scrape %d of the %s exporter: %w", k+1, t.role, errs[i])
		}
		t.evaluate(bodies[i], k)
	}
	return nil
}

// evaluate compares scrape k's body with the truth.
func (t *twin) evaluate(body []byte, k int) {
	sp := &t.scrapes[k]
	sp.up = isUp(body)
	v, ok := sampleValue(body, "ssm_automation_events_up{")
	sp.queueUp = ok && v == 1
	ex := exportedStates(body)
	tl := t.ls.tl
	sp.lag, sp.behind, sp.example = tl.scrapeLag(ex, sp.start, sp.end)
	if t.fresh != nil {
		t.fresh.scrape(tl, ex, sp.start, sp.end)
	}
	counts := readCounts(body)
	sp.counts, t.counts = counts.sub(t.counts), counts
	if k > 0 {
		sp.changedExecs = tl.changedExecutions(t.scrapes[k-1].start, sp.end)
	}
}

// describeRound is a progress line for a round whose calls are known.
func (s *liveSession) describeRound(k int) string {
	var parts []string
	for _, t := range s.twins {
		sp := t.scrapes[k]
		parts = append(parts, fmt.Sprintf("%s %d calls (%d + %d), %d sqs, %d changed executions, in %s, up %s, lag %s, %d behind",
			t.role, sp.calls.total(), sp.calls.executions, sp.calls.steps, sp.calls.sqs, sp.changedExecs,
			fmtDuration(sp.latency), upString(sp.up), fmtLag(sp.lag), sp.behind))
		if sp.lag == never {
			parts = append(parts, "e.g. "+sp.example)
		}
	}
	return strings.Join(parts, "; ")
}

// fmtLag prints a lag in seconds, or "never held".
func fmtLag(d time.Duration) string {
	if d == never {
		return "never held"
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
