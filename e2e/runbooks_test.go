package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	runbookSection = regexp.MustCompile(`(?m)^## (\w+)\n`)
	promqlBlock    = regexp.MustCompile("(?s)```promql\n(.*?)```")
	placeholder    = regexp.MustCompile(`<(\w+)>`)
)

// runbookQueries reads the queries of each section of docs/runbooks.md,
// by alert name.
func runbookQueries(t *testing.T, root string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "runbooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	out := map[string][]string{}
	heads := runbookSection.FindAllStringSubmatchIndex(doc, -1)
	for i, h := range heads {
		end := len(doc)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		name := doc[h[2]:h[3]]
		for _, m := range promqlBlock.FindAllStringSubmatch(doc[h[1]:end], -1) {
			out[name] = append(out[name], m[1])
		}
	}
	return out
}

// testRunbooks runs the queries with which docs/runbooks.md confirms each
// alert. For an alert that fires, its placeholders take the alert's labels
// and each query must return data; the others must at least be queries the
// server accepts.
func testRunbooks(t *testing.T, s *stack) {
	queries := runbookQueries(t, s.root)
	firing := map[string]map[string]string{}
	for _, l := range expectedAlerts(s.execs, s.commonLabels(), time.Now()) {
		firing[l["alertname"]] = l
	}
	for _, name := range ruleAlerts {
		if len(queries[name]) == 0 {
			t.Errorf("docs/runbooks.md: no query for %s", name)
		}
		labels, fires := firing[name]
		for _, q := range queries[name] {
			expr := placeholder.ReplaceAllStringFunc(q, func(p string) string {
				if v, ok := labels[strings.Trim(p, "<>")]; ok {
					return v
				}
				return "x"
			})
			res, err := s.api.query(t.Context(), expr)
			switch {
			case err != nil:
				t.Errorf("%s: runbook query %s: %v", name, expr, err)
			case fires && len(res) == 0:
				t.Errorf("%s fires, but its runbook query returns nothing:\n%s", name, expr)
			}
		}
	}
}
