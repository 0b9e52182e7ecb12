package ssmsim

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Queue names an SQS queue: the account and region it lives in, and its name.
type Queue struct{ Account, Region, Name string }

// QueueURL is the URL of q on a simulator served at endpoint:
// <endpoint>/<account>/<name>. The region is the one requests are signed
// for, as on the service, where it is the endpoint's.
func QueueURL(endpoint string, q Queue) string {
	return strings.TrimSuffix(endpoint, "/") + "/" + q.Account + "/" + q.Name
}

// Queue attribute defaults and bounds, in seconds and bytes, as the service's.
const (
	defaultVisibilityTimeout = 30
	maxVisibilityTimeout     = 43200
	maxWaitTimeSeconds       = 20
	maxDelaySeconds          = 900
	defaultRetentionPeriod   = 345600
	defaultMaximumSize       = 262144
	maxReceiveMessages       = 10
)

// sqsMessage is one message of a queue.
type sqsMessage struct {
	id, body, md5 string
	sender        string
	sent          time.Time
	visibleAt     time.Time // not received before it: delayed or in flight
	receives      int       // ApproximateReceiveCount; the receipt handle's sequence
	firstReceive  time.Time
}

// sqsQueue is a queue and its messages, guarded by sqsService.mu.
type sqsQueue struct {
	Queue
	incarnation uint64 // tells a queue apart from an earlier one of the same name
	created     time.Time
	attrs       queueAttrs
	msgs        []*sqsMessage // in the order they were sent
	changed     chan struct{} // closed and replaced whenever a waiting receive may have something to take
}

// queueAttrs are the settable attributes the simulator keeps.
type queueAttrs struct {
	VisibilityTimeout, ReceiveMessageWaitTimeSeconds, DelaySeconds int
	MessageRetentionPeriod, MaximumMessageSize                     int
}

func defaultQueueAttrs() queueAttrs {
	return queueAttrs{VisibilityTimeout: defaultVisibilityTimeout, MessageRetentionPeriod: defaultRetentionPeriod,
		MaximumMessageSize: defaultMaximumSize}
}

// received is a message as one receive hands it out.
type received struct {
	msg    sqsMessage
	handle string
}

// notify wakes every receive waiting on the queue.
func (q *sqsQueue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// add appends a message that becomes visible after delay.
func (q *sqsQueue) add(m *sqsMessage, delay time.Duration) {
	m.md5 = md5Hex(m.body)
	m.visibleAt = m.sent.Add(delay)
	q.msgs = append(q.msgs, m)
	q.notify()
}

// take receives up to max visible messages, oldest sent first, hiding each
// for visibility; sign makes the receipt handle of a message's receive.
func (q *sqsQueue) take(now time.Time, max int, visibility time.Duration, sign func(*sqsMessage) string) []received {
	var out []received
	for _, m := range q.msgs {
		if len(out) == max {
			break
		}
		if m.visibleAt.After(now) {
			continue
		}
		m.receives++
		if m.receives == 1 {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(visibility)
		out = append(out, received{msg: *m, handle: sign(m)})
	}
	return out
}

// nextVisible is when the next hidden message becomes visible (zero: none).
func (q *sqsQueue) nextVisible(now time.Time) time.Time {
	var next time.Time
	for _, m := range q.msgs {
		if m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	return next
}

func (q *sqsQueue) find(id string) (int, *sqsMessage) {
	for i, m := range q.msgs {
		if m.id == id {
			return i, m
		}
	}
	return -1, nil
}

// remove deletes the message a handle of receive seq names. As on the
// service, a handle older than the message's latest receive succeeds
// without deleting, and a message already deleted is no error.
func (q *sqsQueue) remove(id string, seq int) {
	if i, m := q.find(id); m != nil && m.receives == seq {
		q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
	}
}

// counts are the queue's ApproximateNumberOfMessages (visible),
// ...NotVisible (in flight) and ...Delayed (never received, not visible yet).
func (q *sqsQueue) counts(now time.Time) (visible, inflight, delayed int) {
	for _, m := range q.msgs {
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.receives > 0:
			inflight++
		default:
			delayed++
		}
	}
	return
}

// attributes renders every attribute GetQueueAttributes answers for All.
func (q *sqsQueue) attributes(now time.Time) map[string]string {
	visible, inflight, delayed := q.counts(now)
	itoa := strconv.Itoa
	created := strconv.FormatInt(q.created.Unix(), 10)
	return map[string]string{
		"QueueArn":                              "arn:aws:sqs:" + q.Region + ":" + q.Account + ":" + q.Name,
		"ApproximateNumberOfMessages":           itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": itoa(inflight),
		"ApproximateNumberOfMessagesDelayed":    itoa(delayed),
		"CreatedTimestamp":                      created,
		"LastModifiedTimestamp":                 created,
		"VisibilityTimeout":                     itoa(q.attrs.VisibilityTimeout),
		"ReceiveMessageWaitTimeSeconds":         itoa(q.attrs.ReceiveMessageWaitTimeSeconds),
		"DelaySeconds":                          itoa(q.attrs.DelaySeconds),
		"MessageRetentionPeriod":                itoa(q.attrs.MessageRetentionPeriod),
		"MaximumMessageSize":                    itoa(q.attrs.MaximumMessageSize),
		"SqsManagedSseEnabled":                  "true",
	}
}

// md5Hex is the MD5 of s in hexadecimal, as SQS gives MD5OfBody.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
