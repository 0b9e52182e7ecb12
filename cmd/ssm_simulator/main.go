// Command ssm_simulator serves a simulated AWS Systems Manager Automation
// API, and the STS calls SDKs make, filled with generated or scripted
// executions; point the aws CLI, any SDK or the exporter at it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const name = "ssm_simulator"

// defaultAccessKey is printed when no --access-key is given: any key id
// signs in to --account.
const defaultAccessKey = "AKIDSIMULATOR"

func main() { os.Exit(run(os.Args[1:], os.Stdout)) }

// options are the parsed command-line flags.
type options struct {
	listen      string
	mode        string
	seed        int64
	executions  int
	steps       int
	scenario    string
	account     string
	region      string
	accessKeys  map[string]string
	rps         float64
	burst       int
	errorRates  map[string]string
	latency     time.Duration
	jitter      time.Duration
	malformed   float64
	repeatToken float64
	events      eventOptions
	promslog    *promslog.Config
}

func parseFlags(args []string, out io.Writer) (*options, error) {
	app := kingpin.New(name, "Simulator of the AWS Systems Manager Automation API for the exporter's development and tests.")
	app.UsageWriter(out)
	app.ErrorWriter(out)
	o := &options{promslog: &promslog.Config{}, accessKeys: map[string]string{}, errorRates: map[string]string{}}
	app.Flag("web.listen-address", "Address to serve the simulated API on (port 0 picks a free one).").Default("127.0.0.1:4580").StringVar(&o.listen)
	app.Flag("mode", "frozen keeps the data as loaded; live makes running executions progress and starts new ones.").
		Default("live").EnumVar(&o.mode, "frozen", "live")
	app.Flag("seed", "Seed of the generated data, live progress and injected faults.").Default("1").Int64Var(&o.seed)
	app.Flag("executions", "Executions to generate.").Default("50").IntVar(&o.executions)
	app.Flag("steps", "Approximate steps per generated execution.").Default("12").IntVar(&o.steps)
	app.Flag("scenario", "Scenario file to load instead of generating executions.").StringVar(&o.scenario)
	app.Flag("account", "Account of generated executions and of unknown access keys.").Default("123456789012").StringVar(&o.account)
	app.Flag("region", "Region of generated executions.").Default("us-east-1").StringVar(&o.region)
	app.Flag("access-key", "AKID=ACCOUNT: the account an access key id signs in to (repeatable).").StringMapVar(&o.accessKeys)
	app.Flag("throttle.rps", "SSM requests per second and account before ThrottlingException (0: unlimited).").Default("0").Float64Var(&o.rps)
	app.Flag("throttle.burst", "Token bucket size of the throttle (0: the rate rounded up).").Default("0").IntVar(&o.burst)
	app.Flag("fault.error-rate", "CODE=RATE: share of SSM requests answered with that error code (repeatable).").StringMapVar(&o.errorRates)
	app.Flag("fault.latency", "Latency added to every SSM request.").Default("0s").DurationVar(&o.latency)
	app.Flag("fault.latency-jitter", "Uniform random latency added on top, up to this much.").Default("0s").DurationVar(&o.jitter)
	app.Flag("fault.malformed-rate", "Share of successful responses whose body is cut short.").Default("0").Float64Var(&o.malformed)
	app.Flag("fault.repeat-token-rate", "Share of paged responses that repeat the request's NextToken.").Default("0").Float64Var(&o.repeatToken)
	addEventFlags(app, &o.events)
	promslogflag.AddFlags(app, o.promslog)
	app.Version(version.Print(name))
	app.HelpFlag.Short('h')
	if _, err := app.Parse(args); err != nil {
		return nil, err
	}
	return o, nil
}

