package ssmsim

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func stepsInput(id string, mod func(*ssm.DescribeAutomationStepExecutionsInput)) *ssm.DescribeAutomationStepExecutionsInput {
	in := &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(id)}
	if mod != nil {
		mod(in)
	}
	return in
}

func TestErrorsMapToTypedSDKErrors(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	c, _, _ := newSimClient(t, store, Options{})
	ctx := context.Background()
	describe := func(in *ssm.DescribeAutomationStepExecutionsInput) error {
		_, err := c.DescribeAutomationStepExecutions(ctx, in)
		return err
	}
	cases := []struct {
		name  string
		err   error
		typed func(error) bool
		code  string
	}{
		{"not found", describe(stepsInput(simExecID(2), nil)),
			func(err error) bool { var e *types.AutomationExecutionNotFoundException; return errors.As(err, &e) },
			codeNotFound},
		{"get not found", func() error {
			_, err := c.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(simExecID(9))})
			return err
		}(), func(err error) bool { var e *types.AutomationExecutionNotFoundException; return errors.As(err, &e) },
			codeNotFound},
		{"bad token", describe(stepsInput(simExecID(1), func(in *ssm.DescribeAutomationStepExecutionsInput) {
			in.NextToken = aws.String("bm90IGEgdG9rZW4")
		})), func(err error) bool { var e *types.InvalidNextToken; return errors.As(err, &e) }, codeInvalidNextToken},
		{"bad key", describe(stepsInput(simExecID(1), func(in *ssm.DescribeAutomationStepExecutionsInput) {
			in.Filters = []types.StepExecutionFilter{filter("Colour", "red")}
		})), func(err error) bool { var e *types.InvalidFilterKey; return errors.As(err, &e) }, codeInvalidFilterKey},
		{"bad value", describe(stepsInput(simExecID(1), func(in *ssm.DescribeAutomationStepExecutionsInput) {
			in.Filters = []types.StepExecutionFilter{filter("StepExecutionStatus", "Sleeping")}
		})), func(err error) bool { var e *types.InvalidFilterValue; return errors.As(err, &e) }, codeInvalidFilterValue},
		{"execution filter value", func() error {
			_, err := c.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{
				Filters: []types.AutomationExecutionFilter{execFilter("StartTimeAfter", "yesterday")},
			})
			return err
		}(), func(err error) bool { var e *types.InvalidFilterValue; return errors.As(err, &e) }, codeInvalidFilterValue},
		{"validation", describe(stepsInput(simExecID(1), func(in *ssm.DescribeAutomationStepExecutionsInput) {
			in.MaxResults = aws.Int32(51)
		})), nil, codeValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.typed != nil && !tc.typed(tc.err) {
				t.Errorf("error %v (%T) is not the typed SDK error", tc.err, tc.err)
			}
			var apiErr smithy.APIError
			if !errors.As(tc.err, &apiErr) || apiErr.ErrorCode() != tc.code {
				t.Errorf("error %v: want API error code %s", tc.err, tc.code)
			}
		})
	}
}

func TestInjectedErrorsMapToSDKErrors(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	for _, tc := range []struct {
		code  string
		typed func(error) bool
	}{
		{codeInternal, func(err error) bool { var e *types.InternalServerError; return errors.As(err, &e) }},
		{codeThrottling, func(err error) bool { var e *types.ThrottlingException; return errors.As(err, &e) }},
	} {
		t.Run(tc.code, func(t *testing.T) {
			c, srv, _ := newSimClient(t, store, Options{Faults: Faults{ErrorRates: map[string]float64{tc.code: 1}}})
			_, err := c.DescribeAutomationStepExecutions(context.Background(), stepsInput(simExecID(1), nil))
			if !tc.typed(err) {
				t.Errorf("error %v (%T) is not the typed SDK error", err, err)
			}
			// Both are retryable: the standard retryer makes its 3 attempts.
			if got := srv.Requests("DescribeAutomationStepExecutions", tc.code); got != 3 {
				t.Errorf("server answered %s %v times, want 3 attempts", tc.code, got)
			}
			if got := srv.InjectedFaults()[tc.code]; got != 3 {
				t.Errorf("injected %s %d times, want 3", tc.code, got)
			}
		})
	}
}

