package dashboards

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// aggregation matches an aggregation operator and its by or without
	// clause when the clause comes first, as the rules write it.
	aggregation = regexp.MustCompile(`\b(sum|min|max|avg|group|stddev|stdvar|count|count_values|bottomk|topk|quantile|limitk|limit_ratio)\s*(?:(by|without)\s*\(([^)]*)\))?\s*\(`)
	// matching matches the on or ignoring clause of a binary operation.
	matching = regexp.MustCompile(`\b(on|ignoring)\s*\(([^)]*)\)`)
	// recordName is level:metric:operations.
	recordName = regexp.MustCompile(`^([a-z][a-z0-9_]*):(ssm_automation_[a-z0-9_]+):([a-z][a-z0-9_]*)$`)
)

// labelList splits the inside of a by, without, on or ignoring clause.
func labelList(s string) []string {
	var out []string
	for _, l := range strings.Split(s, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// dropsJob returns the aggregations and the joins of expr that do not keep
// the job label: an aggregation without a by clause naming job (or with a
// without clause naming it), a join on labels without job, or ignoring it.
func dropsJob(expr string) []string {
	s := quoted.ReplaceAllString(expr, `""`)
	var out []string
	for _, m := range aggregation.FindAllStringSubmatch(s, -1) {
		labels := labelList(m[3])
		switch {
		case m[2] == "by" && slices.Contains(labels, "job"):
		case m[2] == "without" && !slices.Contains(labels, "job"):
		default:
			out = append(out, strings.TrimSuffix(m[0], "("))
		}
	}
	for _, m := range matching.FindAllStringSubmatch(s, -1) {
		if slices.Contains(labelList(m[2]), "job") != (m[1] == "on") {
			out = append(out, m[0])
		}
	}
	return out
}

// outputLevel is the level a recording rule's name must have: the labels
// of the expression's outermost (first) by clause, joined by underscores.
func outputLevel(expr string) (string, error) {
	for _, m := range aggregation.FindAllStringSubmatch(quoted.ReplaceAllString(expr, `""`), -1) {
		if m[2] == "by" {
			return strings.Join(labelList(m[3]), "_"), nil
		}
	}
	return "", fmt.Errorf("no aggregation by labels in %q", expr)
}

func TestDropsJob(t *testing.T) {
	for expr, want := range map[string][]string{
		`sum by (job, target) (rate(x[5m]))`:                                     nil,
		`count by(target,job)(x == 1)`:                                           nil,
		`sum without (instance) (x)`:                                             nil,
		`a and on (job, target) b unless ignoring (instance) c`:                  nil,
		`histogram_count(x) + sum_over_time(y[1m]) + count_values`:               nil,
		`x{status=~"sum by (a) (b)"} * on (job, instance) group_left (status) y`: nil,
		`sum(x)`:                             {"sum"},
		`sum(x) by (job)`:                    {"sum"},
		`max by (target) (x)`:                {"max by (target) "},
		`count without (job) (x)`:            {"count without (job) "},
		`a and on (target, document_name) b`: {"on (target, document_name)"},
		`a / ignoring (job, status) b`:       {"ignoring (job, status)"},
		`topk by (target) (3, x) > on (target) group_left y`: {"topk by (target) ", "on (target)"},
	} {
		if got := dropsJob(expr); !slices.Equal(got, want) {
			t.Errorf("dropsJob(%q) = %q, want %q", expr, got, want)
		}
	}
}

// TestRulesKeepJob checks that no rule sums, counts or joins across jobs:
// two exporters watching the same target must never be added together.
func TestRulesKeepJob(t *testing.T) {
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			for _, d := range dropsJob(r.Expr) {
				t.Errorf("rule %s%s: %q drops job; aggregate by (job, ...) and join on (job, ...)", r.Record, r.Alert, d)
			}
		}
	}
}

// TestRecordingRuleNames checks that every recorded name is
// level:metric:operations: the level names the labels the expression
// keeps, in its by clause's order; the metric is one of the exporter's,
// without the _total of a counter.
func TestRecordingRuleNames(t *testing.T) {
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Record == "" {
				continue
			}
			m := recordName.FindStringSubmatch(r.Record)
			if m == nil {
				t.Errorf("recording rule %s: not level:metric:operations with a metric named ssm_automation_*", r.Record)
				continue
			}
			if strings.HasSuffix(m[2], "_total") {
				t.Errorf("recording rule %s: metric %s keeps the _total of the counter", r.Record, m[2])
			}
			level, err := outputLevel(r.Expr)
			if err != nil {
				t.Errorf("recording rule %s: %v", r.Record, err)
			} else if m[1] != level {
				t.Errorf("recording rule %s: level %s, but the expression keeps %s", r.Record, m[1], level)
			}
		}
	}
}
