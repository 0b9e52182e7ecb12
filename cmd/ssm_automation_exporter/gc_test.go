package main

import (
	"io"
	"log/slog"
	"runtime/debug"
	"testing"
)

// TestGCPercentAtStartUp parses the flags and applies the garbage
// collector's target as run does, then reads back the target the runtime
// holds: 50 by default, the runtime's own (read from GOGC when the process
// started) when GOGC is set, and the flag's whenever it is given.
func TestGCPercentAtStartUp(t *testing.T) {
	const before = 123 // what the runtime holds before start-up
	defer debug.SetGCPercent(debug.SetGCPercent(before))
	for _, c := range []struct {
		name   string
		args   []string
		gogc   string // "-" for unset
		want   int
		source string
	}{
		{"neither GOGC nor the flag", nil, "-", defaultGCPercent, "default"},
		{"GOGC", nil, "80", before, "GOGC"},
		{"GOGC off", nil, "off", before, "GOGC"},
		{"the flag", []string{"--runtime.gc-percent=70"}, "-", 70, "flag"},
		{"the flag and GOGC", []string{"--runtime.gc-percent=200"}, "80", 200, "flag"},
	} {
		o, err := parseFlags(c.args, io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := o.validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lookup := func(key string) (string, bool) { return c.gogc, key == "GOGC" && c.gogc != "-" }
		if _, source := gcPercent(o.gcPercent, o.gcPercentSet, lookup); source != c.source {
			t.Errorf("%s: the target comes from %s, want %s", c.name, source, c.source)
		}
		debug.SetGCPercent(before)
		applyGCPercent(o, lookup, slog.New(slog.DiscardHandler))
		if got := debug.SetGCPercent(before); got != c.want {
			t.Errorf("%s: the garbage collector's target is %d, want %d", c.name, got, c.want)
		}
	}
}
