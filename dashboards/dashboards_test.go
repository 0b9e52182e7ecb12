package dashboards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
)

// series returns the series names of the exporter's contract with their
// labels, target labels included: the dashboards and the rules may use
// nothing else. A histogram has only its _bucket, _sum and _count series,
// and its bare name when it is native too.
func series() map[string][]string {
	out := map[string][]string{}
	for _, m := range contract.Metrics {
		labels := append(slices.Clone(m.Labels), "job", "instance")
		if m.Type != contract.Histogram {
			out[m.Name] = labels
			continue
		}
		if m.Native {
			out[m.Name] = labels
		}
		out[m.Name+"_bucket"] = append(slices.Clone(labels), "le")
		out[m.Name+"_sum"] = labels
		out[m.Name+"_count"] = labels
	}
	return out
}

// uids are the dashboards and their stable uids.
var uids = map[string]string{
	"ssm-automation-overview.json":  "ssm-automation-overview",
	"ssm-automation-execution.json": "ssm-automation-execution",
	"ssm-automation-exporter.json":  "ssm-automation-exporter",
}

const rulesFile = "../alerts/ssm_automation.rules.yml"

type ruleFile struct {
	Groups []struct {
		Rules []struct {
			Record      string            `yaml:"record"`
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// readRules reads the rules file.
func readRules(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	return rf
}

// recorded reads the names the rules file records, and its expressions.
func recorded(t *testing.T) (names map[string]bool, exprs []string) {
	t.Helper()
	names = map[string]bool{}
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				names[r.Record] = true
			}
			exprs = append(exprs, r.Expr)
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s records nothing", rulesFile)
	}
	return names, exprs
}

var (
	quoted     = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	braces     = regexp.MustCompile(`\{[^}]*\}`)
	brackets   = regexp.MustCompile(`\[[^\]]*\]`)
	labelLists = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	identifier = regexp.MustCompile(`[A-Za-z0-9_:.]+`)
	selector   = regexp.MustCompile(`([A-Za-z_:][A-Za-z0-9_:]*)\s*\{([^}]*)\}`)
	matcher    = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"`)
	keywords   = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2"}
)

// metricNames returns the metric names a PromQL expression selects: what is
// left once strings, label matchers, ranges, label lists, function calls
// and keywords are taken out.
func metricNames(expr string) []string {
	s := quoted.ReplaceAllString(expr, `""`)
	s = braces.ReplaceAllString(s, " ")
	s = brackets.ReplaceAllString(s, " ")
	s = labelLists.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range identifier.FindAllStringIndex(s, -1) {
		word := s[loc[0]:loc[1]]
		if strings.ContainsAny(word[:1], "0123456789.") || strings.HasSuffix(s[:loc[0]], "$") {
			continue // a number, a duration or a variable
		}
		if strings.HasPrefix(strings.TrimSpace(s[loc[1]:]), "(") ||
			slices.Contains(keywords, strings.ToLower(word)) {
			continue // a function or aggregation, or a keyword
		}
		if !slices.Contains(out, word) {
			out = append(out, word)
		}
	}
	sort.Strings(out)
	return out
}

// matcherLabels returns, per metric name, the label names its selectors match on.
func matcherLabels(expr string) map[string][]string {
	out := map[string][]string{}
	for _, m := range selector.FindAllStringSubmatch(expr, -1) {
		for _, l := range matcher.FindAllStringSubmatch(m[2], -1) {
			out[m[1]] = append(out[m[1]], l[1])
		}
	}
	return out
}

func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`sum by (status) (ssm_automation_execution_status{target=~"$target"})`:                    {"ssm_automation_execution_status"},
		`histogram_quantile(0.95, sum by (le) (rate(x_bucket{a="b{c}"}[5m])))`:                    {"x_bucket"},
		`(a == 1) * on (job, execution_id) group_left (failure_type) b{is_critical="true"} > 1e3`: {"a", "b"},
		`count(a offset 5m) or vector(0) unless on() time() - c:rec:count`:                        {"a", "c:rec:count"},
		`max by (step) (a{status="Failed"} * 5 or a{status!~"x|y"} * 0)`:                          {"a"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %q, want %q", expr, got, want)
		}
	}
	got := matcherLabels(`a{target=~"$t", status="x"} / b{ le = "1"}`)
	if !slices.Equal(got["a"], []string{"target", "status"}) || !slices.Equal(got["b"], []string{"le"}) {
		t.Errorf("matcherLabels = %v", got)
	}
}

// checkExpr reports metric names outside the contract and the recording
// rules, and label matchers on labels a metric does not have.
func checkExpr(t *testing.T, where, expr string, known map[string][]string, rec map[string]bool) {
	t.Helper()
	names := metricNames(expr)
	if len(names) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	for _, n := range names {
		if _, ok := known[n]; !ok && !rec[n] {
			t.Errorf("%s: metric %s is neither in the exporter's contract nor recorded by %s", where, n, rulesFile)
		}
	}
	for name, labels := range matcherLabels(expr) {
		have, ok := known[name]
		if !ok {
			continue // recorded: its labels are the rule's business
		}
		for _, l := range labels {
			if !slices.Contains(have, l) {
				t.Errorf("%s: %s has no label %s", where, name, l)
			}
		}
	}
}

