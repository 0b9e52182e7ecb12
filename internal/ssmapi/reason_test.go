package ssmapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkError wraps err as the SDK returns a failed call: an operation error
// around the HTTP response error of the last attempt.
func sdkError(status int, err error) error {
	return &smithy.OperationError{ServiceID: "SSM", OperationName: "DescribeAutomationStepExecutions",
		Err: &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}}}
}

func apiError(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }

var (
	dnsError   = &net.DNSError{Err: "no such host", Name: "ssm.nowhere.example"}
	dialError  = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	badJSON    = &smithy.DeserializationError{Err: errors.New("unexpected end of JSON input")}
	notFoundEx = &types.AutomationExecutionNotFoundException{Message: new(string)}
)

// TestReasonOf classifies the errors a call can end with, and checks
// that every reason with advice (each has a zero series from the start)
// is one a failure can have.
func TestReasonOf(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range []struct {
		err  error
		want string
	}{
		{sdkError(400, notFoundEx), "not_found"},
		{fmt.Errorf("execution x: %w", ErrNotFound), "not_found"},
		{fmt.Errorf("paging: %w", ErrRepeatedToken), "invalid_response"},
		{sdkError(200, fmt.Errorf("reading: %w", ErrResponseTooLarge)), "invalid_response"},
		{sdkError(200, badJSON), "invalid_response"},
		{sdkError(400, apiError("AccessDenied")), "access_denied"},
		{sdkError(400, apiError("AccessDeniedException")), "access_denied"},
		{sdkError(400, apiError("UnauthorizedOperation")), "access_denied"},
		{sdkError(400, apiError("UnrecognizedClientException")), "access_denied"},
		{sdkError(403, apiError("InvalidClientTokenId")), "access_denied"},
		{sdkError(403, apiError("SignatureDoesNotMatch")), "access_denied"},
		{sdkError(400, apiError("ExpiredToken")), "expired_credentials"},
		{sdkError(400, apiError("ExpiredTokenException")), "expired_credentials"},
		{sdkError(400, apiError("RequestExpired")), "expired_credentials"},
		{sdkError(400, apiError("ThrottlingException")), "throttled"},
		{sdkError(400, apiError("Throttling")), "throttled"},
		{sdkError(429, apiError("TooManyRequestsException")), "throttled"},
		{sdkError(503, apiError("RequestLimitExceeded")), "throttled"},
		{&retry.MaxAttemptsError{Attempt: 5, Err: sdkError(400, apiError("ThrottlingException"))}, "throttled"},
		{sdkError(500, apiError("InternalServerError")), "server_error"},
		{sdkError(503, apiError("ServiceUnavailable")), "server_error"},
		{sdkError(500, apiError("InternalFailure")), "server_error"},
		{sdkError(400, apiError("ValidationException")), "invalid_request"},
		{sdkError(400, apiError("InvalidFilterKey")), "invalid_request"},
		{sdkError(400, apiError("InvalidNextToken")), "invalid_request"},
		{sdkError(400, apiError("SomethingNew")), "other"},
		{context.DeadlineExceeded, "timeout"},
		{fmt.Errorf("%w: rate: Wait(n=1) would exceed context deadline", context.DeadlineExceeded), "timeout"},
		{&retry.MaxAttemptsError{Attempt: 3, Err: context.DeadlineExceeded}, "timeout"},
		{&smithy.OperationError{ServiceID: "SSM", OperationName: "x", Err: dnsError}, "endpoint"},
		{&smithy.OperationError{ServiceID: "SSM", OperationName: "x", Err: dialError}, "endpoint"},
		{errors.New("get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found"), "access_denied"},
		{context.Canceled, "other"},
		{errors.New("something else"), "other"},
	} {
		got := Reason(c.err)
		seen[got] = true
		if got != c.want {
			t.Errorf("Reason(%v) = %s, want %s", c.err, got, c.want)
		}
		if _, ok := advice[got]; !ok {
			t.Errorf("Reason(%v) = %s, which has no advice", c.err, got)
		}
	}
	for reason := range advice {
		if !seen[reason] {
			t.Errorf("reason %s: no error of the table is classified as it", reason)
		}
	}
}

func TestErrorCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "OK"},
		{sdkError(200, fmt.Errorf("reading: %w", ErrResponseTooLarge)), "ResponseTooLarge"},
		{sdkError(400, apiError("ThrottlingException")), "ThrottlingException"},
		{sdkError(400, notFoundEx), "AutomationExecutionNotFoundException"},
		{sdkError(500, apiError("InternalServerError")), "InternalServerError"},
		{&smithy.OperationError{ServiceID: "SSM", OperationName: "x", Err: dialError}, "RequestError"},
		{sdkError(200, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}), "RequestError"},
		{sdkError(200, badJSON), "DeserializationError"},
		{context.DeadlineExceeded, "Timeout"},
		{&retry.MaxAttemptsError{Attempt: 3, Err: context.DeadlineExceeded}, "Timeout"},
		{context.Canceled, "Canceled"},
		{sdkError(502, errors.New("bad gateway")), "HTTP5xx"},
		{sdkError(404, errors.New("not found")), "RequestError"},
		{dnsError, "RequestError"},
		{errors.New("something else"), "RequestError"},
	} {
		if got := ErrorCode(c.err); got != c.want {
			t.Errorf("ErrorCode(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}
