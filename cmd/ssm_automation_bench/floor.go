package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// staticCollector sends constant metrics built once, up front: what is left
// of a scrape when nothing has to be fetched or computed.
type staticCollector struct {
	descs   []*prometheus.Desc
	metrics []prometheus.Metric
}

var _ prometheus.Collector = (*staticCollector)(nil)

func (c *staticCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *staticCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.metrics {
		ch <- m
	}
}

// newStaticCollector rebuilds every family of a text exposition as
// constant metrics, each family in the order a registry sorts it: the
// exporter writes its families unsorted, and the registry's sort is
// fastest on sorted input, so the floor gets the order that costs it
// least.
func newStaticCollector(body []byte) (*staticCollector, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parsing the exposition: %w", err)
	}
	c := &staticCollector{}
	for _, mf := range mfs {
		if len(mf.GetMetric()) == 0 {
			continue
		}
		slices.SortStableFunc(mf.Metric, compareLabelValues)
		var labelNames []string
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			labelNames = append(labelNames, lp.GetName())
		}
		desc := prometheus.NewDesc(mf.GetName(), mf.GetHelp(), labelNames, nil)
		c.descs = append(c.descs, desc)
		for _, m := range mf.GetMetric() {
			cm, err := constMetric(desc, mf.GetType(), m, labelNames)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", mf.GetName(), err)
			}
			c.metrics = append(c.metrics, cm)
		}
	}
	return c, nil
}

// compareLabelValues orders two metrics of a family by their label values,
// label by label, as client_golang sorts a gathered family.
func compareLabelValues(a, b *dto.Metric) int {
	la, lb := a.GetLabel(), b.GetLabel()
	for i := range min(len(la), len(lb)) {
		if c := strings.Compare(la[i].GetValue(), lb[i].GetValue()); c != 0 {
			return c
		}
	}
	return len(la) - len(lb)
}

func constMetric(desc *prometheus.Desc, typ dto.MetricType, m *dto.Metric, labelNames []string) (prometheus.Metric, error) {
	values := make([]string, len(labelNames))
	byName := map[string]string{}
	for _, lp := range m.GetLabel() {
		byName[lp.GetName()] = lp.GetValue()
	}
	for i, n := range labelNames {
		values[i] = byName[n]
	}
	switch typ {
	case dto.MetricType_COUNTER:
		return prometheus.NewConstMetric(desc, prometheus.CounterValue, m.GetCounter().GetValue(), values...)
	case dto.MetricType_GAUGE:
		return prometheus.NewConstMetric(desc, prometheus.GaugeValue, m.GetGauge().GetValue(), values...)
	case dto.MetricType_UNTYPED:
		return prometheus.NewConstMetric(desc, prometheus.UntypedValue, m.GetUntyped().GetValue(), values...)
	case dto.MetricType_SUMMARY:
		s := m.GetSummary()
		q := map[float64]float64{}
		for _, x := range s.GetQuantile() {
			q[x.GetQuantile()] = x.GetValue()
		}
		return prometheus.NewConstSummary(desc, s.GetSampleCount(), s.GetSampleSum(), q, values...)
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		b := map[float64]uint64{}
		for _, x := range h.GetBucket() {
			if !math.IsInf(x.GetUpperBound(), +1) {
				b[x.GetUpperBound()] = x.GetCumulativeCount()
			}
		}
		return prometheus.NewConstHistogram(desc, h.GetSampleCount(), h.GetSampleSum(), b, values...)
	}
	return nil, fmt.Errorf("type %v not supported", typ)
}

// serveFloor is the floor process: it serves the series of an exposition
// file from a static registry, with the exporter's handler options, until
// ctx ends. It runs apart from the benchmark, as the exporter does, so
// that neither shares a heap with the simulator.
func serveFloor(ctx context.Context, path, addr string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	c, err := newStaticCollector(body)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startFloor writes body into dir and runs this command as its floor
// process.
func startFloor(ctx context.Context, dir, name string, body []byte) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name+".prom")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return nil, err
	}
	return startProcess(ctx, dir, name, "/metrics", os.Environ(), self, "--floor.serve="+path)
}
