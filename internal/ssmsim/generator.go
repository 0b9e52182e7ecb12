package ssmsim

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
)

// GenOptions controls Generate.
type GenOptions struct {
	Seed              int64
	Executions        int // executions to create, children of rate-controlled runs included
	StepsPerExecution int // approximate: it sizes aws:loop iterations (default 12)
	Account           string
	Region            string        // where to Put them (defaults "123456789012", "us-east-1")
	Now               time.Time     // newest start time anchor (default: the wall clock)
	RunningFraction   float64       // share still InProgress/Waiting (default 0.2; negative for none)
	Spread            time.Duration // start times spread over [Now-Spread, Now] (default 6h)
	// SteadyState places the running executions as a fleet live at
	// PaceDurations, with LiveSeed as LiveOptions.Seed, is found at any
	// moment (see steadyCut and steadyElapsed). Without it, a running
	// execution stops at a step chosen evenly by position, half of those
	// with an approval at it, a few minutes in.
	SteadyState bool
	LiveSeed    int64
}

func (o GenOptions) withDefaults() GenOptions {
	if o.StepsPerExecution <= 0 {
		o.StepsPerExecution = 12
	}
	if o.Account == "" {
		o.Account = "123456789012"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.RunningFraction == 0 {
		o.RunningFraction = 0.2
	}
	if o.Spread <= 0 {
		o.Spread = 6 * time.Hour
	}
	return o
}

// Generate creates opts.Executions plausible Automation executions, puts
// copies of them into store (when not nil) and returns them. The same options
// always produce the same data, identifiers included.
func Generate(store *Store, opts GenOptions) []*Execution {
	opts = opts.withDefaults()
	g := &generator{rnd: rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)), opts: opts}
	var out []*Execution
	for len(out) < opts.Executions {
		left := opts.Executions - len(out)
		switch r := g.rnd.Float64(); {
		case r < opts.RunningFraction:
			out = append(out, g.placeRunning(g.single(runRunning)))
		case left >= 3 && r < opts.RunningFraction+0.1:
			out = append(out, g.placeFinished(g.family(min(left-1, 2+g.rnd.IntN(3))))...)
		case r > 0.95:
			out = append(out, g.placeFinished(g.single(runCancelled))...)
		default:
			out = append(out, g.placeFinished(g.single(runFinished))...)
		}
	}
	putAll(store, opts, out)
	return out
}

// putAll puts copies of es into store, when not nil.
func putAll(store *Store, opts GenOptions, es []*Execution) {
	if store == nil {
		return
	}
	for _, e := range es {
		store.Put(opts.Account, opts.Region, e.Clone())
	}
}

// GenerateAverage is Generate sized to avg step executions per execution
// on average. StepsPerExecution only sizes the iterations of aws:loop
// steps, and most runbooks of the mix have no loop, so it is raised by a
// quarter at a time, from opts.StepsPerExecution (or avg), until the
// average is reached or it passes 100 × avg: the short runbooks stay
// short, and the looping ones carry the rest.
func GenerateAverage(store *Store, opts GenOptions, avg int) []*Execution {
	size := opts.StepsPerExecution
	if size <= 0 {
		size = avg
	}
	for ; ; size += max(1, size/4) {
		opts.StepsPerExecution = size
		es := Generate(nil, opts)
		n := 0
		for _, e := range es {
			n += len(e.Steps)
		}
		if n >= len(es)*avg || size > 100*avg {
			putAll(store, opts.withDefaults(), es)
			return es
		}
	}
}

type runKind int

const (
	runFinished  runKind = iota
	runRunning           // stopped at a random step, still InProgress or Waiting
	runCancelled         // cancelled at a random step
	runStarting          // first step just started (live mode)
)

type generator struct {
	rnd  *rand.Rand
	opts GenOptions
}

// genEpoch is where executions are laid out before being moved into place.
var genEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (g *generator) single(kind runKind) []*Execution {
	rb := &runbooks[g.rnd.IntN(len(runbooks))]
	return []*Execution{g.execution(rb, genEpoch, kind)}
}

