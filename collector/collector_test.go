package collector

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenConfig = `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    executions:
      - id: 22222222-2222-4222-8222-222222222222
    discovery:
      - name: fleet
        document_name_prefix: AWS-Patch
        lookback: 24h
        include_children: true
`

// timedMetrics measure time spent, so only their presence is checked.
var timedMetrics = []string{
	"ssm_automation_scrape_duration_seconds", "ssm_automation_scrape_timeout_seconds",
	"ssm_automation_exporter_api_request_duration_seconds", "ssm_automation_exporter_rate_limit_wait_seconds_total",
	"ssm_automation_exporter_clock_skew_seconds",
}

// goldenMetrics are compared with testdata/golden.prom: every metric of
// the contract the collector exposes (the configuration's and the build's
// come from elsewhere, the events' show with a queue: see events_test.go
// and the exporter's contract test) but the timed ones.
func goldenMetrics() []string {
	var out []string
	for _, m := range contract.Metrics {
		if m.Group != contract.Program && !slices.Contains(timedMetrics, m.Name) && !strings.HasPrefix(m.Name, "ssm_automation_event") {
			out = append(out, m.Name)
		}
	}
	return out
}

// TestGolden compares one scrape with testdata/golden.prom along each
// path a scrape can take: the collector gathered by a registry, and what
// Serve (how the exporter's handlers answer) writes in the text and in the
// protobuf format, decoded. Each path scrapes a harness of its own, so
// that each sees the API calls of one first scrape.
func TestGolden(t *testing.T) {
	for _, path := range []struct {
		name   string
		gather func(t *testing.T, h *harness) []*dto.MetricFamily
	}{
		{"collector", func(t *testing.T, h *harness) []*dto.MetricFamily {
			return mustGather(t, prometheus.Gatherers{h.registry(t), h.base})
		}},
		{"served text", func(t *testing.T, h *harness) []*dto.MetricFamily {
			return served(t, h, expfmt.NewFormat(expfmt.TypeTextPlain))
		}},
		{"served protobuf", func(t *testing.T, h *harness) []*dto.MetricFamily {
			return served(t, h, expfmt.NewFormat(expfmt.TypeProtoDelim))
		}},
	} {
		t.Run(path.name, func(t *testing.T) {
			h := newHarness(t, scenario(), ssmsim.Options{})
			h.apply(t, goldenConfig)
			// One scrape, gathered once: every check below reads the same families.
			mfs := path.gather(t, h)
			if *update && path.name == "collector" {
				var b strings.Builder
				writeText(t, &b, mfs, goldenMetrics())
				if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			checkGolden(t, mfs)
		})
	}
}

const goldenFile = "testdata/golden.prom"

// checkGolden compares the golden metrics of mfs with the golden file,
// checks that the timed ones are there, and lints everything.
func checkGolden(t *testing.T, mfs []*dto.MetricFamily) {
	t.Helper()
	reg := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.GatherAndCompare(reg, f, goldenMetrics()...); err != nil {
		t.Fatal(err)
	}
	for _, name := range append(goldenMetrics(), timedMetrics...) {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n == 0 {
			t.Errorf("%s: %d series, %v", name, n, err)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// served is one scrape of every target and of the harness's base registry
// as Serve answers it in format, decoded, with families sorted by name and
// series by label values as a registry sorts them.
func served(t testing.TB, h *harness, format expfmt.Format) []*dto.MetricFamily {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mfs, err := serveScrape(h.exp.Scrape(ctx, nil), h.base, format)
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// scraped answers sc through Serve, without a base registry, as the
// exporter's handlers do, and returns the answer as a gatherer: what tests
// read is what the exporter writes.
func scraped(t testing.TB, sc *Scrape) prometheus.Gatherer {
	t.Helper()
	mfs, err := serveScrape(sc, nil, expfmt.NewFormat(expfmt.TypeProtoDelim))
	if err != nil {
		t.Fatal(err)
	}
	return answered(mfs)
}

// answered is a gatherer of families decoded once: each Gather returns a
// copy of them.
func answered(mfs []*dto.MetricFamily) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		out := make([]*dto.MetricFamily, len(mfs))
		for i, mf := range mfs {
			out[i] = proto.Clone(mf).(*dto.MetricFamily)
		}
		return out, nil
	})
}

// serveScrape answers sc through Serve with base (nil for none) in
// format, and decodes the answer, with families sorted by name and series
// by label values as a registry sorts them.
func serveScrape(sc *Scrape, base prometheus.Gatherer, format expfmt.Format) ([]*dto.MetricFamily, error) {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", string(format))
	rec := httptest.NewRecorder()
	Serve(rec, req, sc, base, slog.New(slog.DiscardHandler))
	if ct := rec.Header().Get("Content-Type"); expfmt.ResponseFormat(rec.Header()) != format {
		return nil, fmt.Errorf("content-Type %q, want %s", ct, format)
	}
	var mfs []*dto.MetricFamily
	dec := expfmt.NewDecoder(rec.Body, format)
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding the answer: %w", err)
		}
		slices.SortFunc(mf.Metric, func(a, b *dto.Metric) int {
			return slices.CompareFunc(a.GetLabel(), b.GetLabel(), func(x, y *dto.LabelPair) int {
				return cmp.Or(strings.Compare(x.GetName(), y.GetName()), strings.Compare(x.GetValue(), y.GetValue()))
			})
		})
		mfs = append(mfs, mf)
	}
	slices.SortFunc(mfs, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return mfs, nil
}

func TestNoSecretsInMetrics(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	h.apply(t, goldenConfig)
	text := gatheredText(t, h.registry(t)) + gatheredText(t, h.base)
	if strings.Contains(text, "SECRET") {
		t.Fatalf("free text reached the metrics:\n%s", text)
	}
	if !strings.Contains(text, `step_name="fix"`) {
		t.Fatal("expected the failed step in the metrics")
	}
}
