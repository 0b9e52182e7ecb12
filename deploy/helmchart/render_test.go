// Package helmchart tests the Helm chart in deploy/helm without a cluster:
// it renders the chart with Helm's own library, decodes every object
// strictly into its Kubernetes or Prometheus Operator type, lints it, and
// checks what the chart takes from the repository's alerts and dashboards.
package helmchart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const (
	chartDir    = "../helm/ssm-automation-exporter"
	repoRoot    = "../.."
	release     = "ssm"
	namespace   = "monitoring"
	kubeVersion = "v1.33.0"
)

// object is one rendered manifest: its kind, name and strictly decoded value.
type object struct {
	Kind, Name, Template string
	Value                any
}

// rendered is the chart's output for one set of values.
type rendered struct {
	Objects []object
	Notes   string
}

// byKind returns the objects of one kind, in the order rendered.
func (r rendered) byKind(kind string) []object {
	var out []object
	for _, o := range r.Objects {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

// one returns the single object of a kind, failing the test otherwise.
func one[T any](t *testing.T, r rendered, kind string) *T {
	t.Helper()
	objs := r.byKind(kind)
	if len(objs) != 1 {
		t.Fatalf("%d objects of kind %s, want 1", len(objs), kind)
	}
	return objs[0].Value.(*T)
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	return c
}

// valuesFile reads a values file of testdata/.
func valuesFile(t *testing.T, name string) map[string]any {
	t.Helper()
	v, err := chartutil.ReadValuesFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// renderValues renders the chart as `helm template` would, with the values
// checked against values.schema.json.
func renderValues(c *chart.Chart, vals map[string]any) (map[string]string, error) {
	caps := *chartutil.DefaultCapabilities
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		return nil, err
	}
	caps.KubeVersion = *kv
	opts := chartutil.ReleaseOptions{Name: release, Namespace: namespace, Revision: 1, IsInstall: true}
	top, err := chartutil.ToRenderValues(c, vals, opts, &caps)
	if err != nil {
		return nil, err
	}
	return engine.Render(c, top)
}

// render renders and decodes the chart, failing the test on any error.
func render(t *testing.T, vals map[string]any) rendered {
	t.Helper()
	files, err := renderValues(loadChart(t), vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return decodeAll(t, files)
}

func decodeAll(t *testing.T, files map[string]string) rendered {
	t.Helper()
	var r rendered
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			r.Notes = files[name]
			continue
		}
		// Split as Helm splits a release's manifest.
		docs := releaseutil.SplitManifests(files[name])
		for i := range len(docs) {
			doc := docs[fmt.Sprintf("manifest-%d", i)]
			o, ok, err := decodeObject(doc)
			if err != nil {
				t.Fatalf("%s, document %d: %v\n%s", name, i, err, doc)
			}
			if ok {
				o.Template = name
				r.Objects = append(r.Objects, o)
			}
		}
	}
	return r
}

// kinds maps apiVersion/kind to the Go type an object must decode into.
var kinds = map[string]func() any{
	"apps/v1/Deployment":  func() any { return new(appsv1.Deployment) },
	"apps/v1/StatefulSet": func() any { return new(appsv1.StatefulSet) },
	"v1/Service":          func() any { return new(corev1.Service) },
	"v1/ServiceAccount":   func() any { return new(corev1.ServiceAccount) },
	"v1/ConfigMap":        func() any { return new(corev1.ConfigMap) },
	"v1/Secret":           func() any { return new(corev1.Secret) },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return new(monitoringv1.ServiceMonitor) },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return new(monitoringv1.PrometheusRule) },
	"monitoring.coreos.com/v1/Probe":          func() any { return new(monitoringv1.Probe) },
}

// decodeObject decodes one YAML document strictly: duplicate keys, unknown
// fields, values of the wrong type and trailing data are errors. A document
// of comments only is skipped (ok false).
func decodeObject(doc string) (object, bool, error) {
	js, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return object{}, false, err
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return object{}, false, nil
	}
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(js, &meta); err != nil {
		return object{}, false, err
	}
	newValue, ok := kinds[meta.APIVersion+"/"+meta.Kind]
	if !ok {
		return object{}, false, fmt.Errorf("unexpected object %s/%s", meta.APIVersion, meta.Kind)
	}
	v := newValue()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return object{}, false, fmt.Errorf("%s %s: %w", meta.Kind, meta.Metadata.Name, err)
	}
	if dec.More() {
		return object{}, false, fmt.Errorf("%s %s: trailing data", meta.Kind, meta.Metadata.Name)
	}
	return object{Kind: meta.Kind, Name: meta.Metadata.Name, Value: v}, true, nil
}

// readRepoFile reads a file of the repository (not of the chart).
func readRepoFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
