package main

import (
	"bytes"
	"fmt"
	"math"
	"net/http/httptest"

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
// constant metrics.
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

// floorServer serves a static registry with the same client_golang and
// handler options as the exporter.
type floorServer struct{ ts *httptest.Server }

func newFloorServer(body []byte) (*floorServer, error) {
	c, err := newStaticCollector(body)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return &floorServer{ts: httptest.NewServer(h)}, nil
}

func (f *floorServer) url() string { return f.ts.URL }

func (f *floorServer) close() { f.ts.Close() }
