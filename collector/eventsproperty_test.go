package collector

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// twinsProperty is twinRuleConfig with a resync_interval of a minute.
var twinsProperty = strings.Replace(twinRuleConfig, "resync_interval: 10m", "resync_interval: 1m", 1)

// TestEventsEqualPollingProperty runs a target following events beside
// one polling the same executions with the same rule, for each rule kind,
// while the fleet moves on, new executions and families (a parent with a
// child only include_children finds) start, bursts of events name
// executions that do not exist (some larger than events.MaxAnnounced),
// and reloads change the rule's filters under the same name. For the
// first half, the queue loses 10% of the events, duplicates 5% and holds
// back 20% so that later ones overtake them; then it loses none. At
// every scrape with no event lost in the last resync_interval and a
// scrape, the two export the same series, the same counts of what the
// rule found and dropped, and the same up; and they do so at every scrape
// of the second half from then on.
func TestEventsEqualPollingProperty(t *testing.T) {
	rules := []struct{ name, rule, reloaded string }{
		{"all", "{name: r}", ""},
		{"statuses", "{name: r, statuses: [InProgress, Waiting]}", ""},
		{"max_executions", "{name: r, max_executions: 6}", ""},
		{"include_children", "{name: r, document_name_prefix: AWS-, include_children: true}", ""},
		{"short lookback", "{name: r, lookback: 2m}", ""},
		{"reloads", "{name: r}", "{name: r, statuses: [InProgress], lookback: 3m}"},
	}
	if testing.Short() {
		rules = rules[1:2]
	}
	const (
		resync  = time.Minute
		every   = 10 * time.Second
		scrapes = 48
	)
	for i, c := range rules {
		t.Run(c.name, func(t *testing.T) {
			h := newEventsHarness(t, fleet(), strings.ReplaceAll(twinsProperty, "RULE", c.rule))
			queue := ssmsim.QueueURL(h.url, h.queue)
			h.sim.SetEventFaults(ssmsim.EventFaults{DropRate: 0.1, DuplicateRate: 0.05, ReorderRate: 0.2,
				ReorderDelay: 50 * time.Millisecond, Seed: int64(i + 1)})
			rnd := rand.New(rand.NewPCG(uint64(i), 99))
			var lastDrop time.Time
			compared, behind := 0, 0
			for scrape := range scrapes {
				if scrape == scrapes/2 {
					h.sim.SetEventFaults(ssmsim.EventFaults{DuplicateRate: 0.05, ReorderRate: 0.2,
						ReorderDelay: 50 * time.Millisecond, Seed: int64(i + 1)})
				}
				if c.reloaded != "" && scrape%16 == 8 {
					rule := c.reloaded
					if scrape%32 == 24 {
						rule = c.rule
					}
					h.apply(t, fmt.Sprintf(strings.ReplaceAll(twinsProperty, "RULE", rule), queue))
				}
				drops := h.sim.InjectedFaults()["EventDrop"]
				h.clock = h.clock.Add(every)
				h.advance(rnd, true)
				if scrape%3 == 0 {
					h.startFamily(scrape)
				}
				if scrape%7 == 3 {
					h.ghosts(scrape, []int{30, 150}[scrape%2])
				}
				h.drain(t)
				if h.sim.InjectedFaults()["EventDrop"] > drops {
					lastDrop = h.clock
				}
				reg := gathered(t, h)
				if lastDrop.IsZero() || h.clock.Sub(lastDrop) > resync+every {
					compared++
					compareTwinsAll(t, fmt.Sprintf("scrape %d", scrape), reg)
				} else {
					behind++
				}
				if t.Failed() {
					t.FailNow()
				}
			}
			if h.sim.InjectedFaults()["EventDrop"] == 0 || behind == 0 || compared < scrapes/3 {
				t.Fatalf("%v events lost, %d scrapes not compared, %d compared: the test shows nothing",
					h.sim.InjectedFaults()["EventDrop"], behind, compared)
			}
			if v, _ := value(t, h.base, "ssm_automation_exporter_limit_cut_total", map[string]string{"target": "t1", "limit": "announced"}); v == 0 {
				t.Error("no burst of announcements overflowed: the test shows nothing of it")
			}
			t.Logf("%v events lost, %v duplicated, %v held back; %d scrapes compared, %d within a resync_interval of a lost event",
				h.sim.InjectedFaults()["EventDrop"], h.sim.InjectedFaults()["EventDuplicate"], h.sim.InjectedFaults()["EventReorder"], compared, behind)
		})
	}
}

// startFamily starts, at the harness's clock, a running execution of
// AWS-Patch and a child of it of another runbook, and publishes their
// events, the child's first; it returns the child's id.
func (h *eventsHarness) startFamily(n int) string {
	parent := running(fmt.Sprintf("d%07d-0000-4000-8000-000000000000", n), 0)
	child := running(fmt.Sprintf("e%07d-0000-4000-8000-000000000000", n), 0)
	parent.StartTime, child.StartTime = h.clock, h.clock
	child.DocumentName, child.ParentExecutionID = "Custom-Child", parent.ID
	for _, e := range []*ssmsim.Execution{child, parent} {
		h.store.Put("123456789012", "us-east-1", e)
		h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", e, h.clock))
	}
	return child.ID
}

// ghosts publishes the events of n executions that do not exist.
func (h *eventsHarness) ghosts(burst, n int) {
	for i := range n {
		ghost := running(fmt.Sprintf("f%03d%04d-0000-4000-8000-000000000000", burst, i), 0)
		ghost.StartTime = h.clock
		h.sim.PublishEvent(ssmsim.ExecutionEvent("123456789012", "us-east-1", ghost, h.clock))
	}
}
