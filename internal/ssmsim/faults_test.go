package ssmsim

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

func TestMalformedBodyIsADeserializationError(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	c, srv, _ := newSimClient(t, store, Options{Faults: Faults{MalformedRate: 1}})
	_, err := c.DescribeAutomationStepExecutions(context.Background(), stepsInput(simExecID(1), nil))
	var de *smithy.DeserializationError
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T), want a deserialization error", err, err)
	}
	if got := srv.InjectedFaults()[faultMalformed]; got < 1 {
		t.Errorf("malformed bodies injected = %d", got)
	}
}

func TestRepeatingTokenIsCaughtByStopOnDuplicateToken(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(120))
	c, srv, _ := newSimClient(t, store, Options{Faults: Faults{RepeatTokenRate: 1}})
	in := stepsInput(simExecID(1), func(in *ssm.DescribeAutomationStepExecutionsInput) { in.MaxResults = aws.Int32(10) })

	// Without the guard the paginator keeps asking for the same page.
	p := ssm.NewDescribeAutomationStepExecutionsPaginator(c, in)
	var ids []string
	for range 5 {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, stepIDs(out.StepExecutions)...)
	}
	if !p.HasMorePages() || !slices.Equal(ids[10:20], ids[20:30]) {
		t.Fatalf("a repeated token should repeat the page: %v", ids)
	}

	// With it, the paginator stops at the first repeated token.
	items, pages := 0, 0
	p = ssm.NewDescribeAutomationStepExecutionsPaginator(c, in, func(o *ssm.DescribeAutomationStepExecutionsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		items += len(out.StepExecutions)
	}
	if pages != 2 || items != 20 {
		t.Errorf("pages %d, items %d; want 2 pages of 10", pages, items)
	}
	if got := srv.InjectedFaults()[faultRepeatToken]; got != 5 {
		t.Errorf("repeated tokens injected = %d, want 5", got)
	}
}

func TestLatencyRespectsCancellation(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(1))
	srv := New(store, Options{Faults: Faults{Latency: time.Hour}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := SDKClient(context.Background(), ts.URL, testAccessKey, testRegion, noBackoff)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.DescribeAutomationStepExecutions(ctx, stepsInput(simExecID(1), nil))
		done <- err
	}()
	for srv.InjectedFaults()[faultLatency] == 0 { // the request is now waiting
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	ts.Close() // returns only once the handler has stopped waiting
	if got := srv.Requests("DescribeAutomationStepExecutions", codeCanceled); got != 1 {
		t.Errorf("canceled requests = %v, want 1", got)
	}
}

func TestLatencyJitterIsBoundedAndSeeded(t *testing.T) {
	delays := func(seed int64) []time.Duration {
		fs := newFaultState(Faults{Latency: 10 * time.Millisecond, LatencyJitter: 5 * time.Millisecond, Seed: seed})
		out := make([]time.Duration, 50)
		for i := range out {
			out[i] = fs.delay()
			if out[i] < 10*time.Millisecond || out[i] > 15*time.Millisecond {
				t.Fatalf("delay %v outside [10ms, 15ms]", out[i])
			}
		}
		return out
	}
	if !slices.Equal(delays(1), delays(1)) {
		t.Error("the same seed gave different delays")
	}
	if slices.Equal(delays(1), delays(2)) {
		t.Error("different seeds gave the same delays")
	}
}

// answerCodes sends n requests in sequence and returns the error type of each.
func answerCodes(t *testing.T, seed int64, n int) []string {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(1))
	url, _ := NewTestServer(t, store, Options{Faults: Faults{
		ErrorRates: map[string]float64{codeThrottling: 0.3, codeInternal: 0.2}, Seed: seed,
	}})
	codes := make([]string, n)
	for i := range codes {
		codes[i] = rawCall(t, url, rawHeaders("GetAutomationExecution"), `{"AutomationExecutionId":"`+simExecID(1)+`"}`).errTyp
	}
	return codes
}

func TestErrorFaultsAreSeeded(t *testing.T) {
	a, b, other := answerCodes(t, 42, 60), answerCodes(t, 42, 60), answerCodes(t, 43, 60)
	if !slices.Equal(a, b) {
		t.Errorf("the same seed gave different faults:\n%v\n%v", a, b)
	}
	if slices.Equal(a, other) {
		t.Errorf("different seeds gave the same faults: %v", a)
	}
	for _, code := range []string{"", codeThrottling, codeInternal} {
		if !slices.Contains(a, code) {
			t.Errorf("no %q answer in 60 requests: %v", code, a)
		}
	}
}

func TestSetFaultsAtRunTime(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(1))
	url, srv := NewTestServer(t, store, Options{})
	get := func() rawResponse {
		return rawCall(t, url, rawHeaders("GetAutomationExecution"), `{"AutomationExecutionId":"`+simExecID(1)+`"}`)
	}
	if r := get(); r.status != 200 {
		t.Fatalf("before faults: %d %s", r.status, r.body)
	}
	srv.SetFaults(Faults{ErrorRates: map[string]float64{codeInternal: 1}})
	if r := get(); r.status != 500 || r.errTyp != codeInternal {
		t.Fatalf("with faults: %d %s", r.status, r.body)
	}
	srv.SetFaults(Faults{})
	if r := get(); r.status != 200 {
		t.Fatalf("after faults: %d %s", r.status, r.body)
	}

	// Changing faults while requests are served is safe.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 20 {
				get()
				srv.SetFaults(Faults{ErrorRates: map[string]float64{codeThrottling: 0.5}, Seed: int64(i)})
			}
		})
	}
	wg.Wait()
	if total := srv.Requests("GetAutomationExecution", codeOK) + srv.Requests("GetAutomationExecution", codeThrottling) +
		srv.Requests("GetAutomationExecution", codeInternal); total != 83 {
		t.Errorf("counted %v requests, want 83", total)
	}
}
