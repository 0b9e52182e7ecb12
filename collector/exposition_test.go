package collector

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/exposition"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// scrapeOf is a scrape whose targets are already refreshed.
func scrapeOf(parts ...scrapePart) *Scrape {
	s := &Scrape{ctx: context.Background()}
	s.once.Do(func() {})
	s.parts = parts
	return s
}

// writtenText is the exposition s writes itself in the text format.
func writtenText(t testing.TB, s *Scrape) string {
	t.Helper()
	return string(written(t, s, expfmt.NewFormat(expfmt.TypeTextPlain)))
}

// written is the exposition s writes itself in format.
func written(t testing.TB, s *Scrape, format expfmt.Format) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(targetsOnly{s})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gathering the per-target series: %v", err)
	}
	var b bytes.Buffer
	if err := exposition.Write(&b, mfs, s.written(), format, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// protoToText decodes a delimited protobuf exposition and writes it in the
// text format, failing on a family that comes twice.
func protoToText(t testing.TB, r io.Reader) string {
	t.Helper()
	dec := expfmt.NewDecoder(r, expfmt.NewFormat(expfmt.TypeProtoDelim))
	var text bytes.Buffer
	seen := map[string]bool{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding the protobuf exposition: %v", err)
		}
		if seen[mf.GetName()] {
			t.Fatalf("family %s comes twice", mf.GetName())
		}
		seen[mf.GetName()] = true
		if _, err := expfmt.MetricFamilyToText(&text, &mf); err != nil {
			t.Fatal(err)
		}
	}
	return text.String()
}

// checkWritten fails unless what s writes in the text format parses, each
// family in one block, and what it writes in the protobuf format holds
// exactly the same series, values, help and types.
func checkWritten(t testing.TB, s *Scrape) {
	t.Helper()
	text := writtenText(t, s)
	checkContiguous(t, text)
	want := normalize(t, text)
	proto := protoToText(t, bytes.NewReader(written(t, s, expfmt.NewFormat(expfmt.TypeProtoDelim))))
	if got := normalize(t, proto); got != want {
		t.Errorf("written protobuf differs from the written text:\n%s", firstDiff(got, want))
	}
}

// checkContiguous fails when a family's samples are not all under its
// own TYPE line.
func checkContiguous(t testing.TB, body string) {
	t.Helper()
	current := ""
	for line := range strings.Lines(body) {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			current, _, _ = strings.Cut(name, " ")
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		name := line[:strings.IndexAny(line, "{ ")]
		if current == "" || !strings.HasPrefix(name, current) {
			t.Fatalf("sample outside its family's block (under %q): %s", current, line)
		}
	}
}

