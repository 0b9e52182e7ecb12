package helmchart

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"
)

// relabel is one relabelling rule in Prometheus's own form, defaults filled
// in, so that the README's rules and the Operator's compare field by field.
type relabel struct {
	SourceLabels []string `json:"source_labels"`
	Separator    string   `json:"separator"`
	TargetLabel  string   `json:"target_label"`
	Regex        string   `json:"regex"`
	Modulus      int64    `json:"modulus"`
	Replacement  string   `json:"replacement"`
	Action       string   `json:"action"`
}

func (r relabel) normal() relabel {
	if r.Separator == "" {
		r.Separator = ";"
	}
	if r.Regex == "" {
		r.Regex = "(.*)"
	}
	if r.Replacement == "" {
		r.Replacement = "$1"
	}
	if r.Action == "" {
		r.Action = "replace"
	}
	return r
}

// readmeShardJob returns the relabelling of the README's shard-0 job in
// "Sharding with /probe" and its metrics path.
func readmeShardJob(t *testing.T) (rules []relabel, path string) {
	t.Helper()
	readme := string(readRepoFile(t, "README.md"))
	_, section, ok := strings.Cut(readme, "\n## Sharding with /probe\n")
	_, block, ok2 := strings.Cut(section, "```yaml\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md: no yaml block under \"Sharding with /probe\"")
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName        string    `json:"job_name"`
			MetricsPath    string    `json:"metrics_path"`
			RelabelConfigs []relabel `json:"relabel_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(block), &cfg); err != nil {
		t.Fatalf("README.md sharding recipe: %v", err)
	}
	for _, job := range cfg.ScrapeConfigs {
		if job.JobName == "ssm_automation_shard_0" {
			for _, r := range job.RelabelConfigs {
				rules = append(rules, r.normal())
			}
			return rules, job.MetricsPath
		}
	}
	t.Fatal("README.md sharding recipe: no job ssm_automation_shard_0")
	return nil, ""
}

// operatorRelabeling is the relabelling the Prometheus Operator generates
// for a Probe with static targets (generateProbeConfig in
// pkg/prometheus/promcfg.go): the job from jobName, then __param_target,
// instance and the prober's address, then the Probe's own rules.
func operatorRelabeling(p *monitoringv1.Probe) []relabel {
	out := []relabel{
		{TargetLabel: "job", Replacement: p.Spec.JobName},
		{SourceLabels: []string{"__address__"}, TargetLabel: "__param_target"},
		{SourceLabels: []string{"__param_target"}, TargetLabel: "instance"},
		{TargetLabel: "__address__", Replacement: p.Spec.ProberSpec.URL},
	}
	for _, r := range p.Spec.Targets.StaticConfig.RelabelConfigs {
		rl := relabel{TargetLabel: r.TargetLabel, Modulus: r.Modulus, Action: strings.ToLower(r.Action)}
		for _, l := range r.SourceLabels {
			rl.SourceLabels = append(rl.SourceLabels, string(l))
		}
		if r.Regex != "" {
			rl.Regex = r.Regex
		}
		if r.Replacement != nil {
			rl.Replacement = *r.Replacement
		}
		out = append(out, rl.normal())
	}
	for i := range out[:4] {
		out[i] = out[i].normal()
	}
	return out
}

// TestShardingMatchesREADME checks that the Probe of each shard relabels as
// the README's recipe: the same rules, with the modulus, the shard's regex
// and the shard's pod filled in, and in the same order wherever order
// matters (the rules that read what an earlier rule wrote).
func TestShardingMatchesREADME(t *testing.T) {
	readme, path := readmeShardJob(t)
	vals := valuesFile(t, "full-values.yaml")
	r := render(t, vals)
	probes := r.byKind("Probe")
	if len(probes) != 3 {
		t.Fatalf("%d Probes, want one per shard (3)", len(probes))
	}
	for i, o := range probes {
		p := o.Value.(*monitoringv1.Probe)
		if p.Spec.ProberSpec.Path != path {
			t.Errorf("Probe %s: path %q, the README's %q", p.Name, p.Spec.ProberSpec.Path, path)
		}
		want := make([]relabel, len(readme))
		for j, rl := range readme {
			switch {
			case rl.Action == "hashmod":
				rl.Modulus = 3
			case rl.Action == "keep":
				rl.Regex = fmt.Sprint(i)
			case rl.TargetLabel == "__address__":
				rl.Replacement = fmt.Sprintf("ssm-automation-%d.ssm-automation-headless.monitoring.svc:9847", i)
			}
			want[j] = rl
		}
		got := operatorRelabeling(p)
		if !sameRules(got, want) {
			t.Errorf("Probe %s relabels as\n%+v\nthe README's recipe as\n%+v", p.Name, got, want)
		}
		if !reflect.DeepEqual(orderedPart(got), orderedPart(want)) {
			t.Errorf("Probe %s: the target, shard and keep rules come in another order than the README's", p.Name)
		}
	}
}

// sameRules compares two lists of rules as sets.
func sameRules(a, b []relabel) bool {
	key := func(r relabel) string { return fmt.Sprintf("%+v", r) }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// orderedPart keeps the rules that write __param_target or read a label a
// rule writes: their order decides the shard.
func orderedPart(rules []relabel) []relabel {
	var out []relabel
	for _, r := range rules {
		if r.TargetLabel == "__param_target" || r.TargetLabel == "__tmp_shard" || slices.Contains(r.SourceLabels, "__tmp_shard") {
			out = append(out, r)
		}
	}
	return out
}

// TestShardTargetsAreTheExportersNames checks that the Probes list the
// targets under the names the exporter gives them, from its own expansion
// of the rendered configuration.
func TestShardTargetsAreTheExportersNames(t *testing.T) {
	r := render(t, valuesFile(t, "full-values.yaml"))
	cfg := checkExporterConfig(t, exporterConfig(t, r).Text)
	var want []string
	for _, e := range cfg.ExpandedTargets() {
		want = append(want, e.Name)
	}
	if len(want) != 6 {
		t.Fatalf("the test configuration expands to %d targets, want 6", len(want))
	}
	for _, o := range r.byKind("Probe") {
		got := o.Value.(*monitoringv1.Probe).Spec.Targets.StaticConfig.Targets
		if !slices.Equal(got, want) {
			t.Errorf("Probe %s targets %q, the exporter's %q", o.Name, got, want)
		}
	}
}
