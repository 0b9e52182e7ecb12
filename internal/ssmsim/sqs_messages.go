package ssmsim

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
)

// receiptHandle is what a receipt handle carries: the queue's incarnation,
// the message and which receive of it the handle is from. Handles are
// signed like NextTokens, so a forged or altered one is refused.
type receiptHandle struct {
	Incarnation uint64 `json:"q"`
	ID          string `json:"m"`
	Seq         int    `json:"s"`
}

// signer makes the receipt handles of sq's receives; s.sqs.mu is held.
func (s *Server) signer(sq *sqsQueue) func(*sqsMessage) string {
	return func(m *sqsMessage) string {
		payload, _ := json.Marshal(receiptHandle{Incarnation: sq.incarnation, ID: m.id, Seq: m.receives})
		return base64.RawURLEncoding.EncodeToString(append(s.sqs.handles.mac(payload), payload...))
	}
}

// openHandle checks a receipt handle of sq.
func (s *Server) openHandle(sq *sqsQueue, handle string) (receiptHandle, *apiError) {
	invalid := newSQSError(codeReceiptHandleInvalid, "The input receipt handle %q is not a valid receipt handle.", handle)
	raw, err := base64.RawURLEncoding.Strict().DecodeString(handle)
	if err != nil || len(raw) <= macLen || !hmac.Equal(raw[:macLen], s.sqs.handles.mac(raw[macLen:])) {
		return receiptHandle{}, invalid
	}
	var h receiptHandle
	if json.Unmarshal(raw[macLen:], &h) != nil || h.Incarnation != sq.incarnation {
		return receiptHandle{}, invalid
	}
	return h, nil
}

type sendMessageInput struct {
	queueInput
	MessageBody  *string
	DelaySeconds *int32
}

type sendMessageOutput struct {
	MessageID        string `json:"MessageId"`
	MD5OfMessageBody string `json:"MD5OfMessageBody"`
}

// senderSimulator is the SenderId of messages sent through SendMessage.
const senderSimulator = "AIDASIMULATORSENDER"

// SendMessage puts body into q as SendMessage does; it fails when q does
// not exist.
func (s *Server) SendMessage(q Queue, body string) error {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq, err := s.lookup(q)
	if err != nil {
		return err
	}
	sq.add(&sqsMessage{id: newRequestID(), body: body, sender: senderSimulator, sent: s.opts.Now()}, seconds(sq.attrs.DelaySeconds))
	return nil
}

func (s *Server) sendMessage(c *sqsCall) (any, *apiError) {
	var in sendMessageInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	if in.MessageBody == nil || *in.MessageBody == "" {
		return nil, newSQSError(codeMissingParameter, "The request must contain the parameter MessageBody.")
	}
	if err := checkRange("DelaySeconds", in.DelaySeconds, 0, maxDelaySeconds, "Must be >= 0 and <= 900, if provided."); err != nil {
		return nil, err
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq, err := s.lookup(q)
	if err != nil {
		return nil, err
	}
	if len(*in.MessageBody) > sq.attrs.MaximumMessageSize {
		return nil, newSQSError(codeInvalidParameterValue,
			"One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", sq.attrs.MaximumMessageSize)
	}
	m := &sqsMessage{id: newRequestID(), body: *in.MessageBody, sender: c.account, sent: s.opts.Now()}
	sq.add(m, seconds(itoa32(in.DelaySeconds, sq.attrs.DelaySeconds)))
	return sendMessageOutput{MessageID: m.id, MD5OfMessageBody: m.md5}, nil
}

type deleteMessageInput struct {
	queueInput
	ReceiptHandle *string
}

func (s *Server) deleteMessage(c *sqsCall) (any, *apiError) {
	var in deleteMessageInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == nil {
		return nil, newSQSError(codeMissingParameter, "The request must contain the parameter ReceiptHandle.")
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq, err := s.lookup(q)
	if err != nil {
		return nil, err
	}
	h, err := s.openHandle(sq, *in.ReceiptHandle)
	if err != nil {
		return nil, err
	}
	sq.remove(h.ID, h.Seq)
	return struct{}{}, nil
}

type batchEntry struct {
	ID            *string `json:"Id"`
	ReceiptHandle *string
}

type batchInput struct {
	queueInput
	Entries []batchEntry
}

type batchResultEntry struct {
	ID string `json:"Id"`
}

type batchErrorEntry struct {
	ID          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

type batchOutput struct {
	Successful []batchResultEntry `json:"Successful"`
	Failed     []batchErrorEntry  `json:"Failed"`
}

// checkBatch validates a batch's entry count and ids.
func checkBatch(entries []batchEntry, entryName string) *apiError {
	switch {
	case len(entries) == 0:
		return newSQSError(codeEmptyBatch, "There should be at least one %s in the request.", entryName)
	case len(entries) > maxReceiveMessages:
		return newSQSError(codeTooManyEntries, "Maximum number of entries per request are 10. You have sent %d.", len(entries))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		id := ""
		if e.ID != nil {
			id = *e.ID
		}
		if !validQueueName(id) {
			return newSQSError(codeInvalidBatchEntryID,
				"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return newSQSError(codeBatchIDsNotDistinct, "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

// deleteMessageBatch deletes each entry's message; an entry whose handle is
// invalid fails alone.
func (s *Server) deleteMessageBatch(c *sqsCall) (any, *apiError) {
	var in batchInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(in.Entries, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq, err := s.lookup(q)
	if err != nil {
		return nil, err
	}
	out := batchOutput{Successful: []batchResultEntry{}, Failed: []batchErrorEntry{}}
	for _, e := range in.Entries {
		handle := ""
		if e.ReceiptHandle != nil {
			handle = *e.ReceiptHandle
		}
		h, err := s.openHandle(sq, handle)
		if err != nil {
			out.Failed = append(out.Failed, batchErrorEntry{ID: *e.ID, SenderFault: true, Code: err.Code, Message: err.Message})
			continue
		}
		sq.remove(h.ID, h.Seq)
		out.Successful = append(out.Successful, batchResultEntry{ID: *e.ID})
	}
	return out, nil
}

type changeVisibilityInput struct {
	queueInput
	ReceiptHandle     *string
	VisibilityTimeout *int32
}

// changeMessageVisibility hides an in-flight message for a new timeout from
// now; 0 makes it visible at once.
func (s *Server) changeMessageVisibility(c *sqsCall) (any, *apiError) {
	var in changeVisibilityInput
	q, err := decodeQueueInput(c, &in)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == nil || in.VisibilityTimeout == nil {
		return nil, newSQSError(codeMissingParameter, "The request must contain the parameters ReceiptHandle and VisibilityTimeout.")
	}
	if err := checkRange("VisibilityTimeout", in.VisibilityTimeout, 0, maxVisibilityTimeout, "Must be >= 0 and <= 43200."); err != nil {
		return nil, err
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	sq, err := s.lookup(q)
	if err != nil {
		return nil, err
	}
	h, err := s.openHandle(sq, *in.ReceiptHandle)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	_, m := sq.find(h.ID)
	switch {
	case m != nil && m.receives != h.Seq:
		return nil, newSQSError(codeInvalidParameterValue,
			"Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", *in.ReceiptHandle)
	case m == nil || !m.visibleAt.After(now):
		return nil, newSQSError(codeMessageNotInflight, "Message does not exist or is not available for visibility timeout change.")
	}
	m.visibleAt = now.Add(seconds(int(*in.VisibilityTimeout)))
	if *in.VisibilityTimeout == 0 {
		sq.notify()
	}
	return struct{}{}, nil
}
