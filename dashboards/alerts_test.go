package dashboards

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

const readme = "../README.md"

// readmeAlerts reads the severity of each alert in the README's alert
// table: the table whose header is "| alert | severity | fires when |".
func readmeAlerts(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(readme)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		cells := tableCells(line)
		switch {
		case len(cells) == 3 && cells[0] == "alert" && cells[1] == "severity":
			in = true
		case !in:
		case !strings.HasPrefix(line, "|"):
			in = false
		case strings.Trim(line, "|-: ") == "": // the separator row
		case len(cells) != 3:
			t.Errorf("%s: alert table row with %d cells: %s", readme, len(cells), line)
		default:
			if _, dup := out[cells[0]]; dup {
				t.Errorf("%s: alert %s is listed twice", readme, cells[0])
			}
			out[cells[0]] = cells[1]
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

// ruleAlerts reads the severity label of each alert of the rules file.
func ruleAlerts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out[r.Alert] = r.Labels["severity"]
			}
		}
	}
	return out
}

// TestReadmeAlertTable keeps the README's alert table and the rules file
// in step, both ways: the same alerts, with the same severities.
func TestReadmeAlertTable(t *testing.T) {
	doc, rules := readmeAlerts(t), ruleAlerts(t)
	for name, sev := range rules {
		switch docSev, ok := doc[name]; {
		case !ok:
			t.Errorf("alert %s (severity %s) is not in the README's alert table", name, sev)
		case docSev != sev:
			t.Errorf("alert %s: the README says severity %s, %s says %s", name, docSev, rulesFile, sev)
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