// execution runs rb once from at. A running or cancelled run is first walked
// to completion with the same random stream to learn where it can stop.
func (g *generator) execution(rb *runbook, at time.Time, kind runKind) *Execution {
	seed := g.rnd.Uint64()
	iterations := max(1, (g.opts.StepsPerExecution-len(rb.steps))/max(1, rb.bodyLen())+g.rnd.IntN(3)-1)
	walk := func(cut int, cancel bool) *walker {
		w := &walker{rnd: rand.New(rand.NewPCG(seed, 1)), t: at, cut: cut, cancel: cancel, iterations: iterations}
		w.run(rb.steps)
		return w
	}
	w := walk(-1, false)
	switch n := len(w.steps); kind {
	case runRunning:
		cut := g.rnd.IntN(n)
		if i := approveIndex(w.steps); i >= 0 && g.rnd.IntN(2) == 0 {
			cut = i
		}
		if g.opts.SteadyState {
			cut = steadyRun(&seed, w.steps, func() []*Step { return walk(-1, false).steps })
		}
		w = walk(cut, false)
	case runCancelled:
		w = walk(g.rnd.IntN(n), true)
	case runStarting:
		w = walk(0, false)
	}
	e := &Execution{
		ID:              genUUID(g.rnd),
		DocumentName:    rb.name,
		DocumentVersion: fmt.Sprint(1 + g.rnd.IntN(rb.versions)),
		StartTime:       at,
		AutomationType:  "Local",
		Mode:            "Auto",
		ExecutedBy:      genExecutedBy(g.rnd, g.opts.Account),
		Tags:            genTags(g.rnd),
		Steps:           w.steps,
	}
	if g.rnd.Float64() < 0.1 {
		e.Mode = "Interactive"
	}
	settleExecution(e, w.t)
	return e
}

// settleExecution derives status, end time and current step from the steps.
func settleExecution(e *Execution, end time.Time) {
	if i := activeStep(e.Steps); i >= 0 {
		e.Status, e.EndTime = "InProgress", time.Time{}
		if e.Steps[i].Status == "Waiting" {
			e.Status = "Waiting"
		}
		e.CurrentStepName, e.CurrentAction = e.Steps[i].StepName, e.Steps[i].Action
		return
	}
	e.Status, e.FailureMessage = finalStatus(e.Steps)
	e.EndTime = end
	e.CurrentStepName, e.CurrentAction = "", ""
	for _, st := range e.Steps {
		if len(st.TriggeredAlarms) > 0 {
			e.TriggeredAlarms = []Alarm{st.TriggeredAlarms[0]}
		}
	}
	if e.Status == "Success" && len(e.Steps) > 0 {
		last := e.Steps[len(e.Steps)-1]
		e.Outputs = map[string][]string{last.StepName + ".Status": {last.Status}}
	}
}

// family builds a rate-controlled parent whose children run one after another
// against one instance each.
func (g *generator) family(children int) []*Execution {
	rb := &runbooks[g.rnd.IntN(2)] // the single-instance runbooks
	parent := &Execution{
		ID: genUUID(g.rnd), DocumentName: rb.name, DocumentVersion: fmt.Sprint(rb.versions),
		StartTime: genEpoch, AutomationType: "CrossAccount", Mode: "Auto",
		ExecutedBy: genExecutedBy(g.rnd, g.opts.Account), Tags: genTags(g.rnd),
	}
	out := []*Execution{parent}
	at := genEpoch.Add(time.Second)
	for range children {
		c := g.execution(rb, at, runFinished)
		c.ParentExecutionID, c.DocumentVersion = parent.ID, parent.DocumentVersion
		c.Target = c.Steps[0].Inputs["InstanceId"]
		out = append(out, c)
		parent.Steps = append(parent.Steps, g.childStep(c))
		at = c.EndTime.Add(time.Duration(1+g.rnd.IntN(5)) * time.Second)
	}
	settleExecution(parent, at)
	return out
}

