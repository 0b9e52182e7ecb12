package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

// options are the parsed command-line flags.
type options struct {
	configFile     string
	configCheck    bool
	telemetryPath  string
	timeoutOffset  time.Duration
	defaultTimeout time.Duration
	shutdownGrace  time.Duration
	idleTimeout    time.Duration // not a flag: tests shorten it
	includeTargets bool
	demo           bool
	demoListen     string
	gcPercentText  string // --runtime.gc-percent as typed
	gcPercent      int    // parsed by validate when set
	gcPercentSet   bool   // given on the command line
	webFlags       *web.FlagConfig
	promslog       *promslog.Config
}

// idleTimeout closes a keep-alive connection that carries no request for
// this long: longer than the usual scrape intervals (up to a minute), so
// Prometheus keeps reusing its connection.
const idleTimeout = 2 * time.Minute

func parseFlags(args []string, out io.Writer) (*options, error) {
	app := kingpin.New(name, "Prometheus exporter for AWS Systems Manager Automation step executions.")
	app.UsageWriter(out)
	app.ErrorWriter(out)
	o := &options{promslog: &promslog.Config{}, idleTimeout: idleTimeout}
	app.Flag("config.file", "Configuration file.").Default("example.yml").StringVar(&o.configFile)
	app.Flag("config.check", "Validate the configuration file, print each problem and exit (0 valid, 1 not).").BoolVar(&o.configCheck)
	app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&o.telemetryPath)
	app.Flag("web.metrics-include-targets", "Refresh and serve every target on the telemetry path; turn off when Prometheus shards targets through /probe.").
		Default("true").BoolVar(&o.includeTargets)
	app.Flag("web.shutdown-grace", "On SIGTERM, how long scrapes in flight may go on refreshing before they are answered with what is known.").
		Default("10s").DurationVar(&o.shutdownGrace)
	app.Flag("scrape.timeout-offset", "Subtracted from the X-Prometheus-Scrape-Timeout-Seconds header to leave time for encoding; at least 0 and less than --scrape.default-timeout.").
		Default("500ms").DurationVar(&o.timeoutOffset)
	app.Flag("scrape.default-timeout", "Deadline for a scrape that sends no X-Prometheus-Scrape-Timeout-Seconds header; above 0 and at most 5m.").
		Default("10s").DurationVar(&o.defaultTimeout)
	app.Flag("demo", "Serve a built-in simulator of SSM in live mode on a loopback port and watch it; no AWS account needed.").BoolVar(&o.demo)
	app.Flag("demo.simulator-address", "Listen address of the demo's simulator.").Default("127.0.0.1:0").StringVar(&o.demoListen)
	app.Flag("runtime.gc-percent", "Garbage collector target percent set at start-up (GOGC); without the flag, GOGC from the environment if set, else 50.").
		IsSetByUser(&o.gcPercentSet).Default(strconv.Itoa(defaultGCPercent)).StringVar(&o.gcPercentText)
	o.webFlags = kingpinflag.AddFlags(app, ":9847")
	promslogflag.AddFlags(app, o.promslog)
	app.Version(version.Print(name))
	app.HelpFlag.Short('h')
	if _, err := app.Parse(args); err != nil {
		return nil, err
	}
	return o, nil
}

// builtinPaths are the endpoints the telemetry path must not take.
var builtinPaths = []string{"/probe", "/-/healthy", "/-/ready", "/-/reload"}

// validate checks the values kingpin cannot: each error names its flag.
func (o *options) validate() error {
	if err := checkTelemetryPath(o.telemetryPath); err != nil {
		return fmt.Errorf("--web.telemetry-path %q: %w", o.telemetryPath, err)
	}
	if o.defaultTimeout <= 0 || o.defaultTimeout > maxScrapeTimeout {
		return fmt.Errorf("--scrape.default-timeout %s: must be above 0 and at most %s", o.defaultTimeout, maxScrapeTimeout)
	}
	if o.timeoutOffset < 0 || o.timeoutOffset >= o.defaultTimeout {
		return fmt.Errorf("--scrape.timeout-offset %s: must be at least 0 and less than --scrape.default-timeout (%s)", o.timeoutOffset, o.defaultTimeout)
	}
	if o.gcPercentSet {
		percent, err := parseGCPercent(o.gcPercentText)
		if err != nil {
			return err
		}
		o.gcPercent = percent
	}
	if o.shutdownGrace < 0 {
		return fmt.Errorf("--web.shutdown-grace %s: must be at least 0", o.shutdownGrace)
	}
	return nil
}

// checkTelemetryPath accepts a clean absolute URL path that needs no
// escaping and that the router can take beside the built-in endpoints.
func checkTelemetryPath(p string) (err error) {
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("must start with /")
	case (&url.URL{Path: p}).EscapedPath() != p:
		return fmt.Errorf("must be a URL path without characters that need escaping")
	case clean != p:
		return fmt.Errorf("must be a clean path (no //, . or .. elements)")
	}
	for _, b := range builtinPaths {
		if p == b {
			return fmt.Errorf("taken by the built-in endpoint %s", b)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not a valid route: %v", r)
		}
	}()
	http.NewServeMux().Handle(p, http.NotFoundHandler())
	return nil
}
