package helmchart

import (
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
)

// TestLint runs Helm's linter (`helm lint`) on the chart with the default
// and with the full values: no warning, no error.
func TestLint(t *testing.T) {
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	for name, vals := range map[string]map[string]any{
		"default": nil,
		"full":    valuesFile(t, "full-values.yaml"),
	} {
		t.Run(name, func(t *testing.T) {
			linter := lint.AllWithKubeVersion(chartDir, vals, namespace, kv)
			for _, m := range linter.Messages {
				if m.Severity >= support.WarningSev {
					t.Error(m)
				} else {
					t.Log(m)
				}
			}
		})
	}
}

// TestKubeVersion checks the chart's kubeVersion: the version the tests
// render for is in range, one without seccompProfile in the pod's security
// context is not.
func TestKubeVersion(t *testing.T) {
	c := loadChart(t)
	if !chartutil.IsCompatibleRange(c.Metadata.KubeVersion, kubeVersion) {
		t.Errorf("kubeVersion %q excludes %s", c.Metadata.KubeVersion, kubeVersion)
	}
	if chartutil.IsCompatibleRange(c.Metadata.KubeVersion, "v1.18.0") {
		t.Errorf("kubeVersion %q admits v1.18, which has no seccompProfile field", c.Metadata.KubeVersion)
	}
	if c.Metadata.AppVersion == "" || c.Metadata.APIVersion != "v2" {
		t.Errorf("Chart.yaml: apiVersion %q, appVersion %q", c.Metadata.APIVersion, c.Metadata.AppVersion)
	}
}
