package main

import (
	"fmt"
	"time"
)

// loopSyncSlack is the factor the realistic loop may take over calls ÷ 20,
// besides one scrape interval.
const loopSyncSlack = 1.2

// warmStepRatio is the step calls of the warm scrapes (all but the first)
// per running execution, summed over them; ok also needs every scrape up.
func warmStepRatio(ss []liveScrape) (ratio float64, warm int, ok bool) {
	steps, running := 0, 0
	ok = len(ss) > 1
	for i, s := range ss {
		ok = ok && s.up
		if i == 0 {
			continue
		}
		steps, running, warm = steps+s.calls.steps, running+s.running, warm+1
	}
	if running > 0 {
		ratio = float64(steps) / float64(running)
	}
	return ratio, warm, ok && ratio <= warmStepTarget
}

func (s liveScrape) describe() string {
	return fmt.Sprintf("%d calls (%d + %d) for %d running executions (%d of them ended since), %d step executions changed; answered in %s, up %s",
		s.calls.total(), s.calls.executions, s.calls.steps, s.running, s.ended, s.changed, fmtDuration(s.latency), upString(s.up))
}

// liveRows lays out the live workload: one row per scrape and the verdict.
func liveRows(d dataset, ss []liveScrape) []row {
	out := []row{{"data", fmt.Sprintf("%d executions, %d still running at the start, %d step executions; "+
		"every %s the simulator moves on by one step the running executions whose step's time is up "+
		"(each step runs for a time drawn for its action: seconds for an API call, minutes for a command or a wait, up to hours for an approval), "+
		"and starts one every 30 s",
		len(d.executions), d.running, d.steps, fmtSeconds(liveTick)), "", ""}}
	for i, s := range ss {
		fig, got := fmt.Sprintf("scrape %d", i+1), s.describe()
		if i == 0 {
			fig, got = fig+" (cold)", fmt.Sprintf("%d calls (%d + %d) for %d executions, %d step executions; answered in %s, up %s",
				s.calls.total(), s.calls.executions, s.calls.steps, s.running, s.changed, fmtDuration(s.latency), upString(s.up))
		}
		out = append(out, row{fig, got, "", ""})
	}
	ratio, warm, ok := warmStepRatio(ss)
	return append(out, row{"warm step calls per running execution",
		fmt.Sprintf("%.2f over %d warm scrapes", ratio, warm), fmt.Sprintf("≤ %.1f, every scrape up 1", warmStepTarget), verdict(ok)})
}

// loopScrape is one scrape of the realistic loop.
type loopScrape struct {
	at         time.Duration // answer received, since the first scrape began
	latency    time.Duration
	executions int     // ssm_automation_execution_info series
	pending    float64 // ssm_automation_pending_executions
	up         bool
}

// loopSummary is what the realistic loop's verdicts need.
type loopSummary struct {
	synced     time.Duration // answer of the first scrape with everything, up 1; 0 if none
	maxLatency time.Duration
	ideal      time.Duration // calls needed ÷ 20
	target     time.Duration // 1.2 × ideal + one interval
}

// summarizeLoop finds the first scrape with all executions exported and
// up 1, and the slowest answer.
func summarizeLoop(ss []loopScrape, executions, callsNeeded int) loopSummary {
	ideal := time.Duration(float64(callsNeeded) / quotaRPS * float64(time.Second))
	sum := loopSummary{ideal: ideal, target: time.Duration(loopSyncSlack*float64(ideal)) + scrapeInterval}
	for _, s := range ss {
		sum.maxLatency = max(sum.maxLatency, s.latency)
		if sum.synced == 0 && s.up && s.executions >= executions {
			sum.synced = s.at
		}
	}
	return sum
}

// loopRows lays out the realistic loop: its scrapes in one row, then the
// verdicts.
func loopRows(d dataset, ss []loopScrape, total apiCalls) []row {
	sum := summarizeLoop(ss, len(d.executions), d.expect.cold())
	list := ""
	for i, s := range ss {
		if i > 0 {
			list += "; "
		}
		list += fmt.Sprintf("at %.0f s: %s, %d exported, %.0f pending, up %s", s.at.Seconds(), fmtDuration(s.latency), s.executions, s.pending, upString(s.up))
	}
	synced := "never"
	if sum.synced > 0 {
		synced = fmtDuration(sum.synced)
	}
	return []row{
		{"data", fmt.Sprintf("%d executions, %d step executions; %d calls needed (%d + %d)", len(d.executions), d.steps,
			d.expect.cold(), d.expect.discovery, d.expect.coldSteps), "", ""},
		{"scrapes (answered at, answer time, executions exported, pending, up)", list, "", ""},
		{"in sync (every execution exported, up 1)", fmt.Sprintf("after %s; ideal %s (calls ÷ 20); %d calls made", synced, fmtDuration(sum.ideal), total.total()),
			fmt.Sprintf("≤ %s (%.1f × ideal + %s)", fmtDuration(sum.target), loopSyncSlack, fmtSeconds(scrapeInterval)), verdict(sum.synced > 0 && sum.synced <= sum.target)},
		{"slowest answer", fmtDuration(sum.maxLatency), fmt.Sprintf("≤ %s (the scrape timeout)", fmtSeconds(loopTimeout)), verdict(len(ss) > 0 && sum.maxLatency <= loopTimeout)},
		{"ThrottlingException", fmt.Sprint(total.throttled), "0", verdict(total.throttled == 0)},
	}
}
