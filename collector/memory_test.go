package collector

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// maxRetainedPerStep bounds what the exporter keeps per tracked step
// execution, per-execution overhead included (about 390 B on a generated
// fleet of 25 step executions per execution). The peak RSS target is
// 2 KiB per step execution, and the Go heap needs room to grow.
const maxRetainedPerStep = 768

// TestRetainedHeapPerStep measures the heap a warm exporter keeps for a
// generated fleet: its records only, no prepared series and no copies of
// the SDK's responses.
func TestRetainedHeapPerStep(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	const executions = 200
	ssmsim.GenerateAverage(h.store, ssmsim.GenOptions{Seed: 1, Executions: executions, Now: fixedNow}, 25) // as the benchmark sizes W1
	h.apply(t, `
targets:
  - name: fleet
    region: us-east-1
    endpoint: %s
    discovery: [{name: all, lookback: 48h, max_executions: 5000}]
`)
	before := heapInUse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range 3 { // cold, then warm: the view kept is the last one
		h.exp.Scrape(ctx, nil).refreshed()
	}
	after := heapInUse()
	steps := 0
	for _, x := range h.exp.targets["fleet"].tracked {
		steps += len(x.steps)
	}
	if steps < executions*25 {
		t.Fatalf("tracked %d step executions, want at least %d", steps, executions*25)
	}
	per := float64(int64(after)-int64(before)) / float64(steps)
	t.Logf("retained %d bytes for %d step executions: %.0f B each", int64(after)-int64(before), steps, per)
	if per > maxRetainedPerStep {
		t.Errorf("retained %.0f B per step execution, want at most %d", per, maxRetainedPerStep)
	}
	runtime.KeepAlive(h)
}

// maxAddedPerStep bounds what a warm refresh of a fleet where nothing has
// changed adds to the live heap while the view it replaces is still
// served, per tracked step execution.
const maxAddedPerStep = 48

// TestWarmRefreshSharesUnchangedRecords refreshes a warm generated fleet
// in which nothing has changed while scrapes still hold the last view, as
// they do while a refresh runs: the running executions, whose steps were
// listed again, keep the records of the last view instead of a copy of
// them, so the refresh adds little to the live heap (the peak of a warm
// scrape is twice the live heap, under GOGC=100).
func TestWarmRefreshSharesUnchangedRecords(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	ssmsim.GenerateAverage(h.store, ssmsim.GenOptions{Seed: 1, Executions: 200, RunningFraction: 0.2, Now: fixedNow}, 25) // W1
	h.apply(t, `
targets:
  - name: fleet
    region: us-east-1
    endpoint: %s
    discovery: [{name: all, lookback: 48h, max_executions: 5000}]
`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range 2 { // cold, then warm
		h.exp.Scrape(ctx, nil).refreshed()
	}
	ts := h.exp.targets["fleet"]
	last := ts.current
	before := heapInUse()
	h.exp.Scrape(ctx, nil).refreshed()
	added := int64(heapInUse()) - int64(before)
	steps, running, shared := 0, 0, 0
	for _, x := range ts.current.execs {
		steps += len(x.steps)
		old := last.execs[slices.IndexFunc(last.execs, func(o *tracked) bool { return o.exec.id == x.exec.id })]
		if !x.ended {
			running++
			if len(x.steps) > 0 && &x.steps[0] == &old.steps[0] {
				shared++
			}
		}
	}
	runtime.KeepAlive(last)
	if running < 20 || shared != running {
		t.Errorf("%d of %d running executions keep the records of the last view, want all", shared, running)
	}
	per := float64(added) / float64(steps)
	t.Logf("a warm refresh added %d bytes to the live heap for %d step executions: %.0f B each", added, steps, per)
	if per > maxAddedPerStep {
		t.Errorf("a warm refresh added %.0f B per step execution to the live heap, want at most %d", per, maxAddedPerStep)
	}
}

// TestDeltaMergeCopiesEachStepOnce merges the delta of a running loop
// with 800 iterations still Pending, the loop kept without a call while
// an iteration runs: when the running iteration has ended and the next
// one started since, the merge allocates the merged records once, not a
// growing list of the Pending ones besides, nor a map of every step's
// status. When nothing changed, the merge is the last listing itself,
// without a copy.
func TestDeltaMergeCopiesEachStepOnce(t *testing.T) {
	start := fixedNow.Add(-time.Hour)
	loop := &stepDef{name: "each", action: "aws:loop"}
	body := &stepDef{name: "patch", action: "aws:runCommand", parentStepName: "each"}
	old := []stepRec{{id: "s-0", status: "Success", def: &stepDef{name: "first"}, start: start, end: start.Add(time.Minute)},
		{id: "s-1", status: "InProgress", def: loop, start: start.Add(time.Minute)},
		{id: "s-2", status: "InProgress", def: body, start: start.Add(2 * time.Minute), iteration: "0"}}
	for i := range 800 {
		old = append(old, stepRec{id: fmt.Sprintf("s-%d", i+3), status: "Pending", def: body, iteration: strconv.Itoa(i + 1)})
	}
	ended, next := old[2], old[3]
	ended.status, ended.end = "Success", start.Add(3*time.Minute)
	next.status, next.start = "InProgress", ended.end
	for _, c := range []struct {
		name   string
		listed []stepRec
		fourth stepRec
		max    uint64 // bytes
	}{
		{"the next iteration started since", []stepRec{ended, next}, next, uint64(len(old)) * uint64(unsafe.Sizeof(stepRec{})) * 5 / 4},
		{"nothing changed", []stepRec{old[2]}, old[3], 1 << 10},
	} {
		p, ok := planDelta(old, "InProgress")
		d := &delta{since: p.since, started: c.listed, listed: map[string]bool{}, got: map[string]stepRec{}, iterating: map[string]bool{}}
		for _, r := range c.listed {
			d.listed[r.id], d.got[r.id] = true, r
		}
		if ids := d.toFetch(old, p); !ok || len(ids) > 0 || !d.iterating["s-1"] {
			t.Fatalf("%s: planned %v, fetching %v by id, the loop iterating %v; want a delta without a call by id", c.name, ok, ids, d.iterating["s-1"])
		}
		merge := func() {
			steps, ok := d.merge(old, 5000)
			if !ok || len(steps) != len(old) || steps[1].id != "s-1" || steps[3].id != c.fourth.id || steps[3].status != c.fourth.status || !steps[3].start.Equal(c.fourth.start) || steps[4].id != "s-4" {
				t.Fatalf("%s: merged %d steps (ok %v), want %d, the fourth %+v", c.name, len(steps), ok, len(old), c.fourth)
			}
		}
		allocs := testing.AllocsPerRun(20, merge)
		bytes := bytesPerRun(20, merge)
		t.Logf("%s: merging %d steps allocated %d bytes in %.0f allocations", c.name, len(old), bytes, allocs)
		if bytes > c.max || allocs > 4 {
			t.Errorf("%s: merging allocated %d bytes in %.0f allocations, want at most %d in 4", c.name, bytes, allocs, c.max)
		}
	}
}

// bytesPerRun is what f allocates on average, measured as AllocsPerRun
// counts: on one processor, after a warm-up run.
func bytesPerRun(runs int, f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&b)
	return (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}