func (g *generator) childStep(c *Execution) *Step {
	st := &Step{
		StepExecutionID: genUUID(g.rnd), StepName: "executeOnTarget", Action: "aws:executeAutomation",
		OnFailure: "Continue", MaxAttempts: genPtr(int32(1)), IsCritical: genPtr(true), IsEnd: genPtr(false),
		StartTime: c.StartTime, EndTime: c.EndTime, Status: c.Status,
		FailureMessage: c.FailureMessage,
		Inputs:         map[string]string{"DocumentName": c.DocumentName, "RuntimeParameters": `{"InstanceId":["` + c.Target + `"]}`},
		Outputs:        map[string][]string{"ExecutionId": {c.ID}, "Status": {c.Status}},
		Targets:        []Target{{Key: "InstanceIds", Values: []string{c.Target}}},
		TargetLocation: &TargetLocation{
			Accounts: []string{g.opts.Account}, Regions: []string{g.opts.Region},
			ExecutionRoleName:            "AWS-SystemsManager-AutomationExecutionRole",
			TargetLocationMaxConcurrency: "1", TargetLocationMaxErrors: "1",
		},
	}
	if c.Status != "Success" {
		st.Status = "Failed" // the child's own step carries a timeout
		st.FailureDetails = &FailureDetails{FailureStage: "Invocation", FailureType: "Action",
			Details: map[string][]string{"ExecutionId": {c.ID}}}
	}
	return st
}

// placeFinished moves executions laid out from genEpoch so that the first
// starts in [Now-Spread, Now] and the last one ends before Now.
func (g *generator) placeFinished(es []*Execution) []*Execution {
	end := es[0].EndTime
	for _, e := range es {
		if e.EndTime.After(end) {
			end = e.EndTime
		}
	}
	latest := g.opts.Now.Add(-end.Sub(genEpoch))
	earliest := g.opts.Now.Add(-g.opts.Spread)
	start := latest
	if latest.After(earliest) {
		start = earliest.Add(time.Duration(g.rnd.Int64N(int64(latest.Sub(earliest)) + 1)))
	}
	return shiftExecutions(es, start.Truncate(time.Millisecond).Sub(genEpoch))
}

// placeRunning moves a running execution so that its active step started
// a little before Now (with SteadyState, see steadyElapsed).
func (g *generator) placeRunning(es []*Execution) *Execution {
	e := es[0]
	st := e.Steps[activeStep(e.Steps)]
	elapsed := time.Duration(g.rnd.Int64N(int64(5 * time.Minute)))
	if g.opts.SteadyState {
		elapsed = steadyElapsed(g.opts, st)
	}
	return shiftExecutions(es, g.opts.Now.Add(-elapsed).Truncate(time.Millisecond).Sub(st.StartTime))[0]
}

func shiftExecutions(es []*Execution, d time.Duration) []*Execution {
	move := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.Add(d)
	}
	for _, e := range es {
		e.StartTime, e.EndTime = move(e.StartTime), move(e.EndTime)
		for _, st := range e.Steps {
			st.StartTime, st.EndTime = move(st.StartTime), move(st.EndTime)
		}
	}
	return es
}

// activeStep is the index of the innermost running step, or -1.
func activeStep(steps []*Step) int {
	for i, st := range steps {
		if (st.Status == "InProgress" || st.Status == "Waiting") && st.Action != "aws:loop" {
			return i
		}
	}
	return -1
}

func approveIndex(steps []*Step) int {
	for i, st := range steps {
		if st.Action == "aws:approve" {
			return i
		}
	}
	return -1
}

// genUUID draws a version 4 UUID from r, so identifiers follow the seed.
func genUUID(r *rand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func genInstanceID(r *rand.Rand) string { return fmt.Sprintf("i-0%016x", r.Uint64()) }

func genPtr[T any](v T) *T { return &v }

func genPick(r *rand.Rand, from ...string) string { return from[r.IntN(len(from))] }

func genExecutedBy(r *rand.Rand, account string) string {
	if r.IntN(3) == 0 {
		return "arn:aws:iam::" + account + ":user/" + genPick(r, "alice", "bob", "carol")
	}
	return "arn:aws:sts::" + account + ":assumed-role/" +
		genPick(r, "OpsAutomation/maintenance-window", "PlatformAdmin/dave", "ConfigRemediation/config")
}

func genTags(r *rand.Rand) map[string]string {
	if r.IntN(7) == 0 {
		return nil
	}
	tags := map[string]string{
		"team": genPick(r, "platform", "payments", "data"),
		"env":  genPick(r, "prod", "staging", "dev"),
	}
	if r.IntN(4) == 0 {
		tags["change-ticket"] = fmt.Sprintf("CHG%06d", r.IntN(1000000))
	}
	return tags
}
