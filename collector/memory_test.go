package collector

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// maxRetainedPerStep bounds what the exporter keeps per tracked step
// execution, per-execution overhead included (about 420 B on a generated
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

// TestDeltaMergeCopiesEachStepOnce merges the delta of a running loop
// with 800 iterations still Pending, of which nothing changed: the merge
// allocates the merged records once, not a growing list of the Pending
// ones besides, nor a map of every step's status.
func TestDeltaMergeCopiesEachStepOnce(t *testing.T) {
	start := fixedNow.Add(-time.Hour)
	def := &stepDef{name: "loop", action: "aws:loop"}
	old := []stepRec{{id: "s-0", status: "Success", def: def, start: start, end: start.Add(time.Minute)},
		{id: "s-1", status: "InProgress", def: def, start: start.Add(2 * time.Minute)}}
	for i := range 800 {
		old = append(old, stepRec{id: fmt.Sprintf("s-%d", i+2), status: "Pending", def: def, iteration: strconv.Itoa(i)})
	}
	since := start.Add(2 * time.Minute)
	got := map[string]stepRec{"s-1": old[1]}
	listed := []stepRec{old[1]}
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	steps, ok, err := mergeDelta(old, since, got, listed, 5000)
	runtime.ReadMemStats(&b)
	if err != nil || !ok || len(steps) != len(old) {
		t.Fatalf("merged %d steps (ok %v, err %v), want %d", len(steps), ok, err, len(old))
	}
	allocs := testing.AllocsPerRun(10, func() { _, _, _ = mergeDelta(old, since, got, listed, 5000) })
	bytes := b.TotalAlloc - a.TotalAlloc
	once := uint64(len(old)) * uint64(unsafe.Sizeof(stepRec{}))
	t.Logf("merging %d steps allocated %d bytes in %.0f allocations; the records are %d bytes", len(old), bytes, allocs, once)
	if bytes > once+once/4 || allocs > 4 {
		t.Errorf("merging allocated %d bytes in %.0f allocations, want at most %d in 4", bytes, allocs, once+once/4)
	}
}
