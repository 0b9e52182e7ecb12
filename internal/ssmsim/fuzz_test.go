package ssmsim

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// FuzzSSMRequest checks that no request body makes an operation fail with
// anything but a client error in the JSON 1.1 error shape.
func FuzzSSMRequest(f *testing.F) {
	id := simExecID(1)
	for _, body := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"Filters":null}`, `{"Filters":[{}]}`, `{"Filters":[null]}`,
		`{"AutomationExecutionId":"` + id + `","Filters":[{"Key":"StepName","Values":["step1"]}],"MaxResults":1}`,
		`{"AutomationExecutionId":"` + id + `","Filters":[{"Key":"ParentStepIteration","Values":["9999999999"]}]}`,
		`{"AutomationExecutionId":"` + id + `","NextToken":"AAAA","ReverseOrder":true}`,
		`{"Filters":[{"Key":"StartTimeAfter","Values":["2024-01-01"]}],"MaxResults":-5}`,
	} {
		for op := range 3 {
			f.Add(uint8(op), body)
		}
	}
	store := NewStore()
	putSteps(store, id, loopExecution())
	srv := New(store, Options{})
	ops := []string{"DescribeAutomationStepExecutions", "DescribeAutomationExecutions", "GetAutomationExecution"}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		for k, v := range rawHeaders(ops[int(op)%len(ops)]) {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %s: %s", rec.Code, body, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON answer for %s: %s", body, rec.Body)
		}
	})
}

// FuzzSQSRequest checks that no request body makes an SQS operation fail
// with anything but a client error in the JSON 1.0 error shape.
func FuzzSQSRequest(f *testing.F) {
	srv := New(nil, Options{})
	srv.CreateQueue(testQ)
	srv.StopLongPolls() // no receive waits
	url := QueueURL("http://sim", testQ)
	for _, body := range []string{
		`{}`, `null`, `[]`, `{"QueueUrl":"` + url + `"}`, `{"QueueUrl":"%zz"}`, `{"QueueName":"events"}`,
		`{"QueueUrl":"` + url + `","MaxNumberOfMessages":10,"WaitTimeSeconds":20,"MessageSystemAttributeNames":["All"]}`,
		`{"QueueUrl":"` + url + `","Entries":[{"Id":"a","ReceiptHandle":"x"},{"Id":"a"}]}`,
		`{"QueueUrl":"` + url + `","Entries":[null]}`,
		`{"QueueUrl":"` + url + `","ReceiptHandle":"AAAA","VisibilityTimeout":5}`,
		`{"QueueUrl":"` + url + `","MessageBody":"hello","DelaySeconds":1}`,
		`{"QueueName":"q","Attributes":{"VisibilityTimeout":"x"}}`,
	} {
		for op := range len(sqsOperations) {
			f.Add(uint8(op), body)
		}
	}
	ops := slices.Sorted(maps.Keys(sqsOperations))
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		for k, v := range sqsHeaders(ops[int(op)%len(ops)]) {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Fatalf("status %d for %s: %s", rec.Code, body, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON answer for %s: %s", body, rec.Body)
		}
	})
}
