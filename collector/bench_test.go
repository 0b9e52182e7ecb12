package collector

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// benchHarness tracks executions × steps generated executions, a fifth
// of them running, and has scraped them once (the cold scrape).
func benchHarness(b testing.TB, executions int) *harness {
	b.Helper()
	h := newHarness(b, nil, ssmsim.Options{})
	ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: 1, Executions: executions, StepsPerExecution: 25, RunningFraction: 0.2, Now: fixedNow})
	h.apply(b, `
targets:
  - name: bench
    region: us-east-1
    endpoint: %s
    discovery: [{name: all, lookback: 48h, max_executions: 5000}]
    limits: {max_executions: 5000}
`)
	return h
}

func encode(b *testing.B, g prometheus.Gatherer) int {
	mfs, err := g.Gather()
	if err != nil {
		b.Fatal(err)
	}
	enc := expfmt.NewEncoder(io.Discard, expfmt.NewFormat(expfmt.TypeTextPlain))
	n := 0
	for _, mf := range mfs {
		n += len(mf.GetMetric())
		if err := enc.Encode(mf); err != nil {
			b.Fatal(err)
		}
	}
	return n
}

// BenchmarkWarmScrape is a warm scrape whose refresh is reused, through
// Serve: the exposition the exporter's handlers write, uncompressed, in
// the text and in the protobuf format.
func BenchmarkWarmScrape(b *testing.B) {
	h := benchHarness(b, 2000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	encode(b, h.registry(b)) // cold
	for _, ts := range h.exp.targets {
		ts.cfg.Target.MinRefreshInterval = time.Hour
	}
	logger := slog.New(slog.DiscardHandler)
	for _, accept := range []string{"text/plain", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"} {
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(accept, "application/vnd.google."), "text/"), ";")
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", accept)
			b.ReportAllocs()
			for b.Loop() {
				w := &discardResponse{header: http.Header{}}
				Serve(w, req, h.exp.Scrape(ctx, nil), nil, logger)
				if w.code != 0 && w.code != http.StatusOK || w.n == 0 {
					b.Fatalf("status %d, %d bytes", w.code, w.n)
				}
			}
		})
	}
}

// discardResponse is a ResponseWriter that keeps nothing of the body.
type discardResponse struct {
	header http.Header
	code   int
	n      int
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) WriteHeader(code int)        { d.code = code }
func (d *discardResponse) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// BenchmarkFloor gathers and encodes the same series from a static
// registry of const metrics built once.
func BenchmarkFloor(b *testing.B) {
	h := benchHarness(b, 2000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mfs, err := scraped(b, h.exp.Scrape(ctx, nil)).Gather()
	if err != nil {
		b.Fatal(err)
	}
	static := prometheus.NewRegistry()
	static.MustRegister(&staticCollector{mfs: mfs})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		encode(b, static)
	}
}

// staticCollector replays gathered families as const metrics built once.
type staticCollector struct {
	mfs     []*dto.MetricFamily
	metrics []prometheus.Metric
	descs   []*prometheus.Desc
}

func (s *staticCollector) build() {
	if s.metrics != nil {
		return
	}
	for _, mf := range s.mfs {
		if mf.GetType() != dto.MetricType_GAUGE && mf.GetType() != dto.MetricType_COUNTER {
			continue
		}
		var names []string
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			names = append(names, lp.GetName())
		}
		d := prometheus.NewDesc(mf.GetName(), mf.GetHelp(), names, nil)
		s.descs = append(s.descs, d)
		vt := prometheus.GaugeValue
		if mf.GetType() == dto.MetricType_COUNTER {
			vt = prometheus.CounterValue
		}
		for _, m := range mf.GetMetric() {
			values := make([]string, 0, len(names))
			for _, lp := range m.GetLabel() {
				values = append(values, lp.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			s.metrics = append(s.metrics, prometheus.MustNewConstMetric(d, vt, v, values...))
		}
	}
}

func (s *staticCollector) Describe(ch chan<- *prometheus.Desc) {
	s.build()
	for _, d := range s.descs {
		ch <- d
	}
}

func (s *staticCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range s.metrics {
		ch <- m
	}
}
