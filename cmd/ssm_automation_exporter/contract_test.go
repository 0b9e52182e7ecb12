package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/contract"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// contractConfig has one target with one discovery rule; %s is the
// endpoint.
const contractConfig = `
api:
  max_attempts: 1
targets:
  - name: fleet
    region: us-east-1
    endpoint: %s
    discovery:
      - name: all
        lookback: 24h
`

// contractEvents makes the target follow the simulator's queue; %s is
// the queue's URL.
const contractEvents = `    events:
      queue_url: %s
`

// contractStore holds executions that make every metric of the contract
// appear: one finished with an alarm, whose steps started, ended, carry
// MaxAttempts and TimeoutSeconds and triggered an alarm, and one running.
func contractStore() *ssmsim.Store {
	now := time.Now().UTC().Truncate(time.Second)
	at := func(min int) time.Time { return now.Add(time.Duration(min) * time.Minute) }
	attempts, timeout := int32(2), int64(600)
	store := ssmsim.NewStore()
	store.Put("123456789012", "us-east-1", &ssmsim.Execution{
		ID: "11111111-1111-4111-8111-111111111111", DocumentName: "AWS-PatchFleet", DocumentVersion: "1",
		Status: "Failed", StartTime: at(-60), EndTime: at(-50), AutomationType: "Local", Mode: "Auto",
		TriggeredAlarms: []ssmsim.Alarm{{Name: "FleetHealth", State: "ALARM"}},
		Steps: []*ssmsim.Step{{
			StepExecutionID: "s-1", StepName: "patch", Action: "aws:runCommand", Status: "Failed",
			StartTime: at(-60), EndTime: at(-50), MaxAttempts: &attempts, TimeoutSeconds: &timeout,
			TriggeredAlarms: []ssmsim.Alarm{{Name: "HighErrorRate", State: "ALARM"}},
		}},
	})
	store.Put("123456789012", "us-east-1", &ssmsim.Execution{
		ID: "22222222-2222-4222-8222-222222222222", DocumentName: "AWS-PatchFleet", DocumentVersion: "1",
		Status: "InProgress", StartTime: at(-5), AutomationType: "Local", Mode: "Auto",
		Steps: []*ssmsim.Step{{StepExecutionID: "s-2", StepName: "patch", Action: "aws:runCommand", Status: "InProgress", StartTime: at(-5)}},
	})
	return store
}

// TestScrapeMatchesContract scrapes the exporter as it serves, with the
// base registry serve builds, and checks every family against the
// contract: its type, help and labels. A target whose executions exercise
// everything shows every metric of the contract on /metrics, and exactly
// those of the Targets group on /probe; a target whose API cannot be
// reached shows exactly the metrics the contract says need nothing. The
// first target follows a queue, which holds one event when it starts.
func TestScrapeMatchesContract(t *testing.T) {
	waiting := make(chan ssmsim.Queue, 1)
	url, srv := ssmsim.NewTestServer(t, contractStore(), ssmsim.Options{OnLongPoll: func(q ssmsim.Queue) {
		select {
		case waiting <- q:
		default:
		}
	}})
	q := ssmsim.Queue{Account: "123456789012", Region: "us-east-1", Name: "events"}
	srv.CreateQueue(q)
	srv.Subscribe(q.Account, q.Region, q)
	srv.PublishEvent(ssmsim.ExecutionEvent(q.Account, q.Region, &ssmsim.Execution{ID: "22222222-2222-4222-8222-222222222222",
		DocumentName: "AWS-PatchFleet", DocumentVersion: "1", Status: "InProgress"}, time.Now()))
	full := newServerWith(t, fmt.Sprintf(contractConfig, url)+fmt.Sprintf(contractEvents, ssmsim.QueueURL(url, q)))
	select {
	case <-waiting: // the event is read
	case <-time.After(10 * time.Second):
		t.Fatal("the exporter does not read its queue")
	}
	unreachable := newServerWith(t, fmt.Sprintf(contractConfig, "http://127.0.0.1:1"))
	text := expfmt.NewFormat(expfmt.TypeTextPlain)
	var all, targets, always []string
	for _, m := range contract.Metrics {
		all = append(all, m.Name)
		if m.Group == contract.Targets {
			targets = append(targets, m.Name)
		}
		if m.Conditional == "" {
			always = append(always, m.Name)
		}
	}
	for name, format := range map[string]expfmt.Format{
		"text": text, "protobuf": expfmt.NewFormat(expfmt.TypeProtoDelim),
	} {
		t.Run(name, func(t *testing.T) {
			checkFamilies(t, "/metrics", scrapeFamilies(t, full.url+"/metrics", format), all)
			checkFamilies(t, "/probe", scrapeFamilies(t, full.url+"/probe?target=fleet", format), targets)
		})
	}
	checkFamilies(t, "/metrics of an unreachable target", scrapeFamilies(t, unreachable.url+"/metrics", text), always)
}

// scrapeFamilies gets url asking for format and decodes the answer.
func scrapeFamilies(t *testing.T, url string, format expfmt.Format) []*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", string(format))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || expfmt.ResponseFormat(resp.Header) != format {
		t.Fatalf("%s: %s, Content-Type %q, want 200 and %s", url, resp.Status, resp.Header.Get("Content-Type"), format)
	}
	var mfs []*dto.MetricFamily
	if format.FormatType() == expfmt.TypeTextPlain {
		p := expfmt.NewTextParser(model.UTF8Validation)
		byName, err := p.TextToMetricFamilies(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		for _, mf := range byName {
			mfs = append(mfs, mf)
		}
		return mfs
	}
	dec := expfmt.NewDecoder(resp.Body, format)
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err == io.EOF {
			return mfs
		} else if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		mfs = append(mfs, mf)
	}
}

// checkFamilies checks that every family but the Go and process metrics
// is in the contract with its type, help and labels, and that the names
// of those families are exactly want.
func checkFamilies(t *testing.T, where string, mfs []*dto.MetricFamily, want []string) {
	t.Helper()
	var got []string
	for _, mf := range mfs {
		name := mf.GetName()
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		got = append(got, name)
		m, ok := contract.Lookup(name)
		if !ok {
			t.Errorf("%s: %s is not in the contract", where, name)
			continue
		}
		if typ := contract.Type(strings.ToLower(mf.GetType().String())); typ != m.Type {
			t.Errorf("%s: %s is a %s, the contract says %s", where, name, typ, m.Type)
		}
		if mf.GetHelp() != m.Help {
			t.Errorf("%s: %s has the help %q, the contract says %q", where, name, mf.GetHelp(), m.Help)
		}
		wantLabels := slices.Sorted(slices.Values(m.Labels))
		for _, s := range mf.GetMetric() {
			var labels []string
			for _, lp := range s.GetLabel() {
				labels = append(labels, lp.GetName())
			}
			if slices.Sort(labels); !slices.Equal(labels, wantLabels) {
				t.Errorf("%s: a series of %s has the labels %v, the contract says %v", where, name, labels, wantLabels)
				break
			}
		}
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	for _, n := range want {
		if !slices.Contains(got, n) {
			t.Errorf("%s: %s is missing", where, n)
		}
	}
	for _, n := range got {
		if m, ok := contract.Lookup(n); ok && !slices.Contains(want, n) {
			t.Errorf("%s: %s is there, unexpected (group %d, conditional %q)", where, n, m.Group, m.Conditional)
		}
	}
}
