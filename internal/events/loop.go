package events

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// maxMessages is the most messages one ReceiveMessage returns.
const maxMessages = 10

// loop reads one queue: a long poll, the events of the messages applied,
// then the messages deleted in one batch, again and again. A failed call
// marks the queue down (its targets poll instead) until a call succeeds.
type loop struct {
	c      *Consumer
	url    string
	name   string // the queue label
	events config.Events
	api    ssmapi.SQS

	routes atomic.Pointer[[]Route]
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex // guards the fields below
	up         bool
	generation uint64
	warned     bool // since it last worked
}

func newLoop(c *Consumer, url string, e config.Events, api ssmapi.SQS, routes []Route) *loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{c: c, url: url, name: config.QueueName(url), events: readSettings(e), api: api,
		ctx: ctx, cancel: cancel, done: make(chan struct{})}
	l.setRoutes(routes)
	return l
}

func (l *loop) setRoutes(routes []Route) { l.routes.Store(&routes) }

// stop ends the loop and waits for it: a long poll in flight is cancelled.
func (l *loop) stop() {
	l.cancel()
	<-l.done
}

func (l *loop) state() (bool, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.up, l.generation
}

// run reads the queue until the loop stops, waiting longer after each
// failure in a row.
func (l *loop) run() {
	defer close(l.done)
	failures := 0
	for l.ctx.Err() == nil {
		err := l.once()
		if l.ctx.Err() != nil {
			return // stopping: no failure
		}
		if err == nil {
			failures = 0
			continue
		}
		failures++
		l.failed(err)
		t := time.NewTimer((*l.c.retry.Load())(failures))
		select {
		case <-l.ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// once checks a queue that is down with GetQueueAttributes, then receives
// and applies one batch of messages.
func (l *loop) once() error {
	if up, _ := l.state(); !up {
		_, err := l.api.GetQueueAttributes(l.ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(l.url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
		})
		if err != nil {
			return err
		}
		l.works()
	}
	in := &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(l.url), MaxNumberOfMessages: maxMessages,
		WaitTimeSeconds: int32(l.events.WaitTime / time.Second),
	}
	if l.events.HasVisibilityTimeout {
		in.VisibilityTimeout = int32(l.events.VisibilityTimeout / time.Second)
	}
	out, err := l.api.ReceiveMessage(l.ctx, in)
	if err != nil {
		return err
	}
	return l.handle(out.Messages, l.c.now())
}

// handle applies the events of a batch and deletes its messages, the
// unusable ones too (they could only come back). A message whose delete
// fails comes back after the visibility timeout and is applied again,
// which changes nothing: marking is idempotent.
func (l *loop) handle(msgs []types.Message, at time.Time) error {
	if len(msgs) == 0 {
		return nil
	}
	l.c.metrics.receivedAt(l.name, at)
	entries := make([]types.DeleteMessageBatchRequestEntry, 0, len(msgs))
	for i := range msgs {
		l.apply(&msgs[i], at)
		entries = append(entries, types.DeleteMessageBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msgs[i].ReceiptHandle,
		})
	}
	out, err := l.api.DeleteMessageBatch(l.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(l.url), Entries: entries})
	if err != nil {
		return err
	}
	if len(out.Failed) > 0 {
		l.c.logger.Debug("messages not deleted; they come back after the visibility timeout", "queue", l.name, "failed", len(out.Failed))
	}
	return nil
}

// apply counts one message and routes its event. A message whose body
// does not match its MD5 is not read: it is counted under the reason
// checksum, and deleted with the others.
func (l *loop) apply(m *types.Message, at time.Time) {
	body := aws.ToString(m.Body)
	var ev Event
	detailType, reason := otherDetailType, ReasonChecksum
	if ChecksumOK(body, m.MD5OfBody) {
		ev, detailType, reason = Parse(body, at)
	}
	l.c.metrics.receivedOne(l.name, detailType)
	if reason == "" {
		l.c.metrics.delayed(l.name, at.Sub(ev.Time))
		reason = l.route(ev)
	}
	if reason != "" {
		l.c.metrics.invalidOne(l.name, reason)
		l.c.warn.add(reason, l.name)
	}
}

// route offers an event to every target taking its account and region,
// and says why none took it ("" when one did).
func (l *loop) route(ev Event) string {
	routed, taken := false, false
	for _, r := range *l.routes.Load() {
		if r.Region != ev.Region || r.Account != "" && r.Account != ev.Account {
			continue
		}
		routed = true
		if r.Sink.Offer(ev) {
			taken = true
		}
	}
	switch {
	case !routed:
		return ReasonNoTarget
	case !taken:
		return ReasonUnknownExecution
	}
	return ""
}

// works marks the queue up, in a new generation when it was down.
func (l *loop) works() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.up {
		return
	}
	l.up, l.warned, l.generation = true, false, l.c.generations.Add(1)
	l.c.metrics.setUp(l.name, true)
	l.c.logger.Info("events queue works; its targets follow events after their next refresh", "queue", l.name)
}

// failed marks the queue down, saying so when it was up.
func (l *loop) failed(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	reason := queueReason(err)
	l.c.logger.Debug("events queue call failed", "queue", l.name, "reason", reason, "err", err)
	l.c.metrics.setUp(l.name, false)
	l.up = false
	if l.warned {
		return // said already
	}
	l.warned = true
	l.c.logger.Warn("events queue failed; its targets poll until it works again", "queue", l.name,
		"reason", reason, "code", ssmapi.ErrorCode(err), "targets", len(*l.routes.Load()))
}

// queueReason classifies a failed call to a queue, as ssmapi.Reason does
// for SSM calls.
func queueReason(err error) string {
	var missing *types.QueueDoesNotExist
	if errors.As(err, &missing) {
		return "not_found"
	}
	return ssmapi.Reason(err)
}
