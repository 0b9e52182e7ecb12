package collector

import (
	"bytes"
	"io"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

func mustGather(t testing.TB, g prometheus.Gatherer) []*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return mfs
}

// writeText writes the named families in the text format.
func writeText(t testing.TB, w io.Writer, mfs []*dto.MetricFamily, names []string) {
	t.Helper()
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if names != nil && !slices.Contains(names, mf.GetName()) {
			continue
		}
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
}

// gatheredText gathers g and returns the text format.
func gatheredText(t testing.TB, g prometheus.Gatherer) string {
	t.Helper()
	var b bytes.Buffer
	writeText(t, &b, mustGather(t, g), nil)
	return b.String()
}

// matches reports whether m has every label pair of want.
func matches(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, lp := range m.GetLabel() {
			found = found || lp.GetName() == k && lp.GetValue() == v
		}
		if !found {
			return false
		}
	}
	return true
}

// value returns the value of the first sample of name whose labels include
// every pair in want, and whether there is one.
func value(t testing.TB, g prometheus.Gatherer, name string, want map[string]string) (float64, bool) {
	t.Helper()
	for _, mf := range mustGather(t, g) {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if !matches(m, want) {
				continue
			}
			switch {
			case m.Gauge != nil:
				return m.GetGauge().GetValue(), true
			case m.Counter != nil:
				return m.GetCounter().GetValue(), true
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}

// sum adds the values of every sample of name whose labels include want.
func sum(t testing.TB, g prometheus.Gatherer, name string, want map[string]string) float64 {
	t.Helper()
	total := 0.0
	for _, mf := range mustGather(t, g) {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if matches(m, want) {
				total += m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	return total
}
