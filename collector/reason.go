package collector

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// reasonOf classifies an error into the reason label of
// ssm_automation_exporter_errors_total: something a user can act on.
func reasonOf(err error) string {
	if isNotFound(err) {
		return "not_found"
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
		case strings.Contains(code, "Throttl") || code == "TooManyRequestsException" || code == "RequestLimitExceeded":
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