// manualClock is a clock the test moves.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// tickingClient moves the clock before every attempt it sends.
type tickingClient struct {
	clock *manualClock
	tick  time.Duration
}

func (c tickingClient) Do(r *http.Request) (*http.Response, error) {
	c.clock.advance(c.tick)
	return http.DefaultClient.Do(r)
}

func TestThrottlingIsRetriedUntilTheBucketRefills(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	clock := &manualClock{now: testEpoch}
	url, srv := NewTestServer(t, store, Options{RequestsPerSecond: 1, Burst: 1, Now: clock.Now})
	// Each attempt comes 0.6 s after the previous one: the second request is
	// throttled once and succeeds on its retry.
	c := SDKClient(context.Background(), url, testAccessKey, testRegion, noBackoff, func(o *ssm.Options) {
		o.HTTPClient = tickingClient{clock: clock, tick: 600 * time.Millisecond}
	})
	for i := range 2 {
		if _, err := c.DescribeAutomationStepExecutions(context.Background(), stepsInput(simExecID(1), nil)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	op := "DescribeAutomationStepExecutions"
	if ok, throttled := srv.Requests(op, codeOK), srv.Requests(op, codeThrottling); ok != 2 || throttled != 1 {
		t.Errorf("requests OK=%v Throttling=%v, want 2 and 1", ok, throttled)
	}
	if len(srv.InjectedFaults()) != 0 {
		t.Errorf("rate limiting counted as injected faults: %v", srv.InjectedFaults())
	}
}

func TestThrottlingIsPerAccount(t *testing.T) {
	store := NewStore()
	clock := &manualClock{now: testEpoch}
	url, srv := NewTestServer(t, store, Options{
		RequestsPerSecond: 1, Burst: 1, Now: clock.Now,
		AccessKeys: map[string]string{"AKIDA": "111111111111", "AKIDB": "222222222222"},
	})
	for _, key := range []string{"AKIDA", "AKIDB"} {
		c := SDKClient(context.Background(), url, key, testRegion, func(o *ssm.Options) { o.RetryMaxAttempts = 1 })
		if _, err := c.DescribeAutomationExecutions(context.Background(), &ssm.DescribeAutomationExecutionsInput{}); err != nil {
			t.Fatalf("first call with %s: %v", key, err)
		}
		_, err := c.DescribeAutomationExecutions(context.Background(), &ssm.DescribeAutomationExecutionsInput{})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != codeThrottling || apiErr.ErrorMessage() != "Rate exceeded" {
			t.Fatalf("second call with %s: %v, want ThrottlingException: Rate exceeded", key, err)
		}
	}
	if got := srv.Requests("DescribeAutomationExecutions", codeOK); got != 2 {
		t.Errorf("OK requests = %v, want one per account", got)
	}
}

func TestThrottlingFaultIsRetriedToSuccess(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	url, srv := NewTestServer(t, store, Options{Faults: Faults{ErrorRates: map[string]float64{codeThrottling: 0.5}, Seed: 3}})
	c := SDKClient(context.Background(), url, testAccessKey, testRegion, noBackoff, func(o *ssm.Options) { o.RetryMaxAttempts = 10 })
	for i := range 20 {
		if _, err := c.DescribeAutomationStepExecutions(context.Background(), stepsInput(simExecID(1), nil)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	op := "DescribeAutomationStepExecutions"
	if ok, throttled := srv.Requests(op, codeOK), srv.Requests(op, codeThrottling); ok != 20 || throttled == 0 {
		t.Errorf("requests OK=%v Throttling=%v, want 20 and some retried throttles", ok, throttled)
	}
}
