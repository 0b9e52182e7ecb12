package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/collector"
)

func routes(o *options, base *prometheus.Registry, exp *collector.Exporter, reloads chan chan error, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(o.telemetryPath, metricsHandler(o, base, exp, logger))
	mux.Handle("/probe", probeHandler(o, exp, logger))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy.") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Ready.") })
	mux.HandleFunc("/-/reload", reloadHandler(reloads))
	if o.telemetryPath != "/" {
		landing, err := web.NewLandingPage(web.LandingConfig{
			Name:        "SSM Automation Exporter",
			Description: "Prometheus exporter for AWS Systems Manager Automation step executions",
			Version:     version.Info(),
			Links: []web.LandingLinks{
				{Address: o.telemetryPath, Text: "Metrics"},
				{Address: "/probe?target=" + firstOr(exp.Targets(), ""), Text: "Probe one target"},
			},
		})
		if err != nil {
			logger.Error("landing page", "err", err)
		} else {
			mux.Handle("/", landing)
		}
	}
	return mux
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// scrapeContext bounds a scrape by scrapeTimeout.
func scrapeContext(r *http.Request, o *options) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), scrapeTimeout(r, o))
}

// maxScrapeTimeout bounds what a request's header may ask for: a refresh
// serves every scrape that arrives while it runs.
const maxScrapeTimeout = 5 * time.Minute

// scrapeTimeout is Prometheus's X-Prometheus-Scrape-Timeout-Seconds minus
// the offset, or the default timeout without the header; at least 100ms,
// at most maxScrapeTimeout.
func scrapeTimeout(r *http.Request, o *options) time.Duration {
	timeout := o.defaultTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			timeout = time.Duration(s*float64(time.Second)) - o.timeoutOffset
		}
	}
	return min(max(timeout, 100*time.Millisecond), maxScrapeTimeout)
}

// metricsHandler serves the base registry and, unless left out, a scrape
// of every target.
func metricsHandler(o *options, base *prometheus.Registry, exp *collector.Exporter, logger *slog.Logger) http.Handler {
	baseOnly := promhttp.HandlerFor(base, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelError),
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.includeTargets {
			baseOnly.ServeHTTP(w, r)
			return
		}
		ctx, cancel := scrapeContext(r, o)
		defer cancel()
		collector.Serve(w, r, exp.Scrape(ctx, nil), base, logger)
	})
}

func probeHandler(o *options, exp *collector.Exporter, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.URL.Query().Get("target")
		if !exp.HasTarget(target) {
			names := exp.Targets()
			sort.Strings(names)
			msg := "missing target parameter"
			if target != "" {
				msg = fmt.Sprintf("unknown target %q", target)
			}
			http.Error(w, fmt.Sprintf("%s; valid targets: %s", msg, strings.Join(names, ", ")), http.StatusBadRequest)
			return
		}
		ctx, cancel := scrapeContext(r, o)
		defer cancel()
		collector.Serve(w, r, exp.Scrape(ctx, []string{target}), nil, logger)
	})
}

func reloadHandler(reloads chan chan error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "This endpoint requires a POST request.", http.StatusMethodNotAllowed)
			return
		}
		reply := make(chan error, 1)
		select {
		case reloads <- reply:
		case <-r.Context().Done():
			return
		}
		if err := <-reply; err != nil {
			http.Error(w, fmt.Sprintf("failed to reload config: %s", err), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Configuration reloaded.")
	}
}
