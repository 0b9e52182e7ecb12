package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
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
// execution of the simulator.
func exporterConfig(endpoint string, api apiBudget) string {
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
`, api.rps, api.burst, api.maxConcurrency, simRegion, endpoint)
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

// exporterProc is a running exporter process.
type exporterProc struct {
	cmd     *exec.Cmd
	url     string
	logPath string
	exited  chan struct{}
}

// startExporter runs bin with a configuration for endpoint and waits until
// it is ready.
func startExporter(ctx context.Context, bin, dir, name, endpoint string, api apiBudget) (*exporterProc, error) {
	cfgPath := filepath.Join(dir, name+".yml")
	if err := os.WriteFile(cfgPath, []byte(exporterConfig(endpoint, api)), 0o644); err != nil {
		return nil, err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--web.listen-address="+addr)
	cmd.Env, cmd.Stdout, cmd.Stderr = exporterEnv(), logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &exporterProc{cmd: cmd, url: "http://" + addr, logPath: logPath, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	if err := p.waitReady(ctx); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// freeLoopbackAddr finds a free port; another process could take it before
// the exporter does, which only makes the start fail.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (p *exporterProc) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("exporter exited at start: %s", p.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("exporter not ready after 30s: %s", p.logTail())
}

func (p *exporterProc) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM and kills the process if it is still there 10s later.
func (p *exporterProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// logTail is the end of the exporter's log, for error messages.
func (p *exporterProc) logTail() string {
	data, _ := os.ReadFile(p.logPath)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return strings.TrimSpace(string(data))
}
