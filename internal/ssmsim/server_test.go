package ssmsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

const (
	testRegion    = "eu-west-1"
	testAccessKey = "AKIDSIMTEST"
)

var testEpoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// simExecID returns a 36-character execution id.
func simExecID(n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n) }

// simSteps builds n started steps, step i starting i seconds after testEpoch.
func simSteps(n int) []*Step {
	steps := make([]*Step, n)
	for i := range steps {
		steps[i] = &Step{
			StepExecutionID: fmt.Sprintf("step-%04d", i),
			StepName:        fmt.Sprintf("step%d", i),
			Action:          "aws:executeScript",
			Status:          "Success",
			StartTime:       testEpoch.Add(time.Duration(i) * time.Second),
			EndTime:         testEpoch.Add(time.Duration(i)*time.Second + 500*time.Millisecond),
		}
	}
	return steps
}

// putSteps stores an execution holding steps in the default account.
func putSteps(store *Store, id string, steps []*Step) {
	store.Put(defaultAccount, testRegion, &Execution{
		ID: id, DocumentName: "AWS-RestartEC2Instance", Status: "InProgress",
		StartTime: testEpoch, Steps: steps,
	})
}

// noBackoff makes the standard retryer retry at once.
func noBackoff(o *ssm.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

func newSimClient(t testing.TB, store *Store, opts Options) (*ssm.Client, *Server, string) {
	t.Helper()
	url, srv := NewTestServer(t, store, opts)
	return SDKClient(context.Background(), url, testAccessKey, testRegion, noBackoff), srv, url
}

// allStepPages pages through DescribeAutomationStepExecutions with the SDK paginator.
func allStepPages(t testing.TB, c *ssm.Client, in *ssm.DescribeAutomationStepExecutionsInput) ([]types.StepExecution, int) {
	t.Helper()
	p := ssm.NewDescribeAutomationStepExecutionsPaginator(c, in)
	var items []types.StepExecution
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		items = append(items, out.StepExecutions...)
		if pages > 10000 {
			t.Fatal("paginator does not end")
		}
	}
	return items, pages
}

func stepIDs(steps []types.StepExecution) []string {
	ids := make([]string, len(steps))
	for i, s := range steps {
		ids[i] = aws.ToString(s.StepExecutionId)
	}
	return ids
}

// rawResponse is a hand-made request's answer.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
	errTyp string
}

// rawHeaders are the headers of a well-formed, signed SSM request.
func rawHeaders(op string) map[string]string {
	return map[string]string{
		"Content-Type":  jsonContentType,
		"X-Amz-Target":  ssmTargetPrefix + op,
		"X-Amz-Date":    "20240301T120000Z",
		"Authorization": "AWS4-HMAC-SHA256 Credential=" + testAccessKey + "/20240301/" + testRegion + "/ssm/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd",
	}
}

// rawCall sends a request the SDK would not send; a header with an empty
// value is removed.
func rawCall(t testing.TB, url string, headers map[string]string, body string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
	var e errorBody
	if json.Unmarshal(b, &e) == nil {
		out.errTyp = e.Type
	}
	return out
}

func TestServeDescribeStepExecutionsWithSDK(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	c, srv, _ := newSimClient(t, store, Options{})
	out, err := c.DescribeAutomationStepExecutions(context.Background(), &ssm.DescribeAutomationStepExecutionsInput{
		AutomationExecutionId: aws.String(simExecID(1)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(stepIDs(out.StepExecutions), ","), "step-0000,step-0001,step-0002"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
	if out.NextToken != nil {
		t.Errorf("NextToken = %q on the only page", *out.NextToken)
	}
	if got := srv.Requests("DescribeAutomationStepExecutions", "OK"); got != 1 {
		t.Errorf("requests counted = %v, want 1", got)
	}
}

func TestNonAPIPathsAnswerNotFound(t *testing.T) {
	url, srv := NewTestServer(t, nil, Options{})
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Amzn-ErrorType") != codeUnknownOperation {
		t.Errorf("GET / = %d %q, want 404 %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), codeUnknownOperation)
	}
	if got := srv.Requests(operationUnknown, codeUnknownOperation); got != 1 {
		t.Errorf("counted %v unknown requests, want 1", got)
	}
}

type recordingClient struct{ got *http.Request }

func (c *recordingClient) Do(r *http.Request) (*http.Response, error) {
	c.got = r
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// The transport gets a body of its own that the caller's Close cannot cut short.
func TestDetachedBodyClient(t *testing.T) {
	rec := &recordingClient{}
	orig, err := http.NewRequest(http.MethodPost, "http://sim/", io.NopCloser(strings.NewReader(`{"a":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (detachedBodyClient{next: rec}).Do(orig); err != nil {
		t.Fatal(err)
	}
	orig.Body.Close()
	if rec.got == orig || rec.got.Body == orig.Body {
		t.Fatal("the transport got the caller's request body")
	}
	for range 2 {
		b, _ := io.ReadAll(rec.got.Body)
		if string(b) != `{"a":1}` {
			t.Fatalf("detached body = %q", b)
		}
		rec.got.Body, _ = rec.got.GetBody()
	}
}
