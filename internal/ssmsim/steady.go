package ssmsim

import (
	"math"
	"math/rand/v2"
	"time"
)

// A fleet that has been running for a while at PaceDurations is in a
// steady state: a running execution is inside one of its steps with a
// chance proportional to how long that step runs, and has spent a uniform
// fraction of that step's time in it. Generated with SteadyState, a store
// starts from that state, so that its first ticks move on as few
// executions as later ones do. Without it, a running execution stops at a
// step chosen evenly by position: many then sit in steps of a second or
// two and all move on at once when live mode begins, which no real fleet
// does.
//
// The choices draw from streams of their own, so that a store generated
// with SteadyState holds the same executions (identifiers, runbooks,
// finished ones unchanged) and differs only in the runs and places of
// its running ones.

// steadyStream tells the stream of steadyRun from the walker's.
const steadyStream = 0x57ead

// Bounds of steadyRun's choice of a run.
const (
	steadyRef   = time.Hour // a run this long or longer is always taken
	steadyTries = 200       // walks at most, the last one taken
)

// steadyRun chooses the run of a running execution and the step it is
// inside (see steadyCut). Its run is first walked to completion from
// *seed, giving steps. A fleet is found inside a run in proportion to the
// run's length (the sum of its steps' mean durations): a run that fails
// at its first API call is seldom seen running. So a run is taken with a
// chance of its length ÷ steadyRef, and otherwise walked again from a new
// seed, which *seed is set to before walk is called.
func steadyRun(seed *uint64, steps []*Step, walk func() []*Step) int {
	r := rand.New(rand.NewPCG(*seed, steadyStream))
	for try := 1; ; try++ {
		length := time.Duration(0)
		for _, st := range steps {
			if st.Action != "aws:loop" {
				length += meanStepDuration(st)
			}
		}
		if try == steadyTries || r.Float64()*float64(steadyRef) < float64(length) {
			return steadyCut(r, steps)
		}
		*seed = r.Uint64()
		steps = walk()
	}
}

// steadyCut chooses the step a running execution is inside from the steps
// of its whole run, each with a chance proportional to its action's mean
// duration (see meanStepDuration). An aws:loop step is never chosen: a
// loop runs while its body does, whose steps are chosen for it.
func steadyCut(r *rand.Rand, steps []*Step) int {
	weights := make([]float64, len(steps))
	total := 0.0
	for i, st := range steps {
		if st.Action != "aws:loop" {
			weights[i] = meanStepDuration(st).Seconds()
			total += weights[i]
		}
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	for i := len(steps) - 1; i >= 0; i-- { // rounding: the last one that can run
		if weights[i] > 0 {
			return i
		}
	}
	return 0
}

// steadyElapsed is how long st, the running step of a generated
// execution, has run at opts.Now: a uniform fraction of the duration live
// mode draws for it with seed opts.LiveSeed (see live.due), so that it
// ends within that duration of Now.
func steadyElapsed(opts GenOptions, st *Step) time.Duration {
	d := stepDuration(stepRand(opts.LiveSeed, st.StepExecutionID), st)
	u := stepRand(opts.Seed, "steady "+st.StepExecutionID).Float64()
	return time.Duration(u * float64(d))
}

// meanStepDuration is the mean of the durations stepDuration draws for st:
// for a span from lo to hi on a log scale, (hi−lo) ÷ ln(hi/lo), the
// timeout capping the draws above it.
func meanStepDuration(st *Step) time.Duration {
	if st.Action == "aws:sleep" {
		return sleepDuration(st)
	}
	lo, hi := stepSpan(st.Action)
	l, h := float64(lo), float64(hi)
	mean := (h - l) / math.Log(h/l)
	if st.TimeoutSeconds != nil && *st.TimeoutSeconds > 0 {
		t := float64(time.Duration(*st.TimeoutSeconds) * time.Second)
		switch {
		case t <= l:
			mean = t
		case t < h:
			mean = (t - l + t*math.Log(h/t)) / math.Log(h/l)
		}
	}
	return time.Duration(mean)
}
