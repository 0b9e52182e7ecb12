package contract

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
)

// TestEntries checks each entry against the naming conventions of the
// ecosystem: one prefix, _total only on counters, _info of value 1 is a
// gauge, no label named like a target label, help on everything.
func TestEntries(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Metrics {
		if seen[m.Name] {
			t.Errorf("%s is listed twice", m.Name)
		}
		seen[m.Name] = true
		if !model.LegacyValidation.IsValidMetricName(m.Name) || !strings.HasPrefix(m.Name, "ssm_automation_") {
			t.Errorf("%s: not a metric name of the exporter", m.Name)
		}
		if strings.HasSuffix(m.Name, "_total") != (m.Type == Counter) {
			t.Errorf("%s: a %s; _total is for counters, and only for them", m.Name, m.Type)
		}
		if strings.HasSuffix(m.Name, "_info") && m.Type != Gauge {
			t.Errorf("%s: an _info metric is a gauge", m.Name)
		}
		if !slices.Contains([]Type{Gauge, Counter, Histogram}, m.Type) {
			t.Errorf("%s: type %q", m.Name, m.Type)
		}
		if m.Group < Targets || m.Group > Program {
			t.Errorf("%s: group %d", m.Name, m.Group)
		}
		if strings.TrimSpace(m.Help) == "" {
			t.Errorf("%s: no help", m.Name)
		}
		labels := map[string]bool{}
		for _, l := range m.Labels {
			if !model.LegacyValidation.IsValidLabelName(l) || l == "job" || l == "instance" || l == "le" || strings.HasPrefix(l, "__") {
				t.Errorf("%s: label %q", m.Name, l)
			}
			if labels[l] {
				t.Errorf("%s: label %s twice", m.Name, l)
			}
			labels[l] = true
		}
	}
}

func TestLookupAndMust(t *testing.T) {
	m, ok := Lookup("ssm_automation_up")
	if !ok || m.Type != Gauge || !slices.Equal(m.Labels, []string{"target"}) {
		t.Errorf("Lookup(ssm_automation_up) = %+v, %v", m, ok)
	}
	if _, ok := Lookup("ssm_automation_nothing"); ok {
		t.Error("Lookup of a name outside the contract found it")
	}
	for _, c := range []struct {
		name string
		typ  Type
		want string
	}{
		{"ssm_automation_up", Counter, "metric ssm_automation_up is a gauge in the contract, not a counter"},
		{"ssm_automation_nothing", Gauge, "metric ssm_automation_nothing is not in the contract"},
	} {
		func() {
			defer func() {
				if r := recover(); r != c.want {
					t.Errorf("Must(%s, %s) panicked with %v, want %q", c.name, c.typ, r, c.want)
				}
			}()
			Must(c.name, c.typ)
		}()
	}
	if m := Must("ssm_automation_exporter_errors_total", Counter); m.Name != "ssm_automation_exporter_errors_total" {
		t.Errorf("Must = %+v", m)
	}
}
