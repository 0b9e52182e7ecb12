package ssmsim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func sendN(t *testing.T, srv *Server, q Queue, n int) {
	t.Helper()
	for i := range n {
		if err := srv.SendMessage(q, fmt.Sprintf("message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
}

func bodies(msgs []sqstypes.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = aws.ToString(m.Body)
	}
	return out
}

func queueCounts(t *testing.T, c *sqs.Client, url string) (visible, inflight, delayed string) {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages",
			"ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}})
	if err != nil {
		t.Fatal(err)
	}
	a := out.Attributes
	return a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"], a["ApproximateNumberOfMessagesDelayed"]
}

func TestSQSRedeliveryAfterTheVisibilityTimeout(t *testing.T) {
	clock := &manualClock{now: testEpoch}
	c, srv, _ := sqsSim(t, Options{Now: clock.Now})
	url := testQueue(t, c, testQ.Name, map[string]string{"VisibilityTimeout": "30"})
	sendN(t, srv, testQ, 3)
	first := receive(t, c, url, func(in *sqs.ReceiveMessageInput) { in.MaxNumberOfMessages = 2 })
	if !slices.Equal(bodies(first), []string{"message 0", "message 1"}) {
		t.Fatalf("received %v, want the two oldest", bodies(first))
	}
	if v, f, _ := queueCounts(t, c, url); v != "1" || f != "2" {
		t.Errorf("visible %s, in flight %s; want 1 and 2", v, f)
	}
	clock.advance(29 * time.Second)
	if got := receive(t, c, url, nil); !slices.Equal(bodies(got), []string{"message 2"}) {
		t.Fatalf("before the timeout received %v, want only message 2", bodies(got))
	}
	clock.advance(time.Second)
	again := receive(t, c, url, nil)
	if !slices.Equal(bodies(again), []string{"message 0", "message 1"}) {
		t.Fatalf("after the timeout received %v, want messages 0 and 1 again", bodies(again))
	}
	for i, m := range again {
		if receiveCount(t, m) != 2 || aws.ToString(m.MessageId) != aws.ToString(first[i].MessageId) ||
			aws.ToString(m.ReceiptHandle) == aws.ToString(first[i].ReceiptHandle) {
			t.Errorf("redelivered %+v, want the same message, receive count 2 and a new handle", m)
		}
	}
	// A handle from an earlier receive deletes nothing, as on the service.
	deleteOne(t, c, url, first[0].ReceiptHandle)
	clock.advance(30 * time.Second)
	if got := receive(t, c, url, nil); len(got) != 3 {
		t.Fatalf("received %v, want all three again", bodies(got))
	}
}

func deleteOne(t *testing.T, c *sqs.Client, url string, handle *string) {
	t.Helper()
	if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: handle}); err != nil {
		t.Fatal(err)
	}
}

func TestSQSLongPollWakesWhenAMessageBecomesVisibleAgain(t *testing.T) {
	hook, waiting := waitingHook()
	c, srv, _ := sqsSim(t, Options{OnLongPoll: hook})
	url := testQueue(t, c, testQ.Name, map[string]string{"VisibilityTimeout": "1"})
	sendN(t, srv, testQ, 1)
	receive(t, c, url, nil)
	// Nothing else happens: the wait ends with the message visible again
	// after about a second, long before the 20 s wait time.
	r := await(t, longPoll(context.Background(), c, url), "redelivery")
	if r.err != nil || len(r.msgs) != 1 || receiveCount(t, r.msgs[0]) != 2 {
		t.Fatalf("long poll = %v, %v; want the message on its second receive", r.msgs, r.err)
	}
	if len(waiting) != 1 {
		t.Errorf("the receive waited %d times, want 1", len(waiting))
	}
}

func TestSQSNotifyClockMovedWakesALongPoll(t *testing.T) {
	clock := &manualClock{now: testEpoch}
	hook, waiting := waitingHook()
	c, srv, _ := sqsSim(t, Options{Now: clock.Now, OnLongPoll: hook})
	url := testQueue(t, c, testQ.Name, map[string]string{"VisibilityTimeout": "600"})
	sendN(t, srv, testQ, 1)
	receive(t, c, url, nil)
	got := longPoll(context.Background(), c, url)
	await(t, waiting, "waiting receive")
	clock.advance(10 * time.Minute)
	srv.NotifyClockMoved()
	if r := await(t, got, "redelivery"); r.err != nil || len(r.msgs) != 1 {
		t.Fatalf("long poll = %v, %v; want the message again", r.msgs, r.err)
	}
}

