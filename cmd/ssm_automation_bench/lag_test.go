package main

import (
	"slices"
	"testing"
	"time"
)

func TestExportedStates(t *testing.T) {
	body := []byte(`# TYPE ssm_automation_execution_status gauge
ssm_automation_execution_status{document_name="AWS-X",execution_id="e1",status="InProgress",target="bench"} 1
ssm_automation_step_status{action="aws:loop",document_name="AWS-X",execution_id="e1",status="Success",step_execution_id="s1",step_name="status",target="bench"} 1
ssm_automation_step_status{action="aws:sleep",document_name="AWS-X",execution_id="e1",status="Pending",step_execution_id="s2",step_name="s",target="bench"} 1
ssm_automation_step_info{action="aws:sleep",execution_id="e1",step_execution_id="s9"} 1
`)
	got := exportedStates(body)
	want := map[string]string{execKey("e1"): "InProgress", stepKey("s1"): "Success", stepKey("s2"): "Pending"}
	if len(got) != len(want) {
		t.Fatalf("exportedStates = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if v := labelValue([]byte(`x{step_status="a",status="b"} 1`), "status"); v != "b" {
		t.Errorf("labelValue skipped a longer name badly: %q", v)
	}
	if v := labelValue([]byte(`x{a="b"} 1`), "status"); v != "" {
		t.Errorf("labelValue of a missing label: %q", v)
	}
}

// TestFreshness follows step changes until a scrape shows them (their
// status or a later one); a change no scrape showed counts as never.
func TestFreshness(t *testing.T) {
	f := newLiveFixture()
	f.tl.observe(f.store, at(0))
	fr := newFreshness(at(1))
	run := func(start, end float64, exported map[string]string) {
		fr.scrape(f.tl, exported, at(start), at(end))
	}
	// r1 ends and r2 starts at 2, both before the scrape at 15; the
	// scrape shows r1's end only.
	f.put("run", "InProgress", 0, 0, step("r1", "Success", 0, 2), step("r2", "InProgress", 2, 0))
	f.tl.observe(f.store, at(15))
	run(15, 16, map[string]string{stepKey("r1"): "Success", stepKey("r2"): "Pending"})
	// r2 ends at 20; the scrape at 30 shows it: its start is shown too.
	f.put("run", "InProgress", 0, 0, step("r1", "Success", 0, 2), step("r2", "Failed", 2, 20), step("r3", "InProgress", 20, 0))
	f.tl.observe(f.store, at(30))
	run(30, 31, map[string]string{stepKey("r1"): "Success", stepKey("r2"): "Failed"})
	// r3 started at 20, never shown; a change after the last scrape's
	// start does not count.
	f.put("run", "InProgress", 0, 0, step("r1", "Success", 0, 2), step("r2", "Failed", 2, 20), step("r3", "Success", 20, 40))
	f.tl.observe(f.store, at(41))
	delays, unshown := fr.result(f.tl, at(30))
	want := []time.Duration{13 * time.Second, 10 * time.Second, 28 * time.Second, never}
	slices.Sort(want)
	if !slices.Equal(delays, want) || unshown != 1 {
		t.Fatalf("result = %v, %d unshown; want %v, 1", delays, unshown, want)
	}
	if m := medianDelay(delays); m != (13*time.Second+28*time.Second)/2 {
		t.Errorf("median = %v", m)
	}
	if m := medianDelay([]time.Duration{time.Second, never}); m != never {
		t.Errorf("median with half never shown = %v, want never", m)
	}
	if m := medianDelay(nil); m != 0 {
		t.Errorf("median of nothing = %v", m)
	}
}
