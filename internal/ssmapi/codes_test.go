package ssmapi

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
		{fmt.Errorf("read: %w", ErrResponseTooLarge), "ResponseTooLarge"},
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
		{apiErr("QueueDoesNotExist"), "QueueDoesNotExist"},
		{apiErr("AWS.SimpleQueueService.NonExistentQueue"), "AWS.SimpleQueueService.NonExistentQueue"},
		{apiErr("RequestThrottled"), "RequestThrottled"},
		{apiErr("MadeUpFailureException"), "other"},
		{apiErr("throttlingexception"), "other"},
		{apiErr(""), "other"},
		{apiErr(strings.Repeat("X", 4096)), "other"},
	} {
		if got := ErrorCode(c.err); got != c.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
