package collector

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// labelCutter returns a function that shortens label values to max bytes
// (on a rune boundary), counting each cut in the target's counters.
func labelCutter(max int, counters *ssmapi.TargetCounters) func(string) string {
	return func(s string) string {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD") // a label value must be UTF-8
		}
		if len(s) <= max {
			return s
		}
		counters.Cut("label_length", 1)
		i := max
		for i > 0 && s[i]&0xC0 == 0x80 {
			i--
		}
		return s[:i]
	}
}

// cutLabels cuts the label values of a step execution, but not its id: an
// identifier cut short could equal another, and two step executions would
// become one series and be counted as one.
func (r *stepRec) cutLabels(cut func(string) string) {
	d := r.def // not shared yet: interner.own shares it
	for _, p := range []*string{&d.name, &d.action, &d.onFailure, &d.nextStep, &d.parentStepName, &d.failureStage, &d.failureType} {
		*p = cut(*p)
	}
	r.alarms = cutAlarms(r.alarms, cut)
}

// cutLabels cuts the label values of an execution, but neither its id nor
// its parent's.
func (e *execRec) cutLabels(cut func(string) string) {
	for _, p := range []*string{&e.document, &e.version} {
		*p = cut(*p)
	}
	e.alarms = cutAlarms(e.alarms, cut)
}

// cutAlarms cuts alarm names in place and drops an alarm that cutting made
// equal to an earlier one: it would be the same series twice.
func cutAlarms(alarms []alarm, cut func(string) string) []alarm {
	out := alarms[:0]
	for _, a := range alarms {
		a.name = cut(a.name)
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
