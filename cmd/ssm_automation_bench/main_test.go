package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func steps(statuses ...string) []*ssmsim.Step {
	out := make([]*ssmsim.Step, len(statuses))
	for i, s := range statuses {
		out[i] = &ssmsim.Step{Status: s}
	}
	return out
}

func repeat(status string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = status
	}
	return out
}

func TestExpectCalls(t *testing.T) {
	var es []*ssmsim.Execution
	for range 48 { // finished, one page of steps each
		es = append(es, &ssmsim.Execution{Status: "Success", Steps: steps("Success", "Pending")})
	}
	es = append(es,
		&ssmsim.Execution{Status: "InProgress", Steps: steps(repeat("Success", 51)...)},           // 2 pages, running
		&ssmsim.Execution{Status: "Failed", Steps: steps("Failed", "InProgress")},                 // terminal, but a step moves
		&ssmsim.Execution{Status: "Cancelled"},                                                    // no steps: one empty page
		&ssmsim.Execution{Status: "Waiting", Steps: steps(repeat("Success", 50)...)},              // exactly one page
		&ssmsim.Execution{Status: "CompletedWithFailure", Steps: steps(repeat("Failed", 100)...)}, // 2 pages, settled
	)
	got := expectCalls(es)
	// Two of 53 executions are running: listing them and the newest second
	// would cost as much as the whole window, which the warm listing lists.
	want := expectedCalls{discovery: 2, warmDiscovery: 2, coldSteps: 48 + 2 + 1 + 1 + 1 + 2, warmSteps: 2 + 1 + 1}
	if got != want {
		t.Fatalf("expectCalls = %+v, want %+v", got, want)
	}
	if got.cold() != 57 || got.warm() != 6 {
		t.Fatalf("cold %d, warm %d; want 57, 6", got.cold(), got.warm())
	}
	if n := pages(0); n != 1 {
		t.Fatalf("pages(0) = %d, want 1", n)
	}
}

// TestWarmDiscoveryCalls checks the warm listing's cost: the running
// executions and those of the newest start's second, or the whole window
// when that costs no more than the running ones and a page.
func TestWarmDiscoveryCalls(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fleet := func(n, running int) []*ssmsim.Execution {
		var es []*ssmsim.Execution
		for i := range n {
			status := "Success"
			if i < running {
				status = "InProgress"
			}
			// Two executions a second: the newest second holds two.
			es = append(es, &ssmsim.Execution{Status: status, StartTime: t0.Add(time.Duration(i) * 500 * time.Millisecond)})
		}
		return es
	}
	for _, tc := range []struct {
		n, running, want int
	}{
		{200, 3, 1 + 1},   // 4 pages of window > 1 + 1: running page + newest second's page
		{200, 120, 4},     // 4 pages <= 3 + 1: whole window
		{100, 0, 2},       // 2 pages <= 1 + 1: whole window
		{1000, 60, 2 + 1}, // 20 pages: 2 pages of running + 1
	} {
		got := warmDiscoveryCalls(fleet(tc.n, tc.running))
		if got != tc.want {
			t.Errorf("%d executions, %d running: %d warm discovery calls, want %d", tc.n, tc.running, got, tc.want)
		}
	}
}

// started gives steps start times a second apart, in order.
func started(st []*ssmsim.Step) []*ssmsim.Step {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range st {
		if s.Status != "Pending" {
			s.StartTime = t0.Add(time.Duration(i) * time.Second)
		}
	}
	return st
}

// loopSteps is a loop step (index 1) whose iterations are its steps from
// index 2 to the last but one.
func loopSteps(st []*ssmsim.Step) []*ssmsim.Step {
	st[1].Action, st[1].StepName = "aws:loop", "eachInstance"
	for _, s := range st[2 : len(st)-1] {
		s.ParentStepDetails = &ssmsim.ParentStepDetails{StepName: "eachInstance"}
	}
	return st
}

