package ssmsim

import (
	"context"
	"slices"
	"strconv"
	"time"
)

type receiveMessageInput struct {
	queueInput
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MaxNumberOfMessages         *int32
	VisibilityTimeout           *int32
	WaitTimeSeconds             *int32
}

type messageJSON struct {
	MessageID     string            `json:"MessageId"`
	ReceiptHandle string            `json:"ReceiptHandle"`
	MD5OfBody     string            `json:"MD5OfBody"`
	Body          string            `json:"Body"`
	Attributes    map[string]string `json:"Attributes,omitempty"`
}

type receiveMessageOutput struct {
	Messages []messageJSON `json:"Messages,omitempty"`
}

// messageSystemAttributes are the names ReceiveMessage accepts; the
// simulator answers the first four and All, and ignores the FIFO ones.
var messageSystemAttributes = []string{"ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
	"SentTimestamp", "SenderId", "All", "AWSTraceHeader", "MessageDeduplicationId", "MessageGroupId",
	"SequenceNumber", "DeadLetterQueueSourceArn"}

func (s *Server) receiveMessage(c *sqsCall) (any, *apiError) {
	var in receiveMessageInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	for _, err := range []*apiError{
		checkRange("MaxNumberOfMessages", in.MaxNumberOfMessages, 1, maxReceiveMessages, "Must be between 1 and 10, if provided."),
		checkRange("WaitTimeSeconds", in.WaitTimeSeconds, 0, maxWaitTimeSeconds, "Must be >= 0 and <= 20, if provided."),
		checkRange("VisibilityTimeout", in.VisibilityTimeout, 0, maxVisibilityTimeout, "Must be >= 0 and <= 43200, if provided."),
	} {
		if err != nil {
			return nil, err
		}
	}
	names := append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...)
	for _, n := range names {
		if !slices.Contains(messageSystemAttributes, n) {
			return nil, newSQSError(codeInvalidAttributeName, "Unknown Attribute %s.", n)
		}
	}
	got, err := s.receive(c.ctx, q, &in)
	if err != nil {
		return nil, err
	}
	out := receiveMessageOutput{}
	for _, r := range got {
		m := messageJSON{MessageID: r.msg.id, ReceiptHandle: r.handle, MD5OfBody: r.msg.md5, Body: r.msg.body}
		if s.sqs.faults.wrongMD5() {
			s.metrics.fault(faultWrongMD5)
			m.MD5OfBody = md5Hex(r.msg.body + "\x00") // an MD5, of another body
		}
		m.Attributes = systemAttributes(&r.msg, names)
		out.Messages = append(out.Messages, m)
	}
	return out, nil
}

// receive takes messages from q, waiting up to the request's (else the
// queue's) wait time for one to become available. It wakes when a message
// is sent, made visible or deleted, when the queue is deleted, when the next
// hidden message's time comes by the wall clock, at the wait's end, or when
// the client goes away (errCanceled); it never polls.
func (s *Server) receive(ctx context.Context, q Queue, in *receiveMessageInput) ([]received, *apiError) {
	var deadline <-chan time.Time
	var incarnation uint64
	for first := true; ; first = false {
		s.sqs.mu.Lock()
		sq, err := s.lookup(q)
		if err == nil && !first && sq.incarnation != incarnation {
			err = newSQSError(codeQueueDoesNotExist, sqsNonExistentQueueMessage)
		}
		if err != nil {
			s.sqs.mu.Unlock()
			return nil, err
		}
		visibility := seconds(itoa32(in.VisibilityTimeout, sq.attrs.VisibilityTimeout))
		if first {
			incarnation = sq.incarnation
			if wait := itoa32(in.WaitTimeSeconds, sq.attrs.ReceiveMessageWaitTimeSeconds); wait > 0 && !s.longPollsStopped() {
				t := time.NewTimer(seconds(wait))
				defer t.Stop()
				deadline = t.C
			}
		}
		now := s.opts.Now()
		got := sq.take(now, itoa32(in.MaxNumberOfMessages, 1), visibility, s.signer(sq))
		if len(got) > 0 || deadline == nil {
			s.sqs.mu.Unlock()
			return got, nil
		}
		changed, next := sq.changed, sq.nextVisible(now)
		s.sqs.mu.Unlock()
		if first && s.sqs.onWait != nil {
			s.sqs.onWait(q)
		}
		if done, err := s.waitChange(ctx, changed, deadline, next.Sub(now), !next.IsZero()); done {
			return nil, err
		}
	}
}

// waitChange waits for a change of the queue, or for after (when timed);
// it reports done at the wait's end, at StopLongPolls or when ctx ends.
func (s *Server) waitChange(ctx context.Context, changed <-chan struct{}, deadline <-chan time.Time,
	after time.Duration, timed bool) (bool, *apiError) {
	var wake <-chan time.Time
	if timed {
		t := time.NewTimer(after)
		defer t.Stop()
		wake = t.C
	}
	select {
	case <-changed:
	case <-wake:
	case <-deadline:
		return true, nil
	case <-s.sqs.stop:
		return true, nil
	case <-ctx.Done():
		return true, errCanceled
	}
	return false, nil
}

func (s *Server) longPollsStopped() bool {
	select {
	case <-s.sqs.stop:
		return true
	default:
		return false
	}
}

// systemAttributes answers the requested attributes of a received message.
func systemAttributes(m *sqsMessage, names []string) map[string]string {
	all := slices.Contains(names, "All")
	out := map[string]string{}
	add := func(name, value string) {
		if all || slices.Contains(names, name) {
			out[name] = value
		}
	}
	add("ApproximateReceiveCount", strconv.Itoa(m.receives))
	add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(m.firstReceive.UnixMilli(), 10))
	add("SentTimestamp", strconv.FormatInt(m.sent.UnixMilli(), 10))
	add("SenderId", m.sender)
	if len(out) == 0 {
		return nil
	}
	return out
}

// NotifyClockMoved wakes every waiting ReceiveMessage to look again for
// messages whose visibility timeout or delay has passed. A test whose
// Options.Now is a clock it moves by hand calls it after each move; with the
// wall clock, waiting receives wake by themselves when the time comes.
func (s *Server) NotifyClockMoved() {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	for _, sq := range s.sqs.queues {
		sq.notify()
	}
}
