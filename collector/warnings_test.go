package collector

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestWarningsAreSummarisedAcrossTargets(t *testing.T) {
	var b strings.Builder
	w := newWarnings(slog.New(slog.NewTextHandler(&b, nil)))
	for _, target := range []string{"a", "b", "c", "b"} {
		w.add("timeout", target, "Timeout")
	}
	w.add("access_denied", "d", "AccessDeniedException")
	w.flush()
	if n := strings.Count(b.String(), "\n"); n != 2 ||
		!strings.Contains(b.String(), "reason=access_denied targets=1 example_target=d code=AccessDeniedException\n") ||
		!strings.Contains(b.String(), "reason=timeout targets=3 example_target=a code=Timeout\n") {
		t.Fatalf("want one line per reason with the number of targets:\n%s", b.String())
	}
	b.Reset()
	w.add("timeout", "e", "Timeout")
	w.flush()
	if b.Len() != 0 {
		t.Fatalf("a second line within the interval:\n%s", b.String())
	}
}

// TestRefreshesStartLeastRecentFirst checks the order in which a scrape
// starts refreshes: targets never refreshed first, then those whose
// refresh started longest ago; a target within min_refresh_interval needs
// none.
func TestRefreshesStartLeastRecentFirst(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, `
targets:
  - {name: t0, region: us-east-1, endpoint: %[1]s, discovery: [{name: all}]}
  - {name: t1, region: us-east-1, endpoint: %[1]s, discovery: [{name: all}]}
  - {name: t2, region: us-east-1, endpoint: %[1]s, discovery: [{name: all}]}
  - {name: t3, region: us-east-1, endpoint: %[1]s, discovery: [{name: all}], min_refresh_interval: 1m}
`)
	for name, turn := range map[string]uint64{"t0": 5, "t1": 0, "t2": 3, "t3": 1} {
		h.exp.targets[name].turn.Store(turn)
	}
	h.exp.targets["t3"].current = &view{refreshedAt: h.clock}
	views, stale := h.exp.Scrape(context.Background(), nil).freshViews()
	if !slices.Equal(stale, []int{1, 2, 0}) {
		t.Errorf("refreshes start in the order %v, want [1 2 0] (never, then longest ago)", stale)
	}
	if views[3] == nil {
		t.Error("a target within min_refresh_interval must not wait for a refresh")
	}
}
