package collector

import (
	"context"
	"runtime"
	"testing"
	"time"

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