// serverOptions turns the flags into the simulator's options.
func (o *options) serverOptions() (ssmsim.Options, error) {
	rates, err := parseRates("fault.error-rate", o.errorRates)
	if err != nil {
		return ssmsim.Options{}, err
	}
	for flag, r := range map[string]float64{"fault.malformed-rate": o.malformed, "fault.repeat-token-rate": o.repeatToken} {
		if r < 0 || r > 1 {
			return ssmsim.Options{}, fmt.Errorf("--%s must be from 0 to 1", flag)
		}
	}
	if o.rps < 0 || o.burst < 0 || o.latency < 0 || o.jitter < 0 || o.executions < 0 || o.steps < 0 {
		return ssmsim.Options{}, errors.New("rates, counts and durations must not be negative")
	}
	events, sqsFaults, err := o.events.faults(o.seed)
	if err != nil {
		return ssmsim.Options{}, err
	}
	return ssmsim.Options{
		DefaultAccount:    o.account,
		AccessKeys:        o.accessKeys,
		RequestsPerSecond: o.rps,
		Burst:             o.burst,
		Faults: ssmsim.Faults{
			ErrorRates: rates, Latency: o.latency, LatencyJitter: o.jitter,
			MalformedRate: o.malformed, RepeatTokenRate: o.repeatToken, Seed: o.seed,
		},
		EventFaults: events,
		SQSFaults:   sqsFaults,
	}, nil
}

func run(args []string, out io.Writer) int {
	o, err := parseFlags(args, out)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	sopts, err := o.serverOptions()
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	o.promslog.Writer = os.Stderr
	logger := promslog.New(o.promslog)
	logger.Info("starting "+name, "version", version.Info(), "mode", o.mode)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, o, sopts, out, logger); err != nil {
		logger.Error("simulator stopped", "err", err)
		return 1
	}
	return 0
}

// load fills a store from the scenario file or the generator.
func load(o *options) (*ssmsim.Store, error) {
	store := ssmsim.NewStore()
	if o.scenario == "" {
		ssmsim.Generate(store, ssmsim.GenOptions{
			Seed: o.seed, Executions: o.executions, StepsPerExecution: o.steps,
			Account: o.account, Region: o.region, Now: time.Now(),
		})
		return store, nil
	}
	sc, err := ssmsim.LoadScenario(o.scenario)
	if err != nil {
		return nil, err
	}
	return store, sc.Apply(store)
}

// serve runs the simulator until ctx ends.
func serve(ctx context.Context, o *options, sopts ssmsim.Options, out io.Writer, logger *slog.Logger) error {
	store, err := load(o)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	sim := ssmsim.New(store, sopts)
	queues := subscribeQueues(sim, o)
	if o.mode == "live" {
		ssmsim.StartLive(ctx, store, ssmsim.LiveOptions{Seed: o.seed, Account: o.account, Region: o.region, Events: sim})
	}
	srv := newHTTPServer(sim)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	printEnvironment(out, l.Addr(), o, queues...)
	logger.Info("serving", "address", l.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// printEnvironment tells a client where the simulator is, how to sign in,
// and the URLs of the queues that receive events.
func printEnvironment(out io.Writer, addr net.Addr, o *options, queues ...ssmsim.Queue) {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port)
	fmt.Fprintf(out, "%s serving on %s\n", name, url)
	fmt.Fprintf(out, "export AWS_ENDPOINT_URL_SSM=%s\n", url)
	fmt.Fprintf(out, "export AWS_ENDPOINT_URL_STS=%s\n", url)
	fmt.Fprintf(out, "export AWS_ENDPOINT_URL_SQS=%s\n", url)
	fmt.Fprintf(out, "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=simulator AWS_REGION=%s\n", accessKeyFor(o), o.region)
	for _, q := range queues {
		fmt.Fprintf(out, "events queue: %s\n", ssmsim.QueueURL(url, q))
	}
}

// accessKeyFor picks a key that signs in to --account: one mapped to it, or
// the default key, which any unmapped key id behaves like.
func accessKeyFor(o *options) string {
	keys := make([]string, 0, len(o.accessKeys))
	for k, account := range o.accessKeys {
		if account == o.account {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return defaultAccessKey
	}
	sort.Strings(keys)
	return keys[0]
}
