package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// promAPI is a client of Prometheus's HTTP API.
type promAPI struct {
	base   string
	client *http.Client
}

func newPromAPI(addr string) *promAPI {
	return &promAPI{base: "http://" + addr, client: &http.Client{Timeout: 10 * time.Second}}
}

// sample is one element of an instant vector.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// alert is one entry of /api/v1/alerts.
type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

// get calls an API path and decodes the data member of a success answer.
func (p *promAPI) get(ctx context.Context, path string, params url.Values, data any) error {
	u := p.base + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("GET %s: %s: %w", path, resp.Status, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

// query runs an instant query. A scalar result comes back as one sample
// without labels.
func (p *promAPI) query(ctx context.Context, expr string) ([]sample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.get(ctx, "/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var v []sample
		err := json.Unmarshal(data.Result, &v)
		return v, err
	case "scalar":
		var s [2]any
		err := json.Unmarshal(data.Result, &s)
		return []sample{{Metric: map[string]string{}, Value: s}}, err
	default:
		return nil, fmt.Errorf("query %q: result type %s", expr, data.ResultType)
	}
}

// eachOneSeries waits until every query answers exactly one series, for
// at most timeout.
func (p *promAPI) eachOneSeries(ctx context.Context, timeout time.Duration, queries ...string) error {
	return eventually(ctx, timeout, func() error {
		for _, q := range queries {
			if res, err := p.query(ctx, q); err != nil {
				return err
			} else if len(res) != 1 {
				return fmt.Errorf("%s: %d series, want 1", q, len(res))
			}
		}
		return nil
	})
}

// alerts returns the alerts Prometheus holds, pending and firing.
func (p *promAPI) alerts(ctx context.Context) ([]alert, error) {
	var data struct {
		Alerts []alert `json:"alerts"`
	}
	err := p.get(ctx, "/api/v1/alerts", nil, &data)
	return data.Alerts, err
}

// promConfig is what the test's Prometheus configuration varies in.
type promConfig struct {
	exporter     string // address of the exporter
	rules        string // path of the rules file
	alertmanager string // address of Alertmanager, or "" for none
	// nativeHistograms scrapes native histograms (Prometheus 3 only), and
	// the classic buckets too, which the dashboards query.
	nativeHistograms bool
}

// writePromConfig writes a Prometheus configuration that scrapes the
// exporter every second, evaluates the rules every second and sends the
// alerts to Alertmanager.
func writePromConfig(t *testing.T, dir string, c promConfig) string {
	t.Helper()
	scrape := map[string]any{
		"job_name":       job,
		"static_configs": []any{map[string]any{"targets": []string{c.exporter}}},
	}
	if c.nativeHistograms {
		scrape["scrape_native_histograms"] = true
		scrape["always_scrape_classic_histograms"] = true
	}
	cfg := map[string]any{
		"global": map[string]any{
			"scrape_interval":     "1s",
			"scrape_timeout":      "1s",
			"evaluation_interval": "1s",
		},
		"rule_files":     []string{c.rules},
		"scrape_configs": []any{scrape},
	}
	if c.alertmanager != "" {
		cfg["alerting"] = map[string]any{"alertmanagers": []any{map[string]any{
			"static_configs": []any{map[string]any{"targets": []string{c.alertmanager}}},
		}}}
	}
	return writeYAML(t, filepath.Join(dir, "prometheus.yml"), cfg)
}

// writeExporterConfig writes the exporter's configuration: one target
// reading every execution of the simulator, following the events of the
// simulator's queue in account. The scenario's timestamps are fixed in the
// past, hence the ten-year lookback.
func writeExporterConfig(t *testing.T, dir, simAddr, account string) string {
	t.Helper()
	cfg := map[string]any{
		"targets": []any{map[string]any{
			"name":      "e2e",
			"region":    "us-east-1",
			"endpoint":  "http://" + simAddr,
			"discovery": []any{map[string]any{"name": "all", "lookback": "87600h"}},
			"events":    map[string]any{"queue_url": "http://" + simAddr + "/" + account + "/" + queue},
		}},
	}
	return writeYAML(t, filepath.Join(dir, "exporter.yml"), cfg)
}

func writeYAML(t *testing.T, path string, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// copyRulesWithoutFor copies the rules file to dir with every `for:` set to
// 0s. The rules wait minutes before some alerts fire, which suits
// production and not a test that runs for seconds; rewriting a copy keeps
// the shipped rules as they are and tests their expressions and labels,
// while the promtool unit tests in alerts/tests test the `for:` durations.
func copyRulesWithoutFor(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	rewritten := 0
	for _, group := range items(mapValue(doc.Content[0], "groups")) {
		for _, rule := range items(mapValue(group, "rules")) {
			if v := mapValue(rule, "for"); v != nil {
				v.Value = "0s"
				rewritten++
			}
		}
	}
	if rewritten == 0 {
		t.Fatalf("%s: no rule has a for: duration; is this still the rules file?", src)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// mapValue returns the value of key in a YAML mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// items returns the elements of a YAML sequence node, or nil.
func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}
