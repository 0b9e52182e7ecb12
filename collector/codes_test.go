package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestErrorCodeLabelIsBounded(t *testing.T) {
	apiErr := func(code string) error {
		return fmt.Errorf("operation error: %w", &smithy.GenericAPIError{Code: code, Message: "m"})
	}
	http503 := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: errors.New("boom")}}
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "OK"},
		{context.DeadlineExceeded, "Timeout"},
		{context.Canceled, "Canceled"},
		{fmt.Errorf("read: %w", errResponseTooLarge), "ResponseTooLarge"},
		{&smithy.DeserializationError{Err: errors.New("bad json")}, "DeserializationError"},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, "RequestError"},
		{http503, "HTTP5xx"},
		{&types.AutomationExecutionNotFoundException{}, "AutomationExecutionNotFoundException"},
		{&types.InvalidFilterValue{}, "InvalidFilterValue"},
		{apiErr("ThrottlingException"), "ThrottlingException"},
		{apiErr("AccessDeniedException"), "AccessDeniedException"},
		{apiErr("UnrecognizedClientException"), "UnrecognizedClientException"},
		{apiErr("ExpiredTokenException"), "ExpiredTokenException"},
		{apiErr("InternalServerError"), "InternalServerError"},
		{apiErr("ServiceUnavailable"), "ServiceUnavailable"},
		{apiErr("RequestExpired"), "RequestExpired"},
		{apiErr("MadeUpFailureException"), "other"},
		{apiErr("throttlingexception"), "other"},
		{apiErr(""), "other"},
		{apiErr(strings.Repeat("X", 4096)), "other"},
	} {
		if got := errorCode(c.err); got != c.want {
			t.Errorf("errorCode(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestUnknownErrorCodeIsOther answers every call with an error code the
// service does not have: it is counted, but as code "other", and the code
// itself reaches no label and no log line above debug.
func TestUnknownErrorCodeIsOther(t *testing.T) {
	h, logs := faultHarness(t, ssmsim.Options{})
	h.sim.SetFaults(ssmsim.Faults{ErrorRates: map[string]float64{"MadeUpFailureException": 1}})
	reg := h.registry(t)
	if v, _ := value(t, reg, "ssm_automation_up", nil); v != 0 {
		t.Fatal("failed calls must report up 0")
	}
	injected := float64(h.sim.InjectedFaults()["MadeUpFailureException"])
	if got := codeCount(t, h, "other"); injected == 0 || got != injected {
		t.Fatalf("counted %v calls as code other, the simulator injected %v", got, injected)
	}
	if v := sum(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"reason": "other"}); v == 0 {
		t.Fatal(`the failed fetches were not counted as errors_total{reason="other"}`)
	}
	text := exposition(t, h.base) + logs.String()
	if strings.Contains(text, "MadeUpFailureException") {
		t.Fatalf("the unknown code reached a label or a log line:\n%s", text)
	}
}
