// Package dashboards holds the Grafana dashboards of ssm_automation_exporter
// (the JSON files beside this one, built by internal/gen) and reads the
// PromQL queries out of them, so that tests can run those queries against a
// real Prometheus server.
package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

// Query is one PromQL query of one dashboard panel or annotation.
type Query struct {
	File      string // file name of the dashboard, e.g. ssm-automation-overview.json
	Dashboard string // dashboard title
	Panel     string // panel title, or "annotation " and the annotation's name
	RefID     string // the query's refId within the panel (A, B, ...), Anno for an annotation
	Expr      string // PromQL, with the dashboard's variables unsubstituted
	Instant   bool   // the panel asks for an instant query
}

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	ID            *int       `json:"id"`
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Tags          []string   `json:"tags"`
	SchemaVersion int        `json:"schemaVersion"`
	Panels        []panel    `json:"panels"`
	Templating    templating `json:"templating"`
	Annotations   struct {
		List []annotation `json:"list"`
	} `json:"annotations"`
}

// annotation is a Prometheus annotation query (Grafana's legacy fields,
// which every version reads).
type annotation struct {
	Name       string      `json:"name"`
	Expr       string      `json:"expr"`
	Datasource *datasource `json:"datasource"`
}

type templating struct {
	List []variable `json:"list"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Definition string          `json:"definition"`
	Datasource *datasource     `json:"datasource"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []target    `json:"targets"`
	Panels     []panel     `json:"panels"` // a collapsed row's panels
	GridPos    gridPos     `json:"gridPos"`
}

type gridPos struct {
	X, Y, W, H int
}

type target struct {
	RefID      string      `json:"refId"`
	Expr       string      `json:"expr"`
	Instant    bool        `json:"instant"`
	Datasource *datasource `json:"datasource"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// files lists the dashboard JSON files of dir, sorted.
func files(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no dashboard JSON in %s", dir)
	}
	sort.Strings(paths)
	return paths, nil
}

// load reads one dashboard file.
func load(path string) (*dashboard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return &d, nil
}

// walk calls fn on every panel, the panels of collapsed rows included.
func walk(panels []panel, fn func(*panel)) {
	for i := range panels {
		fn(&panels[i])
		walk(panels[i].Panels, fn)
	}
}

// Queries returns every panel query of every dashboard in dir, in file
// order and then panel order, each dashboard's annotation queries after
// its panels. Queries with an empty expr are left out.
func Queries(dir string) ([]Query, error) {
	paths, err := files(dir)
	if err != nil {
		return nil, err
	}
	var out []Query
	for _, path := range paths {
		d, err := load(path)
		if err != nil {
			return nil, err
		}
		walk(d.Panels, func(p *panel) {
			for _, t := range p.Targets {
				if t.Expr == "" {
					continue
				}
				out = append(out, Query{
					File:      filepath.Base(path),
					Dashboard: d.Title,
					Panel:     p.Title,
					RefID:     t.RefID,
					Expr:      t.Expr,
					Instant:   t.Instant,
				})
			}
		})
		for _, a := range d.Annotations.List {
			if a.Expr != "" {
				out = append(out, Query{File: filepath.Base(path), Dashboard: d.Title,
					Panel: "annotation " + a.Name, RefID: "Anno", Expr: a.Expr})
			}
		}
	}
	return out, nil
}

// builtins are Grafana's own interval variables, with values that suit a
// dashboard showing the last hour.
var builtins = map[string]string{
	"__interval":      "1m",
	"__rate_interval": "4m",
	"__range":         "1h",
}

// varRef matches ${name}, ${name:format}, [[name]], [[name:format]] and $name.
var varRef = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)`)

// Substitute replaces the variables in expr the way Grafana would for a
// single selected value: $var, ${var}, ${var:format} and [[var]] become
// vars[var]. $__interval, $__rate_interval and $__range take their value
// from vars when present, else 1m, 4m and 1h. Unknown variables are left
// as they are.
func Substitute(expr string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3] // exactly one group matched
		if v, ok := vars[name]; ok {
			return v
		}
		if v, ok := builtins[name]; ok {
			return v
		}
		return ref
	})
}
