package ssmsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error codes the simulator answers with. The modelled ones map to typed
// errors in the SDK; the others arrive as smithy.GenericAPIError.
const (
	codeNotFound            = "AutomationExecutionNotFoundException"
	codeInvalidNextToken    = "InvalidNextToken"
	codeInvalidFilterKey    = "InvalidFilterKey"
	codeInvalidFilterValue  = "InvalidFilterValue"
	codeValidation          = "ValidationException"
	codeInternal            = "InternalServerError"
	codeThrottling          = "ThrottlingException"
	codeSerialization       = "SerializationException"
	codeUnknownOperation    = "UnknownOperationException"
	codeMissingAuth         = "MissingAuthenticationTokenException"
	codeIncompleteSignature = "IncompleteSignatureException"
	codeTooLarge            = "RequestEntityTooLargeException"
	codeServiceUnavailable  = "ServiceUnavailableException"
	codeUnrecognizedClient  = "UnrecognizedClientException"

	// codeOK labels successful requests in the metrics.
	codeOK = "OK"
	// codeCanceled labels requests whose client went away before an answer.
	codeCanceled = "Canceled"
)

const jsonContentType = "application/x-amz-json-1.1"

// apiError is an error answered in the AWS JSON 1.1 error shape.
type apiError struct {
	Code    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...), Status: statusForCode(code)}
}

// statusForCode is the HTTP status the service uses for an error code.
func statusForCode(code string) int {
	switch code {
	case codeInternal:
		return http.StatusInternalServerError
	case codeServiceUnavailable, "ServiceUnavailable":
		return http.StatusServiceUnavailable
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// defaultMessage is the message an injected fault carries.
func defaultMessage(code string) string {
	switch code {
	case codeThrottling:
		return "Rate exceeded"
	case codeInternal:
		return "An internal error has occurred. Please retry your request."
	case codeServiceUnavailable, "ServiceUnavailable":
		return "Service is unavailable. Please retry your request."
	}
	return "Injected fault " + code
}

// errorBody is the JSON 1.1 error document.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// response is a complete answer. It is built first, then counted, then
// sent, so a client that has read it also finds it in the metrics.
type response struct {
	status      int
	contentType string
	errorType   string // X-Amzn-ErrorType header of JSON errors
	queryError  string // x-amzn-query-error header of SQS errors
	body        []byte
	code        string // metrics code: OK or the error code
}

// response renders err in the AWS JSON 1.1 error shape: the code in both the
// X-Amzn-ErrorType header and the body's __type member.
func (e *apiError) response() response {
	body, _ := json.Marshal(errorBody{Type: e.Code, Message: e.Message})
	return response{status: e.Status, contentType: jsonContentType, errorType: e.Code, body: body, code: e.Code}
}

// write sends the response with the request id header.
func (r response) write(w http.ResponseWriter, reqID string) {
	h := w.Header()
	h.Set("Content-Type", r.contentType)
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	if r.errorType != "" {
		h.Set("X-Amzn-ErrorType", r.errorType)
	}
	if r.queryError != "" {
		h[headerQueryError] = []string{r.queryError}
	}
	// The service spells the header this way; assign it directly so Go does
	// not canonicalise it (readers look it up case-insensitively).
	h["x-amzn-RequestId"] = []string{reqID}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// encodeJSON marshals v without HTML escaping, as the service does.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// violations collects constraint failures and renders them the way the
// service's ValidationException does.
type violations []string

func (v *violations) add(value, path, constraint string) {
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, path, constraint))
}

func (v violations) err() *apiError {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return newAPIError(codeValidation, "1 validation error detected: %s", v[0])
	}
	return newAPIError(codeValidation, "%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

// quoted renders a request value as the service quotes it in messages.
func quoted(s string) string { return "'" + s + "'" }
