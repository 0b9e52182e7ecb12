package collector

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// hashmod is Prometheus's hashmod relabel action.
func hashmod(value string, mod uint64) uint64 {
	sum := md5.Sum([]byte(value))
	return binary.BigEndian.Uint64(sum[8:]) % mod
}

// samples returns the sample lines of a scrape of names (nil: every
// target), without the series that measure the scrape itself.
func samples(t *testing.T, h *harness, exp *Exporter, names []string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	reg := scraped(t, exp.Scrape(ctx, names))
	var out []string
	for _, line := range strings.Split(gatheredText(t, reg), "\n") {
		if line == "" || strings.HasPrefix(line, "#") ||
			strings.HasPrefix(line, "ssm_automation_scrape_duration_seconds") || strings.HasPrefix(line, "ssm_automation_scrape_timeout_seconds") {
			continue
		}
		out = append(out, line)
	}
	return out
}

func TestHashmodShardsTogetherExportWhatOneInstanceExports(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	var names []string
	cfg := "targets:\n"
	for i, region := range []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"} {
		ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: int64(i + 1), Executions: 4, StepsPerExecution: 5, Region: region, Now: fixedNow})
		name := "t-" + region
		names = append(names, name)
		cfg += "  - name: " + name + "\n    region: " + region + "\n    endpoint: %[1]s\n    discovery: [{name: all}]\n"
	}
	h.apply(t, cfg)
	whole := samples(t, h, h.exp, nil)

	const replicas = 2
	var union []string
	counts := make([]int, replicas)
	for r := range uint64(replicas) {
		clients, err := ssmapi.NewClients(context.Background(), h.apiM, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		replica := NewExporter(clients, h.apiM, slog.New(slog.DiscardHandler))
		replica.now = h.exp.now
		replica.Apply(h.cfg)
		for _, n := range names {
			if hashmod(n, replicas) == r {
				counts[r]++
				union = append(union, samples(t, h, replica, []string{n})...)
			}
		}
	}
	if slices.Contains(counts, 0) {
		t.Fatalf("the split should give each replica targets: %v", counts)
	}
	slices.Sort(whole)
	slices.Sort(union)
	if !slices.Equal(whole, union) {
		t.Fatalf("the replicas together export %d samples, one instance %d", len(union), len(whole))
	}
	if len(whole) < 100 {
		t.Fatalf("too few samples to mean anything: %d", len(whole))
	}
}
