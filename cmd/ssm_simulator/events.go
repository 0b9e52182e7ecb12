package main

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// eventOptions are the flags of the simulated SQS queues and of the event
// bus that fills them in live mode.
type eventOptions struct {
	queues        []string
	dropRate      float64
	duplicateRate float64
	delay         time.Duration
	jitter        time.Duration
	reorderRate   float64
	reorderDelay  time.Duration
	sqsErrorRates map[string]string
}

func addEventFlags(app *kingpin.Application, o *eventOptions) {
	o.sqsErrorRates = map[string]string{}
	app.Flag("events.queue", "SQS queue to create in --account and --region and subscribe to their Automation events (repeatable).").
		StringsVar(&o.queues)
	app.Flag("events.drop-rate", "Share of event deliveries lost.").Default("0").Float64Var(&o.dropRate)
	app.Flag("events.duplicate-rate", "Share of event deliveries that arrive twice.").Default("0").Float64Var(&o.duplicateRate)
	app.Flag("events.delay", "Delay from a change to its event reaching the queues.").Default("0s").DurationVar(&o.delay)
	app.Flag("events.delay-jitter", "Uniform random delay added to each event delivery, up to this much.").Default("0s").DurationVar(&o.jitter)
	app.Flag("events.reorder-rate", "Share of event deliveries held back so that later events overtake them.").Default("0").Float64Var(&o.reorderRate)
	app.Flag("events.reorder-delay", "How long a reordered event is held back.").Default("5s").DurationVar(&o.reorderDelay)
	app.Flag("sqs.fault.error-rate", "CODE=RATE: share of SQS requests answered with that error code (repeatable).").
		StringMapVar(&o.sqsErrorRates)
}

var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// faults turns the flags into the event bus's and the SQS requests' faults.
func (o *eventOptions) faults(seed int64) (ssmsim.EventFaults, ssmsim.Faults, error) {
	for _, name := range o.queues {
		if !queueName.MatchString(name) {
			return ssmsim.EventFaults{}, ssmsim.Faults{}, fmt.Errorf("--events.queue %q: 1 to 80 letters, digits, hyphens or underscores", name)
		}
	}
	for flag, r := range map[string]float64{"events.drop-rate": o.dropRate, "events.duplicate-rate": o.duplicateRate,
		"events.reorder-rate": o.reorderRate} {
		if r < 0 || r > 1 {
			return ssmsim.EventFaults{}, ssmsim.Faults{}, fmt.Errorf("--%s must be from 0 to 1", flag)
		}
	}
	if o.delay < 0 || o.jitter < 0 || o.reorderDelay < 0 {
		return ssmsim.EventFaults{}, ssmsim.Faults{}, errors.New("rates, counts and durations must not be negative")
	}
	rates, err := parseRates("sqs.fault.error-rate", o.sqsErrorRates)
	if err != nil {
		return ssmsim.EventFaults{}, ssmsim.Faults{}, err
	}
	return ssmsim.EventFaults{DropRate: o.dropRate, DuplicateRate: o.duplicateRate, Delay: o.delay, DelayJitter: o.jitter,
			ReorderRate: o.reorderRate, ReorderDelay: o.reorderDelay, Seed: seed},
		ssmsim.Faults{ErrorRates: rates, Seed: seed}, nil
}

// parseRates reads CODE=RATE flags.
func parseRates(flag string, in map[string]string) (map[string]float64, error) {
	rates := map[string]float64{}
	for code, v := range in {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("--%s %s=%s: the rate must be a number from 0 to 1", flag, code, v)
		}
		rates[code] = r
	}
	return rates, nil
}

// subscribeQueues creates the --events.queue queues and subscribes them
// to the events of --account and --region.
func subscribeQueues(sim *ssmsim.Server, o *options) []ssmsim.Queue {
	var out []ssmsim.Queue
	for _, name := range o.events.queues {
		q := ssmsim.Queue{Account: o.account, Region: o.region, Name: name}
		sim.CreateQueue(q)
		sim.Subscribe(o.account, o.region, q)
		out = append(out, q)
	}
	return out
}

// newHTTPServer serves sim; a graceful shutdown ends its long polls at once
// rather than waiting up to 20 s for them.
func newHTTPServer(sim *ssmsim.Server) *http.Server {
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(sim.StopLongPolls)
	return srv
}
