package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const (
	goodConfig = `
targets:
  - name: %s
    region: eu-west-1
    executions: [{id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab}]
`
	badConfig = "targets:\n  - name: prod\n    regoin: eu-west-1\n"
)

func writeConfig(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func good(name string) string { return strings.Replace(goodConfig, "%s", name, 1) }

func TestReloadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yml")
	reg := prometheus.NewRegistry()
	sc := NewSafeConfig(reg)
	var seen []string
	sc.Subscribe(func(c *Config) { seen = append(seen, c.Targets[0].Name) })

	writeConfig(t, path, good("first"))
	before := float64(time.Now().Unix())
	if err := sc.ReloadConfig(path, nil); err != nil {
		t.Fatalf("good config: %v", err)
	}
	first := sc.Get()
	if first.Targets[0].Name != "first" {
		t.Fatalf("Get() = %+v", first)
	}
	if got := testutil.ToFloat64(sc.reloadSuccess); got != 1 {
		t.Errorf("successful = %v after a good reload", got)
	}
	stamp := testutil.ToFloat64(sc.reloadSeconds)
	if stamp < before || stamp > float64(time.Now().Unix()+1) {
		t.Errorf("timestamp = %v, want about %v", stamp, before)
	}

	// good -> bad: the old config stays and the metric drops to 0.
	writeConfig(t, path, badConfig)
	err := sc.ReloadConfig(path, nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 3 || errs[2].Path != "targets[0].regoin" {
		t.Fatalf("bad config: err = %v", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if sc.Get() != first {
		t.Errorf("a failed reload replaced the config")
	}
	if got := testutil.ToFloat64(sc.reloadSuccess); got != 0 {
		t.Errorf("successful = %v after a bad reload", got)
	}
	if got := testutil.ToFloat64(sc.reloadSeconds); got != stamp {
		t.Errorf("a failed reload moved the timestamp from %v to %v", stamp, got)
	}

	// bad -> good: the new config is in and the metric is back to 1.
	sc.reloadSeconds.Set(0)
	writeConfig(t, path, good("second"))
	if err := sc.ReloadConfig(path, nil); err != nil {
		t.Fatalf("good config again: %v", err)
	}
	if got := sc.Get().Targets[0].Name; got != "second" {
		t.Errorf("config after reload names %q", got)
	}
	if got := testutil.ToFloat64(sc.reloadSuccess); got != 1 {
		t.Errorf("successful = %v after the config was fixed", got)
	}
	if got := testutil.ToFloat64(sc.reloadSeconds); got < before {
		t.Errorf("timestamp = %v, not set by the successful reload", got)
	}
	if got := strings.Join(seen, ","); got != "first,second" {
		t.Errorf("subscriber saw %q, want first,second", got)
	}
}

func TestReloadMetricsRegistered(t *testing.T) {
	reg := prometheus.NewRegistry()
	sc := NewSafeConfig(reg)
	if err := sc.ReloadConfig(filepath.Join(t.TempDir(), "missing.yml"), nil); err == nil {
		t.Fatal("a missing file reloaded")
	}
	want := `
# HELP ssm_automation_exporter_config_last_reload_successful Whether the last configuration reload succeeded (1) or failed (0).
# TYPE ssm_automation_exporter_config_last_reload_successful gauge
ssm_automation_exporter_config_last_reload_successful 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"ssm_automation_exporter_config_last_reload_successful"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "ssm_automation_exporter_config_last_reload_success_timestamp_seconds"); err != nil || n != 1 {
		t.Errorf("timestamp metric: %d series, %v", n, err)
	}
	if got := sc.Get(); got == nil || len(got.Targets) != 0 {
		t.Errorf("Get() before any load = %+v, want an empty config", got)
	}
}

func TestReloadConcurrentGet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yml")
	writeConfig(t, path, good("prod"))
	sc := NewSafeConfig(prometheus.NewRegistry())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if err := sc.ReloadConfig(path, nil); err != nil {
					t.Error(err)
				}
				_ = sc.Get().Targets
			}
		})
	}
	wg.Wait()
	if got := sc.Get().Targets[0].Name; got != "prod" {
		t.Errorf("name = %q", got)
	}
}
