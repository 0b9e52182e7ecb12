package helmchart

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestPrometheusRuleIsRulesFile checks that the PrometheusRule holds exactly
// the groups and rules of alerts/ssm_automation.rules.yml as the repository
// has it now.
func TestPrometheusRuleIsRulesFile(t *testing.T) {
	r := render(t, map[string]any{"prometheusRule": map[string]any{"enabled": true}})
	pr := one[monitoringv1.PrometheusRule](t, r, "PrometheusRule")
	var file struct {
		Groups []monitoringv1.RuleGroup `json:"groups"`
	}
	if err := strictJSON(readRepoFile(t, "alerts/ssm_automation.rules.yml"), &file); err != nil {
		t.Fatalf("alerts/ssm_automation.rules.yml: %v", err)
	}
	if len(file.Groups) == 0 || len(file.Groups[0].Rules) == 0 {
		t.Fatal("the rules file has no rules")
	}
	if !reflect.DeepEqual(pr.Spec.Groups, file.Groups) {
		t.Errorf("PrometheusRule groups differ from alerts/ssm_automation.rules.yml:\n got %+v\nwant %+v", pr.Spec.Groups, file.Groups)
	}
}

// TestDashboardConfigMaps checks one ConfigMap per dashboards/*.json, with
// the sidecar's label, holding the file byte for byte.
func TestDashboardConfigMaps(t *testing.T) {
	r := render(t, map[string]any{"dashboards": map[string]any{
		"enabled": true, "label": "example.com/dashboard", "labelValue": "yes", "namespace": "grafana",
	}})
	var got []string
	for _, o := range r.byKind("ConfigMap") {
		cm := o.Value.(*corev1.ConfigMap)
		if cm.Labels["example.com/dashboard"] != "yes" {
			continue
		}
		if cm.Namespace != "grafana" || len(cm.Data) != 1 {
			t.Errorf("ConfigMap %s in %q with %d keys, want one key in grafana", cm.Name, cm.Namespace, len(cm.Data))
		}
		for name, text := range cm.Data {
			got = append(got, name)
			want := readRepoFile(t, filepath.Join("dashboards", name))
			if text != string(want) {
				t.Errorf("ConfigMap %s: %s differs from dashboards/%s", cm.Name, name, name)
			}
			if !json.Valid([]byte(text)) {
				t.Errorf("ConfigMap %s: %s is no JSON", cm.Name, name)
			}
		}
	}
	sort.Strings(got)
	if want := repoDashboards(t); !slices.Equal(got, want) {
		t.Errorf("dashboard ConfigMaps hold %q, want dashboards/*.json %q", got, want)
	}
	def := render(t, map[string]any{"dashboards": map[string]any{"enabled": true}})
	for _, o := range def.byKind("ConfigMap")[1:] {
		if l := o.Value.(*corev1.ConfigMap).Labels["grafana_dashboard"]; l != "1" {
			t.Errorf("ConfigMap %s: grafana_dashboard label %q, want the sidecar's default \"1\"", o.Name, l)
		}
	}
}

// TestChartFilesAreTheRepositorys checks that files/ links to the
// repository's alerts and dashboards (one copy) and that the chart loads
// exactly the rules file and the dashboards' JSON from them.
func TestChartFilesAreTheRepositorys(t *testing.T) {
	for link, target := range map[string]string{
		"files/ssm_automation.rules.yml": "alerts/ssm_automation.rules.yml",
		"files/dashboards":               "dashboards",
	} {
		fi, err := os.Lstat(filepath.Join(chartDir, link))
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is not a symbolic link (%v): the chart must not hold a copy", link, err)
			continue
		}
		got, err1 := filepath.EvalSymlinks(filepath.Join(chartDir, link))
		got, err3 := filepath.Abs(got)
		want, err2 := filepath.Abs(filepath.Join(repoRoot, target))
		if err := errors.Join(err1, err2, err3); err != nil || got != want {
			t.Errorf("%s resolves to %s (%v), want %s", link, got, err, want)
		}
	}
	var got []string
	for _, f := range loadChart(t).Files {
		if f.Name != ".helmignore" {
			got = append(got, f.Name)
		}
	}
	sort.Strings(got)
	want := []string{"files/ssm_automation.rules.yml"}
	for _, d := range repoDashboards(t) {
		want = append(want, "files/dashboards/"+d)
	}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("chart files %q, want %q (.helmignore keeps the dashboards' Go files out)", got, want)
	}
}

// TestPackageEmbedsLinkedFiles packages the chart as `helm package` does:
// the archive holds the linked files' contents, no links, and renders as
// the directory does.
func TestPackageEmbedsLinkedFiles(t *testing.T) {
	c := loadChart(t)
	archive, err := chartutil.Save(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkNoLinks(t, archive)
	packaged, err := loader.Load(archive)
	if err != nil {
		t.Fatal(err)
	}
	rules := readRepoFile(t, "alerts/ssm_automation.rules.yml")
	found := false
	for _, f := range packaged.Files {
		if f.Name == "files/ssm_automation.rules.yml" {
			found = bytes.Equal(f.Data, rules)
		}
	}
	if !found {
		t.Error("the packaged chart does not hold alerts/ssm_automation.rules.yml")
	}
	vals := valuesFile(t, "full-values.yaml")
	fromDir, err1 := renderValues(c, vals)
	fromArchive, err2 := renderValues(packaged, vals)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromDir, fromArchive) {
		t.Error("the packaged chart renders differently from its directory")
	}
}

func checkNoLinks(t *testing.T, archive string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			t.Errorf("%s: tar entry of type %c, want a regular file", h.Name, h.Typeflag)
		}
	}
}

// repoDashboards lists dashboards/*.json of the repository, sorted.
func repoDashboards(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "dashboards", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards/*.json (%v)", err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, path.Base(filepath.ToSlash(p)))
	}
	sort.Strings(names)
	return names
}

// strictJSON decodes YAML into v, refusing unknown fields.
func strictJSON(data []byte, v any) error {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
