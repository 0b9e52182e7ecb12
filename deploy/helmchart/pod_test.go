package helmchart

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func podTemplate(t *testing.T, vals map[string]any) corev1.PodTemplateSpec {
	t.Helper()
	return one[appsv1.Deployment](t, render(t, vals), "Deployment").Spec.Template
}

// TestConfigChangeRollsPods checks the checksum annotations: the same
// values give the same pod template, a change of the configuration or of
// the web configuration another one, and configReload: reload none.
func TestConfigChangeRollsPods(t *testing.T) {
	base := podTemplate(t, nil).Annotations
	if again := podTemplate(t, nil).Annotations; again["checksum/config"] != base["checksum/config"] {
		t.Fatal("the checksum changes between two renderings of the same values")
	}
	lookback := map[string]any{"config": map[string]any{"targets": []any{map[string]any{
		"name": "default", "region": "us-east-1", "discovery": []any{map[string]any{"name": "all", "lookback": "12h"}},
	}}}}
	changed := podTemplate(t, lookback).Annotations
	if changed["checksum/config"] == base["checksum/config"] {
		t.Error("a new lookback leaves checksum/config as it was: the pods would not roll")
	}
	if changed["checksum/web-config"] != base["checksum/web-config"] {
		t.Error("a change of config alone changed checksum/web-config")
	}
	web := podTemplate(t, map[string]any{"web": map[string]any{"config": map[string]any{
		"http_server_config": map[string]any{"headers": map[string]any{"X-Frame-Options": "deny"}},
	}}}).Annotations
	if web["checksum/web-config"] == base["checksum/web-config"] || web["checksum/config"] != base["checksum/config"] {
		t.Error("a change of web.config must change checksum/web-config alone")
	}
	reload := podTemplate(t, map[string]any{"configReload": "reload"})
	for k := range reload.Annotations {
		if strings.HasPrefix(k, "checksum/") {
			t.Errorf("configReload: reload keeps annotation %s: the pods would roll instead of reloading", k)
		}
	}
	for _, v := range reload.Spec.Volumes {
		if v.Name == "config" && v.ConfigMap == nil {
			t.Error("the configuration is not mounted from its ConfigMap")
		}
	}
	for _, m := range reload.Spec.Containers[0].VolumeMounts {
		if m.SubPath != "" {
			t.Errorf("mount %s uses a subPath: the kubelet would never update it", m.Name)
		}
	}
}

var benchFigures = regexp.MustCompile(`(?s)### (W[12]):.*?, (\d+) step executions tracked \|.*?\| peak RSS above idle \| idle [\d.]+ MiB, peak ([\d.]+) MiB`)

// TestMemoryFromBenchmarks checks the derived memory request against the
// peaks BENCHMARKS.md measured: for the step executions of W1 and W2 the
// request covers the measured peak, by at most a quarter more.
func TestMemoryFromBenchmarks(t *testing.T) {
	found := benchFigures.FindAllStringSubmatch(string(readRepoFile(t, "BENCHMARKS.md")), -1)
	if len(found) != 2 {
		t.Fatalf("BENCHMARKS.md: %d of the W1 and W2 peak figures found, want 2", len(found))
	}
	for _, f := range found {
		steps, _ := strconv.Atoi(f[2])
		peak, _ := strconv.ParseFloat(f[3], 64)
		c := podTemplate(t, map[string]any{"resources": map[string]any{"expectedStepExecutions": steps}}).Spec.Containers[0]
		request, limit := memory(t, c)
		got := float64(request) / float64(mib(1))
		if got < peak || got > 1.25*peak {
			t.Errorf("%s: %d step executions get %.0f MiB; measured peak %.1f MiB", f[1], steps, got, peak)
		}
		if limit != 2*request {
			t.Errorf("%s: limit %d, want twice the request %d", f[1], limit, request)
		}
		wantGo := strconv.FormatInt(int64(math.Floor(float64(limit)*0.9)), 10)
		if i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "GOMEMLIMIT" }); i < 0 || c.Env[i].Value != wantGo {
			t.Errorf("%s: env %v, want GOMEMLIMIT=%s", f[1], c.Env, wantGo)
		}
	}
}

// TestMemoryFormula checks the arithmetic of the template: whole MiB,
// rounded up; no limit and no GOMEMLIMIT with limitRatio 0; resources
// taken as they are with override; the user's own GOMEMLIMIT wins.
func TestMemoryFormula(t *testing.T) {
	for _, tc := range []struct {
		steps                int
		request, limit       int64
		limitRatio, goMemLim any
	}{
		{0, 36, 72, 2, 0.9},
		{1, 37, 74, 2, 0.9},
		{947, 37, 56, 1.5, 0.9}, // 947 × 1107 B = 0.9998 MiB
		{948, 38, 0, 0, 0.9},    // 948 × 1107 B = 1.0008 MiB
		{1000000, 36 + 1056, 1092, 1, 0},
	} {
		vals := map[string]any{"resources": map[string]any{"expectedStepExecutions": tc.steps,
			"memory": map[string]any{"baseMiB": 36, "perStepExecutionBytes": 1107, "limitRatio": tc.limitRatio, "goMemLimitRatio": tc.goMemLim}}}
		c := podTemplate(t, vals).Spec.Containers[0]
		request, limit := memory(t, c)
		if request != mib(tc.request) || limit != mib(tc.limit) {
			t.Errorf("%d steps: request %d limit %d, want %d MiB and %d MiB", tc.steps, request, limit, tc.request, tc.limit)
		}
		hasGo := slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "GOMEMLIMIT" })
		if hasGo != (tc.limit > 0 && tc.goMemLim != 0) {
			t.Errorf("%d steps, limit ratio %v, GOMEMLIMIT ratio %v: GOMEMLIMIT set %v", tc.steps, tc.limitRatio, tc.goMemLim, hasGo)
		}
	}
	override := map[string]any{"requests": map[string]any{"memory": "1Gi"}}
	c := podTemplate(t, map[string]any{"resources": map[string]any{"override": override}}).Spec.Containers[0]
	if request, limit := memory(t, c); request != mib(1024) || limit != 0 || len(c.Env) != 0 {
		t.Errorf("override: request %d, limit %d, env %v; want 1Gi alone", request, limit, c.Env)
	}
	own := []any{map[string]any{"name": "GOMEMLIMIT", "value": "50MiB"}}
	c = podTemplate(t, map[string]any{"env": own}).Spec.Containers[0]
	if len(c.Env) != 1 || c.Env[0].Value != "50MiB" {
		t.Errorf("env %v, want the values' GOMEMLIMIT alone", c.Env)
	}
}

// TestDemo runs the built-in simulator: no ConfigMap, --demo, and /tmp
// writable for the demo's configuration file.
func TestDemo(t *testing.T) {
	r := render(t, map[string]any{"demo": true})
	checkObjects(t, r, map[string]int{"Deployment": 1, "Service": 1, "ServiceAccount": 1})
	pod := one[appsv1.Deployment](t, r, "Deployment").Spec.Template.Spec
	if args := pod.Containers[0].Args; args[0] != "--demo" || slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--config.file") }) {
		t.Errorf("args %q, want --demo and no configuration file", args)
	}
	if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == "tmp" && v.EmptyDir != nil }) {
		t.Error("no writable /tmp for the demo")
	}
	checkHardened(t, pod)
}
