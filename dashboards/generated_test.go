package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	grafana "github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/dashboards/internal/gen"
)

// TestGeneratedUpToDate checks that the checked-in dashboards are exactly
// what internal/gen builds, and that there are no others.
func TestGeneratedUpToDate(t *testing.T) {
	built, err := gen.Files()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := files(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	for _, f := range built {
		if !slices.Contains(names, f.Name) {
			t.Errorf("%s is built but not checked in: run go generate ./dashboards", f.Name)
			continue
		}
		names = slices.DeleteFunc(names, func(n string) bool { return n == f.Name })
		have, err := os.ReadFile(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, f.JSON) {
			t.Errorf("%s differs from what dashboards/internal/gen builds (%s): edit the Go code, then run go generate ./dashboards",
				f.Name, firstDiff(have, f.JSON))
		}
	}
	for _, n := range names {
		t.Errorf("%s is not built by dashboards/internal/gen", n)
	}
}

// firstDiff says on which line two texts first differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ": file has " + strings.TrimSpace(x) + ", built " + strings.TrimSpace(y)
		}
	}
	return "same lines"
}

// exportFields are the fields of Grafana's export for sharing externally:
// the import form reads them, the dashboard model has none of them.
var exportFields = []string{"__inputs", "__requires"}

// strictProblems decodes a dashboard file into the Foundation SDK's
// dashboard type, strictly (unknown fields and missing required fields are
// errors, panel options and queries checked by their plugin's types), and
// returns the problems. The export fields are taken out first.
func strictProblems(raw []byte) ([]string, error) {
	plugins.RegisterDefaultPlugins()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	for _, f := range exportFields {
		delete(fields, f)
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the classic model is the one Grafana imports (see internal/gen)
	var d grafana.Dashboard
	err = d.UnmarshalJSONStrict(body)
	var problems cog.BuildErrors
	switch {
	case errors.As(err, &problems): // an empty list when all is well
	case err != nil:
		return nil, err
	}
	var out []string
	for _, p := range problems {
		out = append(out, p.Error())
	}
	return out, nil
}

// TestStrictDecoding decodes every dashboard strictly into Grafana's types.
func TestStrictDecoding(t *testing.T) {
	paths, err := files(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := strictProblems(raw)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, pr := range problems {
			t.Errorf("%s: %s", p, pr)
		}
	}
}

// TestStrictProblems checks that strict decoding reports what it should:
// a field Grafana does not know in a panel and in a query (checked by the
// Prometheus plugin's types), a missing required field of a panel's options
// (checked by the stat plugin's types) and of the dashboard.
func TestStrictProblems(t *testing.T) {
	raw, err := os.ReadFile("ssm-automation-overview.json")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	panel := d["panels"].([]any)[0].(map[string]any)
	if panel["type"] != "stat" {
		t.Fatalf("first panel is a %v, want the stat this test edits", panel["type"])
	}
	panel["colour"] = "red"
	delete(panel["options"].(map[string]any), "wideLayout")
	panel["targets"].([]any)[0].(map[string]any)["exemplars"] = true // Grafana's field is exemplar
	delete(d, "templating")
	broken, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := strictProblems(broken)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{"unexpected field 'colour'", "options.wideLayout: required field is missing",
		"targets[0].Dataquery: unexpected field 'exemplars'", "templating: required field is missing"} {
		if !strings.Contains(got, want) {
			t.Errorf("strict decoding of a broken dashboard does not report %q; it reports:\n%s", want, got)
		}
	}
}

// TestExporterWithoutSDK checks that no package outside dashboards/
// links the Foundation SDK, so the exporter's binary stays without it.
func TestExporterWithoutSDK(t *testing.T) {
	const sdk = "github.com/grafana/grafana-foundation-sdk/"
	module := goList(t, "-m")[0]
	var roots []string
	for _, p := range goList(t, "../...") {
		if p != module+"/dashboards" && !strings.HasPrefix(p, module+"/dashboards/") {
			roots = append(roots, p)
		}
	}
	if !slices.Contains(roots, module+"/cmd/ssm_automation_exporter") {
		t.Fatalf("go list ../... misses the exporter: %q", roots)
	}
	for _, dep := range goList(t, append([]string{"-deps"}, roots...)...) {
		if strings.HasPrefix(dep, sdk) {
			t.Errorf("%s is linked outside dashboards/; only dashboards/ may import the SDK", dep)
		}
	}
}

// goList runs go list with args and returns the import paths it prints.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}}"}, args...)...)
	if args[0] == "-m" {
		cmd = exec.Command("go", "list", "-m")
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %q: %v", args, err)
	}
	return strings.Fields(string(out))
}
