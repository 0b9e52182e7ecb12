package main

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// never is the lag of a status the store never held, and the freshness
// of a change no scrape showed.
const never = time.Duration(math.MaxInt64)

// exportedStates reads the status of each execution and step execution a
// scrape exports (ssm_automation_execution_status and
// ssm_automation_step_status, one series with value 1 each), by entity
// key.
func exportedStates(body []byte) map[string]string {
	out := map[string]string{}
	execPrefix, stepPrefix := []byte("ssm_automation_execution_status{"), []byte("ssm_automation_step_status{")
	for line := range bytes.Lines(body) {
		switch {
		case bytes.HasPrefix(line, execPrefix):
			out[execKey(labelValue(line, "execution_id"))] = labelValue(line, "status")
		case bytes.HasPrefix(line, stepPrefix):
			out[stepKey(labelValue(line, "step_execution_id"))] = labelValue(line, "status")
		}
	}
	return out
}

// labelValue is the value of label name in a sample line ("" when
// absent); ids and statuses hold no escaped characters.
func labelValue(line []byte, name string) string {
	key := []byte(name + `="`)
	for i := 0; ; {
		j := bytes.Index(line[i:], key)
		if j < 0 {
			return ""
		}
		j += i
		if j > 0 && (line[j-1] == '{' || line[j-1] == ',') {
			v := line[j+len(key):]
			if end := bytes.IndexByte(v, '"'); end >= 0 {
				return string(v[:end])
			}
			return ""
		}
		i = j + len(key)
	}
}

// lag is how far behind the truth an exported status x of an entity is at
// a scrape that started at start and answered at end: 0 when the entity
// held x at start or later, else how long before start it left x for the
// last time; never when it did not hold x before end.
func (tl *timeline) lag(key, x string, start, end time.Time) time.Duration {
	vs, ok := tl.hist[key]
	if !ok {
		vs = []version{{}} // never seen: absent all along
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].state != x || vs[i].since.After(end) {
			continue
		}
		if i == len(vs)-1 || vs[i+1].since.After(start) {
			return 0
		}
		return start.Sub(vs[i+1].since)
	}
	return never
}

// scrapeLag compares one scrape's exported statuses with the truth: the
// largest lag of an entity, how many entities differed from the truth at
// the scrape's start, and the entity that lagged most with its status.
func (tl *timeline) scrapeLag(exported map[string]string, start, end time.Time) (worst time.Duration, behind int, example string) {
	check := func(key, x string) {
		if d := tl.lag(key, x, start, end); d > 0 {
			if d > worst {
				example = fmt.Sprintf("%s exported %q, held %s", key, x, tl.describe(key))
			}
			worst, behind = max(worst, d), behind+1
		}
	}
	for key := range tl.hist {
		check(key, exported[key])
	}
	for key, x := range exported {
		if _, ok := tl.hist[key]; !ok {
			check(key, x)
		}
	}
	return worst, behind, example
}

// describe lists an entity's statuses and since when.
func (tl *timeline) describe(key string) string {
	var parts []string
	for _, v := range tl.hist[key] {
		when := "the start"
		if !v.since.IsZero() {
			when = v.since.Format("15:04:05.000")
		}
		parts = append(parts, fmt.Sprintf("%q from %s", v.state, when))
	}
	return strings.Join(parts, ", ")
}

// freshness follows, for one exporter, the step changes of a timeline
// until a scrape shows them: a step that started or ended, shown once
// the scrape exports that status or a later one.
type freshness struct {
	from     time.Time       // changes dated after it count
	resolved map[string]int  // per step: versions already looked at
	delays   []time.Duration // change to the start of the first scrape showing it
}

func newFreshness(from time.Time) *freshness {
	return &freshness{from: from, resolved: map[string]int{}}
}

// scrape takes a scrape that started at start, answered at end and
// exported exported: the changes dated at or before start that it shows
// are resolved.
func (f *freshness) scrape(tl *timeline, exported map[string]string, start, end time.Time) {
	for key, vs := range tl.hist {
		if key[0] != 's' {
			continue
		}
		for i := f.resolved[key]; i < len(vs); i++ {
			v := vs[i]
			if i == 0 || v.state == "" || v.state == "Pending" || !v.since.After(f.from) {
				f.resolved[key] = i + 1
				continue
			}
			if v.since.After(start) {
				break
			}
			if !showsFrom(vs, i, exported[key], end) {
				break
			}
			f.delays = append(f.delays, max(start.Sub(v.since), 0))
			f.resolved[key] = i + 1
		}
	}
}

// showsFrom says whether x is version i's status or a later one's held
// before end.
func showsFrom(vs []version, i int, x string, end time.Time) bool {
	for ; i < len(vs) && !vs[i].since.After(end); i++ {
		if vs[i].state == x {
			return true
		}
	}
	return false
}

// result is the changes looked at up to until, with those no scrape
// showed counted as never; and how many no scrape showed.
func (f *freshness) result(tl *timeline, until time.Time) (delays []time.Duration, unshown int) {
	delays = append(delays, f.delays...)
	for key, vs := range tl.hist {
		if key[0] != 's' {
			continue
		}
		for i := f.resolved[key]; i < len(vs); i++ {
			if v := vs[i]; v.state != "" && v.state != "Pending" && v.since.After(f.from) && !v.since.After(until) {
				delays, unshown = append(delays, never), unshown+1
			}
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	return delays, unshown
}

// medianDelay is the median of sorted delays, never when the changes no
// scrape showed reach the middle.
func medianDelay(sorted []time.Duration) time.Duration {
	n := len(sorted)
	switch {
	case n == 0:
		return 0
	case n%2 == 1 || sorted[n/2] == never:
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
