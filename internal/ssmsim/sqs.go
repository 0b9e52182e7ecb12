package ssmsim

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// sqsService holds the simulator's queues and the subscriptions of its
// event bus. One mutex guards both.
type sqsService struct {
	mu      sync.Mutex
	queues  map[Queue]*sqsQueue
	nextInc uint64
	handles tokenCodec
	faults  *faultState
	onWait  func(Queue)
	stop    chan struct{} // closed by StopLongPolls
	bus     eventBus
}

func newSQSService(opts Options) *sqsService {
	return &sqsService{
		queues:  map[Queue]*sqsQueue{},
		handles: newTokenCodec(),
		faults:  newFaultState(opts.SQSFaults),
		onWait:  opts.OnLongPoll,
		stop:    make(chan struct{}),
		bus:     newEventBus(opts.EventFaults),
	}
}

// sqsCall is one SQS request on its way through an operation.
type sqsCall struct {
	call
	ctx      context.Context
	endpoint string // scheme and host the client reached, for queue URLs
}

// errCanceled ends a request whose client went away; nothing is answered.
var errCanceled = &apiError{Code: codeCanceled}

// sqsOperations are the SQS operations the simulator answers.
var sqsOperations = map[string]func(*Server, *sqsCall) (any, *apiError){
	"CreateQueue":             (*Server).createQueue,
	"GetQueueUrl":             (*Server).getQueueURL,
	"DeleteQueue":             (*Server).deleteQueue,
	"GetQueueAttributes":      (*Server).getQueueAttributes,
	"SendMessage":             (*Server).sendMessage,
	"ReceiveMessage":          (*Server).receiveMessage,
	"DeleteMessage":           (*Server).deleteMessage,
	"DeleteMessageBatch":      (*Server).deleteMessageBatch,
	"ChangeMessageVisibility": (*Server).changeMessageVisibility,
}

// SetSQSFaults replaces the faults injected into SQS requests from now on
// and reseeds their random source. It is safe to call while serving.
func (s *Server) SetSQSFaults(f Faults) { s.sqs.faults.set(f) }

// StopLongPolls ends every waiting ReceiveMessage at once with no messages,
// and makes later ones answer without waiting; http.Server.RegisterOnShutdown
// takes it, so a graceful shutdown does not wait out long polls.
func (s *Server) StopLongPolls() {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	select {
	case <-s.sqs.stop:
	default:
		close(s.sqs.stop)
	}
}

// serveSQS answers an SQS request (AWS JSON 1.0, X-Amz-Target AmazonSQS.*).
func (s *Server) serveSQS(w http.ResponseWriter, r *http.Request, reqID string) {
	op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), sqsTargetPrefix)
	label := op
	if sqsOperations[op] == nil {
		label = operationUnknown
	}
	body, tooLarge := s.readBody(w, r)
	if d := s.sqs.faults.delay(); d > 0 {
		s.metrics.fault(faultLatency)
		if sleepContext(r.Context(), d) != nil {
			s.metrics.request(label, codeCanceled)
			return
		}
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	c := &sqsCall{call: call{op: op, body: body}, ctx: r.Context(), endpoint: scheme + r.Host}
	resp, err := s.answerSQS(r, c, tooLarge)
	if err == errCanceled {
		s.metrics.request(label, codeCanceled)
		return
	}
	if err != nil {
		resp = sqsResponse(err)
	}
	s.send(w, reqID, label, resp)
}

// answerSQS runs the checks every SQS request goes through, then the operation.
func (s *Server) answerSQS(r *http.Request, c *sqsCall, tooLarge bool) (response, *apiError) {
	if tooLarge {
		return response{}, newSQSError(codeTooLarge, "Request body must not exceed %d bytes.", s.opts.MaxBodyBytes)
	}
	if mt := mediaType(r); mt != sqsContentType {
		return response{}, newSQSError(codeUnknownOperation, "Content-Type %q is not supported; use %s.", mt, sqsContentType)
	}
	scope, err := parseSigV4(r)
	if err != nil {
		return response{}, newSQSError(err.Code, "%s", err.Message)
	}
	handler := sqsOperations[c.op]
	if handler == nil {
		return response{}, newSQSError(codeUnknownOperation, "Operation %q is not supported.", r.Header.Get("X-Amz-Target"))
	}
	if s.isRevoked(scope.accessKey) {
		return response{}, newSQSError(codeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	c.account, c.region = s.accountFor(scope.accessKey), scope.region
	if code := s.sqs.faults.errorCode(); code != "" {
		s.metrics.fault(code)
		return response{}, newSQSError(code, "%s", sqsFaultMessage(code))
	}
	out, err := handler(s, c)
	if err != nil {
		return response{}, err
	}
	body, encErr := encodeJSON(out)
	if encErr != nil {
		return response{}, newSQSError(codeSQSInternal, "%s", defaultMessage(codeInternal))
	}
	if s.sqs.faults.malformed() {
		s.metrics.fault(faultMalformed)
		body = body[:max(1, len(body)/2)]
	}
	return response{status: http.StatusOK, contentType: sqsContentType, body: body, code: codeOK}, nil
}

func sqsFaultMessage(code string) string {
	if code == codeAccessDenied {
		return "User is not authorized to perform this action on the queue."
	}
	return defaultMessage(code)
}

// queueFromURL resolves a QueueUrl of the form <endpoint>/<account>/<name>
// in the request's region; the endpoint part is not checked.
func queueFromURL(c *sqsCall, raw *string) (Queue, *apiError) {
	if raw == nil || *raw == "" {
		return Queue{}, newSQSError(codeMissingParameter, "The request must contain the parameter QueueUrl.")
	}
	u, err := url.Parse(*raw)
	if err != nil {
		return Queue{}, newSQSError(codeInvalidAddress, "The address %s is not valid for this endpoint.", *raw)
	}
	account, name, ok := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if !ok || account == "" || !validQueueName(name) {
		return Queue{}, newSQSError(codeInvalidAddress, "The address %s is not valid for this endpoint.", *raw)
	}
	return Queue{Account: account, Region: c.region, Name: name}, nil
}

// validQueueName: 1 to 80 letters, digits, hyphens and underscores.
func validQueueName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// lookup returns the queue q, or QueueDoesNotExist; s.sqs.mu is held.
func (s *Server) lookup(q Queue) (*sqsQueue, *apiError) {
	if sq := s.sqs.queues[q]; sq != nil {
		return sq, nil
	}
	return nil, newSQSError(codeQueueDoesNotExist, sqsNonExistentQueueMessage)
}
