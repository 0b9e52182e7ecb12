package collector

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/discovery"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
)

// planStart is a refresh of a target following events, ten minutes of
// resync_interval, with a rule kept (listed a minute ago) and one due
// for its listing, a static execution and what the last refreshes fetched:
//   - kQuiet, kNamed, kEnded, kDue: followed by the kept rule, running
//     (kEnded ended); an event named kNamed after its fetch; kDue was
//     fetched eleven minutes ago;
//   - kNew: found by the kept rule's listing, never fetched;
//   - lRun: running, followed by the rule due for its listing;
//   - static: running, fetched a minute ago, no event.
func planStart(t *testing.T) (*refreshStart, *eventPlan) {
	t.Helper()
	now := fixedNow
	kept := config.DiscoveryRule{Name: "kept", Lookback: 24 * time.Hour, MaxExecutions: 100}
	due := config.DiscoveryRule{Name: "due", DocumentNamePrefix: "Custom-", Lookback: 24 * time.Hour, MaxExecutions: 100}
	meta := func(id string) *types.AutomationExecutionMetadata {
		return &types.AutomationExecutionMetadata{AutomationExecutionId: aws.String(id), ExecutionStartTime: aws.Time(now.Add(-time.Hour))}
	}
	running := &tracked{}
	st := &refreshStart{
		cfg: config.ExpandedTarget{Name: "t1", Target: &config.Target{
			Discovery:  []config.DiscoveryRule{kept, due},
			Executions: []config.Execution{{ID: "static"}},
		}},
		now: now,
		tracked: map[string]*tracked{"kQuiet": running, "kNamed": running, "kEnded": {ended: true}, "kDue": running,
			"lRun": running, "static": running},
		fetchedAt: map[string]time.Time{"kQuiet": now.Add(-time.Minute), "kNamed": now.Add(-time.Minute),
			"kEnded": now.Add(-time.Hour), "kDue": now.Add(-11 * time.Minute), "lRun": now.Add(-time.Minute),
			"static": now.Add(-time.Minute)},
		lastRules: map[string]ruleResult{
			"kept": {ids: []string{"kQuiet", "kNamed", "kEnded", "kDue", "kNew"}, listedAt: now.Add(-time.Minute),
				listing: discovery.NewListing(&kept, now.Add(-time.Minute), []*types.AutomationExecutionMetadata{meta("kQuiet")})},
			"due": {ids: []string{"lRun"}, listedAt: now.Add(-11 * time.Minute),
				listing: discovery.NewListing(&due, now.Add(-11*time.Minute), nil)},
		},
	}
	p := &eventPlan{trusted: true, resync: 10 * time.Minute, causes: map[string]string{}, gone: map[string]bool{},
		changed:   map[string]time.Time{"kNamed": now.Add(-30 * time.Second), "kQuiet": now.Add(-2 * time.Minute)},
		announced: map[string]events.Announced{"new": {Document: "AWS-Patch", Time: now.Add(-10 * time.Second)}}}
	return st, p
}

// TestEventPlanReads checks what a trusted refresh reads by id before the
// rules are decided, decided from its start alone: what the kept rule and
// the static id hold that it fetches (named since its fetch, due for the
// resync, never fetched), and the announced execution; not what a rule
// due for its listing holds, an ended execution or one no event named
// since a recent fetch (an event older than that fetch included).
func TestEventPlanReads(t *testing.T) {
	st, p := planStart(t)
	ids, fresh := p.toRead(st)
	slices.Sort(ids)
	if want := []string{"kDue", "kNamed", "kNew", "new"}; !slices.Equal(ids, want) {
		t.Errorf("reads %v, want %v", ids, want)
	}
	if !slices.Equal(fresh, []string{"new"}) {
		t.Errorf("announced reads %v, want [new]", fresh)
	}
	if p.keepListing(st.lastRules["due"], &st.cfg.Target.Discovery[1], st.now) {
		t.Error("a rule listed more than resync_interval ago is kept")
	}
	if !p.keepListing(st.lastRules["kept"], &st.cfg.Target.Discovery[0], st.now) {
		t.Error("a rule listed a minute ago is not kept")
	}
	changed := st.cfg.Target.Discovery[0]
	changed.DocumentNamePrefix = "AWS-"
	if p.keepListing(st.lastRules["kept"], &changed, st.now) {
		t.Error("a rule whose filters a reload changed is kept")
	}

	p.relist = true // more announcements than are read: every rule lists
	if ids, fresh := p.toRead(st); len(ids) != 0 || fresh != nil {
		t.Errorf("with the announcements overflowed: reads %v and %v, want nothing (every rule lists)", ids, fresh)
	}
	st.fetchedAt["static"] = st.now.Add(-11 * time.Minute)
	if ids, _ := p.toRead(st); !slices.Equal(ids, []string{"static"}) {
		t.Errorf("with the announcements overflowed and the static execution due: reads %v, want [static]", ids)
	}
}

// TestEventPlanChooses checks which executions a trusted refresh fetches
// once the rules are decided, and why, and which it keeps as they are.
func TestEventPlanChooses(t *testing.T) {
	st, p := planStart(t)
	var want []*wanted
	for _, id := range []string{"kQuiet", "kNamed", "kEnded", "kDue", "kNew", "lRun", "static", "new"} {
		want = append(want, &wanted{id: id})
	}
	p.choose(st, want)
	quiet := map[string]bool{}
	for _, w := range want {
		quiet[w.id] = w.quiet
	}
	wantCauses := map[string]string{"kNamed": "event", "kDue": "resync", "kNew": "resync", "new": "announced"}
	if !maps.Equal(p.causes, wantCauses) {
		t.Errorf("causes %v, want %v", p.causes, wantCauses)
	}
	for id, q := range map[string]bool{"kQuiet": true, "lRun": true, "static": true, "kEnded": false, "kNamed": false} {
		if quiet[id] != q {
			t.Errorf("%s: quiet %v, want %v", id, quiet[id], q)
		}
	}
}
