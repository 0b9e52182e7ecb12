package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestLiveCounts(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store := ssmsim.NewStore()
	put := func(id, status string, st ...*ssmsim.Step) {
		store.Put(simAccount, simRegion, &ssmsim.Execution{ID: id, Status: status, Steps: st})
	}
	step := func(id, status string, end time.Time) *ssmsim.Step {
		return &ssmsim.Step{StepExecutionID: id, Status: status, StartTime: t0, EndTime: end}
	}
	put("done", "Success", step("d1", "Success", t0))
	put("run", "InProgress", step("r1", "Success", t0), step("r2", "InProgress", time.Time{}), step("r3", "Pending", time.Time{}))
	put("ends", "InProgress", step("e1", "InProgress", time.Time{}))
	first := snapshotStore(store)
	if r, e, c := liveCounts(storeSnapshot{}, first); r != 3 || e != 1 || c != 5 {
		t.Fatalf("from nothing: %d running, %d ended, %d changed; want 3, 1, 5", r, e, c)
	}
	put("run", "InProgress", step("r1", "Success", t0), step("r2", "Success", t0.Add(time.Second)), step("r3", "InProgress", time.Time{}))
	put("ends", "Failed", step("e1", "Failed", t0.Add(time.Second)))
	put("new", "InProgress", step("n1", "InProgress", time.Time{}))
	second := snapshotStore(store)
	// run, ends (running at the first snapshot) and new; r2, r3, e1, n1 changed.
	if r, e, c := liveCounts(first, second); r != 3 || e != 1 || c != 4 {
		t.Fatalf("second: %d running, %d ended, %d changed; want 3, 1, 4", r, e, c)
	}
	// ends has settled: only run and new are left to look at; nothing changed.
	if r, e, c := liveCounts(second, snapshotStore(store)); r != 2 || e != 0 || c != 0 {
		t.Fatalf("third: %d running, %d ended, %d changed; want 2, 0, 0", r, e, c)
	}
}

func TestWarmStepRatio(t *testing.T) {
	ss := []liveScrape{
		{calls: apiCalls{executions: 40, steps: 2821}, running: 2000, up: true}, // cold: not counted
		{calls: apiCalls{executions: 40, steps: 300}, running: 300, up: true},
		{calls: apiCalls{executions: 40, steps: 360}, running: 300, up: true},
	}
	if r, n, ok := warmStepRatio(ss); r != 1.1 || n != 2 || !ok {
		t.Fatalf("warmStepRatio = %v, %d, %v; want 1.1, 2, true", r, n, ok)
	}
	ss[2].calls.steps = 361
	if _, _, ok := warmStepRatio(ss); ok {
		t.Fatal("661 step calls for 600 running executions passed")
	}
	ss[2].calls.steps, ss[1].up = 300, false
	if _, _, ok := warmStepRatio(ss); ok {
		t.Fatal("a scrape with up 0 passed")
	}
	if _, _, ok := warmStepRatio(ss[:1]); ok {
		t.Fatal("no warm scrape passed")
	}
	rows := liveRows(dataset{executions: make([]*ssmsim.Execution, 3)}, ss)
	if len(rows) != 5 || rows[1].figure != "scrape 1 (cold)" || rows[4].verdict != "FAIL" {
		t.Fatalf("liveRows = %+v", rows)
	}
}

func TestSummarizeLoop(t *testing.T) {
	ss := []loopScrape{
		{at: 10 * time.Second, latency: 9500 * time.Millisecond, executions: 2000, pending: 298},
		{at: 25 * time.Second, latency: 9 * time.Second, executions: 1999, up: true},
		{at: 160 * time.Second, latency: 400 * time.Millisecond, executions: 2000, up: true},
		{at: 175 * time.Second, latency: 300 * time.Millisecond, executions: 2000, up: true},
	}
	sum := summarizeLoop(ss, 2000, 2861)
	want := loopSummary{synced: 160 * time.Second, maxLatency: 9500 * time.Millisecond,
		ideal: 143050 * time.Millisecond, target: 186660 * time.Millisecond}
	if sum != want {
		t.Fatalf("summarizeLoop = %+v, want %+v", sum, want)
	}
	d := dataset{executions: make([]*ssmsim.Execution, 2000), expect: expectedCalls{discovery: 40, coldSteps: 2821}}
	rows := loopRows(d, ss, apiCalls{executions: 40, steps: 2821})
	for _, r := range rows[2:] {
		if r.verdict != "PASS" {
			t.Errorf("%s: %s", r.figure, r.verdict)
		}
	}
	if !strings.Contains(rows[1].measured, "at 10 s: 9500.0 ms, 2000 exported, 298 pending, up 0") {
		t.Errorf("scrapes row: %s", rows[1].measured)
	}
	late := append([]loopScrape{}, ss...)
	late[2].executions, late[3].at, late[3].latency = 1999, 190*time.Second, 11*time.Second
	rows = loopRows(d, late, apiCalls{steps: 2900, throttled: 1})
	for _, r := range rows[2:] {
		if r.verdict != "FAIL" {
			t.Errorf("late, slow and throttled: %s: %s", r.figure, r.verdict)
		}
	}
	if s := summarizeLoop(ss[:2], 2000, 2861); s.synced != 0 {
		t.Fatalf("never in sync: %+v", s)
	}
}
