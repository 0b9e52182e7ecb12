package main

import (
	"slices"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// liveFixture is a store whose executions the tests move on by hand.
type liveFixture struct {
	store *ssmsim.Store
	tl    *timeline
}

func newLiveFixture() *liveFixture {
	f := &liveFixture{store: ssmsim.NewStore(), tl: newTimeline()}
	f.put("run", "InProgress", 0, 0, step("r1", "InProgress", 0, 0), step("r2", "Pending", -1, 0))
	f.put("done", "Success", 0, 1, step("d1", "Success", 0, 1))
	return f
}

// step is a step execution started at start and ended at end (seconds
// after t0; negative: not started, 0 end: not ended).
func step(id, status string, start, end float64) *ssmsim.Step {
	st := &ssmsim.Step{StepExecutionID: id, Status: status}
	if start >= 0 {
		st.StartTime = at(start)
	}
	if end > 0 {
		st.EndTime = at(end)
	}
	return st
}

func (f *liveFixture) put(id, status string, start, end float64, steps ...*ssmsim.Step) {
	e := &ssmsim.Execution{ID: id, Status: status, StartTime: at(start), Steps: steps}
	if end > 0 {
		e.EndTime = at(end)
	}
	f.store.Put(simAccount, simRegion, e)
}

func (f *liveFixture) history(key string) []version { return f.tl.hist[key] }

// TestTimelineDatesChanges checks the versions an observation records:
// dated by the store's times when they fall after the previous
// observation, else by the observation; new entities absent before, gone
// ones absent after.
func TestTimelineDatesChanges(t *testing.T) {
	f := newLiveFixture()
	f.tl.observe(f.store, at(10))
	if got := f.history(stepKey("r1")); !slices.Equal(got, []version{{state: "InProgress"}}) {
		t.Fatalf("first observation: %+v", got)
	}
	// r1 ends at 12, r2 starts at 12; a new execution starts at 13; done
	// is deleted; its step with it.
	f.put("run", "InProgress", 0, 0, step("r1", "Success", 0, 12), step("r2", "InProgress", 12, 0))
	f.put("new", "InProgress", 13, 0, step("n1", "InProgress", 13, 0))
	f.store.Delete(simAccount, simRegion, "done")
	f.tl.observe(f.store, at(25))
	// Between two observations, the times tell the statuses a step went
	// through: an approval started at 14 waited until 20; a step of a new
	// execution was Pending from its start at 13 until its own at 20.
	approve := step("a1", "Success", 14, 20)
	approve.Action = "aws:approve"
	f.put("other", "Success", 0, 20, step("o1", "Success", 0, 1), approve)
	f.put("late", "InProgress", 13, 0, step("l1", "Success", 13, 20), step("l2", "InProgress", 20, 0), step("l3", "Pending", -1, 0))
	ahead := newTimeline()
	ahead.observe(ssmsim.NewStore(), at(10))
	ahead.observe(f.store, at(25))
	for key, w := range map[string][]version{
		stepKey("a1"): {{}, {"Waiting", at(14)}, {"Success", at(20)}},
		stepKey("l1"): {{}, {"InProgress", at(13)}, {"Success", at(20)}},
		stepKey("l2"): {{}, {"Pending", at(13)}, {"InProgress", at(20)}},
		stepKey("o1"): {{}, {"Success", at(25)}}, // ended at 1, before the previous observation: dated by this one
	} {
		if got := ahead.hist[key]; !slices.Equal(got, w) {
			t.Errorf("%s: %+v, want %+v", key, got, w)
		}
	}
	if got, want := ahead.hist[stepKey("l3")], []version{{}, {"Pending", at(13)}}; !slices.Equal(got, want) {
		t.Errorf("l3 appeared Pending with its execution: %+v, want %+v", got, want)
	}
	// A tick stamps its changes with its start and applies them after: an
	// observation may miss a change stamped before it.
	f.put("late", "InProgress", 13, 0, step("l1", "Success", 13, 20), step("l2", "Success", 20, 24), step("l3", "InProgress", 24, 0))
	ahead.observe(f.store, at(50))
	if got, want := ahead.hist[stepKey("l2")], []version{{}, {"Pending", at(13)}, {"InProgress", at(20)}, {"Success", at(24)}}; !slices.Equal(got, want) {
		t.Errorf("l2 ended at 24, a second before the observation at 25 missed it: %+v, want %+v", got, want)
	}
	// A Pending step dropped when its execution ends is gone since the end.
	f.put("late", "Failed", 13, 52, step("l1", "Success", 13, 20), step("l2", "Success", 20, 24), step("l3", "Success", 24, 52))
	ahead.observe(f.store, at(60))
	if got, want := ahead.hist[stepKey("l3")], []version{{}, {"Pending", at(13)}, {"InProgress", at(24)}, {"Success", at(52)}}; !slices.Equal(got, want) {
		t.Errorf("l3: %+v, want %+v", got, want)
	}
	f.put("late", "InProgress", 13, 0, step("l1", "Success", 13, 20), step("l4", "Pending", -1, 0))
	ahead.observe(f.store, at(70))
	f.put("late", "Failed", 13, 72, step("l1", "Success", 13, 20))
	ahead.observe(f.store, at(80))
	if got, want := ahead.hist[stepKey("l4")], []version{{}, {"Pending", at(70)}, {"", at(72)}}; !slices.Equal(got, want) {
		t.Errorf("l4: %+v, want %+v", got, want)
	}
	f.store.Delete(simAccount, simRegion, "other")
	f.store.Delete(simAccount, simRegion, "late")
	want := map[string][]version{
		stepKey("r1"):   {{state: "InProgress"}, {"Success", at(12)}},
		stepKey("r2"):   {{state: "Pending"}, {"InProgress", at(12)}},
		execKey("run"):  {{state: "InProgress"}},
		execKey("new"):  {{}, {"InProgress", at(13)}},
		stepKey("n1"):   {{}, {"InProgress", at(13)}},
		execKey("done"): {{state: "Success"}, {"", at(25)}},
		stepKey("d1"):   {{state: "Success"}, {"", at(25)}},
	}
	for key, w := range want {
		if got := f.history(key); !slices.Equal(got, w) {
			t.Errorf("%s: %+v, want %+v", key, got, w)
		}
	}
	// A change whose time the store gives before the previous observation
	// (or none) is dated by the observation that sees it.
	f.put("run", "Waiting", 0, 0, step("r1", "Success", 0, 12), step("r2", "Failed", 12, 20))
	f.tl.observe(f.store, at(40))
	if got := f.history(stepKey("r2")); got[2] != (version{"Failed", at(40)}) {
		t.Errorf("r2 ended at 20, seen at 40 after an observation at 25: %+v", got)
	}
	if got := f.history(execKey("run")); got[1] != (version{"Waiting", at(40)}) {
		t.Errorf("run: %+v", got)
	}
	if n := f.tl.changedExecutions(at(10), at(25)); n != 3 { // run, new, done
		t.Errorf("changed in (10, 25]: %d, want 3", n)
	}
	if n := f.tl.changedExecutions(at(25), at(40)); n != 1 { // run
		t.Errorf("changed in (25, 40]: %d, want 1", n)
	}
	if n := f.tl.changedExecutions(at(12), at(40)); n != 3 { // new at 13, done gone at 25, run at 40; not r1 at 12
		t.Errorf("changed in (12, 40]: %d, want 3", n)
	}
}

// TestLag checks how far behind the truth an exported status is: 0 when
// the entity held it at the scrape's start or later, else since when it
// no longer does; never for a status it never held, or held only after
// the answer.
func TestLag(t *testing.T) {
	f := newLiveFixture()
	f.tl.observe(f.store, at(0))
	f.put("run", "InProgress", 0, 0, step("r1", "Success", 0, 12), step("r2", "InProgress", 12, 0))
	f.tl.observe(f.store, at(15))
	f.put("run", "InProgress", 0, 0, step("r1", "Success", 0, 12), step("r2", "Success", 12, 31))
	f.tl.observe(f.store, at(32))
	r1, r2 := stepKey("r1"), stepKey("r2")
	for _, tc := range []struct {
		key, x     string
		start, end float64
		want       time.Duration
	}{
		{r1, "Success", 30, 31, 0},
		{r1, "InProgress", 30, 31, 18 * time.Second},    // left InProgress at 12
		{r2, "InProgress", 30, 31, 0},                   // still InProgress at 30
		{r2, "InProgress", 45, 46, 14 * time.Second},    // ended at 31
		{r2, "Success", 30, 30.5, never},                // ended after the answer
		{r2, "Success", 30, 31, 0},                      // ended during the scrape
		{r2, "Pending", 45, 46, 33 * time.Second},       // started at 12
		{r2, "Cancelled", 45, 46, never},                // never held
		{r2, "", 45, 46, never},                         // not exported, yet always there
		{stepKey("ghost"), "InProgress", 45, 46, never}, // never there
		{stepKey("ghost"), "", 45, 46, 0},
	} {
		if got := f.tl.lag(tc.key, tc.x, at(tc.start), at(tc.end)); got != tc.want {
			t.Errorf("lag(%s, %q, %v, %v) = %v, want %v", tc.key, tc.x, tc.start, tc.end, got, tc.want)
		}
	}
	exported := map[string]string{execKey("run"): "InProgress", execKey("done"): "Success", stepKey("d1"): "Success",
		r1: "Success", r2: "InProgress", stepKey("ghost"): "Failed"}
	worst, behind, example := f.tl.scrapeLag(exported, at(45), at(46))
	if worst != never || behind != 2 || example != `s/ghost exported "Failed", held ` {
		t.Fatalf("scrapeLag = %v, %d, %s; want never (ghost), 2 (r2, ghost)", worst, behind, example)
	}
	delete(exported, stepKey("ghost"))
	worst, behind, example = f.tl.scrapeLag(exported, at(45), at(46))
	if want := `s/r2 exported "InProgress", held "Pending" from the start, "InProgress" from 00:00:12.000, "Success" from 00:00:31.000`; worst != 14*time.Second || behind != 1 || example != want {
		t.Fatalf("scrapeLag = %v, %d, %s; want 14s, 1, %s", worst, behind, example, want)
	}
}
