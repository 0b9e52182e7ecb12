package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// The account and region the generated executions live in; the exporter
// signs as an unknown access key, which the simulator maps to this account.
const (
	simAccount = "123456789012"
	simRegion  = "us-east-1"
)

// pageSize is the largest page of both Describe operations; the exporter
// always asks for it.
const pageSize = 50

// workload is a generated data set the benchmark runs against.
type workload struct {
	name            string
	executions      int
	stepsPerExec    int
	runningFraction float64
	kind            string // "" (frozen), kindLive or kindLoop
}

// Kinds of workload besides the frozen one.
const (
	kindLive   = "live"   // the simulator in live mode, scraped every 15 s
	kindEvents = "events" // the same, with exporters following events beside
	kindLoop   = "loop"   // a cold start under the quota, scraped every 15 s
)

var knownWorkloads = []workload{
	{name: "W1", executions: 200, stepsPerExec: 25, runningFraction: 0.2},
	{name: "W2", executions: 2000, stepsPerExec: 25, runningFraction: 0.2},
	{name: "W3", executions: 2000, stepsPerExec: 25, runningFraction: 0.2, kind: kindLive},
	{name: "W3-events", executions: 2000, stepsPerExec: 25, runningFraction: 0.2, kind: kindEvents},
	{name: "W2-loop", executions: 2000, stepsPerExec: 25, runningFraction: 0.2, kind: kindLoop},
}

// parseWorkloads turns "W1,W2" into workloads, in the order given.
func parseWorkloads(list string) ([]workload, error) {
	var out []workload
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, w := range knownWorkloads {
			if strings.EqualFold(w.name, name) {
				out = append(out, w)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown workload %q (known: %s)", name, knownNames())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no workload in %q", list)
	}
	return out, nil
}

func knownNames() string {
	names := make([]string, len(knownWorkloads))
	for i, w := range knownWorkloads {
		names[i] = w.name
	}
	return strings.Join(names, ", ")
}

// dataset is a workload's generated executions and what they should cost.
type dataset struct {
	executions []*ssmsim.Execution
	running    int // executions that can still change
	steps      int // step executions in all
	expect     expectedCalls
}

// expectedCalls is the API budget the data allows.
type expectedCalls struct {
	discovery int // DescribeAutomationExecutions pages of the discovery rule
	// warmDiscovery is the same on a warm scrape (see warmDiscoveryCalls).
	warmDiscovery int
	coldSteps     int // DescribeAutomationStepExecutions pages of every execution
	warmSteps     int // the same for executions that can still change
}

func (e expectedCalls) cold() int { return e.discovery + e.coldSteps }
func (e expectedCalls) warm() int { return e.warmDiscovery + e.warmSteps }

// generate builds a workload's executions with w.stepsPerExec step
// executions per execution on average (see ssmsim.GenerateAverage).
func generate(w workload, seed int64, now time.Time) dataset {
	es := ssmsim.GenerateAverage(nil, ssmsim.GenOptions{
		Seed: seed, Executions: w.executions, StepsPerExecution: w.stepsPerExec,
		RunningFraction: w.runningFraction, Now: now,
		Account: simAccount, Region: simRegion,
	}, w.stepsPerExec)
	d := dataset{executions: es, expect: expectCalls(es), steps: countSteps(es)}
	for _, e := range es {
		if !settled(e) {
			d.running++
		}
	}
	return d
}

func countSteps(es []*ssmsim.Execution) int {
	n := 0
	for _, e := range es {
		n += len(e.Steps)
	}
	return n
}

// pages is how many pages listing n items takes: an empty listing is one
// call too.
func pages(n int) int { return max(1, (n+pageSize-1)/pageSize) }

// expectCalls computes the calls of a cold and a warm scrape of one
// discovery rule that lists every execution and follows no children: the
// discovery pages, then the step pages of each execution (cold) or the
// warm listing (see warmDiscoveryCalls) and the delta of each execution
// that can still change (warm, see deltaCalls).
func expectCalls(es []*ssmsim.Execution) expectedCalls {
	e := expectedCalls{discovery: pages(len(es)), warmDiscovery: warmDiscoveryCalls(es)}
	for _, x := range es {
		e.coldSteps += pages(len(x.Steps))
		if !settled(x) {
			e.warmSteps += deltaCalls(x)
		}
	}
	return e
}