func TestDeltaCalls(t *testing.T) {
	current := started(steps(append(repeat("Success", 119), "InProgress", "Pending")...))
	open := started(steps(append(append([]string{"Success", "InProgress"}, repeat("Success", 108)...), "InProgress", "Pending")...))
	loop := loopSteps(started(steps(append(append([]string{"Success", "InProgress"}, repeat("Success", 108)...), "InProgress", "Pending")...)))
	loopDone := loopSteps(started(steps(append(append([]string{"Success", "InProgress"}, repeat("Success", 108)...), "Success", "InProgress")...)))
	small := started(steps("Success", "InProgress", "Success", "InProgress"))
	for _, c := range []struct {
		e    *ssmsim.Execution
		want int
	}{
		{&ssmsim.Execution{Status: "InProgress", Steps: current}, 1},                         // 3 pages in full
		{&ssmsim.Execution{Status: "InProgress", Steps: open}, 2},                            // the open step by id; 3 pages in full
		{&ssmsim.Execution{Status: "InProgress", Steps: loop}, 1},                            // an iteration runs: the loop step is known
		{&ssmsim.Execution{Status: "InProgress", Steps: loopDone}, 2},                        // the step after the loop runs: the loop by id
		{&ssmsim.Execution{Status: "Failed", Steps: loop}, 1 + 1},                            // ended: the loop and the Pending step, one call by id
		{&ssmsim.Execution{Status: "InProgress", Steps: small}, 1},                           // by id costs more than the one page
		{&ssmsim.Execution{Status: "Failed", Steps: current}, 1 + 1},                         // ended: the Pending step by id
		{&ssmsim.Execution{Status: "Failed", Steps: small}, 1},                               // ended, one page in full
		{&ssmsim.Execution{Status: "InProgress", Steps: steps(repeat("Pending", 60)...)}, 2}, // nothing started
	} {
		if got := deltaCalls(c.e); got != c.want {
			t.Errorf("%s with %d steps: %d calls, want %d", c.e.Status, len(c.e.Steps), got, c.want)
		}
	}
	d := generate(workload{name: "W2", executions: 2000, stepsPerExec: 25, runningFraction: 0.2}, 1, time.Now())
	if per := float64(d.expect.warmSteps) / float64(d.running); per > warmStepTarget {
		t.Fatalf("W2: %d step calls for %d running executions (%.2f each)", d.expect.warmSteps, d.running, per)
	}
	t.Logf("W2: %d warm step calls for %d running executions", d.expect.warmSteps, d.running)
}

func TestGenerateCountsRunning(t *testing.T) {
	d := generate(workload{name: "t", executions: 30, stepsPerExec: 25, runningFraction: 0.2}, 1, time.Now())
	if len(d.executions) != 30 || d.running == 0 || d.running == 30 {
		t.Fatalf("%d executions, %d running", len(d.executions), d.running)
	}
	if d.expect.discovery != 1 || d.expect.warmSteps < d.running {
		t.Fatalf("expect %+v with %d running", d.expect, d.running)
	}
}

func TestParseWorkloads(t *testing.T) {
	ws, err := parseWorkloads("w2, W1")
	if err != nil || len(ws) != 2 || ws[0].executions != 2000 || ws[1].executions != 200 {
		t.Fatalf("parseWorkloads = %+v, %v", ws, err)
	}
	ws, err = parseWorkloads("W3,w2-LOOP")
	if err != nil || len(ws) != 2 || ws[0].kind != kindLive || ws[1].kind != kindLoop || ws[1].executions != 2000 {
		t.Fatalf("parseWorkloads = %+v, %v", ws, err)
	}
	for _, bad := range []string{"W4", "", " , "} {
		if _, err := parseWorkloads(bad); err == nil {
			t.Errorf("parseWorkloads(%q) accepted", bad)
		}
	}
}

func TestParseProcStatus(t *testing.T) {
	in := "Name:\tssm_automation_e\nVmPeak:\t 1300000 kB\nVmHWM:\t   40960 kB\nVmRSS:\t   20480 kB\nThreads:\t7\n"
	st, err := parseProcStatus(strings.NewReader(in))
	if err != nil || st != (procStatus{rssKiB: 20480, hwmKiB: 40960}) {
		t.Fatalf("parseProcStatus = %+v, %v", st, err)
	}
	for _, bad := range []string{"VmRSS:\t1 kB\n", "VmRSS:\t1 kB\nVmHWM:\tlots kB\n", "VmRSS:\t1 MB\nVmHWM:\t1 kB\n"} {
		if _, err := parseProcStatus(strings.NewReader(bad)); err == nil {
			t.Errorf("parseProcStatus(%q) accepted", bad)
		}
	}
}

