package helmchart

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/exporter-toolkit/web"
	"go.yaml.in/yaml/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// TestAllOptions renders testdata/full-values.yaml, every option on.
func TestAllOptions(t *testing.T) {
	vals := valuesFile(t, "full-values.yaml")
	r := render(t, vals)
	checkObjects(t, r, map[string]int{
		"StatefulSet": 1, "Service": 2, "ServiceAccount": 1, "ConfigMap": len(repoDashboards(t)),
		"Secret": 2, "ServiceMonitor": 1, "PrometheusRule": 1, "Probe": 3,
	})
	sts := one[appsv1.StatefulSet](t, r, "StatefulSet")
	if *sts.Spec.Replicas != 3 || sts.Spec.ServiceName != "ssm-automation-headless" {
		t.Errorf("replicas %d behind %q, want 3 behind the headless Service", *sts.Spec.Replicas, sts.Spec.ServiceName)
	}
	pod := sts.Spec.Template.Spec
	checkHardened(t, pod)
	c := pod.Containers[0]
	wantArgs := []string{
		"--config.file=/etc/ssm_automation_exporter/config/config.yml", "--web.listen-address=:9847", "--web.telemetry-path=/metrics",
		"--web.config.file=/etc/ssm_automation_exporter/web/web-config.yml", "--no-web.metrics-include-targets",
		"--web.shutdown-grace=20s", "--log.level=debug", "--log.format=json", "--scrape.timeout-offset=1s",
	}
	if !slices.Equal(c.Args, wantArgs) {
		t.Errorf("args %q, want %q", c.Args, wantArgs)
	}
	// Basic auth: the kubelet has no password, so the probes check the port.
	if c.LivenessProbe.TCPSocket == nil || c.ReadinessProbe.TCPSocket == nil || c.LivenessProbe.FailureThreshold != 4 {
		t.Errorf("probes %+v, %+v: want TCP checks with the values' timings", c.LivenessProbe, c.ReadinessProbe)
	}
	if c.Image != "registry.example.com/ssm_automation_exporter@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" {
		t.Errorf("image %q, want the digest", c.Image)
	}
	checkVolumes(t, r, pod)
	checkShardAddresses(t, r, sts)
	checkWebConfig(t, r, vals)
	sa := one[corev1.ServiceAccount](t, r, "ServiceAccount")
	if sa.Name != "ssm-reader" || pod.ServiceAccountName != "ssm-reader" ||
		sa.Annotations["eks.amazonaws.com/role-arn"] != "arn:aws:iam::123456789012:role/ssm-automation-exporter" ||
		sa.Annotations["example.com/owner"] != "platform" {
		t.Errorf("service account %q (pod: %q) annotations %v: want the IRSA role and the values' annotations",
			sa.Name, pod.ServiceAccountName, sa.Annotations)
	}
	checkServiceMonitor(t, r)
}

// TestAllOptionsUnsharded renders the full values without sharding and
// without basic auth: a Deployment probed over HTTPS.
func TestAllOptionsUnsharded(t *testing.T) {
	vals := valuesFile(t, "full-values.yaml")
	set(vals, "sharding.enabled", false)
	delete(vals["web"].(map[string]any)["config"].(map[string]any), "basic_auth_users")
	r := render(t, vals)
	checkObjects(t, r, map[string]int{
		"Deployment": 1, "Service": 1, "ServiceAccount": 1, "ConfigMap": len(repoDashboards(t)),
		"Secret": 2, "ServiceMonitor": 1, "PrometheusRule": 1,
	})
	d := one[appsv1.Deployment](t, r, "Deployment")
	c := d.Spec.Template.Spec.Containers[0]
	if slices.Contains(c.Args, "--no-web.metrics-include-targets") {
		t.Error("an unsharded exporter must serve its targets on /metrics")
	}
	for probe, path := range map[*corev1.Probe]string{c.LivenessProbe: "/-/healthy", c.ReadinessProbe: "/-/ready"} {
		if probe.HTTPGet == nil || probe.HTTPGet.Path != path || probe.HTTPGet.Scheme != corev1.URISchemeHTTPS {
			t.Errorf("probe %+v: want GET %s over HTTPS", probe.ProbeHandler, path)
		}
	}
	checkVolumes(t, r, d.Spec.Template.Spec)
}

