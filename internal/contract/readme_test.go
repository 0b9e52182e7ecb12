package contract

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const readme = "../../README.md"

// readmeRow is one row of the README's metric table.
type readmeRow struct {
	line   int
	typ    Type
	labels []string // sorted
}

var (
	// stepShorthand is the README's definition of S, the step labels.
	stepShorthand = regexp.MustCompile("(?m)^`S` = `([^`]*)`")
	metricCell    = regexp.MustCompile("^`(ssm_automation_[a-z_]+)`$")
)

// readmeMetrics reads the metric table of the README's Metrics section:
// one row per metric, `name` | type | labels (S standing for the step
// labels) | value.
func readmeMetrics(t *testing.T) map[string]readmeRow {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Metrics\n")
	if start < 0 {
		t.Fatal("the README has no Metrics section")
	}
	section := text[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	s := stepShorthand.FindStringSubmatch(section)
	if s == nil {
		t.Fatal("the Metrics section does not define S")
	}
	step := splitLabels(s[1], nil)
	first := strings.Count(text[:start+1], "\n") + 1
	rows := map[string]readmeRow{}
	for i, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`ssm_automation") {
			continue
		}
		row := readmeRow{line: first + i, typ: Type(strings.TrimSpace(cells[2])), labels: splitLabels(cells[3], step)}
		m := metricCell.FindStringSubmatch(strings.TrimSpace(cells[1]))
		if m == nil {
			t.Errorf("README line %d: the metric cell %q is not one metric name", row.line, strings.TrimSpace(cells[1]))
			continue
		}
		if prev, ok := rows[m[1]]; ok {
			t.Errorf("README line %d: %s already has a row on line %d", row.line, m[1], prev.line)
		}
		rows[m[1]] = row
	}
	if len(rows) == 0 {
		t.Fatal("the README's metric table has no rows")
	}
	return rows
}

// splitLabels reads a comma-separated list of label names, where S stands
// for step, and sorts it.
func splitLabels(cell string, step []string) []string {
	var out []string
	for _, l := range strings.Split(cell, ",") {
		switch l = strings.TrimSpace(l); l {
		case "":
		case "S":
			out = append(out, step...)
		default:
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// TestREADMEMetricTable checks the README's metric table against the
// contract, both ways: every metric of the contract has a row with its
// type and labels, and every row is a metric of the contract.
func TestREADMEMetricTable(t *testing.T) {
	rows := readmeMetrics(t)
	for _, m := range Metrics {
		row, ok := rows[m.Name]
		if !ok {
			t.Errorf("%s: no row in the README's metric table", m.Name)
			continue
		}
		delete(rows, m.Name)
		if row.typ != m.Type {
			t.Errorf("README line %d: %s is a %s, not a %s", row.line, m.Name, m.Type, row.typ)
		}
		if want := slices.Sorted(slices.Values(m.Labels)); !slices.Equal(row.labels, want) {
			t.Errorf("README line %d: %s has the labels %v, not %v", row.line, m.Name, want, row.labels)
		}
	}
	for name, row := range rows {
		t.Errorf("README line %d: %s is not in the contract", row.line, name)
	}
}
