package collector

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// truth is what a full listing exports at one moment, execution by
// execution.
type truth struct {
	at    time.Time
	lines map[string][]string
}

// timeless is the lines of each execution without the duration of its
// running steps, which is measured up to the scrape, not to the fetch.
func timeless(lines map[string][]string) map[string][]string {
	out := make(map[string][]string, len(lines))
	for id, ls := range lines {
		for _, l := range ls {
			if !strings.HasPrefix(l, "ssm_automation_step_duration_seconds{") {
				out[id] = append(out[id], l)
			}
		}
	}
	return out
}

// withinResync reports the executions whose exported lines (durations
// aside: see timeless) are none of those a full listing gave at a moment
// of the last resync_interval (from its start on); absent counts as lines
// too.
func withinResync(got map[string][]string, hist []truth, now time.Time, resync time.Duration) []string {
	var bad []string
	ids := map[string]bool{}
	for _, h := range hist {
		for id := range h.lines {
			ids[id] = true
		}
	}
	for id := range got {
		ids[id] = true
	}
	for id := range ids {
		ok := false
		for _, h := range hist {
			if !h.at.Before(now.Add(-resync)) && slices.Equal(got[id], h.lines[id]) {
				ok = true
				break
			}
		}
		if !ok {
			bad = append(bad, id)
		}
	}
	slices.Sort(bad)
	return bad
}

// TestDeltaRefreshWithLostEventsEqualsAFullListing is
// TestDeltaRefreshEqualsAFullListing with events on: the exporter follows
// a queue that loses 10% of the events, duplicates 5% and holds back 20%
// so that later ones overtake them, one event a change, so that every lost
// event loses a change. From one resync_interval after the first scrape
// on, at every scrape, each execution is exported exactly as a full
// listing exported it at a moment of the last resync_interval; and from
// one resync_interval after the last change on, every series, the per-step
// aggregates included, equals a full listing at the same moment.
func TestDeltaRefreshWithLostEventsEqualsAFullListing(t *testing.T) {
	const resync = time.Minute
	yml := strings.Replace(deltaTarget(`    events: {queue_url: "%s", resync_interval: 1m}`+"\n", ""), "endpoint: %s", "endpoint: %%s", 1)
	h := newEventsHarness(t, nil, yml)
	h.sim.SetEventFaults(ssmsim.EventFaults{DropRate: 0.1, DuplicateRate: 0.05, ReorderRate: 0.2,
		ReorderDelay: 50 * time.Millisecond, Seed: 3})
	loopingFleet(h.harness, 7, 40)
	rnd := rand.New(rand.NewPCG(7, 7))
	first, lastChange := h.clock, h.clock
	var hist []truth
	settled, behind := 0, 0
	for scrape := range 48 {
		reg := h.registry(t)
		got := executionSeries(t, reg) + stepOrder(h.exp)
		wantReg, wantExp := freshScrape(t, h.store, h.clock, deltaConfig)
		want := executionSeries(t, wantReg) + stepOrder(wantExp)
		hist = append(hist, truth{h.clock, timeless(executionLines(t, wantReg))})
		if got != want {
			behind++ // a lost event: the resync catches up
		}
		if h.clock.Sub(lastChange) >= resync {
			settled++
			if got != want {
				t.Fatalf("scrape %d, %v after the last change: the refresh exports\n%s\n\na full listing\n%s", scrape, h.clock.Sub(lastChange), got, want)
			}
		}
		if h.clock.Sub(first) >= resync {
			if bad := withinResync(timeless(executionLines(t, reg)), hist, h.clock, resync); len(bad) > 0 {
				t.Fatalf("scrape %d: %d executions exported as no full listing of the last %v did, e.g. %s", scrape, len(bad), resync, bad[0])
			}
		}
		h.clock = h.clock.Add(10 * time.Second)
		if h.advance(rnd, true) > 0 {
			lastChange = h.clock
		}
		h.drain(t)
	}
	inj := h.sim.InjectedFaults()
	if inj["EventDrop"] == 0 || behind == 0 || settled < 3 {
		t.Fatalf("%v events lost, %d scrapes behind a full listing, %d compared a resync_interval after the last change: the test shows nothing",
			inj["EventDrop"], behind, settled)
	}
	t.Logf("%v events lost, %v duplicated, %v held back; %d scrapes behind a full listing; %d a resync_interval after the last change",
		inj["EventDrop"], inj["EventDuplicate"], inj["EventReorder"], behind, settled)
}
