package archtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/ssm-automation-exporter/ssm_automation_exporter"

// pkg is one package of the module as go list sees it without its tests:
// its import path and every package it depends on, directly or not.
type pkg struct {
	path string
	deps []string
}

// rule says which of the module's packages a package may depend on.
type rule struct {
	pkg     string   // relative to the module
	allowed []string // of the module's packages, relative to it
}

// rules are the arrows of the layout: the client side of SSM (transport
// only) and the exposition never depend on the collector, the exposition
// on nothing of the module, discovery (which executions a rule finds) on
// the transport only, and the collector on neither the commands nor the
// simulator.
var rules = []rule{
	{"internal/exposition", nil},
	{"internal/ssmapi", []string{"config", "internal/contract"}},
	{"internal/contract", nil},
	{"config", nil},
	{"internal/discovery", []string{"config", "internal/contract", "internal/ssmapi"}},
	{"internal/events", []string{"config", "internal/contract", "internal/ssmapi"}},
	{"collector", []string{"config", "internal/contract", "internal/discovery", "internal/events", "internal/exposition", "internal/ssmapi"}},
}

// simulatorUsers are the only packages (besides itself) that may depend
// on the simulator outside tests: the simulator command, the benchmark
// and the exporter, for --demo.
var simulatorUsers = []string{"cmd/ssm_simulator", "cmd/ssm_automation_bench", "cmd/ssm_automation_exporter", "internal/ssmsim"}

// violations lists every arrow of pkgs that the rules forbid.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.path, module+"/")
		if !ok {
			continue
		}
		for _, d := range p.deps {
			dep, ok := strings.CutPrefix(d, module+"/")
			if !ok {
				continue
			}
			if dep == "internal/ssmsim" && !slices.Contains(simulatorUsers, rel) {
				out = append(out, fmt.Sprintf("%s depends on internal/ssmsim, which only the simulator, the benchmark and --demo may use outside tests", rel))
				continue
			}
			for _, r := range rules {
				if r.pkg == rel && !slices.Contains(r.allowed, dep) {
					out = append(out, fmt.Sprintf("%s depends on %s; it may depend on %v of the module only", rel, dep, r.allowed))
				}
			}
		}
	}
	return out
}

// TestDependencyDirection reads the import graph of the module's
// packages, without their tests, from go list.
func TestDependencyDirection(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to read the import graph: %v", err)
	}
	cmd := exec.Command(gobin, "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 {
			pkgs = append(pkgs, pkg{path: fields[0], deps: fields[1:]})
		}
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[strings.TrimPrefix(p.path, module+"/")] = true
	}
	for _, r := range rules {
		if !seen[r.pkg] {
			t.Errorf("go list did not list %s: the rules name a package that is gone", r.pkg)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestViolationsFindsWrongArrows feeds the check a graph with every kind
// of forbidden arrow.
func TestViolationsFindsWrongArrows(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	pkgs := []pkg{
		{m("internal/exposition"), []string{"io", m("collector")}},
		{m("internal/exposition"), []string{m("internal/ssmapi")}},
		{m("internal/ssmapi"), []string{m("config"), m("collector")}},
		{m("collector"), []string{m("internal/ssmsim")}},
		{m("collector"), []string{m("cmd/ssm_automation_exporter")}},
		{m("config"), []string{m("internal/ssmapi")}},
		{m("cmd/ssm_automation_exporter"), []string{m("collector"), m("internal/ssmsim")}},
		{m("cmd/ssm_automation_bench"), []string{m("internal/ssmsim")}},
		{m("internal/ssmapi"), []string{m("config"), m("internal/contract"), "github.com/aws/aws-sdk-go-v2/aws"}},
		{m("internal/ssmapi"), []string{m("internal/discovery")}},
		{m("internal/discovery"), []string{m("config"), m("internal/ssmapi"), m("collector")}},
	}
	got := violations(pkgs)
	if len(got) != 8 {
		t.Fatalf("%d violations, want 8 (one per forbidden arrow):\n%s", len(got), strings.Join(got, "\n"))
	}
}
