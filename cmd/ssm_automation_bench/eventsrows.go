package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// Targets of W3-events.
const (
	eventCallsPerExecution = 1.1 // SSM calls per execution with a change
	pollingRatioTarget     = 5.0 // polling's warm calls ÷ events'
)

// eventsBudget is what the warm scrapes of the events exporter may cost:
// 1.1 calls per execution with a change since the previous scrape, plus
// the resync's share, at most one polling refresh per resync_interval:
// the polling exporter's calls × scrape interval ÷ resync_interval.
func eventsBudget(events, polling []twinScrape) (calls, changed int, budget float64) {
	pollingCalls := 0
	for i := 1; i < len(events) && i < len(polling); i++ {
		calls += events[i].calls.total()
		changed += events[i].changedExecs
		pollingCalls += polling[i].calls.total()
	}
	share := float64(pollingCalls) * scrapeInterval.Seconds() / eventsResync.Seconds()
	return calls, changed, eventCallsPerExecution*float64(changed) + share
}

// warmCalls sums the SSM calls of the warm scrapes.
func warmCalls(ss []twinScrape) int {
	n := 0
	for _, s := range ss[min(1, len(ss)):] {
		n += s.calls.total()
	}
	return n
}

// settledLag is the largest lag of the scrapes that start one
// resync_interval or more after the first, and the first of them.
func settledLag(ss []twinScrape) (worst time.Duration, first int) {
	first = -1
	for i, s := range ss {
		if s.start.Sub(ss[0].start) < eventsResync {
			continue
		}
		if first < 0 {
			first = i
		}
		worst = max(worst, s.lag)
	}
	return worst, first
}

// freshnessRow compares the medians of the events and polling exporters.
func freshnessRow(ev, poll []time.Duration, evUnshown, pollUnshown int) row {
	me, mp := medianDelay(ev), medianDelay(poll)
	got := fmt.Sprintf("events %s (%d of %d changes never shown), polling %s (%d never shown)",
		fmtLag(me), evUnshown, len(ev), fmtLag(mp), pollUnshown)
	return row{"freshness: median time from a step change to the start of the first scrape showing it", got,
		"events ≤ polling", verdict(len(ev) > 0 && me != never && me <= mp)}
}

// eventsScrapeRow describes one round of the three exporters.
func eventsScrapeRow(i int, poll, ev, faulty twinScrape) row {
	fig := fmt.Sprintf("scrape %d", i+1)
	if i == 0 {
		fig += " (cold)"
	}
	c := ev.counts
	return row{fig, fmt.Sprintf("events: %d calls (%d + %d) for %d executions with a change; refreshed %.0f by event, %.0f announced, %.0f by resync; "+
		"%.0f messages received; answered in %s, up %s, queue up %s. polling: %d calls (%d + %d), answered in %s, up %s. "+
		"faulty: %d calls, %.0f messages received; lag %s, %d statuses behind",
		ev.calls.total(), ev.calls.executions, ev.calls.steps, ev.changedExecs, c.event, c.announced, c.resync,
		c.received, fmtDuration(ev.latency), upString(ev.up), upString(ev.queueUp),
		poll.calls.total(), poll.calls.executions, poll.calls.steps, fmtDuration(poll.latency), upString(poll.up),
		faulty.calls.total(), faulty.counts.received, fmtLag(faulty.lag), faulty.behind), "", ""}
}

// lagList lists the lag and statuses behind of each scrape.
func lagList(ss []twinScrape) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%s/%d", fmtLag(s.lag), s.behind)
	}
	return strings.Join(parts, ", ")
}