// datasources collects every "datasource" object anywhere in the JSON.
func datasources(v any, path string, out map[string]map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if ds, ok := c.(map[string]any); ok && k == "datasource" {
				out[path+"/"+k] = ds
			}
			datasources(c, path+"/"+k, out)
		}
	case []any:
		for i, c := range v {
			datasources(c, path+"/"+strconv.Itoa(i), out)
		}
	}
}

func TestDashboards(t *testing.T) {
	known := series()
	rec, _ := recorded(t)
	paths, err := files(".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range paths {
		got = append(got, filepath.Base(p))
	}
	var want []string
	for f := range uids {
		want = append(want, f)
	}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("dashboards = %q, want %q", got, want)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			checkDashboard(t, path, known, rec)
		})
	}
}

func checkDashboard(t *testing.T, path string, known map[string][]string, rec map[string]bool) {
	d, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.SchemaVersion < 39 {
		t.Errorf("schemaVersion = %d, want 39 or later", d.SchemaVersion)
	}
	if d.ID != nil {
		t.Errorf("id = %d, want null so that the dashboard imports as new", *d.ID)
	}
	if want := uids[filepath.Base(path)]; d.UID != want {
		t.Errorf("uid = %q, want %q", d.UID, want)
	}
	if !strings.HasPrefix(d.Title, "SSM Automation — ") {
		t.Errorf("title = %q", d.Title)
	}
	if !slices.Contains(d.Tags, "ssm-automation") {
		t.Errorf("tags = %q, want ssm-automation among them", d.Tags)
	}

	// Every datasource reference, wherever it is, is the variable.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	refs := map[string]map[string]any{}
	datasources(generic, "", refs)
	for where, ds := range refs {
		if ds["type"] != "prometheus" || ds["uid"] != "${datasource}" {
			t.Errorf("%s: datasource %v, want {type: prometheus, uid: ${datasource}}", where, ds)
		}
	}

	checkLinks(t, generic)
	vars := checkVariables(t, d, known, rec)
	checkPanels(t, d, known, rec, vars)
}

// dashboardLink matches a link to a dashboard by uid.
var dashboardLink = regexp.MustCompile(`/d/([^/?"]+)`)

// checkLinks checks that every link to a dashboard names one of ours, and
// passes variables it defines.
func checkLinks(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			checkLinks(t, c)
		}
	case []any:
		for _, c := range v {
			checkLinks(t, c)
		}
	case string:
		m := dashboardLink.FindStringSubmatch(v)
		if m == nil {
			return
		}
		var file string
		for f, uid := range uids {
			if uid == m[1] {
				file = f
			}
		}
		if file == "" {
			t.Errorf("link %q: no dashboard has uid %s", v, m[1])
			return
		}
		d, err := load(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range regexp.MustCompile(`var-(\w+)=`).FindAllStringSubmatch(v, -1) {
			if !slices.ContainsFunc(d.Templating.List, func(x variable) bool { return x.Name == p[1] }) {
				t.Errorf("link %q: %s has no variable %s", v, file, p[1])
			}
		}
	}
}

