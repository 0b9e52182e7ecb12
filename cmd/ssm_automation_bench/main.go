// Command ssm_automation_bench measures the exporter's API budget and speed
// against the in-process SSM simulator: API calls of cold and warm scrapes,
// warm scrape latency next to the floor of a static registry, peak memory
// and allocations, a cold scrape under a 20 requests/s quota, and 50
// concurrent scrapes. It prints a Markdown table per workload.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

const name = "ssm_automation_bench"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	workloads []workload
	scrapes   int
	out       string
	keepGoing bool
	seed      int64

	floorServe  string // run as the floor process serving this file
	floorListen string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	app := kingpin.New(name, "Measure the API budget and speed of ssm_automation_exporter against the SSM simulator.")
	app.UsageWriter(stderr)
	app.ErrorWriter(stderr)
	o := &options{}
	var list string
	app.Flag("workloads", "Workloads to run, comma-separated: W1 (200 executions × 25 steps), W2 (2,000 × 25), W3 (W2 live), W3-events (W3 beside exporters following events), W2-loop (W2's cold start scraped every 15 s under the quota).").Default("W1,W2,W3,W3-events,W2-loop").StringVar(&list)
	app.Flag("scrapes", "Warm scrapes of the exporter, and of the floor (at least 2).").Default("20").IntVar(&o.scrapes)
	app.Flag("out", "Also write the Markdown tables to this file.").StringVar(&o.out)
	app.Flag("keep-going", "Go on with the next workload when one cannot be measured.").BoolVar(&o.keepGoing)
	app.Flag("seed", "Seed of the generated executions.").Default("1").Int64Var(&o.seed)
	app.Flag("floor.serve", "Internal: serve this exposition from a static registry (the floor).").Hidden().StringVar(&o.floorServe)
	app.Flag("web.listen-address", "Internal: listen address of the floor.").Hidden().Default("127.0.0.1:0").StringVar(&o.floorListen)
	app.HelpFlag.Short('h')
	if _, err := app.Parse(args); err != nil {
		return nil, err
	}
	if o.scrapes < 2 {
		return nil, errors.New("--scrapes must be at least 2")
	}
	ws, err := parseWorkloads(list)
	if err != nil {
		return nil, err
	}
	o.workloads = ws
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.floorServe != "" {
		if err := serveFloor(ctx, o.floorServe, o.floorListen); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	report, err := measureAll(ctx, o, stderr)
	fmt.Fprint(stdout, report)
	if o.out != "" && report != "" {
		if werr := os.WriteFile(o.out, []byte(report), 0o644); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// measureAll builds the exporter, runs the workloads and renders the
// report. A workload that cannot be measured stops the run, unless
// --keep-going; the report keeps what was measured.
func measureAll(ctx context.Context, o *options, stderr io.Writer) (string, error) {
	began := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", name)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(stderr, "building the exporter")
	bin, err := buildExporter(ctx, root, dir)
	if err != nil {
		return "", err
	}
	b := &bench{bin: bin, dir: dir, scrapes: o.scrapes, seed: o.seed, log: stderr}
	for _, w := range o.workloads {
		b.events = b.events || w.kind == kindEvents
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s\n\n", machineLine(describeMachine(root)))
	var errs []error
	for _, w := range o.workloads {
		rs, err := b.measure(ctx, w)
		if err != nil {
			err = fmt.Errorf("%s: %w", w.name, err)
			errs = append(errs, err)
			fmt.Fprintf(&out, "### %s\n\nNot measured: %v\n\n", title(w), err)
			if !o.keepGoing || ctx.Err() != nil {
				break
			}
			continue
		}
		out.WriteString(markdownTable(title(w), rs))
		out.WriteString("\n")
	}
	fmt.Fprintf(&out, "The run took %s; load average at the end: %s.\n", time.Since(began).Round(time.Second), loadAverage())
	return out.String(), errors.Join(errs...)
}
