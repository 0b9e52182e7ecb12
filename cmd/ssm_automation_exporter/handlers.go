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

// handlers serve the exporter's endpoints.
type handlers struct {
	o       *options
	base    *prometheus.Registry
	exp     *collector.Exporter
	reloads chan chan error
	logger  *slog.Logger
	// stopping ends when the shutdown begins; cutoff ends at its grace,
	// and with it every scrape in flight.
	stopping, cutoff context.Context
}

// routes are the endpoints; the scrapes and the health checks answer GET
// and HEAD only, the reload POST only.
func (h *handlers) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(h.o.telemetryPath, getOrHead(h.metrics()))
	mux.Handle("/probe", getOrHead(h.probe()))
	mux.Handle("/-/healthy", getOrHead(text("Healthy.")))
	mux.Handle("/-/ready", getOrHead(text("Ready.")))
	mux.HandleFunc("/-/reload", h.reload)
	if h.o.telemetryPath != "/" {
		landing, err := web.NewLandingPage(web.LandingConfig{
			Name:        "SSM Automation Exporter",
			Description: "Prometheus exporter for AWS Systems Manager Automation step executions",
			Version:     version.Info(),
			Links: []web.LandingLinks{
				{Address: h.o.telemetryPath, Text: "Metrics"},
				{Address: "/probe?target=" + firstOr(h.exp.Targets(), ""), Text: "Probe one target"},
			},
		})
		if err != nil {
			h.logger.Error("landing page", "err", err)
		} else {
			mux.Handle("/", landing)
		}
	}
	return mux
}

// getOrHead answers 405 to methods other than GET and HEAD: a scrape
// costs API calls, and only a GET may ask for one.
func getOrHead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "This endpoint answers GET and HEAD requests only.", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func text(line string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, line) })
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// scrapeContext bounds a scrape by scrapeTimeout and ends it at the
// shutdown grace, when it answers with what is known.
func (h *handlers) scrapeContext(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout(r, h.o))
	stop := context.AfterFunc(h.cutoff, cancel)
	return ctx, func() { stop(); cancel() }
}

// scrapeOf is the scrape of the named targets (every target when names is
// nil) that a request asks for. A HEAD request asks for none: it gets the
// headers a GET would get, and no refresh.
func (h *handlers) scrapeOf(ctx context.Context, r *http.Request, names []string) *collector.Scrape {
	if r.Method == http.MethodHead {
		names = []string{}
	}
	return h.exp.Scrape(ctx, names)
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

// metrics serves the base registry and, unless left out, a scrape of
// every target.
func (h *handlers) metrics() http.Handler {
	baseOnly := promhttp.HandlerFor(h.base, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(h.logger.Handler(), slog.LevelError),
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.o.includeTargets {
			baseOnly.ServeHTTP(w, r)
			return
		}
		ctx, cancel := h.scrapeContext(r)
		defer cancel()
		collector.Serve(w, r, h.scrapeOf(ctx, r, nil), h.base, h.logger)
	})
}

func (h *handlers) probe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.URL.Query().Get("target")
		if !h.exp.HasTarget(target) {
			names := h.exp.Targets()
			sort.Strings(names)
			msg := "missing target parameter"
			if target != "" {
				msg = fmt.Sprintf("unknown target %q", target)
			}
			http.Error(w, fmt.Sprintf("%s; valid targets: %s", msg, strings.Join(names, ", ")), http.StatusBadRequest)
			return
		}
		ctx, cancel := h.scrapeContext(r)
		defer cancel()
		collector.Serve(w, r, h.scrapeOf(ctx, r, []string{target}), nil, h.logger)
	})
}

// reload asks the reload loop to reload the configuration; during the
// shutdown it answers 503.
func (h *handlers) reload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "This endpoint requires a POST request.", http.StatusMethodNotAllowed)
		return
	}
	reply := make(chan error, 1)
	select {
	case h.reloads <- reply:
	case <-h.stopping.Done():
		http.Error(w, "The exporter is shutting down.", http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	if err := <-reply; err != nil {
		http.Error(w, fmt.Sprintf("failed to reload config: %s", err), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "Configuration reloaded.")
}