func TestSQSDeleteMessageBatchFailsBadEntriesAlone(t *testing.T) {
	c, srv, _ := sqsSim(t, Options{})
	url := testQueue(t, c, testQ.Name, nil)
	sendN(t, srv, testQ, 3)
	msgs := receive(t, c, url, nil)
	forged := aws.ToString(msgs[2].ReceiptHandle)
	forged = forged[:len(forged)-2] + "AA"
	out, err := c.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url),
		Entries: []sqstypes.DeleteMessageBatchRequestEntry{
			{Id: aws.String("a"), ReceiptHandle: msgs[0].ReceiptHandle},
			{Id: aws.String("b"), ReceiptHandle: aws.String("not-a-handle")},
			{Id: aws.String("c"), ReceiptHandle: msgs[1].ReceiptHandle},
			{Id: aws.String("d"), ReceiptHandle: aws.String(forged)},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var ok, failed []string
	for _, e := range out.Successful {
		ok = append(ok, aws.ToString(e.Id))
	}
	for _, e := range out.Failed {
		failed = append(failed, aws.ToString(e.Id))
		if aws.ToString(e.Code) != codeReceiptHandleInvalid || !e.SenderFault || aws.ToString(e.Message) == "" {
			t.Errorf("failed entry %+v, want ReceiptHandleIsInvalid, sender's fault", e)
		}
	}
	if !slices.Equal(ok, []string{"a", "c"}) || !slices.Equal(failed, []string{"b", "d"}) {
		t.Errorf("successful %v, failed %v; want a c and b d", ok, failed)
	}
	if v, f, _ := queueCounts(t, c, url); v != "0" || f != "1" {
		t.Errorf("visible %s, in flight %s; want only message 2 left, in flight", v, f)
	}
}

func TestSQSDeleteMessageBatchRefusesBadBatches(t *testing.T) {
	c, _, _ := sqsSim(t, Options{})
	url := testQueue(t, c, testQ.Name, nil)
	entry := func(id string) sqstypes.DeleteMessageBatchRequestEntry {
		return sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(id), ReceiptHandle: aws.String("h")}
	}
	eleven := make([]sqstypes.DeleteMessageBatchRequestEntry, 11)
	for i := range eleven {
		eleven[i] = entry(fmt.Sprint(i))
	}
	for _, tc := range []struct {
		entries []sqstypes.DeleteMessageBatchRequestEntry
		target  any
		code    string
	}{
		{[]sqstypes.DeleteMessageBatchRequestEntry{}, new(*sqstypes.EmptyBatchRequest), "AWS.SimpleQueueService.EmptyBatchRequest"},
		{eleven, new(*sqstypes.TooManyEntriesInBatchRequest), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
		{[]sqstypes.DeleteMessageBatchRequestEntry{entry("a"), entry("a")}, new(*sqstypes.BatchEntryIdsNotDistinct), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
		{[]sqstypes.DeleteMessageBatchRequestEntry{entry("a b")}, new(*sqstypes.InvalidBatchEntryId), "AWS.SimpleQueueService.InvalidBatchEntryId"},
	} {
		_, err := c.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: tc.entries})
		var ae smithy.APIError
		if !errors.As(err, tc.target) || !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%d entries: err %v (%T), want %s", len(tc.entries), err, err, tc.code)
		}
	}
}

func TestSQSChangeMessageVisibility(t *testing.T) {
	clock := &manualClock{now: testEpoch}
	c, srv, _ := sqsSim(t, Options{Now: clock.Now})
	url := testQueue(t, c, testQ.Name, nil)
	sendN(t, srv, testQ, 1)
	change := func(handle *string, seconds int32) error {
		_, err := c.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(url), ReceiptHandle: handle, VisibilityTimeout: seconds})
		return err
	}
	first := receive(t, c, url, nil)[0]
	// 0 makes the message visible at once.
	if err := change(first.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	second := receive(t, c, url, nil)
	if len(second) != 1 || receiveCount(t, second[0]) != 2 {
		t.Fatalf("received %v, want the message again", second)
	}
	handle := second[0].ReceiptHandle
	// The handle of the earlier receive has expired.
	var ae smithy.APIError
	if err := change(first.ReceiptHandle, 60); !errors.As(err, &ae) || ae.ErrorCode() != codeInvalidParameterValue {
		t.Errorf("stale handle: err %v, want InvalidParameterValue", err)
	}
	// Extending from now: 100 s from here, past the default 30 s.
	if err := change(handle, 100); err != nil {
		t.Fatal(err)
	}
	clock.advance(99 * time.Second)
	if got := receive(t, c, url, nil); len(got) != 0 {
		t.Fatalf("received %v before the new timeout", bodies(got))
	}
	clock.advance(time.Second)
	// Visible again, so no longer in flight.
	var notInFlight *sqstypes.MessageNotInflight
	if err := change(handle, 10); !errors.As(err, &notInFlight) {
		t.Errorf("visible message: err %v (%T), want MessageNotInflight", err, err)
	}
	var invalid *sqstypes.ReceiptHandleIsInvalid
	if err := change(aws.String("garbage"), 10); !errors.As(err, &invalid) {
		t.Errorf("garbage handle: err %v (%T), want ReceiptHandleIsInvalid", err, err)
	}
	if err := change(handle, 43201); !errors.As(err, &ae) || ae.ErrorCode() != codeInvalidParameterValue {
		t.Errorf("timeout 43201: err %v, want InvalidParameterValue", err)
	}
}
