package ssmapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const execID = "11111111-1111-4111-8111-111111111111"

// sim is the simulator over HTTP with the exporter's API counters.
type sim struct {
	url     string
	reg     *prometheus.Registry
	metrics *APIMetrics
}

func newSim(t *testing.T, execs ...*ssmsim.Execution) *sim {
	t.Helper()
	ssmsim.SetTestEnv(t)
	store := ssmsim.TestStore(execs...)
	url, _ := ssmsim.NewTestServer(t, store, ssmsim.Options{})
	reg := prometheus.NewRegistry()
	return &sim{url: url, reg: reg, metrics: NewAPIMetrics(reg)}
}

func (s *sim) clients(t *testing.T, logger *slog.Logger) *Clients {
	t.Helper()
	c, err := NewClients(context.Background(), s.metrics, logger)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// api is the client of a target t1 on the simulator, with the api
// settings given (YAML lines under api:).
func (s *sim) api(t *testing.T, c *Clients, apiYAML string) API {
	t.Helper()
	cfg, err := config.Parse(fmt.Appendf(nil, `
api:
  requests_per_second: 10000
  burst: 10000
%stargets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: all}]
`, apiYAML, s.url))
	if err != nil {
		t.Fatal(err)
	}
	return c.For(cfg.ExpandedTargets()[0], cfg.API)
}

// counter is the value of the series of name with the label value.
func (s *sim) counter(t *testing.T, name, label, value string) float64 {
	t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
