package ssmsim

import (
	"slices"
	"strconv"
	"time"
)

type queueURLOutput struct {
	QueueURL string `json:"QueueUrl"`
}

// queueInput is the QueueUrl by which the input of every operation on a
// queue names it; the other inputs embed it.
type queueInput struct {
	QueueURL *string `json:"QueueUrl"`
}

func (in *queueInput) queueURL() *string { return in.QueueURL }

// decodeQueueInput decodes an operation's input into in and finds the queue
// it names.
func decodeQueueInput(c *sqsCall, in interface{ queueURL() *string }) (Queue, *apiError) {
	if err := decodeSQS(c.body, in); err != nil {
		return Queue{}, err
	}
	return queueFromURL(c, in.queueURL())
}

type createQueueInput struct {
	QueueName  *string
	Attributes map[string]string
}

// queueAttrBounds are the settable attributes the simulator keeps and their
// bounds; others of the service's are accepted and ignored.
var queueAttrBounds = map[string][2]int{
	"VisibilityTimeout":             {0, maxVisibilityTimeout},
	"ReceiveMessageWaitTimeSeconds": {0, maxWaitTimeSeconds},
	"DelaySeconds":                  {0, maxDelaySeconds},
	"MessageRetentionPeriod":        {60, 1209600},
	"MaximumMessageSize":            {1024, defaultMaximumSize},
}

var ignoredQueueAttrs = []string{"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
	"KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"}

// CreateQueue creates q with the default attributes unless it exists.
func (s *Server) CreateQueue(q Queue) {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	if s.sqs.queues[q] == nil {
		s.addQueue(q, defaultQueueAttrs())
	}
}

// addQueue creates q; s.sqs.mu is held.
func (s *Server) addQueue(q Queue, attrs queueAttrs) {
	s.sqs.nextInc++
	s.sqs.queues[q] = &sqsQueue{Queue: q, incarnation: s.sqs.nextInc, created: s.opts.Now(), attrs: attrs,
		changed: make(chan struct{})}
}

func (s *Server) createQueue(c *sqsCall) (any, *apiError) {
	var in createQueueInput
	if err := decodeSQS(c.body, &in); err != nil {
		return nil, err
	}
	if in.QueueName == nil || !validQueueName(*in.QueueName) {
		return nil, newSQSError(codeInvalidParameterValue,
			"Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	attrs, err := parseQueueAttrs(in.Attributes)
	if err != nil {
		return nil, err
	}
	q := Queue{Account: c.account, Region: c.region, Name: *in.QueueName}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	if sq := s.sqs.queues[q]; sq != nil && sq.attrs != attrs {
		return nil, newSQSError(codeQueueNameExists, "A queue already exists with the same name and a different value for attribute(s)")
	} else if sq == nil {
		s.addQueue(q, attrs)
	}
	return queueURLOutput{QueueURL: QueueURL(c.endpoint, q)}, nil
}

func parseQueueAttrs(in map[string]string) (queueAttrs, *apiError) {
	a := defaultQueueAttrs()
	fields := map[string]*int{
		"VisibilityTimeout": &a.VisibilityTimeout, "ReceiveMessageWaitTimeSeconds": &a.ReceiveMessageWaitTimeSeconds,
		"DelaySeconds": &a.DelaySeconds, "MessageRetentionPeriod": &a.MessageRetentionPeriod,
		"MaximumMessageSize": &a.MaximumMessageSize,
	}
	for name, v := range in {
		bounds, ok := queueAttrBounds[name]
		if !ok {
			if slices.Contains(ignoredQueueAttrs, name) {
				continue
			}
			return a, newSQSError(codeInvalidAttributeName, "Unknown Attribute %s.", name)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < bounds[0] || n > bounds[1] {
			return a, newSQSError(codeInvalidAttributeValue, "Invalid value for the parameter %s.", name)
		}
		*fields[name] = n
	}
	return a, nil
}

type getQueueURLInput struct {
	QueueName              *string
	QueueOwnerAWSAccountID *string `json:"QueueOwnerAWSAccountId"`
}

func (s *Server) getQueueURL(c *sqsCall) (any, *apiError) {
	var in getQueueURLInput
	if err := decodeSQS(c.body, &in); err != nil {
		return nil, err
	}
	if in.QueueName == nil || *in.QueueName == "" {
		return nil, newSQSError(codeMissingParameter, "The request must contain the parameter QueueName.")
	}
	q := Queue{Account: c.account, Region: c.region, Name: *in.QueueName}
	if in.QueueOwnerAWSAccountID != nil && *in.QueueOwnerAWSAccountID != "" {
		q.Account = *in.QueueOwnerAWSAccountID
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	if _, err := s.lookup(q); err != nil {
		return nil, err
	}
	return queueURLOutput{QueueURL: QueueURL(c.endpoint, q)}, nil
}

// DeleteQueue deletes q and its messages; a receive waiting on it answers
// QueueDoesNotExist. It reports whether q existed.
func (s *Server) DeleteQueue(q Queue) bool {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq := s.sqs.queues[q]
	if sq == nil {
		return false
	}
	delete(s.sqs.queues, q)
	sq.notify()
	return true
}

func (s *Server) deleteQueue(c *sqsCall) (any, *apiError) {
	var in queueInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	if !s.DeleteQueue(q) {
		return nil, newSQSError(codeQueueDoesNotExist, sqsNonExistentQueueMessage)
	}
	return struct{}{}, nil
}

type getQueueAttributesInput struct {
	queueInput
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

func (s *Server) getQueueAttributes(c *sqsCall) (any, *apiError) {
	var in getQueueAttributesInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq, err := s.lookup(q)
	if err != nil {
		return nil, err
	}
	all := sq.attributes(s.opts.Now())
	out := map[string]string{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			return attributesOutput{Attributes: all}, nil
		}
		v, ok := all[name]
		if !ok {
			return nil, newSQSError(codeInvalidAttributeName, "Unknown Attribute %s.", name)
		}
		out[name] = v
	}
	return attributesOutput{Attributes: out}, nil
}

// decodeSQS decodes an operation's input, answering SerializationException
// in the SQS error shape.
func decodeSQS(body []byte, v any) *apiError {
	if err := decodeInput(body, v); err != nil {
		return newSQSError(err.Code, "%s", err.Message)
	}
	return nil
}

// checkRange validates an optional integer parameter.
func checkRange(name string, v *int32, lo, hi int, reason string) *apiError {
	if v != nil && (int(*v) < lo || int(*v) > hi) {
		return newSQSError(codeInvalidParameterValue, "Value %d for parameter %s is invalid. Reason: %s", *v, name, reason)
	}
	return nil
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

func itoa32(v *int32, dflt int) int {
	if v == nil {
		return dflt
	}
	return int(*v)
}
