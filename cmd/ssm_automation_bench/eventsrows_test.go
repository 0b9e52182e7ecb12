package main

import (
	"strings"
	"testing"
	"time"
)

// warmRounds builds the scrapes of one exporter, 15 s apart: calls and
// changed executions per scrape, the first cold.
func warmRounds(calls, changed []int, lags ...time.Duration) []twinScrape {
	out := make([]twinScrape, len(calls))
	for i := range calls {
		out[i] = twinScrape{start: at(15 * float64(i)), changedExecs: changed[i]}
		out[i].calls.steps, out[i].up = calls[i], true
		if i < len(lags) {
			out[i].lag = lags[i]
		}
	}
	return out
}

// TestEventsBudget checks the warm calls allowed with events: 1.1 per
// execution with a change, plus a polling refresh per resync_interval.
func TestEventsBudget(t *testing.T) {
	poll := warmRounds([]int{2861, 400, 400, 400, 400}, []int{0, 0, 0, 0, 0})
	ev := warmRounds([]int{2861, 20, 10, 10, 210}, []int{0, 20, 5, 5, 10})
	calls, changed, budget := eventsBudget(ev, poll)
	// 1.1 × 40 + 1600 × 15 s ÷ 60 s = 44 + 400.
	if calls != 250 || changed != 40 || budget != 444 {
		t.Fatalf("eventsBudget = %d, %d, %v; want 250, 40, 444", calls, changed, budget)
	}
	rows := eventsVerdictRows(poll, ev, poll)
	if rows[0].verdict != "PASS" || rows[1].verdict != "PASS" {
		t.Fatalf("250 calls against 444 and 1600: %+v", rows[:2])
	}
	if !strings.HasPrefix(rows[1].measured, "1600 ÷ 250 = 6.40") {
		t.Errorf("ratio row: %s", rows[1].measured)
	}
	ev[4].calls.steps = 500 // 540 calls: over the budget, and 2.96× polling
	rows = eventsVerdictRows(poll, ev, poll)
	if rows[0].verdict != "FAIL" || rows[1].verdict != "FAIL" {
		t.Fatalf("540 calls against 444 and 1600: %+v", rows[:2])
	}
	ev[4].calls.steps, ev[2].up = 210, false
	if rows = eventsVerdictRows(poll, ev, poll); rows[0].verdict != "FAIL" {
		t.Fatalf("a scrape with up 0 passed: %+v", rows[0])
	}
	if rows = eventsVerdictRows(poll, ev[:1], poll); rows[0].verdict != "FAIL" || rows[1].verdict != "FAIL" {
		t.Fatalf("no warm scrape passed: %+v", rows[:2])
	}
}

// TestSettledLag checks the faulty queue's verdict: the largest lag of
// the scrapes one resync_interval (60 s) after the first, at most 60 s,
// and none with a status the store never held.
func TestSettledLag(t *testing.T) {
	calls := []int{1, 1, 1, 1, 1, 1}
	lags := []time.Duration{0, 100 * time.Second, 0, 0, 59 * time.Second, 30 * time.Second}
	faulty := warmRounds(calls, make([]int, 6), lags...)
	if worst, first := settledLag(faulty); worst != 59*time.Second || first != 4 {
		t.Fatalf("settledLag = %v, %d; want 59s from the scrape at 60 s (index 4)", worst, first)
	}
	row := eventsVerdictRows(faulty, faulty, faulty)[3]
	if row.verdict != "PASS" || row.measured != "59.0 s over scrapes 5 to 6" {
		t.Fatalf("faulty row: %+v", row)
	}
	faulty[5].lag = never
	if row = eventsVerdictRows(faulty, faulty, faulty)[3]; row.verdict != "FAIL" || !strings.HasPrefix(row.measured, "never held") {
		t.Fatalf("a status never held passed: %+v", row)
	}
	faulty[5].lag = 61 * time.Second
	if row = eventsVerdictRows(faulty, faulty, faulty)[3]; row.verdict != "FAIL" {
		t.Fatalf("61 s passed: %+v", row)
	}
	if row = eventsVerdictRows(faulty, faulty, faulty[:4])[3]; row.verdict != "FAIL" || row.measured != "no scrape that late" {
		t.Fatalf("no scrape 60 s after the first passed: %+v", row)
	}
}

func TestFreshnessRow(t *testing.T) {
	s := time.Second
	ev, poll := []time.Duration{2 * s, 7 * s, 9 * s}, []time.Duration{2 * s, 7 * s, 13 * s}
	if r := freshnessRow(ev, poll, 0, 0); r.verdict != "PASS" || !strings.HasPrefix(r.measured, "events 7.0 s (0 of 3 changes never shown), polling 7.0 s") {
		t.Fatalf("equal medians: %+v", r)
	}
	if r := freshnessRow([]time.Duration{2 * s, 8 * s, never}, poll, 1, 0); r.verdict != "FAIL" {
		t.Fatalf("a later median passed: %+v", r)
	}
	if r := freshnessRow([]time.Duration{never}, []time.Duration{never}, 1, 1); r.verdict != "FAIL" {
		t.Fatalf("never shown passed: %+v", r)
	}
	if r := freshnessRow(nil, nil, 0, 0); r.verdict != "FAIL" {
		t.Fatalf("no change passed: %+v", r)
	}
}
