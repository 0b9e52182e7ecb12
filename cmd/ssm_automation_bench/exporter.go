package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// moduleRoot is the directory of the go.mod the benchmark belongs to.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the module: run from the repository")
	}
	return filepath.Dir(gomod), nil
}

// buildExporter builds the exporter command of the working tree into dir.
func buildExporter(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "ssm_automation_exporter")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ssm_automation_exporter")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// apiBudget is the exporter's api: section.
type apiBudget struct {
	rps            float64
	burst          int
	maxConcurrency int
}

// exporterConfig is the configuration of one target that discovers every
// execution of the simulator; events, when set, is the target's events
// block, indented under it.
func exporterConfig(endpoint string, api apiBudget, events string) string {
	return fmt.Sprintf(`api:
  requests_per_second: %g
  burst: %d
  max_concurrency: %d
targets:
  - name: bench
    region: %s
    endpoint: %s
    discovery:
      - name: all
        lookback: 48h
        max_executions: 5000
    limits:
      max_executions: 5000
`, api.rps, api.burst, api.maxConcurrency, simRegion, endpoint) + events
}

// exporterEnv is the environment without the caller's AWS settings.
func exporterEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ACCESS_KEY_ID=AKIDBENCH", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_REGION="+simRegion, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
	)
}

// startExporter runs bin with the configuration cfg and waits until it is
// ready.
func startExporter(ctx context.Context, bin, dir, name, cfg string) (*process, error) {
	cfgPath := filepath.Join(dir, name+".yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return startProcess(ctx, dir, name, "/-/ready", exporterEnv(), bin, "--config.file="+cfgPath)
}