// checkVolumes checks that every volume the container mounts is one of the
// pod's, pointing at an object the chart renders (or the values name).
func checkVolumes(t *testing.T, r rendered, pod corev1.PodSpec) {
	t.Helper()
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]string{}
	for _, m := range pod.Containers[0].VolumeMounts {
		if _, ok := volumes[m.Name]; !ok {
			t.Errorf("mount %s of no volume", m.Name)
		}
		if m.MountPath != "/tmp" && !m.ReadOnly {
			t.Errorf("mount %s is writable", m.Name)
		}
		mounts[m.Name] = m.MountPath
	}
	want := map[string]string{
		"tmp": "/tmp", "config": "/etc/ssm_automation_exporter/config",
		"web-config": "/etc/ssm_automation_exporter/web", "tls": "/etc/ssm_automation_exporter/tls",
	}
	if !reflect.DeepEqual(mounts, want) {
		t.Errorf("mounts %v, want %v", mounts, want)
	}
	// The full values' target has an external_id: a Secret holds the configuration.
	if v := volumes["config"]; v.Secret == nil || v.Secret.SecretName != exporterConfig(t, r).Name {
		t.Errorf("config volume %+v, want the Secret of the configuration %q", v.VolumeSource, exporterConfig(t, r).Name)
	}
	if v := volumes["web-config"]; v.Secret == nil || v.Secret.SecretName != webConfigSecret(t, r).Name {
		t.Errorf("web config volume %+v, want the Secret %q", v.VolumeSource, webConfigSecret(t, r).Name)
	}
	if got := volumes["tls"].Secret.SecretName; got != "ssm-automation-exporter-tls" {
		t.Errorf("TLS volume of Secret %q, want web.tlsSecretName", got)
	}
}

// checkWebConfig decodes the rendered web configuration the way the
// exporter-toolkit does (strictly) and compares it with the values.
func checkWebConfig(t *testing.T, r rendered, vals map[string]any) {
	t.Helper()
	text := webConfigSecret(t, r).Data["web-config.yml"]
	var cfg web.Config
	if err := yaml.UnmarshalStrict(text, &cfg); err != nil {
		t.Fatalf("the exporter-toolkit refuses the web config: %v\n%s", err, text)
	}
	if cfg.TLSConfig.TLSCertPath != "/etc/ssm_automation_exporter/tls/tls.crt" || len(cfg.Users) != 1 {
		t.Errorf("web config %+v: want the values' TLS files and user", cfg)
	}
	var got, want any
	if err := yaml.Unmarshal(text, &got); err != nil {
		t.Fatal(err)
	}
	b, _ := yaml.Marshal(vals["web"].(map[string]any)["config"])
	if err := yaml.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("web config %v, want the values' %v", got, want)
	}
}

// webConfigSecret returns the Secret of the web configuration.
func webConfigSecret(t *testing.T, r rendered) *corev1.Secret {
	t.Helper()
	for _, o := range r.byKind("Secret") {
		if s := o.Value.(*corev1.Secret); s.Data["web-config.yml"] != nil {
			return s
		}
	}
	t.Fatal("no Secret holds web-config.yml")
	return nil
}

// set sets a dotted path of a values map, creating maps on the way.
func set(vals map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	m := vals
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

// checkShardAddresses checks that pod i of the StatefulSet is reachable
// where Probe i scrapes it: NAME-i through the headless Service that
// governs the StatefulSet and selects its pods.
func checkShardAddresses(t *testing.T, r rendered, sts *appsv1.StatefulSet) {
	t.Helper()
	var headless *corev1.Service
	for _, o := range r.byKind("Service") {
		if svc := o.Value.(*corev1.Service); svc.Name == sts.Spec.ServiceName {
			headless = svc
		}
	}
	if headless == nil || headless.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Fatalf("no headless Service %q governs the StatefulSet", sts.Spec.ServiceName)
	}
	if !labels.SelectorFromSet(headless.Spec.Selector).Matches(labels.Set(sts.Spec.Template.Labels)) {
		t.Errorf("the headless Service selects %v, the pods are %v", headless.Spec.Selector, sts.Spec.Template.Labels)
	}
	port := headless.Spec.Ports[0].Port
	if cp := sts.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort; cp != port {
		t.Errorf("headless Service port %d, container port %d", port, cp)
	}
	for i, o := range r.byKind("Probe") {
		want := fmt.Sprintf("%s-%d.%s.%s.svc:%d", sts.Name, i, headless.Name, sts.Namespace, port)
		if got := o.Value.(*monitoringv1.Probe).Spec.ProberSpec.URL; got != want {
			t.Errorf("Probe %s scrapes %s, pod %d is at %s", o.Name, got, i, want)
		}
	}
}