// warmDiscoveryCalls is what the warm listing of a rule that lists every
// execution costs when nothing changed since its last listing: the
// executions not yet ended, and those started in the second of the newest
// start (StartTimeAfter), listed again; the whole window when that costs
// no more than the running ones and one page.
func warmDiscoveryCalls(es []*ssmsim.Execution) int {
	var newest time.Time
	running := 0
	for _, x := range es {
		if x.StartTime.After(newest) {
			newest = x.StartTime
		}
		if !terminalStatuses[x.Status] {
			running++
		}
	}
	if pages(len(es)) <= pages(running)+1 {
		return pages(len(es))
	}
	since, again := newest.Truncate(time.Second), 0
	for _, x := range es {
		if !x.StartTime.Before(since) {
			again++
		}
	}
	return pages(running) + pages(again)
}

// deltaCalls is what the exporter's delta refresh of an execution that can
// still change, and did not since its last listing, costs: the steps
// started in the second of the newest start (StartTimeAfter), and the
// unfinished steps started before, ten ids a call, but for a running
// aws:loop step whose iteration is listed running (the loop cannot have
// changed). Once the execution has ended, its steps not started are
// fetched by id too (it may have dropped them). The whole listing when
// that costs no more (for an execution that ended other than in Success,
// counting its steps not started by id), or when nothing has started.
func deltaCalls(e *ssmsim.Execution) int {
	var newest time.Time
	for _, s := range e.Steps {
		if s.StartTime.After(newest) {
			newest = s.StartTime
		}
	}
	since, final := newest.Truncate(time.Second), terminalStatuses[e.Status]
	var listed, loops []*ssmsim.Step
	started, open := 0, 0
	for _, s := range e.Steps {
		switch {
		case s.StartTime.IsZero():
			continue
		case !s.StartTime.Before(since):
			listed = append(listed, s)
			continue
		case terminalStatuses[s.Status]:
		case !final && s.Action == "aws:loop" && s.Status == "InProgress":
			loops = append(loops, s)
		default:
			open++
		}
		started++
	}
	notStarted := len(e.Steps) - started - len(listed)
	byID := open + notIterating(loops, listed)
	if final {
		byID += notStarted
	}
	firm, worst, whole, known := byIDCalls(open), byIDCalls(open+len(loops)), pages(len(e.Steps)), pages(started+len(listed))
	if final && e.Status != "Success" {
		firm = byIDCalls(open + notStarted) // most likely dropped rather than run
	}
	switch {
	case newest.IsZero(), final && 1+firm >= known, !final && worst > 0 && 1+firm >= whole:
		return whole
	case final && byIDCalls(byID) > known:
		return pages(len(listed)) + whole // listed since, then in full
	}
	return pages(len(listed)) + byIDCalls(byID)
}

// notIterating counts the loops none of whose iterations is listed running.
func notIterating(loops, listed []*ssmsim.Step) int {
	n := 0
	for _, l := range loops {
		running := false
		for _, s := range listed {
			p := s.ParentStepDetails
			running = running || p != nil && p.StepName == l.StepName && (s.Status == "InProgress" || s.Status == "Waiting")
		}
		if !running {
			n++
		}
	}
	return n
}

// byIDCalls is how many calls fetching n step executions by id takes.
func byIDCalls(n int) int { return (n + 9) / 10 }

// terminalStatuses are the automation statuses nothing changes after.
var terminalStatuses = map[string]bool{
	"Success": true, "Failed": true, "TimedOut": true, "Cancelled": true, "Rejected": true,
	"CompletedWithSuccess": true, "CompletedWithFailure": true,
	"ChangeCalendarOverrideRejected": true, "Exited": true,
}

// settled reports whether an execution can no longer change: it is in a
// terminal status and every step is terminal or was left Pending.
func settled(e *ssmsim.Execution) bool {
	if !terminalStatuses[e.Status] {
		return false
	}
	for _, st := range e.Steps {
		if !terminalStatuses[st.Status] && st.Status != "Pending" {
			return false
		}
	}
	return true
}
