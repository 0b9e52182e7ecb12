package collector

import (
	"fmt"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// resyncConfig is eventsConfig with a resync_interval shorter than
// ssmapi.FullListingEvery, so that the resync lists warm.
const resyncConfig = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %%s
    discovery: [{name: aws, document_name_prefix: AWS-}]
    events: {queue_url: "%s", resync_interval: 5m, wait_time: 20s}
`

// resyncFleet is 120 ended executions and 12 running ones: a warm listing
// costs less than listing them all.
func resyncFleet() (execs []*ssmsim.Execution, runningIDs []string) {
	for i := range 132 {
		id := fmt.Sprintf("b%07d-0000-4000-8000-000000000000", i)
		e := running(id, 200+i)
		if i >= 12 {
			e.Status, e.EndTime = "Success", at(-100)
			e.Steps[1].Status, e.Steps[1].EndTime = "Success", at(-100)
		} else {
			runningIDs = append(runningIDs, id)
		}
		execs = append(execs, e)
	}
	return execs, runningIDs
}

// TestEventsResyncSkipsWhatEventsShowedEnded ends eleven of twelve running
// executions, each told by an event and fetched for it; at the resync the
// rule lists warm: what still runs and what started since, one call each,
// and nothing by id, since the fetches read the ended executions'
// metadata already.
func TestEventsResyncSkipsWhatEventsShowedEnded(t *testing.T) {
	execs, runningIDs := resyncFleet()
	h := newEventsHarness(t, execs, resyncConfig)
	h.scrape(t, "cold start", 3, 132) // three pages; every execution in full

	h.clock = h.clock.Add(15 * time.Second)
	for _, id := range runningIDs[:11] {
		h.store.Update(func(_, _ string, e *ssmsim.Execution) {
			if e.ID == id {
				e.Status, e.EndTime = "Success", h.clock
				e.Steps[1].Status, e.Steps[1].EndTime = "Success", h.clock
			}
		})
		h.publish(t, id)
	}
	h.clock = h.clock.Add(15 * time.Second)
	h.scrape(t, "eleven events", 2, 11) // their metadata ten a call, a delta each

	// The resync: the running listing and the started-since listing; the
	// one execution no event named is fetched again, its metadata from the
	// listing. The eleven that ended are not looked up by id.
	h.clock = fixedNow.Add(5 * time.Minute)
	h.scrape(t, "the resync", 2, 1)
	h.clock = h.clock.Add(15 * time.Second)
	h.scrape(t, "after the resync", 0, 0)
}
