package ssmapi

import (
	"context"
	"errors"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// The code label of ssm_automation_exporter_api_requests_total takes the
// values below and "other": an endpoint may answer any error code, and each
// new one would otherwise be a new series for ever.

// knownCodes are the outcomes that keep their own code label value.
var knownCodes = setOf(
	// Transport and SDK outcomes (see rawCode).
	"OK", "Timeout", "Canceled", "ResponseTooLarge", "RequestError", "DeserializationError", "HTTP5xx",
	// The errors of DescribeAutomationExecutions, DescribeAutomationStepExecutions
	// and GetAutomationExecution in the service model.
	"AutomationExecutionNotFoundException", "InvalidNextToken", "InvalidFilterKey", "InvalidFilterValue",
	"InternalServerError", "ThrottlingException", "ValidationException",
	// Errors common to AWS services (authentication, throttling, service
	// health, malformed requests).
	"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "NotAuthorized", "OptInRequired",
	"UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidSignatureException",
	"IncompleteSignature", "IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
	"ExpiredToken", "ExpiredTokenException", "RequestExpired",
	"Throttling", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
	"InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
	"SerializationException", "UnknownOperationException", "RequestEntityTooLargeException",
	"InvalidAction", "InvalidParameterCombination", "InvalidParameterValue", "InvalidQueryParameter",
	"MalformedQueryString", "MissingAction", "MissingParameter", "ValidationError",
	// STS AssumeRole, whose errors fail the SSM call that needed the role.
	"RegionDisabledException", "MalformedPolicyDocument", "PackedPolicyTooLarge",
	// The errors of the SQS operations the event consumer calls
	// (ReceiveMessage, DeleteMessageBatch, GetQueueAttributes) in the SQS
	// service model, and the AWS Query codes the service sends for them
	// (x-amzn-query-error), which the SDK reports as their code.
	"QueueDoesNotExist", "InvalidAddress", "InvalidSecurity", "RequestThrottled", "UnsupportedOperation",
	"OverLimit", "KmsAccessDenied", "KmsDisabled", "KmsInvalidKeyUsage", "KmsInvalidState", "KmsNotFound",
	"KmsOptInRequired", "KmsThrottled", "EmptyBatchRequest", "TooManyEntriesInBatchRequest",
	"BatchEntryIdsNotDistinct", "InvalidBatchEntryId", "InvalidAttributeName", "ReceiptHandleIsInvalid",
	"AWS.SimpleQueueService.NonExistentQueue", "AWS.SimpleQueueService.UnsupportedOperation",
	"AWS.SimpleQueueService.EmptyBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
	"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.InvalidBatchEntryId",
	"KMS.AccessDeniedException", "KMS.DisabledException", "KMS.InvalidKeyUsageException",
	"KMS.InvalidStateException", "KMS.NotFoundException", "KMS.OptInRequired", "KMS.ThrottlingException",
)

func setOf(values ...string) map[string]bool {
	out := make(map[string]bool, len(values))
	for _, v := range values {
		out[v] = true
	}
	return out
}

// ErrorCode is the code label of an attempt's outcome.
func ErrorCode(err error) string { return codeLabel(rawCode(err)) }

// codeLabel bounds a raw code to the known ones and "other".
func codeLabel(raw string) string {
	if knownCodes[raw] {
		return raw
	}
	return "other"
}

// rawCode names the outcome of an attempt: OK, the AWS error code, or a
// transport-level class.
func rawCode(err error) string {
	if err == nil {
		return "OK"
	}
	if errors.Is(err, ErrResponseTooLarge) {
		return "ResponseTooLarge"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return "RequestError" // the connection failed, even while reading a body
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return "DeserializationError"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Timeout"
	}
	if errors.Is(err, context.Canceled) {
		return "Canceled"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= http.StatusInternalServerError {
		return "HTTP5xx"
	}
	return "RequestError"
}
