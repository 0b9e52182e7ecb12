package collector

import "testing"

// TestInternDefWritesNothingShared checks that interning a step's def
// never writes to it: a step kept from the last listing shares its def
// with the view scrapes are reading while the refresh interns the merged
// listing. Under the race detector, a write fails this test.
func TestInternDefWritesNothingShared(t *testing.T) {
	in := newInterner()
	shared := in.def(&stepDef{name: "patch", action: "aws:runCommand"})
	read := make(chan string)
	go func() {
		defer close(read)
		for range 100 {
			read <- shared.name + shared.action
		}
	}()
	for got := range read {
		if got != "patchaws:runCommand" {
			t.Fatalf("the shared def reads %q", got)
		}
		if d := in.def(shared); d != shared {
			t.Fatalf("interning the shared def gave another copy")
		}
	}
	fresh := &stepDef{name: "other", action: "aws:sleep"}
	if d := in.def(fresh); d == fresh || *d != *fresh {
		t.Fatalf("a new def is interned as a copy of its own: got %p for %p", d, fresh)
	}
}

// TestOwnExecWritesNothingShared checks that making an execution's strings
// its own leaves the alarms of the execution it was copied from alone: a
// refresh copies a published execution when the listing has no metadata
// for it, and scrapes may be reading the original's alarms meanwhile.
func TestOwnExecWritesNothingShared(t *testing.T) {
	in := newInterner()
	published := execRec{id: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", alarms: []alarm{{name: "cpu-high", state: "ALARM"}}}
	copied := published
	in.ownExec(&copied)
	if &copied.alarms[0] == &published.alarms[0] {
		t.Fatal("the copy's alarms share their array with the published execution's, and were written")
	}
	if copied.alarms[0] != published.alarms[0] {
		t.Fatalf("alarms = %v, want %v", copied.alarms, published.alarms)
	}
}
