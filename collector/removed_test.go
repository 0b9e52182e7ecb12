package collector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestReloadDuringRefreshLeavesNoSeriesOfTheRemovedTarget removes a target
// while its refresh waits for a slow endpoint: what that refresh counts
// afterwards must not bring the removed target's series back.
func TestReloadDuringRefreshLeavesNoSeriesOfTheRemovedTarget(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	slowURL, slowSim := ssmsim.NewTestServer(t, h.store, ssmsim.Options{Faults: ssmsim.Faults{Latency: 600 * time.Millisecond}})
	const fast = `
targets:
  - name: fast
    region: us-east-1
    endpoint: %s
    executions: [{id: ` + idRunning + `}]
`
	h.apply(t, fast+`
  - name: slow
    region: us-east-1
    endpoint: `+slowURL+`
    executions: [{id: `+idRunning+`}]
`)
	slow := h.exp.targets["slow"]

	// A scrape whose deadline (1s) the slow target's two calls overrun.
	scraped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := serveScrape(h.exp.Scrape(ctx, nil), nil, expfmt.NewFormat(expfmt.TypeProtoDelim))
		scraped <- err
	}()
	// Reload once the slow target's first call waits in the simulator.
	for deadline := time.Now().Add(20 * time.Second); slowSim.InjectedFaults()["Latency"] == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slow target's call never reached the simulator")
		}
	}
	slow.mu.Lock()
	f := slow.inflight
	slow.mu.Unlock()
	if f == nil {
		t.Fatal("no refresh of the slow target in flight")
	}
	h.apply(t, fast)
	<-f.done // the removed target's refresh has counted all it will count
	if err := <-scraped; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		mustGather(t, h.registry(t))
	}
	text := gatheredText(t, h.base)
	if strings.Contains(text, `target="slow"`) {
		var left []string
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(l, `target="slow"`) {
				left = append(left, l)
			}
		}
		t.Fatalf("series of the removed target remain:\n%s", strings.Join(left, "\n"))
	}
	if !strings.Contains(text, `target="fast"`) {
		t.Fatal("the remaining target's series are gone")
	}
}
