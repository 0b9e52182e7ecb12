package helmchart

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TestDefaultValues renders the default values: a Deployment of one
// hardened pod with its ConfigMap, Service and ServiceAccount, and nothing
// that needs the Prometheus Operator.
func TestDefaultValues(t *testing.T) {
	r := render(t, nil)
	checkObjects(t, r, map[string]int{"Deployment": 1, "Service": 1, "ServiceAccount": 1, "ConfigMap": 1})
	d := one[appsv1.Deployment](t, r, "Deployment")
	if *d.Spec.Replicas != 1 {
		t.Errorf("replicas %d, want 1", *d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	checkHardened(t, pod)
	c := pod.Containers[0]
	if c.Image != "ssm_automation_exporter:0.1.0" {
		t.Errorf("image %q, want the appVersion's tag", c.Image)
	}
	wantArgs := []string{
		"--config.file=/etc/ssm_automation_exporter/config/config.yml",
		"--web.listen-address=:9847", "--web.telemetry-path=/metrics", "--web.shutdown-grace=10s", "--log.level=info", "--log.format=logfmt",
	}
	if !slices.Equal(c.Args, wantArgs) {
		t.Errorf("args %q, want %q", c.Args, wantArgs)
	}
	for probe, path := range map[*corev1.Probe]string{c.LivenessProbe: "/-/healthy", c.ReadinessProbe: "/-/ready"} {
		if probe.HTTPGet == nil || probe.HTTPGet.Path != path || probe.HTTPGet.Port.String() != "http" || probe.HTTPGet.Scheme != corev1.URISchemeHTTP {
			t.Errorf("probe %+v, want GET %s over HTTP on the http port", probe.ProbeHandler, path)
		}
	}
	if d.Spec.Template.Annotations["checksum/config"] == "" {
		t.Error("no checksum/config annotation on the pod template")
	}
	if cfg := exporterConfig(t, r); cfg.Kind != "ConfigMap" {
		t.Errorf("the configuration is in a %s; without a secret in it, a ConfigMap", cfg.Kind)
	} else {
		checkExporterConfig(t, cfg.Text)
	}
	sa := one[corev1.ServiceAccount](t, r, "ServiceAccount")
	if pod.ServiceAccountName != sa.Name || len(sa.Annotations) != 0 {
		t.Errorf("pod's service account %q, rendered %q with annotations %v", pod.ServiceAccountName, sa.Name, sa.Annotations)
	}
	svc := one[corev1.Service](t, r, "Service")
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 9847 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("service ports %+v, want 9847 to the http port", svc.Spec.Ports)
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) || !labels.SelectorFromSet(d.Spec.Selector.MatchLabels).Matches(podLabels) {
		t.Errorf("the Service (%v) or the Deployment (%v) does not select the pods %v", svc.Spec.Selector, d.Spec.Selector.MatchLabels, podLabels)
	}
	if !strings.Contains(r.Notes, "rollout status deployment/ssm-ssm-automation-exporter") {
		t.Errorf("NOTES.txt does not say how to check the rollout:\n%s", r.Notes)
	}
}

// checkObjects checks the kinds rendered, their count, and that every name
// and label is one Kubernetes accepts.
func checkObjects(t *testing.T, r rendered, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, o := range r.Objects {
		got[o.Kind]++
		for _, msg := range validation.IsDNS1123Subdomain(o.Name) {
			t.Errorf("%s %q: %s", o.Kind, o.Name, msg)
		}
	}
	for kind, n := range want {
		if got[kind] != n {
			t.Errorf("%d objects of kind %s, want %d", got[kind], kind, n)
		}
	}
	for kind, n := range got {
		if _, ok := want[kind]; !ok {
			t.Errorf("%d unexpected objects of kind %s", n, kind)
		}
	}
}

// checkHardened checks what the restricted Pod Security Standard asks, and
// the read-only root filesystem.
func checkHardened(t *testing.T, pod corev1.PodSpec) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v: want non-root and seccomp RuntimeDefault", psc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a Kubernetes API token it never uses")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	sc := pod.Containers[0].SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("container security context %+v: want a read-only root, no privilege escalation, every capability dropped", sc)
	}
}

// memory returns the container's memory request and limit in bytes.
func memory(t *testing.T, c corev1.Container) (request, limit int64) {
	t.Helper()
	req, ok := c.Resources.Requests[corev1.ResourceMemory]
	if !ok {
		t.Fatal("no memory request")
	}
	lim := c.Resources.Limits[corev1.ResourceMemory]
	return req.Value(), lim.Value()
}

// mib is n MiB in bytes.
func mib(n int64) int64 { q := resource.MustParse("1Mi"); return q.Value() * n }
