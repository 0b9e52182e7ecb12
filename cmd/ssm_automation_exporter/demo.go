package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// demoConfig watches every execution the simulator started in the last
// day, following the events the simulator sends to its queue.
const demoConfig = `# Built-in configuration of --demo: the simulator on a loopback port.
api:
  requests_per_second: 100
  burst: 100
targets:
  - name: demo
    region: us-east-1
    endpoint: %s
    discovery:
      - name: all
        lookback: 24h
        include_children: true
    events:
      queue_url: %s
`

// demoQueue receives the events of the demo's executions.
var demoQueue = ssmsim.Queue{Account: "123456789012", Region: "us-east-1", Name: "automation"}

// startDemo serves the simulator in live mode on a loopback address and
// writes a configuration that watches it. The demo signs with dummy
// credentials, so no AWS account or credential is used.
func startDemo(ctx context.Context, listen string, logger *slog.Logger) (string, func(), error) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDDEMO", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		if err := os.Setenv(k, v); err != nil {
			return "", nil, err
		}
	}
	store := ssmsim.NewStore()
	ssmsim.Generate(store, ssmsim.GenOptions{Seed: time.Now().UnixNano(), Executions: 40, StepsPerExecution: 12, Now: time.Now()})
	sim := ssmsim.New(store, ssmsim.Options{})
	sim.CreateQueue(demoQueue)
	sim.Subscribe(demoQueue.Account, demoQueue.Region, demoQueue)
	lctx, cancel := context.WithCancel(ctx)
	ssmsim.StartLive(lctx, store, ssmsim.LiveOptions{Seed: 1, Events: sim})
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		cancel()
		return "", nil, fmt.Errorf("demo simulator: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	srv.RegisterOnShutdown(sim.StopLongPolls)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("demo simulator stopped", "err", err)
		}
	}()
	endpoint := "http://" + ln.Addr().String()
	dir, err := os.MkdirTemp("", "ssm_automation_exporter_demo")
	if err != nil {
		cancel()
		_ = srv.Close()
		return "", nil, err
	}
	path := filepath.Join(dir, "demo.yml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(demoConfig, endpoint, ssmsim.QueueURL(endpoint, demoQueue))), 0o600); err != nil {
		cancel()
		_ = srv.Close()
		return "", nil, err
	}
	logger.Info("demo: simulator serving in live mode", "endpoint", endpoint, "config", path)
	return path, func() {
		cancel()
		_ = srv.Close()
		_ = os.RemoveAll(dir)
	}, nil
}
