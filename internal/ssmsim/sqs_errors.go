package ssmsim

import (
	"encoding/json"
	"net/http"
)

// SQS error codes, as the SDK names them (its ErrorCode() answers the
// query-compatible code of sqsQueryCodes when the service sends one).
const (
	codeQueueDoesNotExist      = "QueueDoesNotExist"
	codeQueueNameExists        = "QueueNameExists"
	codeReceiptHandleInvalid   = "ReceiptHandleIsInvalid"
	codeMessageNotInflight     = "MessageNotInflight"
	codeInvalidAddress         = "InvalidAddress"
	codeEmptyBatch             = "EmptyBatchRequest"
	codeTooManyEntries         = "TooManyEntriesInBatchRequest"
	codeBatchIDsNotDistinct    = "BatchEntryIdsNotDistinct"
	codeInvalidBatchEntryID    = "InvalidBatchEntryId"
	codeInvalidAttributeName   = "InvalidAttributeName"
	codeInvalidAttributeValue  = "InvalidAttributeValue"
	codeInvalidParameterValue  = "InvalidParameterValue"
	codeMissingParameter       = "MissingParameter"
	codeAccessDenied           = "AccessDeniedException"
	codeSQSInternal            = "InternalFailure"
	sqsContentType             = "application/x-amz-json-1.0"
	sqsTargetPrefix            = "AmazonSQS."
	sqsErrorNamespace          = "com.amazonaws.sqs#"
	headerQueryError           = "x-amzn-query-error"
	sqsNonExistentQueueMessage = "The specified queue does not exist."
)

// sqsModelledErrors are the errors of the SQS model the simulator answers:
// their __type carries the model's namespace, and the SDK decodes them into
// typed errors (types.QueueDoesNotExist, ...).
var sqsModelledErrors = map[string]bool{
	codeQueueDoesNotExist: true, codeQueueNameExists: true, codeReceiptHandleInvalid: true,
	codeMessageNotInflight: true, codeInvalidAddress: true, codeEmptyBatch: true,
	codeTooManyEntries: true, codeBatchIDsNotDistinct: true, codeInvalidBatchEntryID: true,
	codeInvalidAttributeName: true, codeInvalidAttributeValue: true,
}

// sqsQueryCodes are the AWS Query error codes the service sends in the
// x-amzn-query-error header beside a JSON error; the SDK reports them as the
// error's code. Codes not listed are sent as they are.
var sqsQueryCodes = map[string]string{
	codeQueueDoesNotExist:   "AWS.SimpleQueueService.NonExistentQueue",
	codeQueueNameExists:     "QueueAlreadyExists",
	codeMessageNotInflight:  "AWS.SimpleQueueService.MessageNotInflight",
	codeEmptyBatch:          "AWS.SimpleQueueService.EmptyBatchRequest",
	codeTooManyEntries:      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
	codeBatchIDsNotDistinct: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
	codeInvalidBatchEntryID: "AWS.SimpleQueueService.InvalidBatchEntryId",
	codeAccessDenied:        "AccessDenied",
	codeMissingAuth:         "MissingAuthenticationToken",
	codeIncompleteSignature: "IncompleteSignature",
	codeUnrecognizedClient:  "InvalidClientTokenId",
	codeUnknownOperation:    "InvalidAction",
}

// sqsStatus is the HTTP status of an SQS error code.
func sqsStatus(code string) int {
	switch code {
	case codeInvalidAddress, codeReceiptHandleInvalid:
		return http.StatusNotFound
	case codeSQSInternal:
		return http.StatusInternalServerError
	}
	return statusForCode(code)
}

func newSQSError(code, format string, args ...any) *apiError {
	e := newAPIError(code, format, args...)
	e.Status = sqsStatus(code)
	return e
}

// sqsResponse renders err as SQS does in its JSON protocol: the __type in
// the body (namespaced for modelled errors) and the query-compatible code
// with the fault's side in x-amzn-query-error. The metrics code is err.Code.
func sqsResponse(err *apiError) response {
	typ := err.Code
	if sqsModelledErrors[err.Code] {
		typ = sqsErrorNamespace + err.Code
	}
	query := sqsQueryCodes[err.Code]
	if query == "" {
		query = err.Code
	}
	side := ";Sender"
	if err.Status >= http.StatusInternalServerError {
		side = ";Receiver"
	}
	body, _ := json.Marshal(errorBody{Type: typ, Message: err.Message})
	return response{status: err.Status, contentType: sqsContentType, queryError: query + side, body: body, code: err.Code}
}
