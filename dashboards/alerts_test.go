package dashboards

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

const readme = "../README.md"

// readmeRow is what the README's alert table says of one alert.
type readmeRow struct {
	severity string
	runbook  string // the cell, a Markdown link
}

// readmeAlerts reads each alert's row of the README's alert table: the
// table whose header is "| alert | severity | fires when | runbook |".
func readmeAlerts(t *testing.T) map[string]readmeRow {
	t.Helper()
	f, err := os.Open(readme)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]readmeRow{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		cells := tableCells(line)
		switch {
		case len(cells) == 4 && cells[0] == "alert" && cells[1] == "severity" && cells[3] == "runbook":
			in = true
		case !in:
		case !strings.HasPrefix(line, "|"):
			in = false
		case strings.Trim(line, "|-: ") == "": // the separator row
		case len(cells) != 4:
			t.Errorf("%s: alert table row with %d cells: %s", readme, len(cells), line)
		default:
			if _, dup := out[cells[0]]; dup {
				t.Errorf("%s: alert %s is listed twice", readme, cells[0])
			}
			out[cells[0]] = readmeRow{severity: cells[1], runbook: cells[3]}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s has no alert table", readme)
	}
	return out
}

// tableCells splits a Markdown table row into its trimmed cells, nil for a
// line that is not a row. Escaped pipes (\|) stay in their cell.
func tableCells(line string) []string {
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
		return nil
	}
	line = strings.ReplaceAll(line[1:len(line)-1], `\|`, "\x00")
	cells := strings.Split(line, "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "\x00", `\|`))
	}
	return cells
}

// ruleAlert is what the rules file says of one alert.
type ruleAlert struct {
	severity   string
	runbookURL string
}

// ruleAlerts reads the severity label and the runbook_url of each alert of
// the rules file.
func ruleAlerts(t *testing.T) map[string]ruleAlert {
	t.Helper()
	out := map[string]ruleAlert{}
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out[r.Alert] = ruleAlert{r.Labels["severity"], r.Annotations["runbook_url"]}
			}
		}
	}
	return out
}

// TestReadmeAlertTable keeps the README's alert table and the rules file
// in step, both ways: the same alerts, with the same severities, each row
// linking the runbook section the alert's runbook_url names.
func TestReadmeAlertTable(t *testing.T) {
	doc, rules := readmeAlerts(t), ruleAlerts(t)
	for name, r := range rules {
		row, ok := doc[name]
		if !ok {
			t.Errorf("alert %s (severity %s) is not in the README's alert table", name, r.severity)
			continue
		}
		if row.severity != r.severity {
			t.Errorf("alert %s: the README says severity %s, %s says %s", name, row.severity, rulesFile, r.severity)
		}
		_, anchor, _ := strings.Cut(r.runbookURL, "#")
		if want := "[runbook](docs/runbooks.md#" + anchor + ")"; row.runbook != want {
			t.Errorf("alert %s: the README links %s, want %s (from its runbook_url %s)", name, row.runbook, want, r.runbookURL)
		}
	}
	for name := range doc {
		if _, ok := rules[name]; !ok {
			t.Errorf("the README lists alert %s, which %s does not define", name, rulesFile)
		}
	}
}

func TestTableCells(t *testing.T) {
	for line, want := range map[string][]string{
		"| a | b | c |":         {"a", "b", "c"},
		"|---|---|":             {"---", "---"},
		"| `x\\|y` | z |":       {"`x\\|y`", "z"},
		"no table":              nil,
		"|":                     nil,
		"| a | b | c | d |":     {"a", "b", "c", "d"},
		"|| empty first cell |": {"", "empty first cell"},
	} {
		if got := tableCells(line); strings.Join(got, "¦") != strings.Join(want, "¦") || (got == nil) != (want == nil) {
			t.Errorf("tableCells(%q) = %q, want %q", line, got, want)
		}
	}
}
