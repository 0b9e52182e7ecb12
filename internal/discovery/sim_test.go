package discovery

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// simAPI is the client of a target t1 on a simulator holding execs, over
// HTTP, as the exporter makes it.
func simAPI(t *testing.T, execs ...*ssmsim.Execution) ssmapi.API {
	t.Helper()
	ssmsim.SetTestEnv(t)
	store := ssmsim.TestStore(execs...)
	url, _ := ssmsim.NewTestServer(t, store, ssmsim.Options{})
	c, err := ssmapi.NewClients(context.Background(), ssmapi.NewAPIMetrics(prometheus.NewRegistry()), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(fmt.Appendf(nil, `
api: {requests_per_second: 10000, burst: 10000}
targets: [{name: t1, region: us-east-1, endpoint: %q, discovery: [{name: all}]}]
`, url))
	if err != nil {
		t.Fatal(err)
	}
	return c.For(cfg.ExpandedTargets()[0], cfg.API)
}
