package dashboards

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/dashboards/internal/gen"
)

// envelope is what Grafana's import reads besides the dashboard.
type envelope struct {
	Inputs []struct {
		Name        string `json:"name"`
		Label       string `json:"label"`
		Description string `json:"description"`
		Type        string `json:"type"`
		PluginID    string `json:"pluginId"`
		PluginName  string `json:"pluginName"`
	} `json:"__inputs"`
	Requires []struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"__requires"`
}

// inputRef matches a reference to an import input, ${DS_NAME}.
var inputRef = regexp.MustCompile(`\$\{(DS_[A-Z0-9_]+)\}`)

// TestImportEnvelope checks __inputs and __requires: one Prometheus
// datasource input, used (by the datasource variable's default) and the
// only input used; Grafana, Prometheus and exactly the panel plugins the
// dashboard uses required.
func TestImportEnvelope(t *testing.T) {
	paths, err := files(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var env envelope
			if err := json.Unmarshal(raw, &env); err != nil {
				t.Fatal(err)
			}
			checkInputs(t, raw, env)
			checkRequires(t, path, env)
		})
	}
}

func checkInputs(t *testing.T, raw []byte, env envelope) {
	t.Helper()
	if len(env.Inputs) != 1 {
		t.Fatalf("__inputs = %+v, want the Prometheus datasource only", env.Inputs)
	}
	in := env.Inputs[0]
	if in.Name != gen.DatasourceInput || in.Type != "datasource" || in.PluginID != "prometheus" || in.Label == "" || in.PluginName == "" {
		t.Errorf("__inputs[0] = %+v, want %s, a prometheus datasource with a label", in, gen.DatasourceInput)
	}
	for _, m := range inputRef.FindAllSubmatch(raw, -1) {
		if string(m[1]) != in.Name {
			t.Errorf("%s is used but not in __inputs", m[0])
		}
	}
	var d struct {
		Templating struct {
			List []struct {
				Name    string `json:"name"`
				Current struct {
					Value json.RawMessage `json:"value"`
				} `json:"current"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	ds := d.Templating.List[0]
	if ref := `"${` + in.Name + `}"`; ds.Name != "datasource" || string(ds.Current.Value) != ref {
		t.Errorf("variable %s starts on %q, want %s so that the import's choice is its default", ds.Name, ds.Current.Value, ref)
	}
	if n := bytes.Count(raw, []byte("${"+in.Name+"}")); n != 2 { // the default's text and value
		t.Errorf("${%s} appears %d times, want only in the datasource variable's default", in.Name, n)
	}
}

func checkRequires(t *testing.T, path string, env envelope) {
	t.Helper()
	d, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	var used []string
	walk(d.Panels, func(p *panel) {
		// Grafana's export lists no row: it is no plugin.
		if p.Type != "row" && !slices.Contains(used, p.Type) {
			used = append(used, p.Type)
		}
	})
	sort.Strings(used)
	var panels []string
	have := map[string]bool{}
	for _, r := range env.Requires {
		if have[r.Type+"/"+r.ID] || r.Name == "" {
			t.Errorf("__requires: %+v twice or without a name", r)
		}
		have[r.Type+"/"+r.ID] = true
		if r.Type == "panel" {
			panels = append(panels, r.ID)
		}
	}
	if !have["grafana/grafana"] || !have["datasource/prometheus"] {
		t.Errorf("__requires = %+v, want grafana and the prometheus datasource", env.Requires)
	}
	if !slices.Equal(panels, used) {
		t.Errorf("__requires lists the panels %q, the dashboard uses %q", panels, used)
	}
}

// alertsExpr matches the alert annotation's query, capturing the alert
// name pattern and the other matchers.
var alertsExpr = regexp.MustCompile(`^ALERTS\{alertname=~"([^"]+)", alertstate="firing", (.+)\}$`)

// TestAlertAnnotation checks each dashboard's alert annotation: firing
// alerts of a pattern matching every alert of the rules file, on the
// datasource variable, with the dashboard's variables only.
func TestAlertAnnotation(t *testing.T) {
	alerts := ruleAlerts(t)
	paths, err := files(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		d, err := load(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Annotations.List) != 1 {
			t.Errorf("%s: %d annotations, want the alert annotation", path, len(d.Annotations.List))
			continue
		}
		a := d.Annotations.List[0]
		m := alertsExpr.FindStringSubmatch(a.Expr)
		if m == nil || a.Datasource == nil || a.Datasource.UID != "${datasource}" {
			t.Errorf("%s: annotation %q: %s on %v, want firing ALERTS by alertname on the datasource variable", path, a.Name, a.Expr, a.Datasource)
			continue
		}
		names := regexp.MustCompile("^(?:" + m[1] + ")$")
		for alert := range alerts {
			if !names.MatchString(alert) {
				t.Errorf("%s: the annotation's alertname=~%q misses %s", path, m[1], alert)
			}
		}
		vars := map[string]string{}
		for _, v := range d.Templating.List {
			vars[v.Name] = "x"
		}
		if left := varRef.FindAllString(Substitute(a.Expr, vars), -1); len(left) > 0 {
			t.Errorf("%s: annotation: undefined variables %q", path, left)
		}
	}
}

// TestRecordedNames checks that the dashboards take every recorded series
// from gen.Recorded, the one place that names them, and that the rules
// file records each.
func TestRecordedNames(t *testing.T) {
	rec, _ := recorded(t)
	known := series()
	for _, n := range gen.Recorded {
		if !rec[n] {
			t.Errorf("gen.Recorded: %s is not recorded by %s: rename it in dashboards/internal/gen/recorded.go, then run go generate ./dashboards", n, rulesFile)
		}
	}
	qs, err := Queries(".")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, q := range qs {
		for _, n := range metricNames(q.Expr) {
			if _, ok := known[n]; ok || n == "ALERTS" {
				continue
			}
			used[n] = true
			if !slices.Contains(gen.Recorded, n) {
				t.Errorf("%s / %q: %s is not in gen.Recorded", q.File, q.Panel, n)
			}
		}
	}
	for _, n := range gen.Recorded {
		if !used[n] {
			t.Errorf("gen.Recorded: no dashboard queries %s", n)
		}
	}
}
