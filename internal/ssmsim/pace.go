package ssmsim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Pace is how live mode moves running executions on.
type Pace string

const (
	// PaceEveryTick moves every running execution on by one step every
	// tick: the most changes live mode can make, which tests want.
	PaceEveryTick Pace = "every-tick"
	// PaceDurations gives each step execution, when it starts, a duration
	// drawn for its action (see stepDuration); a tick moves on only the
	// executions whose running step's time is up. A fleet then spends
	// most of its time inside long steps, as real ones do.
	PaceDurations Pace = "durations"
)

// stepTimes are the durations live mode draws for a step execution of
// each action at PaceDurations, from lo to hi on a log scale (a median of
// √(lo·hi), a long tail), as real runbooks spend their time:
//   - aws:branch is evaluated by the service without calling anything,
//     aws:executeAwsApi and aws:assertAwsResourceProperty make one API
//     call: a second or a few;
//   - aws:executeScript starts a Python or PowerShell runtime and runs a
//     short script: seconds to a minute;
//   - aws:changeInstanceState stops or starts instances and waits for the
//     state: half a minute to three;
//   - aws:runCommand waits for the agent to run a command on instances
//     (a restart takes seconds, patching many minutes), and
//     aws:waitForAwsResourceProperty polls a resource until it is ready
//     (an instance in a minute, a snapshot or an image in many): half a
//     minute to fifteen;
//   - aws:executeAutomation runs a child runbook: two minutes to twenty;
//   - aws:approve waits for a person: five minutes to two hours;
//   - aws:sleep sleeps its Duration input (ISO 8601, "PT1M").
//
// Other actions take a second to half a minute. A step never runs past its
// timeoutSeconds: one drawn longer times out then.
var stepTimes = map[string][2]time.Duration{
	"aws:branch":                     {200 * time.Millisecond, time.Second},
	"aws:executeAwsApi":              {time.Second, 5 * time.Second},
	"aws:assertAwsResourceProperty":  {time.Second, 5 * time.Second},
	"aws:executeScript":              {3 * time.Second, time.Minute},
	"aws:changeInstanceState":        {30 * time.Second, 3 * time.Minute},
	"aws:runCommand":                 {30 * time.Second, 15 * time.Minute},
	"aws:waitForAwsResourceProperty": {30 * time.Second, 15 * time.Minute},
	"aws:executeAutomation":          {2 * time.Minute, 20 * time.Minute},
	"aws:approve":                    {5 * time.Minute, 2 * time.Hour},
}

// stepDuration draws how long st runs from r.
func stepDuration(r *rand.Rand, st *Step) time.Duration {
	if st.Action == "aws:sleep" {
		return sleepDuration(st)
	}
	span0, span1 := stepSpan(st.Action)
	lo, hi := float64(span0), float64(span1)
	d := time.Duration(lo * math.Pow(hi/lo, r.Float64()))
	if st.TimeoutSeconds != nil && *st.TimeoutSeconds > 0 {
		d = min(d, time.Duration(*st.TimeoutSeconds)*time.Second)
	}
	return d
}

// sleepDuration is the Duration input of an aws:sleep step (a minute when
// it cannot be read).
func sleepDuration(st *Step) time.Duration {
	if d, err := time.ParseDuration(strings.ToLower(strings.TrimPrefix(st.Inputs["Duration"], "PT"))); err == nil && d > 0 {
		return d
	}
	return time.Minute
}

// stepSpan is the span of stepTimes for action.
func stepSpan(action string) (lo, hi time.Duration) {
	span, ok := stepTimes[action]
	if !ok {
		span = [2]time.Duration{time.Second, 30 * time.Second}
	}
	return span[0], span[1]
}

// stepRand is the random stream of one step execution (or execution) in
// live mode at PaceDurations: its duration and outcome depend on the seed
// and its id only, not on when ticks fall, so two stores holding the same
// executions, live with the same seed, go through the same changes.
func stepRand(seed int64, id string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(id))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// due says whether e's running step's time is up as of now at
// PaceDurations, with the random stream its move draws from. A step that
// was running when live mode began (a generated fleet's) and whose
// duration had run out by then ends at a point of its duration drawn
// uniformly from then on, so that such a fleet does not all move at the
// first tick.
func (l *live) due(e *Execution, now time.Time) (*rand.Rand, bool) {
	i := activeStep(e.Steps)
	if i < 0 {
		return stepRand(l.opts.Seed, e.ID), true
	}
	st := e.Steps[i]
	r := stepRand(l.opts.Seed, st.StepExecutionID)
	d := stepDuration(r, st)
	end := st.StartTime.Add(d)
	if end.Before(l.began) {
		end = l.began.Add(time.Duration(r.Float64() * float64(d)))
	}
	return r, !now.Before(end)
}