// checkVariables checks the template variables and returns their names.
func checkVariables(t *testing.T, d *dashboard, known map[string][]string, rec map[string]bool) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for i, v := range d.Templating.List {
		vars[v.Name] = "x"
		if i == 0 {
			var q string
			if v.Name != "datasource" || v.Type != "datasource" || json.Unmarshal(v.Query, &q) != nil || q != "prometheus" {
				t.Errorf("first variable = %s (%s, %s), want the prometheus datasource variable", v.Name, v.Type, v.Query)
			}
			continue
		}
		if v.Type != "query" {
			t.Errorf("variable %s: type %s, want query", v.Name, v.Type)
			continue
		}
		if v.Datasource == nil || v.Datasource.UID != "${datasource}" {
			t.Errorf("variable %s: datasource %v", v.Name, v.Datasource)
		}
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil {
			t.Errorf("variable %s: query: %v", v.Name, err)
		}
		m := regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`).FindStringSubmatch(q.Query)
		if m == nil || v.Definition != q.Query {
			t.Errorf("variable %s: query %q (definition %q), want the same label_values(selector, label)", v.Name, q.Query, v.Definition)
			continue
		}
		checkExpr(t, "variable "+v.Name, m[1], known, rec)
		for _, n := range metricNames(m[1]) {
			if !slices.Contains(known[n], m[2]) {
				t.Errorf("variable %s: %s has no label %s", v.Name, n, m[2])
			}
		}
	}
	if _, ok := vars["datasource"]; !ok {
		t.Error("no datasource variable")
	}
	if _, ok := vars["target"]; !ok {
		t.Error("no target variable")
	}
	return vars
}

// varUse finds label matchers on a dashboard variable.
var varUse = regexp.MustCompile(`(\w+)\s*(=~|!~|!=|=)\s*"\$\{?(\w+)\}?"`)

func checkPanels(t *testing.T, d *dashboard, known map[string][]string, rec map[string]bool, vars map[string]string) {
	t.Helper()
	ids := map[int]string{}
	walk(d.Panels, func(p *panel) {
		if prev, ok := ids[p.ID]; ok || p.ID == 0 {
			t.Errorf("panel %q: id %d already used by %q (or zero)", p.Title, p.ID, prev)
		}
		ids[p.ID] = p.Title
		if p.Type == "row" {
			return
		}
		if p.Title == "" {
			t.Errorf("panel %d has no title", p.ID)
		}
		if p.Datasource == nil {
			t.Errorf("panel %q has no datasource", p.Title)
		}
		exprs := 0
		for _, tg := range p.Targets {
			where := p.Title + "/" + tg.RefID
			if tg.Datasource == nil {
				t.Errorf("%s: no datasource", where)
			}
			if strings.TrimSpace(tg.Expr) == "" {
				continue
			}
			exprs++
			checkExpr(t, where, tg.Expr, known, rec)
			if left := varRef.FindAllString(Substitute(tg.Expr, vars), -1); len(left) > 0 {
				t.Errorf("%s: undefined variables %q", where, left)
			}
			for _, m := range varUse.FindAllStringSubmatch(tg.Expr, -1) {
				if m[2] != "=~" {
					t.Errorf("%s: %s%s\"$%s\": match variables with =~ (they may hold several values)", where, m[1], m[2], m[3])
				}
			}
		}
		if exprs == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
	})
	if len(ids) == 0 {
		t.Error("no panels")
	}
	checkLayout(t, d.Panels)
}

// checkLayout checks that the top-level panels fit the 24-column grid and
// do not overlap.
func checkLayout(t *testing.T, panels []panel) {
	t.Helper()
	for i, a := range panels {
		g := a.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v outside the 24-column grid", a.Title, g)
		}
		for _, b := range panels[:i] {
			h := b.GridPos
			if g.X < h.X+h.W && h.X < g.X+g.W && g.Y < h.Y+h.H && h.Y < g.Y+g.H {
				t.Errorf("panels %q %+v and %q %+v overlap", b.Title, h, a.Title, g)
			}
		}
	}
}

func TestRulesUseContract(t *testing.T) {
	known := series()
	rec, exprs := recorded(t)
	for _, e := range exprs {
		checkExpr(t, rulesFile, e, known, rec)
	}
}

func TestQueries(t *testing.T) {
	qs, err := Queries(".")
	if err != nil {
		t.Fatal(err)
	}
	perFile, annotations := map[string]int{}, map[string]int{}
	var found bool
	for _, q := range qs {
		perFile[q.File]++
		if q.RefID == "Anno" {
			annotations[q.File]++
		}
		if q.Expr == "" || q.Dashboard == "" || q.Panel == "" || q.RefID == "" {
			t.Errorf("incomplete query %+v", q)
		}
		if q.File == "ssm-automation-overview.json" && q.Panel == "Executions by status" {
			found = q.Expr == `sum by (status) (ssm_automation_execution_status{target=~"$target", document_name=~"$document"})` &&
				q.Dashboard == "SSM Automation — overview" && !q.Instant
		}
	}
	if !found {
		t.Error(`overview panel "Executions by status" not returned as expected`)
	}
	for f := range uids {
		if perFile[f] < 10 {
			t.Errorf("%s: %d queries, want at least 10", f, perFile[f])
		}
		if annotations[f] != 1 {
			t.Errorf("%s: %d annotation queries, want the alert annotation", f, annotations[f])
		}
	}
	if _, err := Queries(t.TempDir()); err == nil {
		t.Error("Queries of an empty directory: no error")
	}
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"target": "e2e", "document": ".*", "execution": "exec-1", "__rate_interval": "10s"}
	for in, want := range map[string]string{
		`a{target=~"$target"}`:                             `a{target=~"e2e"}`,
		`a{target=~"${target}", d=~"[[document]]"}`:        `a{target=~"e2e", d=~".*"}`,
		`a{execution_id=~"${execution:regex}"}`:            `a{execution_id=~"exec-1"}`,
		`rate(a[$__rate_interval])`:                        `rate(a[10s])`,
		`increase(a[$__range]) / rate(a[$__interval])`:     `increase(a[1h]) / rate(a[1m])`,
		`a{x=~"$unknown", t=~"$targets"}`:                  `a{x=~"$unknown", t=~"$targets"}`,
		`a{target=~"$target"} or b{target=~"$target"}[5m]`: `a{target=~"e2e"} or b{target=~"e2e"}[5m]`,
	} {
		if got := Substitute(in, vars); got != want {
			t.Errorf("Substitute(%q) = %q, want %q", in, got, want)
		}
	}
}