// normalize parses an exposition and writes it back with families sorted
// by name and series by labels. The scrape deadline, which moves between
// two gatherings, is left out, and so are the families named in skip.
func normalize(t testing.TB, body string, skip ...string) string {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing the exposition: %v", err)
	}
	names := make([]string, 0, len(mfs))
	for n := range mfs {
		if n != "ssm_automation_scrape_timeout_seconds" && !slices.Contains(skip, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		mf := mfs[n]
		key := func(m *dto.Metric) string {
			var parts []string
			for _, lp := range m.GetLabel() {
				parts = append(parts, lp.GetName()+"\xff"+lp.GetValue())
			}
			sort.Strings(parts)
			return strings.Join(parts, "\xfe")
		}
		slices.SortFunc(mf.Metric, func(a, b *dto.Metric) int { return strings.Compare(key(a), key(b)) })
		for _, m := range mf.Metric {
			slices.SortFunc(m.Label, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
		}
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + "\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(no difference)"
}

func TestFamiliesAreSortedAndDistinct(t *testing.T) {
	names := map[string]bool{}
	for i, f := range families {
		if !sort.StringsAreSorted(f.Labels) {
			t.Errorf("%s: labels %v are not sorted", f.Name, f.Labels)
		}
		if !slices.Contains(f.Labels, "target") {
			t.Errorf("%s: no target label", f.Name)
		}
		if i > 0 && families[i-1].Name >= f.Name {
			t.Errorf("families out of order: %s before %s", families[i-1].Name, f.Name)
		}
		names[f.Name] = true
	}
	ch := make(chan *prometheus.Desc, 64)
	targetsOnly{}.Describe(ch)
	close(ch)
	for d := range ch {
		for n := range names {
			if strings.Contains(d.String(), `"`+n+`"`) {
				t.Errorf("%s is both a family and a per-target series", n)
			}
		}
	}
}

// TestWrittenExposition writes the fixture (alarms, loops, running steps,
// labels to escape), a generated fleet and every level of detail, with two
// targets in one scrape, in both formats.
func TestWrittenExposition(t *testing.T) {
	for _, details := range []string{config.DetailsSteps, config.DetailsExecutions, config.DetailsNone} {
		t.Run(details, func(t *testing.T) {
			h := newHarness(t, append(scenario(), oddLabels()), ssmsim.Options{})
			ssmsim.Generate(h.store, ssmsim.GenOptions{Seed: 7, Executions: 60, Region: "eu-west-1", Now: fixedNow})
			h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %[1]s
    details: `+details+`
    discovery: [{name: fleet, lookback: 48h}]
  - name: t2
    region: eu-west-1
    endpoint: %[1]s
    discovery: [{name: all, lookback: 48h}]
`)
			s := h.exp.Scrape(context.Background(), nil)
			checkWritten(t, s)
			body := writtenText(t, s)
			if details == config.DetailsSteps && !strings.Contains(body, "ssm_automation_step_triggered_alarm{") {
				t.Error("no step alarm series: the fixture should have some")
			}
			if details != config.DetailsSteps && stepLinesOf(body, "t1") != "" {
				t.Errorf("t1 exports step series with details %s:\n%s", details, stepLinesOf(body, "t1"))
			}
			if details == config.DetailsNone && strings.Contains(body, `execution_id="`+idOdd+`"`) {
				t.Error("t1 exports execution series with details none")
			}
			if details != config.DetailsNone && !strings.Contains(body, `document_name="Custom-\\Odd\"Doc\"\n"`) {
				t.Error("the escaped document name of the odd execution is missing")
			}
		})
	}
}

const idOdd = "99999999-9999-4999-8999-999999999999"

// oddLabels is an execution whose label values need escaping.
func oddLabels() *ssmsim.Execution {
	return &ssmsim.Execution{
		ID: idOdd, DocumentName: "Custom-\\Odd\"Doc\"\n", DocumentVersion: "1", Status: "Success",
		StartTime: at(-30), EndTime: at(-20), AutomationType: "Local", Mode: "Auto",
		Steps: []*ssmsim.Step{
			{StepExecutionID: "s-o1", StepName: "say \"hi\"\\n", Action: "aws:executeScript", Status: "Success",
				StartTime: at(-30), EndTime: at(-20), NextStep: "line\nbreak", OnFailure: "step:é\u00e9",
				TriggeredAlarms: []ssmsim.Alarm{{Name: "a\"b\\c", State: "ALARM"}}},
		},
	}
}

func stepLinesOf(body, target string) string {
	var out []string
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "ssm_automation_step_") && strings.Contains(line, `target="`+target+`"`) &&
			!strings.HasPrefix(line, "ssm_automation_step_finished_duration_seconds") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// TestServeNegotiates checks the HTTP side: text with and without gzip,
// and protobuf, all with the same series.
func TestServeNegotiates(t *testing.T) {
	h := newHarness(t, append(scenario(), oddLabels()), ssmsim.Options{})
	h.apply(t, `
targets:
  - name: t1
    region: us-east-1
    endpoint: %s
    discovery: [{name: fleet, lookback: 48h}]
`)
	base := prometheus.NewRegistry()
	base.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "a_base_metric", Help: "From the base registry."}))
	var serveURL func(url, accept, encoding string) *http.Response
	serve := func(accept, encoding string) *http.Response {
		return serveURL("/metrics", accept, encoding)
	}
	serveURL = func(url, accept, encoding string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		rec := httptest.NewRecorder()
		Serve(rec, req, h.exp.Scrape(context.Background(), nil), base, slog.New(slog.DiscardHandler))
		return rec.Result()
	}
	read := func(resp *http.Response) string {
		t.Helper()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = gz
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	plain := serve("", "")
	if ct := plain.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the text format", ct)
	}
	if plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("Content-Encoding %q without Accept-Encoding", plain.Header.Get("Content-Encoding"))
	}
	// Each answer is a refresh of its own, which takes its own time.
	const took = "ssm_automation_scrape_duration_seconds"
	want := normalize(t, read(plain), took)
	if !strings.Contains(want, "a_base_metric 0") || !strings.Contains(want, "ssm_automation_step_status{") {
		t.Fatalf("the text answer lacks the base registry or the families:\n%.2000s", want)
	}

	zipped := serve("text/plain", "deflate, gzip;q=0.8")
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", zipped.Header.Get("Content-Encoding"))
	}
	if got := normalize(t, read(zipped), took); got != want {
		t.Errorf("gzip answer differs:\n%s", firstDiff(got, want))
	}

	proto := serve("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "")
	if ct := proto.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.google.protobuf") {
		t.Fatalf("Content-Type %q, want protobuf", ct)
	}
	text := protoToText(t, proto.Body)
	if got := normalize(t, text, took); got != want {
		t.Errorf("protobuf answer differs from the text one:\n%s", firstDiff(got, want))
	}

	// Formats not written (the protobuf text formats, OpenMetrics) get
	// the text format, as from a promhttp handler without OpenMetrics.
	for _, accept := range []string{
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
		"application/openmetrics-text;version=1.0.0",
	} {
		resp := serve(accept, "")
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Accept %s: Content-Type %q, want the text format", accept, ct)
		}
		if got := normalize(t, read(resp), took); got != want {
			t.Errorf("Accept %s: answer differs:\n%s", accept, firstDiff(got, want))
		}
	}
	// name[] picks families, written or gathered, in both formats.
	for _, accept := range []string{"", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"} {
		resp := serveURL("/metrics?name[]=ssm_automation_step_status&name[]=ssm_automation_up&name[]=a_base_metric", accept, "gzip")
		body := read(resp)
		if accept != "" {
			body = protoToText(t, strings.NewReader(body))
		}
		var names []string
		for line := range strings.Lines(body) {
			if n, ok := strings.CutPrefix(line, "# TYPE "); ok {
				n, _, _ = strings.Cut(n, " ")
				names = append(names, n)
			}
		}
		if want := []string{"a_base_metric", "ssm_automation_step_status", "ssm_automation_up"}; !slices.Equal(names, want) {
			t.Errorf("Accept %q with name[]: families %v, want %v", accept, names, want)
		}
	}
	for enc, want := range map[string]bool{
		"gzip": true, "GZIP;Q=1": true, "gzip;q=0": false, "gzip;Q=0": false, "gzip;q=0.5, identity": false,
		"identity;q=0.5, gzip": true, "*": false, "deflate": false, "": false, "br, gzip;q=0.1": true,
	} {
		if got := serve("", enc).Header.Get("Content-Encoding") == "gzip"; got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", enc, got, want)
		}
	}
	if vary := plain.Header.Values("Vary"); !slices.Contains(vary, "Accept") || !slices.Contains(vary, "Accept-Encoding") {
		t.Errorf("Vary %q, want Accept and Accept-Encoding", vary)
	}
}
