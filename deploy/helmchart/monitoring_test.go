package helmchart

import (
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// checkServiceMonitor checks the ServiceMonitor of the full values: it
// selects the chart's Service in the release's namespace, on its port, with
// the values' interval, timeout and authentication.
func checkServiceMonitor(t *testing.T, r rendered) {
	t.Helper()
	sm := one[monitoringv1.ServiceMonitor](t, r, "ServiceMonitor")
	sel, err := metav1LabelSelector(sm)
	if err != nil {
		t.Fatal(err)
	}
	svc := r.byKind("Service")[0].Value.(*corev1.Service)
	if !sel.Matches(labels.Set(svc.Labels)) || sm.Spec.NamespaceSelector.MatchNames[0] != svc.Namespace {
		t.Errorf("ServiceMonitor selector %v does not select Service %s %v", sel, svc.Name, svc.Labels)
	}
	if sm.Labels["release"] != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitor labels %v, want the values' labels", sm.Labels)
	}
	if len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("%d endpoints, want 1", len(sm.Spec.Endpoints))
	}
	ep := sm.Spec.Endpoints[0]
	if ep.Port != svc.Spec.Ports[0].Name || ep.Path != "/metrics" || ep.Interval != "30s" || ep.ScrapeTimeout != "25s" {
		t.Errorf("endpoint %s%s every %s within %s, want the Service's port, /metrics, 30s, 25s", ep.Port, ep.Path, ep.Interval, ep.ScrapeTimeout)
	}
	if ep.Scheme == nil || *ep.Scheme != "https" || ep.TLSConfig == nil || ep.BasicAuth == nil ||
		ep.BasicAuth.Username.Name != "ssm-automation-exporter-scrape" {
		t.Errorf("endpoint scheme %v, TLS %+v, basic auth %+v: want HTTPS with the values' TLS and basic auth", ep.Scheme, ep.TLSConfig, ep.BasicAuth)
	}
}

// TestTelemetryPath checks that the ServiceMonitor scrapes the path the
// exporter serves its metrics on (telemetryPath), with and without
// sharding, and that the Probes keep /probe.
func TestTelemetryPath(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		sharded    bool
	}{
		{"default", "", false},
		{"own path", "/ssm/metrics", false},
		{"own path, sharded", "/m", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals := map[string]any{"serviceMonitor": map[string]any{"enabled": true}}
			want := "/metrics"
			if tc.path != "" {
				vals["telemetryPath"] = tc.path
				want = tc.path
			}
			kind := "Deployment"
			if tc.sharded {
				vals["sharding"] = map[string]any{"enabled": true}
				kind = "StatefulSet"
			}
			r := render(t, vals)
			var pod corev1.PodSpec
			switch w := r.byKind(kind)[0].Value.(type) {
			case *appsv1.Deployment:
				pod = w.Spec.Template.Spec
			case *appsv1.StatefulSet:
				pod = w.Spec.Template.Spec
			}
			if args := pod.Containers[0].Args; !slices.Contains(args, "--web.telemetry-path="+want) {
				t.Errorf("args %q, want --web.telemetry-path=%s", args, want)
			}
			sm := one[monitoringv1.ServiceMonitor](t, r, "ServiceMonitor")
			if got := sm.Spec.Endpoints[0].Path; got != want {
				t.Errorf("ServiceMonitor scrapes %s, the exporter serves %s", got, want)
			}
			for _, o := range r.byKind("Probe") {
				if got := o.Value.(*monitoringv1.Probe).Spec.ProberSpec.Path; got != "/probe" {
					t.Errorf("Probe %s scrapes %s, want /probe", o.Name, got)
				}
			}
			if tc.sharded && len(r.byKind("Probe")) == 0 {
				t.Error("no Probe rendered with sharding")
			}
			if !strings.Contains(r.Notes, ":9847"+want+" ") {
				t.Errorf("NOTES.txt does not curl %s:\n%s", want, r.Notes)
			}
		})
	}
}

func metav1LabelSelector(sm *monitoringv1.ServiceMonitor) (labels.Selector, error) {
	return metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
}
