package config

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadTooLarge(t *testing.T) {
	const limit = 1 << 20 // MaxFileBytes, the documented limit
	dir := t.TempDir()
	// A valid file of exactly the limit loads; one byte more does not.
	body := good("prod")
	pad := "#" + strings.Repeat("x", limit-len(body)-2) + "\n"
	exact, over := filepath.Join(dir, "exact.yml"), filepath.Join(dir, "over.yml")
	writeConfig(t, exact, body+pad)
	writeConfig(t, over, body+pad+"\n")
	if _, err := Load(exact); err != nil {
		t.Fatalf("a file of %d bytes: %v", limit, err)
	}
	_, err := Load(over)
	if err == nil {
		t.Fatalf("a file of %d bytes loaded", limit+1)
	}
	want := fmt.Sprintf("reading config file: read %s: file is larger than the limit of %d bytes (1 MiB)", over, limit)
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	if errs := (Errors{}); errors.As(err, &errs) {
		t.Errorf("a file too large gave Errors: %v", errs)
	}

	sc := NewSafeConfig(nil)
	if err := sc.ReloadConfig(over, nil); err == nil || !strings.Contains(err.Error(), "larger than the limit") {
		t.Errorf("reload of a file too large: %v", err)
	}
}

// junk is a file of about n targets and n unknown keys, whose problems are
// recorded in the opposite order of their lines: the unknown keys at the
// end are found while decoding, the targets' problems later, by validation.
func junk(n int) []byte {
	var b strings.Builder
	b.WriteString("targets:\n")
	for range n {
		b.WriteString("  - {}\n") // name, region and something to watch are missing
	}
	for i := range n {
		fmt.Fprintf(&b, "x%d: 1\n", i)
	}
	return []byte(b.String())
}

// TestProblemsCapped: a file of thousands of problems lists the first 100
// by line and counts the rest. Each empty target has 3 problems.
func TestProblemsCapped(t *testing.T) {
	const n = 5000
	_, err := Parse(junk(n))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want Errors", err)
	}
	if len(errs) != 101 {
		t.Fatalf("%d problems listed, want 100 and a count of the rest", len(errs))
	}
	wantFirst := []string{
		"line 2: targets[0]: one of region or regions is required",
		"line 2: targets[0]: nothing to watch: list executions or discovery rules",
		"line 2: targets[0].name: required",
		"line 3: targets[1]: one of region or regions is required",
	}
	for i, want := range wantFirst {
		if got := errs[i].String(); got != want {
			t.Errorf("problem %d = %s, want %s", i, got, want)
		}
	}
	if got, want := errs[99].String(), "line 35: targets[33]: one of region or regions is required"; got != want {
		t.Errorf("problem 99 = %s, want %s", got, want)
	}
	want := fmt.Sprintf("... and %d more problems (only the first 100 are listed)", 4*n-100)
	if last := errs[100]; last != (Problem{Message: want}) {
		t.Errorf("last problem = %#v, want the message %q alone", last, want)
	}
	if lines := strings.Count(err.Error(), "\n") + 1; lines != 101 {
		t.Errorf("the error has %d lines, want 101", lines)
	}
}

// TestProblemsKeepTheFirst checks the bounded collection against sorting
// every problem.
func TestProblemsKeepTheFirst(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 99, 100, 101, 199, 200, 201, 1000, 5000} {
		var ps problems
		var all Errors
		for i := range n {
			p := Problem{Line: r.IntN(300), Path: fmt.Sprintf("p%d", r.IntN(3)), Message: fmt.Sprint(i)}
			ps.add(p)
			all = append(all, p)
			if len(ps.kept) >= 2*maxProblems {
				t.Fatalf("%d problems kept at once", len(ps.kept))
			}
		}
		sortProblems(all)
		want := all[:min(n, maxProblems)]
		if n > maxProblems {
			want = append(slices.Clone(want), Problem{Message: fmt.Sprintf("... and %d more problems (only the first 100 are listed)", n-maxProblems)})
		}
		got := ps.errors()
		if n == 0 {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d problems: got\n%v\nwant\n%v", n, got, want)
		}
	}
}

// BenchmarkParseJunk parses a file of junk near the size limit: a
// quadratic step would show here long before the limit.
func BenchmarkParseJunk(b *testing.B) {
	data := junk(60000) // about 1 MiB
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err == nil {
			b.Fatal("junk parsed")
		}
	}
}

// BenchmarkParseMerges parses many mappings that override merged keys.
func BenchmarkParseMerges(b *testing.B) {
	var s strings.Builder
	s.WriteString("targets:\n  - &t {name: t, region: eu-west-1, discovery: [{}], limits: {max_executions: 5}}\n")
	for i := range 9000 { // within maxExpandedTargets
		fmt.Fprintf(&s, "  - {<<: *t, name: t%d, limits: {}}\n", i)
	}
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
