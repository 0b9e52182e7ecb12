package helmchart

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"sigs.k8s.io/yaml"
)

// TestSchemaRejectsBadValues renders bad values: values.schema.json must
// refuse each, naming the key, before anything is rendered.
func TestSchemaRejectsBadValues(t *testing.T) {
	for _, tc := range []struct{ name, values, want string }{
		{"unknown key", "replicaCount: 2", "replicaCount"},
		{"unknown nested key", "serviceMonitor: {intervall: 30s}", "intervall"},
		{"typo in an exporter key", "config: {targets: [{name: a, regoin: us-east-1}]}", "regoin"},
		{"unknown config section", "config: {target: []}", "target"},
		{"target without a name", "config: {targets: [{region: us-east-1}]}", "name"},
		{"unknown web config key", "web: {config: {tls_config: {}}}", "tls_config"},
		{"pull policy", "image: {pullPolicy: Sometimes}", "pullPolicy"},
		{"digest", "image: {digest: latest}", "digest"},
		{"reload strategy", "configReload: restart", "configReload"},
		{"log level", "log: {level: verbose}", "level"},
		{"shards", "sharding: {shards: 0}", "shards"},
		{"limit below the request", "resources: {memory: {limitRatio: 0.5}}", "limitRatio"},
		{"GOMEMLIMIT above the limit", "resources: {memory: {goMemLimitRatio: 1.5}}", "goMemLimitRatio"},
		{"negative step executions", "resources: {expectedStepExecutions: -1}", "expectedStepExecutions"},
		{"fractional step executions", "resources: {expectedStepExecutions: 1.5}", "expectedStepExecutions"},
		{"cpu quantity", "resources: {cpu: {request: lots}}", "request"},
		{"role ARN", "serviceAccount: {roleArn: ssm-reader}", "roleArn"},
		{"flag", "extraArgs: [log.level=debug]", "extraArgs"},
		{"scrape interval", "serviceMonitor: {interval: 1 minute}", "interval"},
		{"port", "service: {port: 70000}", "port"},
		{"full name", "fullnameOverride: Not_A_DNS_Label", "fullnameOverride"},
		{"relative telemetry path", "telemetryPath: metrics", "telemetryPath"},
		{"telemetry path to escape", "telemetryPath: /my metrics", "telemetryPath"},
		{"telemetry path not clean", "telemetryPath: /a/../metrics", "telemetryPath"},
		{"telemetry path of /probe", "telemetryPath: /probe", "telemetryPath"},
		{"priority class name", "priorityClassName: \"high\\nhostNetwork: true\"", "priorityClassName"},
		{"service account name", "serviceAccount: {name: \"reader\\nhostNetwork: true\"}", "name"},
		{"TLS Secret name", "web: {tlsSecretName: Exporter_TLS}", "tlsSecretName"},
		{"image tag", "image: {tag: \"v1\\nhostNetwork: true\"}", "tag"},
		{"dashboard label", "dashboards: {label: \"grafana dashboard\"}", "label"},
		{"dashboard label value", "dashboards: {labelValue: \"1\\n2\"}", "labelValue"},
		{"dashboard namespace", "dashboards: {namespace: Grafana}", "namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var vals map[string]any
			if err := yaml.Unmarshal([]byte(tc.values), &vals); err != nil {
				t.Fatal(err)
			}
			_, err := renderValues(loadChart(t), vals)
			if err == nil {
				t.Fatalf("values %s rendered", tc.values)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not name %q as a schema problem: %v", tc.want, err)
			}
		})
	}
}

// TestTemplateRejectsBadValues: what the schema cannot say, the templates
// refuse with a message.
func TestTemplateRejectsBadValues(t *testing.T) {
	for _, tc := range []struct{ name, values, want string }{
		{"grace too long", "shutdownGraceSeconds: 26", "must stay below terminationGracePeriodSeconds (30)"},
		{"no targets", "config: {targets: []}", "config.targets: at least one target"},
		{"telemetry path in extraArgs", "extraArgs: [--web.telemetry-path=/m]", "extraArgs: set telemetryPath instead of --web.telemetry-path, so that the ServiceMonitor scrapes the same path"},
		{"telemetry path flag alone", "extraArgs: [--web.telemetry-path]", "extraArgs: set telemetryPath instead of --web.telemetry-path, so that the ServiceMonitor scrapes the same path"},
		{"pod label of the selector", "podLabels: {app.kubernetes.io/name: other}", "podLabels: app.kubernetes.io/name is a label the chart sets itself"},
		{"pod label of the instance", "podLabels: {app.kubernetes.io/instance: other}", "podLabels: app.kubernetes.io/instance is a label the chart sets itself"},
		{"Service label", "service: {labels: {app.kubernetes.io/name: other}}", "service.labels: app.kubernetes.io/name is a label the chart sets itself"},
		{"ServiceMonitor label", "serviceMonitor: {enabled: true, labels: {helm.sh/chart: other}}", "serviceMonitor.labels: helm.sh/chart is a label the chart sets itself"},
		{"PrometheusRule label", "prometheusRule: {enabled: true, labels: {app.kubernetes.io/managed-by: other}}", "prometheusRule.labels: app.kubernetes.io/managed-by is a label the chart sets itself"},
		{"dashboard label", "dashboards: {enabled: true, label: app.kubernetes.io/version}", "dashboards.label: app.kubernetes.io/version is a label the chart sets itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var vals map[string]any
			if err := yaml.Unmarshal([]byte(tc.values), &vals); err != nil {
				t.Fatal(err)
			}
			_, err := renderValues(loadChart(t), vals)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestSchemaKnowsExporterConfig checks that the schema's keys of config and
// of a target are those of the exporter's configuration types, so that a
// key the exporter adds is not refused by the chart (and a typo is).
func TestSchemaKnowsExporterConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties struct {
			Config struct {
				Properties map[string]struct {
					Items struct {
						Properties map[string]any `json:"properties"`
					} `json:"items"`
				} `json:"properties"`
			} `json:"config"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	cfg := schema.Properties.Config.Properties
	if got, want := keys(cfg), yamlKeys(reflect.TypeFor[config.Config]()); !slices.Equal(got, want) {
		t.Errorf("schema keys of config %q, the exporter's %q", got, want)
	}
	if got, want := keys(cfg["targets"].Items.Properties), yamlKeys(reflect.TypeFor[config.Target]()); !slices.Equal(got, want) {
		t.Errorf("schema keys of a target %q, the exporter's %q", got, want)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// yamlKeys lists the YAML keys of a struct type, sorted.
func yamlKeys(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
