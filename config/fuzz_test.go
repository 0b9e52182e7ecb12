package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are inputs beside the files of testdata/bad and example.yml:
// valid files, YAML oddities and bytes that are not YAML.
var fuzzSeeds = []string{
	"",
	"targets: []\n",
	minimal,
	"targets:\n  - name: a\n    regions: [us-east-1, eu-west-1]\n    role_arns: [arn:aws:iam::111111111111:role/r, arn:aws:iam::222222222222:role/r]\n    executions: [{id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab}]\n",
	"targets:\n- name: a\n  region: us-east-1\n  discovery: [{lookback: 7d, max_executions: 1, statuses: [Failed]}]\n  limits: {max_label_length: 16}\n",
	"\ufefftargets:\r\n  - name: a\r\n    region: us-east-1\r\n    discovery: [{}]\r\n",
	"targets:\n\t- name: a\n",
	"a: &a [*a]\n",
	"--- \n...\n---\n",
	"targets: {name: a}\n",
	"targets:\n  - name: \"\\xff\"\n    region: \"\\u2028\"\n",
	"api: {call_timeout: 9223372036854775807ns, requests_per_second: .nan}\n",
	"\xff\xfe\x00t",
	"[[[[[[[[[[",
}

// FuzzParse checks that Parse never panics, that what it accepts is a
// usable configuration, and that what it rejects comes as Errors whose
// problems point into the file.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yml"))
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, filepath.Join("..", "example.yml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		c2, err2 := Parse(data)
		if err != nil {
			checkProblems(t, data, err)
			if err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("second Parse of the same input gave %v, first %v", err2, err)
			}
			return
		}
		if c == nil {
			t.Fatal("Parse returned neither a config nor an error")
		}
		if err2 != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("second Parse of the same input differs: %v", err2)
		}
		checkAccepted(t, data, c)
	})
}

// lineBound is one more than the number of lines of data, counting every
// line break YAML knows.
func lineBound(data []byte) int {
	n := 2
	for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(br))
	}
	return n
}

func checkProblems(t *testing.T, data []byte, err error) {
	t.Helper()
	var probs Errors
	if !errors.As(err, &probs) {
		t.Fatalf("Parse error is %T, not Errors: %v", err, err)
	}
	if len(probs) == 0 || err.Error() == "" {
		t.Fatalf("Parse failed with no problem: %#v", probs)
	}
	if len(probs) > maxProblems {
		last := probs[len(probs)-1]
		if len(probs) != maxProblems+1 || last.Line != 0 || last.Path != "" || !strings.HasPrefix(last.Message, "... and ") {
			t.Fatalf("%d problems, the last %#v", len(probs), last)
		}
		probs = probs[:maxProblems]
	}
	for _, p := range probs {
		if p.Line < 0 || p.Line > lineBound(data) {
			t.Errorf("problem at line %d of a file of at most %d lines: %s", p.Line, lineBound(data), p)
		}
		if p.Message == "" {
			t.Errorf("problem without a message: %#v", p)
		}
	}
	sorted := sort.SliceIsSorted(probs, func(i, j int) bool {
		if probs[i].Line != probs[j].Line {
			return probs[i].Line < probs[j].Line
		}
		return probs[i].Path < probs[j].Path
	})
	if !sorted {
		t.Errorf("problems are not sorted by line and path:\n%v", err)
	}
}

// checkAccepted re-validates an accepted configuration: defaults are in
// place and every target expands to named, distinct targets.
func checkAccepted(t *testing.T, data []byte, c *Config) {
	t.Helper()
	if len(c.Targets) == 0 {
		t.Fatal("accepted a configuration without targets")
	}
	a := c.API
	if !(a.RequestsPerSecond > 0) || a.Burst < 1 || a.MaxConcurrency < 1 || a.CallTimeout <= 0 || a.MaxAttempts < 1 {
		t.Errorf("api settings out of range: %+v", a)
	}
	for i := range c.Targets {
		checkTarget(t, data, &c.Targets[i])
		if e := c.Targets[i].Events; e.Enabled() && (!(e.RequestsPerSecond > 0) || e.Burst < 1) {
			t.Errorf("events budget out of range: %+v", e)
		}
	}
	seen := map[string]bool{}
	for _, e := range c.ExpandedTargets() {
		if e.Name == "" || e.Region == "" || e.Target == nil {
			t.Errorf("expanded target without name, region or target: %+v", e)
		}
		// These become label values, which must be valid UTF-8.
		for _, l := range []string{e.Name, e.Region, e.RoleARN, e.AccountID} {
			if !utf8.ValidString(l) {
				t.Errorf("expanded target %q has a label value that is not UTF-8: %q", e.Name, l)
			}
		}
		if len(e.Name) > maxNameLength {
			t.Errorf("expanded target %q is longer than %d characters", e.Name, maxNameLength)
		}
		if seen[e.Name] {
			t.Errorf("two expanded targets are named %q", e.Name)
		}
		seen[e.Name] = true
	}
}

func checkTarget(t *testing.T, data []byte, tg *Target) {
	t.Helper()
	if tg.Name == "" {
		t.Errorf("accepted a target without a name: %+v", tg)
	}
	if tg.Line < 1 || tg.Line > lineBound(data) {
		t.Errorf("target %q at line %d of a file of at most %d lines", tg.Name, tg.Line, lineBound(data))
	}
	if (tg.Region == "") == (len(tg.Regions) == 0) {
		t.Errorf("target %q: region %q and regions %q", tg.Name, tg.Region, tg.Regions)
	}
	if tg.RoleARN != "" && len(tg.RoleARNs) > 0 {
		t.Errorf("target %q has both role_arn and role_arns", tg.Name)
	}
	roles, regions := max(len(tg.RoleARNs), 1), max(len(tg.Regions), 1)
	if n := len(tg.Expand()); n != roles*regions {
		t.Errorf("target %q expands to %d targets, want %d", tg.Name, n, roles*regions)
	}
	if len(tg.Executions) == 0 && len(tg.Discovery) == 0 {
		t.Errorf("target %q watches nothing", tg.Name)
	}
	l := tg.Limits
	if l.MaxExecutions < 1 || l.MaxStepsPerExecution < 1 || l.MaxLabelLength < 1 || tg.SessionName == "" || tg.MinRefreshInterval < 0 {
		t.Errorf("target %q: limits or defaults out of range: %+v, session %q", tg.Name, l, tg.SessionName)
	}
	switch tg.Details {
	case DetailsSteps, DetailsExecutions, DetailsNone:
	default:
		t.Errorf("target %q: details %q", tg.Name, tg.Details)
	}
	for _, e := range tg.Executions {
		if !executionIDRE.MatchString(e.ID) {
			t.Errorf("target %q: execution id %q is not a lowercase UUID", tg.Name, e.ID)
		}
	}
	for _, r := range tg.Discovery {
		if r.Name == "" || !utf8.ValidString(r.Name) || r.Lookback <= 0 || r.MaxExecutions < 1 {
			t.Errorf("target %q: discovery rule without defaults: %+v", tg.Name, r)
		}
	}
}
