package main

import (
	"fmt"
	"strings"
	"time"
)

// Targets of the API budget and speed.
const (
	floorRatioTarget = 0.5  // warm scrape of W2 / floor
	quotaRatioTarget = 1.15 // cold scrape under the quota / (calls / quota)
)

// row is one line of a workload's table; verdict is PASS, FAIL or empty.
type row struct {
	figure, measured, target, verdict string
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// markdownTable renders rows under a heading, escaping the cells.
func markdownTable(title string, rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	b.WriteString("| figure | measured | target | result |\n|---|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(r.figure), cell(r.measured), cell(r.target), cell(r.verdict))
	}
	return b.String()
}

func title(w workload) string {
	t := fmt.Sprintf("%s: %s executions, StepsPerExecution %d, RunningFraction %g",
		w.name, thousands(w.executions), w.stepsPerExec, w.runningFraction)
	switch w.kind {
	case kindLive:
		t += fmt.Sprintf(", live, scraped every %s", fmtSeconds(scrapeInterval))
	case kindEvents:
		t += fmt.Sprintf(", live, scraped every %s, with events (resync_interval %s) against polling", fmtSeconds(scrapeInterval), fmtSeconds(eventsResync))
	case kindLoop:
		t += fmt.Sprintf(", cold start under %d requests/s, scraped every %s with a %s timeout", quotaRPS, fmtSeconds(scrapeInterval), fmtSeconds(loopTimeout))
	}
	return t
}

// rows lays out one workload's figures next to their targets.
func rows(r *result) []row {
	d := r.data
	out := []row{
		{"data", fmt.Sprintf("%d executions, %d still running, %d step executions", len(d.executions), d.running, d.steps), "", ""},
		{"exposition", fmt.Sprintf("%d samples, %d step executions tracked", r.series, r.trackedSteps), fmt.Sprintf("%d step executions", d.steps), ""},
		{"cold scrape API calls", fmt.Sprintf("%d (%d + %d) in %s, up %s", r.cold.total(), r.cold.executions, r.cold.steps, fmtDuration(r.coldLatency), upString(r.coldUp)),
			fmt.Sprintf("%d expected (%d discovery + %d step pages)", d.expect.cold(), d.expect.discovery, d.expect.coldSteps), ""},
		warmCallsRow(r),
	}
	if r.exporterErrors != "" {
		out = append(out, row{"exporter's failed attempts (retried)", r.exporterErrors, "", ""})
	}
	out = append(out, []row{
		floorRow(r),
		{"warm scrape allocations", fmt.Sprintf("%s objects, %s per scrape", thousands(int(r.mallocs)), fmtBytes(r.bytes)), "", ""},
		{"warm scrape CPU", fmt.Sprintf("exporter %s, simulator and client %s per scrape", fmtDuration(r.exporterCPU), fmtDuration(r.benchCPU)), "", ""},
		rssRow(r),
	}...)
	return append(out, quotaRows(r)...)
}

// warmStepTarget is the most step calls a warm scrape may make per running
// execution.
const warmStepTarget = 1.1

func warmCallsRow(r *result) row {
	want := r.data.expect.warm()
	lo, hi, ok := r.warm[0].total(), r.warm[0].total(), true
	for _, c := range r.warm {
		lo, hi = min(lo, c.total()), max(hi, c.total())
		ok = ok && c.total() == want && c.other == 0
	}
	ok = ok && float64(r.data.expect.warmSteps) <= warmStepTarget*float64(r.data.running)
	got := fmt.Sprintf("%d (%d + %d) in each of %d scrapes", lo, r.warm[0].executions, r.warm[0].steps, len(r.warm))
	if lo != hi {
		got = fmt.Sprintf("%d to %d over %d scrapes", lo, hi, len(r.warm))
	}
	if !r.warmUp {
		got += ", up 0 in some"
	}
	return row{"warm scrape API calls", got,
		fmt.Sprintf("= %d (%d discovery + %d step calls for %d running executions: %.2f each, target ≤ %.1f)", want, r.data.expect.warmDiscovery,
			r.data.expect.warmSteps, r.data.running, float64(r.data.expect.warmSteps)/float64(max(r.data.running, 1)), warmStepTarget),
		verdict(ok && r.warmUp)}
}

func floorRow(r *result) row {
	warm, floor := median(r.warmLatency), median(r.floorLatency)
	ratio := float64(warm) / float64(max(floor, 1))
	got := fmt.Sprintf("median %s (p90 %s), of which refreshing %s; floor %s (p90 %s, %d samples); ratio %.2f",
		fmtDuration(warm), fmtDuration(percentile(r.warmLatency, 90)), fmtDuration(median(r.refresh)),
		fmtDuration(floor), fmtDuration(percentile(r.floorLatency, 90)), r.floorSeries, ratio)
	if r.w.name != "W2" {
		return row{"warm scrape latency", got, "(the target is for W2)", ""}
	}
	return row{"warm scrape latency", got, fmt.Sprintf("≤ %.1f × floor", floorRatioTarget), verdict(ratio <= floorRatioTarget)}
}

func rssRow(r *result) row {
	grown := float64(r.peak.hwmKiB-r.idle.rssKiB) * 1024
	per := grown / float64(max(r.trackedSteps, 1))
	kib := func(n int64) string { return fmtBytes(float64(n) * 1024) }
	got := fmt.Sprintf("idle %s, peak %s: %.0f B per tracked step execution; "+
		"resident after the warm scrapes %s; peak after the 50 concurrent scrapes %s",
		kib(r.idle.rssKiB), kib(r.peak.hwmKiB), per, kib(r.peak.rssKiB), kib(r.afterBurst.hwmKiB))
	limit := bytesPerStep(r.w.name)
	return row{"peak RSS above idle", got, fmt.Sprintf("≤ %d B per step execution", limit), verdict(r.trackedSteps > 0 && per <= float64(limit))}
}

// bytesPerStep is the target of peak RSS above idle per tracked step
// execution: 1 KiB at W2's size, 2 KiB at W1's, whose few step executions
// hide less of what any scrape costs the process.
func bytesPerStep(workload string) int {
	if workload == "W1" {
		return 2048
	}
	return 1024
}

func quotaRows(r *result) []row {
	ideal := time.Duration(float64(r.quota.total()) / quotaRPS * float64(time.Second))
	ratio := float64(r.quotaLatency) / float64(max(ideal, 1))
	got := fmt.Sprintf("%s for %d calls (%d + %d; %d expected), ideal %s; ratio %.2f", fmtDuration(r.quotaLatency),
		r.quota.total(), r.quota.executions, r.quota.steps, r.data.expect.cold(), fmtDuration(ideal), ratio)
	if !r.quotaUp {
		got += "; the scrape returned before everything was fetched (up 0)"
	}
	one := mostCommon(r.warm)
	return []row{
		{"cold scrape under 20 requests/s", got, fmt.Sprintf("≤ %.2f × calls ÷ 20", quotaRatioTarget), verdict(r.quotaUp && ratio <= quotaRatioTarget)},
		{"ThrottlingException under 20 requests/s", fmt.Sprint(r.quota.throttled), "0", verdict(r.quota.throttled == 0)},
		{"50 concurrent warm scrapes", fmt.Sprintf("%d calls in %s, up %s", r.burst.total(), fmtDuration(r.burstWall), upString(r.burstUp)),
			fmt.Sprintf("= %d (one warm scrape)", one), verdict(r.burstUp && r.burst.total() == one)},
	}
}

// mostCommon is the call count most warm scrapes had (the lowest of a tie):
// what one warm scrape costs.
func mostCommon(cs []apiCalls) int {
	seen := map[int]int{}
	best := -1
	for _, c := range cs {
		n := c.total()
		seen[n]++
		if best < 0 || seen[n] > seen[best] || (seen[n] == seen[best] && n < best) {
			best = n
		}
	}
	return best
}

func upString(up bool) string {
	if up {
		return "1"
	}
	return "0"
}

// fmtDuration prints milliseconds below 10 s and seconds above.
func fmtDuration(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// fmtSeconds prints whole seconds: "15 s".
func fmtSeconds(d time.Duration) string { return fmt.Sprintf("%.0f s", d.Seconds()) }

// fmtBytes prints bytes in KiB below 10 MiB and in MiB above.
func fmtBytes(b float64) string {
	if b < 10<<20 {
		return fmt.Sprintf("%.1f KiB", b/1024)
	}
	return fmt.Sprintf("%.1f MiB", b/(1<<20))
}

// thousands groups digits by three with commas.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// machineLine describes the machine in one Markdown paragraph.
func machineLine(m machine) string {
	return fmt.Sprintf("Machine: %d CPUs (%s), %s memory, %s, tree %s, %s; load average %s at the start.",
		m.cpus, m.model, m.memory, m.goVer, m.revision, m.date.Format("2006-01-02 15:04 UTC"), m.load)
}
