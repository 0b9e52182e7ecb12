package dashboards

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The conventions of the monitoring mixins that the rules file follows:
// every alert links its runbook, recording rules are named
// level:metric:operations, and no aggregation or join drops job.

const (
	runbooksFile = "../docs/runbooks.md"
	// runbookURL is the published docs/runbooks.md, which every alert's
	// runbook_url links with the alert's section as its fragment.
	runbookURL = "https://github.com/ssm-automation-exporter/ssm_automation_exporter/blob/main/docs/runbooks.md"
)

// alertAnnotations are the annotations every alert has, and the only ones.
var alertAnnotations = []string{"description", "runbook_url", "summary"}

// runbookSection is one "## " section of docs/runbooks.md.
type runbookSection struct {
	title   string
	body    string
	queries []string // the ```promql blocks
}

// readRunbooks reads the sections of docs/runbooks.md by their GitHub anchor.
func readRunbooks(t *testing.T) map[string]runbookSection {
	t.Helper()
	b, err := os.ReadFile(runbooksFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]runbookSection{}
	parts := regexp.MustCompile(`(?m)^## `).Split(string(b), -1)
	for _, part := range parts[1:] {
		title, body, _ := strings.Cut(part, "\n")
		s := runbookSection{title: strings.TrimSpace(title), body: body}
		for _, m := range promqlBlock.FindAllStringSubmatch(body, -1) {
			s.queries = append(s.queries, m[1])
		}
		out[anchor(s.title)] = s
	}
	return out
}

var promqlBlock = regexp.MustCompile("(?s)```promql\n(.*?)```")

// anchor is the fragment GitHub gives a heading: lower case, spaces as
// hyphens, other punctuation dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// placeholder matches the <label> placeholders of the runbooks' queries.
var placeholder = regexp.MustCompile(`<\w+>`)

// TestAlertRunbooks checks that every alert has exactly the annotations
// summary, description and runbook_url, that runbook_url names a section
// of docs/runbooks.md, and that every section belongs to an alert and says
// what the alert means, how to confirm it with a query of known series,
// and what to do.
func TestAlertRunbooks(t *testing.T) {
	sections := readRunbooks(t)
	known := series()
	rec, _ := recorded(t)
	linked := map[string]bool{}
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if got := slices.Sorted(maps.Keys(r.Annotations)); !slices.Equal(got, alertAnnotations) {
				t.Errorf("alert %s: annotations %q, want %q", r.Alert, got, alertAnnotations)
			}
			base, frag, _ := strings.Cut(r.Annotations["runbook_url"], "#")
			if base != runbookURL || frag != anchor(r.Alert) {
				t.Errorf("alert %s: runbook_url %q, want %s#%s", r.Alert, r.Annotations["runbook_url"], runbookURL, anchor(r.Alert))
			}
			s, ok := sections[frag]
			if !ok || s.title != r.Alert {
				t.Errorf("alert %s: %s has no section %q", r.Alert, runbooksFile, r.Alert)
				continue
			}
			linked[frag] = true
			for _, part := range []string{"**Meaning.**", "**Confirm.**", "**Action.**"} {
				if !strings.Contains(s.body, part) {
					t.Errorf("%s, section %s: no %s paragraph", runbooksFile, s.title, part)
				}
			}
			if len(s.queries) == 0 {
				t.Errorf("%s, section %s: no ```promql query to confirm the alert", runbooksFile, s.title)
			}
			for _, q := range s.queries {
				checkExpr(t, runbooksFile+", section "+s.title, placeholder.ReplaceAllString(q, "x"), known, rec)
			}
		}
	}
	for frag, s := range sections {
		if !linked[frag] {
			t.Errorf("%s: section %q is no alert's runbook", runbooksFile, s.title)
		}
	}
}

func TestAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"SSMAutomationStepFailed": "ssmautomationstepfailed",
		"Two words, and (more)!":  "two-words-and-more",
		"snake_case-and-hyphen":   "snake_case-and-hyphen",
	} {
		if got := anchor(in); got != want {
			t.Errorf("anchor(%q) = %q, want %q", in, got, want)
		}
	}
}
