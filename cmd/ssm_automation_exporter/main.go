// Command ssm_automation_exporter exports AWS Systems Manager Automation
// step executions as Prometheus metrics.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/collector"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/events"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

const name = "ssm_automation_exporter"

func main() {
	versionFromBuildInfo()
	os.Exit(run(os.Args[1:], os.Stdout))
}

// run runs the exporter and returns its exit status.
func run(args []string, out io.Writer) int {
	// Signals first: a SIGHUP or SIGTERM during start-up, while a large
	// configuration loads, must not end the process.
	sigs, stop := catchSignals()
	defer stop()
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
	applyGCPercent(o, os.LookupEnv, logger)
	logger.Info("starting "+name, "version", version.Info(), "build_context", version.BuildContext())
	if err := serve(sigs, o, logger); err != nil {
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

// serve runs the exporter until sigs.stopping ends.
func serve(sigs *signals, o *options, logger *slog.Logger) error {
	ctx := sigs.stopping
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
	if ctx.Err() != nil {
		logger.Info("stopped while starting")
		return nil
	}
	apiMetrics := ssmapi.NewAPIMetrics(base)
	clients, err := ssmapi.NewClients(ctx, apiMetrics, logger)
	if err != nil {
		return err
	}
	exp := newExporter(base, clients, apiMetrics, logger)
	defer exp.Close() // after the server's shutdown: ends the refreshes still running and the events loops
	exp.Apply(safe.Get())
	safe.Subscribe(func(c *config.Config) {
		exp.Apply(c)
		clients.Prune(c.ExpandedTargets(), c.API)
	})

	reloads := make(chan chan error)
	go reloadLoop(ctx, safe, o.configFile, sigs.hup, reloads, logger)
	cutoff, endScrapes := context.WithCancel(context.Background())
	defer endScrapes()
	h := &handlers{o: o, base: base, exp: exp, reloads: reloads, stopping: ctx, cutoff: cutoff, logger: logger}
	return listen(ctx, newHTTPServer(o, h.routes(), logger), o, endScrapes, logger)
}

// newExporter builds the exporter and its events consumer, whose series
// go into base.
func newExporter(base *prometheus.Registry, clients *ssmapi.Clients, m *ssmapi.APIMetrics, logger *slog.Logger) *collector.Exporter {
	exp := collector.NewExporter(clients, m, logger)
	exp.UseEvents(events.NewConsumer(clients, events.NewMetrics(base), logger))
	return exp
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
