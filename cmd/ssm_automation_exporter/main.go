// Command ssm_automation_exporter exports AWS Systems Manager Automation
// step executions as Prometheus metrics.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/collector"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

const name = "ssm_automation_exporter"

func main() {
	versionFromBuildInfo()
	os.Exit(run(os.Args[1:], os.Stdout))
}

func run(args []string, out io.Writer) int {
	o, err := parseFlags(args, out)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	o.promslog.Writer = os.Stderr
	logger := promslog.New(o.promslog)
	if err := o.validate(); err != nil {
		logger.Error("invalid flag", "err", err)
		return 1
	}
	if o.configCheck {
		return checkConfig(o.configFile, out)
	}
	logger.Info("starting "+name, "version", version.Info(), "build_context", version.BuildContext())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, o, logger); err != nil {
		logger.Error("exporter stopped", "err", err)
		return 1
	}
	return 0
}

// checkConfig prints each problem of the configuration file.
func checkConfig(path string, out io.Writer) int {
	_, err := config.Load(path)
	if err == nil {
		fmt.Fprintf(out, "%s: configuration is valid\n", path)
		return 0
	}
	var problems config.Errors
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintf(out, "%s: %s\n", path, p)
		}
	} else {
		fmt.Fprintf(out, "%s: %v\n", path, err)
	}
	return 1
}

// serve runs the exporter until ctx ends.
func serve(ctx context.Context, o *options, logger *slog.Logger) error {
	if o.demo {
		path, stopDemo, err := startDemo(ctx, o.demoListen, logger)
		if err != nil {
			return err
		}
		defer stopDemo()
		o.configFile = path
	}
	base := newBaseRegistry()
	safe := config.NewSafeConfig(base)
	if err := safe.ReloadConfig(o.configFile, logger); err != nil {
		return err
	}
	apiMetrics := collector.NewAPIMetrics(base)
	clients, err := collector.NewClients(ctx, apiMetrics, logger)
	if err != nil {
		return err
	}
	exp := collector.NewExporter(clients, apiMetrics, logger)
	exp.Apply(safe.Get())
	safe.Subscribe(func(c *config.Config) {
		exp.Apply(c)
		clients.Prune(c.ExpandedTargets(), c.API)
	})

	reloads := make(chan chan error)
	go reloadLoop(ctx, safe, o.configFile, reloads, logger)

	srv := &http.Server{
		Handler:           routes(o, base, exp, reloads, logger),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, o.webFlags, logger) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// newBaseRegistry holds the exporter's own metrics: build info, Go and
// process metrics; the configuration and API metrics register into it.
func newBaseRegistry() *prometheus.Registry {
	base := prometheus.NewRegistry()
	base.MustRegister(
		versioncollector.NewCollector(name),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return base
}

// reloadLoop serialises reloads from SIGHUP and POST /-/reload.
func reloadLoop(ctx context.Context, safe *config.SafeConfig, path string, reqs chan chan error, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := safe.ReloadConfig(path, logger); err != nil {
				logger.Error("reloading configuration failed; keeping the running one", "err", err)
			} else {
				logger.Info("configuration reloaded")
			}
		case reply := <-reqs:
			err := safe.ReloadConfig(path, logger)
			if err != nil {
				logger.Error("reloading configuration failed; keeping the running one", "err", err)
			} else {
				logger.Info("configuration reloaded")
			}
			reply <- err
		}
	}
}