// eventsVerdictRows are W3-events' targets: calls against the events and
// against polling, and the faulty queue's lag.
func eventsVerdictRows(poll, ev, faulty []twinScrape) []row {
	calls, changed, budget := eventsBudget(ev, poll)
	pollCalls := warmCalls(poll)
	ratio := float64(pollCalls) / float64(max(calls, 1))
	up := true
	for _, s := range ev {
		up = up && s.up
	}
	worst, first := settledLag(faulty)
	lagged := "no scrape that late"
	if first >= 0 {
		lagged = fmt.Sprintf("%s over scrapes %d to %d", fmtLag(worst), first+1, len(faulty))
	}
	return []row{
		{"warm SSM calls with events", fmt.Sprintf("%d over %d warm scrapes, for %d executions with a change (%.2f each); up 1 in every scrape: %v",
			calls, max(len(ev)-1, 0), changed, float64(calls)/float64(max(changed, 1)), up),
			fmt.Sprintf("≤ %.0f (%.1f × %d + the resync's share: the polling exporter's %d calls × %s ÷ %s)",
				budget, eventCallsPerExecution, changed, pollCalls, fmtSeconds(scrapeInterval), fmtSeconds(eventsResync)),
			verdict(up && len(ev) > 1 && float64(calls) <= budget)},
		{"warm SSM calls of polling ÷ with events", fmt.Sprintf("%d ÷ %d = %.2f", pollCalls, calls, ratio),
			fmt.Sprintf("≥ %.0f", pollingRatioTarget), verdict(len(ev) > 1 && ratio >= pollingRatioTarget)},
		{"lag and statuses behind the store, per scrape (polling; events; faulty)",
			lagList(poll) + "; " + lagList(ev) + "; " + lagList(faulty), "", ""},
		{"faulty queue: largest lag from one resync_interval after the first scrape", lagged,
			fmt.Sprintf("≤ %s (resync_interval)", fmtSeconds(eventsResync)), verdict(first >= 0 && worst <= eventsResync)},
	}
}

// eventsRows lays out W3-events: the data, a row per round, the
// freshness, the verdicts, and what the queues cost and delivered.
func eventsRows(s *liveSession) []row {
	poll, ev, faulty := s.twin(rolePolling), s.twin(roleEvents), s.twin(roleFaulty)
	f := faultyEvents
	out := []row{{"data", fmt.Sprintf("%d executions, %d still running at the start, %d step executions; live as in W3 once the cold scrapes "+
		"have answered; scraped together every %s: the polling exporter (W3's), an exporter following a queue of the same simulator "+
		"(resync_interval %s), and one following a faulty queue of a simulator of its own (the same executions, live with the same seed; "+
		"%.0f%% of events dropped, %.0f%% duplicated, %.0f%% held back %s, every one delayed up to %s)",
		len(s.d.executions), s.d.running, s.d.steps, fmtSeconds(scrapeInterval), fmtSeconds(eventsResync),
		f.DropRate*100, f.DuplicateRate*100, f.ReorderRate*100, fmtSeconds(f.ReorderDelay), fmtDuration(f.DelayJitter)), "", ""}}
	for i := range ev.scrapes {
		out = append(out, eventsScrapeRow(i, poll.scrapes[i], ev.scrapes[i], faulty.scrapes[i]))
	}
	until := ev.scrapes[len(ev.scrapes)-1].start
	evD, evU := ev.fresh.result(ev.ls.tl, until)
	pD, pU := poll.fresh.result(poll.ls.tl, until)
	out = append(out, freshnessRow(evD, pD, evU, pU))
	out = append(out, eventsVerdictRows(poll.scrapes, ev.scrapes, faulty.scrapes)...)
	return append(out, queueRows(ev, faulty)...)
}

// queueRows say what the queues cost and what the faulty one delivered.
func queueRows(ev, faulty *twin) []row {
	sqs := func(t *twin) int {
		n := 0
		for _, s := range t.scrapes {
			n += s.calls.sqs
		}
		return n
	}
	srv := faulty.sim.srv
	inj := srv.InjectedFaults()
	published := srv.EventsPublished(ssmsim.DetailTypeStep) + srv.EventsPublished(ssmsim.DetailTypeExecution)
	fd, fu := faulty.fresh.result(faulty.ls.tl, faulty.scrapes[len(faulty.scrapes)-1].start)
	return []row{
		{"SQS calls (long polls of 20 s, batch deletes)", fmt.Sprintf("events %d, faulty %d", sqs(ev), sqs(faulty)), "", ""},
		{"faulty queue: delivery", fmt.Sprintf("%.0f events published: %d dropped, %d duplicated, %d held back; %.0f messages received, %.0f invalid; "+
			"freshness median %s (%d of %d changes never shown)", published, inj["EventDrop"], inj["EventDuplicate"], inj["EventReorder"],
			faulty.counts.received, faulty.counts.invalid, fmtLag(medianDelay(fd)), fu, len(fd)), "", ""},
	}
}
