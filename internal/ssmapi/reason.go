package ssmapi

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// Reason classifies an error into the reason label of
// ssm_automation_exporter_errors_total: something a user can act on.
func Reason(err error) string {
	if IsNotFound(err) {
		return "not_found"
	}
	var de *smithy.DeserializationError
	if errors.Is(err, ErrRepeatedToken) || errors.Is(err, ErrResponseTooLarge) || errors.Is(err, ErrBadTime) || errors.As(err, &de) {
		return "invalid_response"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch {
		case code == "AccessDenied" || code == "AccessDeniedException" || code == "UnauthorizedOperation" ||
			code == "UnrecognizedClientException" || code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch":
			return "access_denied"
		case code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired":
			return "expired_credentials"
		case strings.Contains(code, "Throttl") || code == "TooManyRequestsException" || code == "RequestLimitExceeded" || code == "OverLimit":
			return "throttled"
		case code == "InternalServerError" || code == "ServiceUnavailable" || code == "InternalFailure":
			return "server_error"
		case code == "ValidationException" || strings.HasPrefix(code, "Invalid"):
			return "invalid_request"
		}
		return "other"
	}
	var maxErr *retry.MaxAttemptsError
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &maxErr) && errors.Is(maxErr.Err, context.DeadlineExceeded) {
		return "timeout"
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	if errors.As(err, &dnsErr) || errors.As(err, &opErr) {
		return "endpoint"
	}
	if strings.Contains(err.Error(), "failed to refresh cached credentials") {
		return "access_denied"
	}
	return "other"
}

// advice is the one log line a user gets for each reason: what to check.
var advice = map[string]string{
	"access_denied":       "AWS denied access: check the IAM policy, the role's trust policy and the credentials",
	"expired_credentials": "AWS credentials expired: refresh them or check the credential source",
	"throttled":           "AWS throttled the exporter past its retries: lower api.requests_per_second or raise min_refresh_interval",
	"not_found":           "an execution does not exist: check the execution id, the account and the region",
	"invalid_request":     "AWS rejected a request: check the filters of the configuration",
	"endpoint":            "cannot reach the SSM endpoint: check the region, the endpoint and the network",
	"timeout":             "API calls timed out: raise the scrape timeout or api.call_timeout",
	"server_error":        "the SSM service failed: last good data is served until it recovers",
	"invalid_response":    "the SSM service sent a response that cannot be used: last good data is served",
	"other":               "fetching from SSM failed",
}

// Advice is the log line of a reason: what to check.
func Advice(reason string) string { return advice[reason] }

// Reasons lists every reason Reason gives, sorted.
func Reasons() []string {
	out := make([]string, 0, len(advice))
	for r := range advice {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// ErrBadTime fails a fetch that carried a time no execution can have.
var ErrBadTime = errors.New("the API sent a time out of range")

// ErrNotFound is returned for a static id the API does not know.
var ErrNotFound = errors.New("execution not found")

// IsNotFound reports whether err says that an execution does not exist.
func IsNotFound(err error) bool {
	var nf *types.AutomationExecutionNotFoundException
	return errors.As(err, &nf) || errors.Is(err, ErrNotFound)
}
