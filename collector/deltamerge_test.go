package collector

import "testing"

// TestIterating checks when an open loop step is taken from the base: only
// while a step of its body is listed running, and only when no other loop
// step of its name could be that step's parent.
func TestIterating(t *testing.T) {
	step := func(id, name, action, parent, status string) stepRec {
		return stepRec{id: id, status: status, start: fixedNow, def: &stepDef{name: name, action: action, parentStepName: parent}}
	}
	loop := step("l", "each", "aws:loop", "", "InProgress")
	body := func(status string) stepRec { return step("b", "patch", "aws:runCommand", "each", status) }
	for _, c := range []struct {
		name   string
		old    []stepRec
		listed []stepRec
		want   bool
	}{
		{"an iteration runs", nil, []stepRec{body("Success"), body("InProgress")}, true},
		{"an iteration waits", nil, []stepRec{body("Waiting")}, true},
		{"the iterations are over", nil, []stepRec{body("Success"), step("r", "report", "aws:executeScript", "", "InProgress")}, false},
		{"an iteration failed", nil, []stepRec{body("Failed")}, false},
		{"nothing listed", nil, nil, false},
		{"a step of another loop runs", nil, []stepRec{step("o", "patch", "aws:runCommand", "other", "InProgress")}, false},
		{"the loop started again", nil, []stepRec{step("l2", "each", "aws:loop", "", "InProgress"), body("InProgress")}, false},
		{"another open loop of that name", []stepRec{step("l0", "each", "aws:loop", "", "InProgress")}, []stepRec{body("InProgress")}, false},
		{"a finished loop of that name", []stepRec{step("l0", "each", "aws:loop", "", "Success")}, []stepRec{body("InProgress")}, true},
	} {
		old := append([]stepRec{loop}, c.old...)
		if got := iterating(&old[0], old, c.listed); got != c.want {
			t.Errorf("%s: iterating = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMayHaveJumped checks which steps ended since make a delta list
// everything: a failure that does not go on to the next step, or a cancel.
func TestMayHaveJumped(t *testing.T) {
	for _, c := range []struct {
		was, now, onFailure string
		want                bool
	}{
		{"InProgress", "Success", "Abort", false},
		{"InProgress", "InProgress", "Abort", false},
		{"InProgress", "Failed", "Continue", false},
		{"InProgress", "TimedOut", "Continue", false},
		{"InProgress", "Failed", "Abort", true},
		{"InProgress", "Failed", "", true},
		{"InProgress", "TimedOut", "step:rollback", true},
		{"InProgress", "Cancelled", "Continue", true},
		{"", "Failed", "step:rollback", true}, // started and failed since
		{"Failed", "Failed", "Abort", false},  // failed before the base
	} {
		old := []stepRec{{id: "s", status: c.was, start: fixedNow, def: &stepDef{}}}
		d := &delta{got: map[string]stepRec{
			"s": {id: "s", status: c.now, def: &stepDef{onFailure: c.onFailure}},
		}}
		if c.was == "" {
			old = nil
		}
		if got := d.mayHaveJumped(old); got != c.want {
			t.Errorf("%s, then %s with onFailure %q: mayHaveJumped = %v, want %v", c.was, c.now, c.onFailure, got, c.want)
		}
	}
}
