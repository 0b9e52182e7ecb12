package ssmsim

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// safety bounds how long a test waits for something that happens at once
// when the simulator is right; it only ends a test that would hang.
const safety = 10 * time.Second

func noSQSBackoff(o *sqs.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// sqsSim serves a simulator and returns an SQS client of the default
// account in testRegion, and the server and its URL.
func sqsSim(t *testing.T, opts Options) (*sqs.Client, *Server, string) {
	t.Helper()
	url, srv := NewTestServer(t, nil, opts)
	return SQSClient(context.Background(), url, testAccessKey, testRegion, noSQSBackoff), srv, url
}

// testQueue creates a queue through the client and returns its URL.
func testQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

func receive(t *testing.T, c *sqs.Client, url string, fn func(*sqs.ReceiveMessageInput)) []sqstypes.Message {
	t.Helper()
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount", "SentTimestamp"}}
	if fn != nil {
		fn(in)
	}
	out, err := c.ReceiveMessage(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// longPoll starts a ReceiveMessage waiting up to 20s and returns its result.
func longPoll(ctx context.Context, c *sqs.Client, url string) <-chan result {
	done := make(chan result, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 20, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{msgs: out.Messages}
	}()
	return done
}

type result struct {
	msgs []sqstypes.Message
	err  error
}

func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(safety):
		t.Fatalf("no %s within %v", what, safety)
		panic("unreachable")
	}
}

// waitingHook reports each queue a ReceiveMessage starts waiting on.
func waitingHook() (func(Queue), <-chan Queue) {
	ch := make(chan Queue, 16)
	return func(q Queue) { ch <- q }, ch
}

var testQ = Queue{Account: defaultAccount, Region: testRegion, Name: "events"}

func TestSQSLongPollReturnsWhenAMessageArrives(t *testing.T) {
	hook, waiting := waitingHook()
	c, srv, _ := sqsSim(t, Options{OnLongPoll: hook})
	url := testQueue(t, c, testQ.Name, nil)
	got := longPoll(context.Background(), c, url)
	if q := await(t, waiting, "waiting receive"); q != testQ {
		t.Fatalf("waiting on %v, want %v", q, testQ)
	}
	if err := srv.SendMessage(testQ, `{"hello":"world"}`); err != nil {
		t.Fatal(err)
	}
	r := await(t, got, "answer to the long poll")
	if r.err != nil || len(r.msgs) != 1 {
		t.Fatalf("long poll = %v, %v; want the message sent", r.msgs, r.err)
	}
	m := r.msgs[0]
	if aws.ToString(m.Body) != `{"hello":"world"}` || m.Attributes["ApproximateReceiveCount"] != "1" ||
		m.Attributes["SentTimestamp"] == "" || m.Attributes["SenderId"] == "" || aws.ToString(m.ReceiptHandle) == "" {
		t.Errorf("message %+v", m)
	}
	if n := srv.Requests("ReceiveMessage", codeOK); n != 1 {
		t.Errorf("ReceiveMessage counted %v times, want 1", n)
	}
}

func TestSQSLongPollTimesOutEmpty(t *testing.T) {
	hook, waiting := waitingHook()
	c, _, _ := sqsSim(t, Options{OnLongPoll: hook})
	url := testQueue(t, c, testQ.Name, map[string]string{"ReceiveMessageWaitTimeSeconds": "1"})
	start := time.Now()
	// No WaitTimeSeconds: the queue's ReceiveMessageWaitTimeSeconds applies.
	if msgs := receive(t, c, url, nil); len(msgs) != 0 {
		t.Fatalf("received %v from an empty queue", msgs)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("answered after %v, before the wait time of 1s", elapsed)
	}
	if len(waiting) != 1 {
		t.Errorf("the receive waited %d times, want 1", len(waiting))
	}
}

func TestSQSLongPollEndsWhenTheClientGoesAway(t *testing.T) {
	hook, waiting := waitingHook()
	srv := New(nil, Options{OnLongPoll: hook})
	answered := make(chan struct{}, 16)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r)
		answered <- struct{}{}
	}))
	defer ts.Close()
	c := SQSClient(context.Background(), ts.URL, testAccessKey, testRegion, noSQSBackoff)
	url := testQueue(t, c, testQ.Name, nil)
	<-answered
	ctx, cancel := context.WithCancel(context.Background())
	got := longPoll(ctx, c, url)
	await(t, waiting, "waiting receive")
	cancel()
	if r := await(t, got, "answer to the long poll"); !errors.Is(r.err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", r.err)
	}
	await(t, answered, "end of the abandoned receive")
	if n := srv.Requests("ReceiveMessage", codeCanceled); n != 1 {
		t.Errorf("canceled receives counted %v, want 1", n)
	}
	// The message sent afterwards is not taken by the abandoned receive.
	if err := srv.SendMessage(testQ, "after"); err != nil {
		t.Fatal(err)
	}
	if msgs := receive(t, c, url, nil); len(msgs) != 1 || receiveCount(t, msgs[0]) != 1 {
		t.Errorf("received %v, want the message on its first receive", msgs)
	}
}

func TestSQSStopLongPollsAnswersWaitingReceives(t *testing.T) {
	hook, waiting := waitingHook()
	c, srv, _ := sqsSim(t, Options{OnLongPoll: hook})
	url := testQueue(t, c, testQ.Name, nil)
	got := longPoll(context.Background(), c, url)
	await(t, waiting, "waiting receive")
	srv.StopLongPolls()
	if r := await(t, got, "answer to the long poll"); r.err != nil || len(r.msgs) != 0 {
		t.Errorf("long poll = %v, %v; want an empty answer", r.msgs, r.err)
	}
	receive(t, c, url, func(in *sqs.ReceiveMessageInput) { in.WaitTimeSeconds = 20 })
	if len(waiting) != 0 {
		t.Error("a receive waited after StopLongPolls")
	}
}

func TestSQSQueueDeletedDuringALongPoll(t *testing.T) {
	hook, waiting := waitingHook()
	c, _, _ := sqsSim(t, Options{OnLongPoll: hook})
	url := testQueue(t, c, testQ.Name, nil)
	got := longPoll(context.Background(), c, url)
	await(t, waiting, "waiting receive")
	if _, err := c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	r := await(t, got, "answer to the long poll")
	checkNoQueue(t, r.err)
	// Recreating the queue does not bring back the old one's messages or handles.
	testQueue(t, c, testQ.Name, nil)
	_, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("other")})
	checkNoQueue(t, err)
}

// checkNoQueue checks err is the SDK's QueueDoesNotExist with the code the
// service's query-compatible header gives it.
func checkNoQueue(t *testing.T, err error) {
	t.Helper()
	var nq *sqstypes.QueueDoesNotExist
	if !errors.As(err, &nq) || nq.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("err %v (%T), want QueueDoesNotExist", err, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() != smithy.FaultClient {
		t.Errorf("fault %v, want client", ae.ErrorFault())
	}
}

func receiveCount(t *testing.T, m sqstypes.Message) int {
	t.Helper()
	n, err := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
