package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// testSeries checks that Prometheus holds exactly the series of the
// exporter's text exposition, whichever format it negotiated: Prometheus 3
// scrapes the protobuf format, which the exporter writes itself. Native
// histograms add a series named like the histogram; nothing else may
// differ. The exporter's series do not change in frozen mode, so the
// scrape the test makes and Prometheus's last one see the same series.
func testSeries(t *testing.T, s *stack) {
	var want, native map[string]bool
	var got []map[string]string
	err := eventually(t.Context(), 30*time.Second, func() error {
		var err error
		if want, native, err = textSeries(s.expAddr, map[string]string{"job": job, "instance": s.expAddr}); err != nil {
			return err
		}
		if !s.srv.nativeHistograms {
			native = nil
		}
		res, err := s.api.query(t.Context(), fmt.Sprintf(`{job=%q, instance=%q}`, job, s.expAddr))
		if err != nil {
			return err
		}
		got = got[:0]
		for _, r := range res {
			got = append(got, r.Metric)
		}
		return diffSeries(want, native, got)
	})
	if err != nil {
		t.Errorf("the series in Prometheus differ from the exporter's text exposition:%v", err)
	}
	t.Logf("%d series, as in the text exposition", len(want))
}

// diffSeries describes how the series got, leaving out those Prometheus
// makes itself (up, scrape_*, the alerts' ALERTS*), differ from want; a
// series named after a histogram of native is allowed in got.
func diffSeries(want, native map[string]bool, got []map[string]string) error {
	var b strings.Builder
	seen := map[string]bool{}
	for _, l := range got {
		name := l["__name__"]
		if name == "up" || strings.HasPrefix(name, "scrape_") || strings.HasPrefix(name, "ALERTS") {
			continue
		}
		normalizeLe(l)
		key := labelKey(l)
		seen[key] = true
		if !want[key] && !native[name] {
			fmt.Fprintf(&b, "\n  unexpected %s", key)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if !seen[key] {
			fmt.Fprintf(&b, "\n  missing %s", key)
		}
	}
	if b.Len() > 0 {
		return fmt.Errorf("%s", b.String())
	}
	return nil
}

// textSeries scrapes the exporter in the text format and returns the
// series Prometheus makes of it, with common's labels added and empty
// labels left out as Prometheus leaves them out, and the names of its
// histograms.
func textSeries(addr string, common map[string]string) (series, histograms map[string]bool, err error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("the exporter's text exposition: %w", err)
	}
	series, histograms = map[string]bool{}, map[string]bool{}
	for name, mf := range mfs {
		for _, m := range mf.GetMetric() {
			add := func(name string, kv ...string) {
				l := maps.Clone(common)
				for _, p := range m.GetLabel() {
					if p.GetValue() != "" {
						l[p.GetName()] = p.GetValue()
					}
				}
				for i := 0; i+1 < len(kv); i += 2 {
					l[kv[i]] = kv[i+1]
				}
				l["__name__"] = name
				normalizeLe(l)
				series[labelKey(l)] = true
			}
			switch mf.GetType() {
			case dto.MetricType_HISTOGRAM:
				histograms[name] = true
				for _, b := range m.GetHistogram().GetBucket() {
					add(name+"_bucket", "le", strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64))
				}
				add(name + "_sum")
				add(name + "_count")
			case dto.MetricType_SUMMARY:
				for _, q := range m.GetSummary().GetQuantile() {
					add(name, "quantile", strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64))
				}
				add(name + "_sum")
				add(name + "_count")
			default:
				add(name)
			}
		}
	}
	return series, histograms, nil
}

// normalizeLe writes the le and quantile labels as numbers: Prometheus 3
// writes le="1" as "1.0".
func normalizeLe(l map[string]string) {
	for _, k := range []string{"le", "quantile"} {
		if v, ok := l[k]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				l[k] = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
	}
}

// testNativeHistograms checks that Prometheus 3 has the exporter's step
// duration histogram as a native histogram, which only the protobuf
// exposition carries, and that it counts what its classic buckets count.
func testNativeHistograms(t *testing.T, s *stack) {
	const name = "ssm_automation_step_finished_duration_seconds"
	sel := fmt.Sprintf(`{job=%q, target=%q}`, job, target)
	counts := func(q string) (map[string]any, error) {
		res, err := s.api.query(t.Context(), q)
		out := map[string]any{}
		for _, r := range res {
			delete(r.Metric, "__name__")
			out[labelKey(r.Metric)] = r.Value[1]
		}
		return out, err
	}
	var native, classic map[string]any
	err := eventually(t.Context(), 30*time.Second, func() error {
		var err error
		if native, err = counts("histogram_count(" + name + sel + ")"); err != nil {
			return err
		}
		if classic, err = counts(name + "_count" + sel); err != nil {
			return err
		}
		if len(native) == 0 {
			return fmt.Errorf("no native histogram %s: was the protobuf exposition negotiated?", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(native, classic) {
		t.Errorf("native histogram counts %v, classic %v", native, classic)
	}
	t.Logf("%d native histograms", len(native))
	// The overview's step duration quantiles fall back to the native
	// histogram where Prometheus keeps no classic buckets: that half must
	// answer for the same steps.
	quantile := func(q string) (map[string]any, error) {
		return counts("histogram_quantile(0.5, sum by (document_name, step_name) (rate(" + q + sel + "[1m])))")
	}
	fromNative, err := quantile(name)
	if err != nil {
		t.Fatal(err)
	}
	fromClassic, err := counts("histogram_quantile(0.5, sum by (le, document_name, step_name) (rate(" + name + "_bucket" + sel + "[1m])))")
	if err != nil {
		t.Fatal(err)
	}
	if len(fromNative) == 0 || !maps.EqualFunc(fromNative, fromClassic, func(any, any) bool { return true }) {
		t.Errorf("step duration quantiles from the native histograms for %d steps, from the classic buckets for %d", len(fromNative), len(fromClassic))
	}
}