func TestMarkdownTable(t *testing.T) {
	got := markdownTable("W1: test", []row{
		{"warm scrape API calls", "33", "= 33", "PASS"},
		{"a|b", "x", "", ""},
	})
	want := "### W1: test\n\n" +
		"| figure | measured | target | result |\n|---|---|---|---|\n" +
		"| warm scrape API calls | 33 | = 33 | PASS |\n" +
		"| a\\|b | x |  |  |\n"
	if got != want {
		t.Fatalf("markdownTable:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2000000: "2,000,000", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{1500 * time.Microsecond: "1.50 ms", 250 * time.Millisecond: "250.0 ms", 105 * time.Second: "105.0 s"} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestMostCommon(t *testing.T) {
	cs := []apiCalls{{steps: 34}, {steps: 33}, {steps: 33}, {steps: 35}, {steps: 34}, {steps: 33}}
	if got := mostCommon(cs); got != 33 {
		t.Errorf("mostCommon = %d, want 33", got)
	}
	if got := mostCommon([]apiCalls{{steps: 5}, {steps: 4}}); got != 4 {
		t.Errorf("mostCommon of a tie = %d, want 4", got)
	}
}

func TestMedianAndPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	if got := median(ms(5, 1, 3)); got != 3*time.Millisecond {
		t.Errorf("median odd = %v", got)
	}
	if got := median(ms(4, 1, 3, 2)); got != 2500*time.Microsecond {
		t.Errorf("median even = %v", got)
	}
	ds := ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
	if got := percentile(ds, 90); got != 9*time.Millisecond {
		t.Errorf("p90 = %v", got)
	}
	if got := percentile(ms(7), 90); got != 7*time.Millisecond {
		t.Errorf("p90 of one = %v", got)
	}
}

func TestSampleValue(t *testing.T) {
	body := []byte("# HELP go_memstats_mallocs_total x\n# TYPE go_memstats_mallocs_total counter\n" +
		"go_memstats_mallocs_total 1.5e+06\nssm_automation_up{target=\"bench\"} 1\nssm_automation_up{target=\"other\"} 0\n")
	if v, ok := sampleValue(body, "go_memstats_mallocs_total "); !ok || v != 1.5e6 {
		t.Errorf("mallocs = %v, %v", v, ok)
	}
	if !isUp(body) {
		t.Error("isUp = false")
	}
	if n := countSamples(body, ""); n != 3 {
		t.Errorf("countSamples = %d, want 3", n)
	}
	if n := countSamples(body, "ssm_automation_up{"); n != 2 {
		t.Errorf("countSamples(up) = %d, want 2", n)
	}
}

// The floor must serve what it was built from, family by family.
func TestStaticCollectorRoundTrip(t *testing.T) {
	in := `# HELP a_total A counter.
# TYPE a_total counter
a_total{op="x",target="t"} 3
a_total{op="y",target="t"} 4
# HELP b A gauge.
# TYPE b gauge
b 1.5
# HELP c_seconds A histogram.
# TYPE c_seconds histogram
c_seconds_bucket{doc="d",le="1"} 1
c_seconds_bucket{doc="d",le="10"} 3
c_seconds_bucket{doc="d",le="+Inf"} 4
c_seconds_sum{doc="d"} 120
c_seconds_count{doc="d"} 4
# HELP d_seconds A summary.
# TYPE d_seconds summary
d_seconds{quantile="0"} 0.1
d_seconds{quantile="1"} 0.9
d_seconds_sum 2
d_seconds_count 5
`
	c, err := newStaticCollector([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&out, mf); err != nil {
			t.Fatal(err)
		}
	}
	if out.String() != in {
		t.Fatalf("round trip:\n%s\nwant:\n%s", out.String(), in)
	}
}

// The floor holds each family in the order a registry sorts it, whatever
// the order of the exposition it was built from.
func TestStaticCollectorSortsFamilies(t *testing.T) {
	in := `# HELP g A gauge.
# TYPE g gauge
g{a="2",b="x"} 1
g{a="10",b="x"} 2
g{a="1",b="z"} 3
g{a="1",b="y"} 4
`
	c, err := newStaticCollector([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, m := range c.metrics {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		got = append(got, pb.GetGauge().GetValue())
	}
	if want := []float64{4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Fatalf("floor order %v, want %v (by a, then b, as strings)", got, want)
	}
}
