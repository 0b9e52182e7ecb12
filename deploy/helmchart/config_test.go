package helmchart

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// checkExporterConfig loads a rendered configuration file with the
// exporter's own loader and returns it.
func checkExporterConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("the exporter refuses the rendered configuration: %v\n%s", err, text)
	}
	return c
}

// configFile is the exporter's configuration file as rendered: the kind
// and name of the object holding it, and its text.
type configFile struct {
	Kind, Name, Text string
}

// exporterConfig returns the one ConfigMap or Secret holding config.yml.
func exporterConfig(t *testing.T, r rendered) configFile {
	t.Helper()
	var found []configFile
	for _, o := range r.Objects {
		switch v := o.Value.(type) {
		case *corev1.ConfigMap:
			if text, ok := v.Data["config.yml"]; ok {
				found = append(found, configFile{o.Kind, o.Name, text})
			}
		case *corev1.Secret:
			if text, ok := v.Data["config.yml"]; ok {
				found = append(found, configFile{o.Kind, o.Name, string(text)})
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects hold config.yml, want 1", len(found))
	}
	return found[0]
}

// TestSecretsOnlyInSecrets renders configurations holding a secret: a
// target's external_id, or a password in the user info of its endpoint,
// STS endpoint or events queue URL. The configuration file is then a
// Secret, which the pods mount and the exporter loads; no other object
// (no ConfigMap, no pod template, no Probe) and not NOTES.txt holds the
// secret, whether the pods roll or reload on a change.
func TestSecretsOnlyInSecrets(t *testing.T) {
	const role = "arn:aws:iam::111111111111:role/ssm-automation-reader"
	for _, tc := range []struct {
		name, secret string
		target       map[string]any
	}{
		{"external_id", "ext-Id_7hQ2", map[string]any{"role_arn": role, "external_id": "ext-Id_7hQ2"}},
		{"endpoint password", "pw-endpoint-9x", map[string]any{"endpoint": "https://reader:pw-endpoint-9x@ssm.example.internal"}},
		{"STS endpoint password", "pw-sts-9x", map[string]any{"role_arn": role, "sts_endpoint": "https://reader:pw-sts-9x@sts.example.internal"}},
		{"queue URL password", "pw-queue-9x", map[string]any{"events": map[string]any{
			"queue_url": "https://reader:pw-queue-9x@sqs.example.internal/123456789012/ssm-events"}}},
	} {
		for _, reload := range []string{"rollout", "reload"} {
			t.Run(tc.name+"/"+reload, func(t *testing.T) {
				target := map[string]any{"name": "prod", "region": "eu-west-1", "discovery": []any{map[string]any{"lookback": "6h"}}}
				for k, v := range tc.target {
					target[k] = v
				}
				r := render(t, map[string]any{
					"config":         map[string]any{"targets": []any{target}},
					"configReload":   reload,
					"serviceMonitor": map[string]any{"enabled": true},
					"sharding":       map[string]any{"enabled": true},
				})
				cfg := exporterConfig(t, r)
				if cfg.Kind != "Secret" || !strings.Contains(cfg.Text, tc.secret) {
					t.Fatalf("the configuration holding %s is in %s %s:\n%s", tc.name, cfg.Kind, cfg.Name, cfg.Text)
				}
				checkExporterConfig(t, cfg.Text)
				for _, o := range r.Objects {
					if o.Kind == "Secret" {
						continue
					}
					b, err := json.Marshal(o.Value)
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(string(b), tc.secret) {
						t.Errorf("%s %s holds the %s", o.Kind, o.Name, tc.name)
					}
				}
				if strings.Contains(r.Notes, tc.secret) {
					t.Errorf("NOTES.txt holds the %s", tc.name)
				}
				pod := one[appsv1.StatefulSet](t, r, "StatefulSet").Spec.Template
				i := slices.IndexFunc(pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == "config" })
				if i < 0 || pod.Spec.Volumes[i].Secret == nil || pod.Spec.Volumes[i].Secret.SecretName != cfg.Name {
					t.Errorf("volumes %+v: want config from the Secret %s", pod.Spec.Volumes, cfg.Name)
				}
				if _, ok := pod.Annotations["checksum/config"]; ok != (reload == "rollout") {
					t.Errorf("configReload %s: annotations %v", reload, pod.Annotations)
				}
			})
		}
	}
}
