package collector

import "time"

// aggKey is the label set of the per-step aggregates.
type aggKey struct{ document, step, action, status string }

// view is the immutable result of one refresh of one target, read by any
// number of scrapes at once.
type view struct {
	execs       []*tracked // sorted by execution id
	rules       []ruleStat
	steps       map[aggKey]float64
	up          bool
	pending     int  // wanted executions never fetched
	following   bool // the refresh trusted the target's events (see eventrefresh.go)
	duration    float64
	refreshedAt time.Time
}

// ruleStat is what one discovery rule found.
type ruleStat struct {
	name           string
	found, dropped int
}

// aggregate adds up the step counts of every execution.
func aggregate(execs []*tracked) map[aggKey]float64 {
	out := map[aggKey]float64{}
	for _, t := range execs {
		for _, c := range t.aggCounts {
			out[c.key] += c.n
		}
	}
	return out
}
