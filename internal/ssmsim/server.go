package ssmsim

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Options configure a Server.
type Options struct {
	// DefaultAccount is the account of access keys not in AccessKeys
	// (default "123456789012").
	DefaultAccount string
	// AccessKeys maps access key ids to account ids.
	AccessKeys map[string]string
	// DeniedRoles are role ARNs for which STS AssumeRole answers AccessDenied.
	DeniedRoles []string
	// RequestsPerSecond is each account's SSM request rate; above it requests
	// answer ThrottlingException. 0 means unlimited.
	RequestsPerSecond float64
	// Burst is the token bucket size (default: RequestsPerSecond rounded up, at least 1).
	Burst int
	// Faults are injected into SSM requests (WrongMD5Rate does not apply).
	Faults Faults
	// Now is the simulator's clock (default time.Now).
	Now func() time.Time
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// SQSFaults are injected into SQS requests (error rates, latency,
	// malformed bodies, wrong MD5s of messages; RepeatTokenRate does not
	// apply).
	SQSFaults Faults
	// EventFaults are injected into the delivery of events to queues.
	EventFaults EventFaults
	// OnLongPoll, when set, is called each time a ReceiveMessage starts
	// waiting for a message on an empty queue, so a test knows a consumer
	// is waiting before it sends.
	OnLongPoll func(Queue)
	// ClockOffset puts the Date header of every response this much ahead
	// of the real clock (behind when negative): the service's clock apart
	// from the client's.
	ClockOffset time.Duration
}

const (
	defaultAccount      = "123456789012"
	defaultMaxBodyBytes = 1 << 20
	formContentType     = "application/x-www-form-urlencoded"
	ssmTargetPrefix     = "AmazonSSM."
)

// Server is an in-memory fake of the SSM Automation read API and STS
// AssumeRole, speaking the services' wire protocols.
type Server struct {
	store    *Store
	opts     Options
	tokens   tokenCodec
	faults   *faultState
	metrics  *simMetrics
	registry *prometheus.Registry
	promHTTP http.Handler
	denied   map[string]bool
	sqs      *sqsService

	keysMu  sync.RWMutex
	keys    map[string]string
	revoked map[string]bool

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter
}

// call is one SSM request on its way through an operation.
type call struct {
	op      string
	account string
	region  string
	body    []byte
}

// ssmOperations are the SSM operations the simulator answers.
var ssmOperations = map[string]func(*Server, *call) (any, *apiError){
	"DescribeAutomationStepExecutions": (*Server).describeStepExecutions,
	"DescribeAutomationExecutions":     (*Server).describeExecutions,
	"GetAutomationExecution":           (*Server).getExecution,
}

// New returns a Server answering from store (a new empty store when nil).
func New(store *Store, opts Options) *Server {
	if store == nil {
		store = NewStore()
	}
	if opts.DefaultAccount == "" {
		opts.DefaultAccount = defaultAccount
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = defaultMaxBodyBytes
	}
	if opts.RequestsPerSecond > 0 && opts.Burst <= 0 {
		opts.Burst = max(1, int(math.Ceil(opts.RequestsPerSecond)))
	}
	s := &Server{
		store:    store,
		opts:     opts,
		tokens:   newTokenCodec(),
		faults:   newFaultState(opts.Faults),
		metrics:  newSimMetrics(),
		registry: prometheus.NewRegistry(),
		denied:   map[string]bool{},
		keys:     map[string]string{},
		limiters: map[string]*rate.Limiter{},
	}
	s.sqs = newSQSService(opts)
	maps.Copy(s.keys, opts.AccessKeys)
	for _, arn := range opts.DeniedRoles {
		s.denied[arn] = true
	}
	s.registry.MustRegister(s.metrics)
	s.promHTTP = promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return s
}

// SetFaults replaces the faults injected from now on and reseeds their
// random source. It is safe to call while serving.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// ServeHTTP answers POST / as SSM (AWS JSON 1.1), SQS (AWS JSON 1.0) or STS
// (AWS Query), and GET /metrics with the simulator's metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		s.promHTTP.ServeHTTP(w, r)
		return
	}
	if s.opts.ClockOffset != 0 {
		w.Header().Set("Date", time.Now().Add(s.opts.ClockOffset).UTC().Format(http.TimeFormat))
	}
	reqID := newRequestID()
	defer s.recoverPanic(w, reqID)
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		err := newAPIError(codeUnknownOperation, "%s %s is not an operation of this service.", r.Method, r.URL.Path)
		err.Status = http.StatusNotFound
		s.send(w, reqID, operationUnknown, err.response())
		return
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), sqsTargetPrefix) {
		s.serveSQS(w, r, reqID)
		return
	}
	body, tooLarge := s.readBody(w, r)
	query := mediaType(r) == formContentType
	var form url.Values
	var op string
	if query {
		form, _ = url.ParseQuery(string(body))
		op = stsOperation(form)
	} else {
		op = ssmOperation(r.Header.Get("X-Amz-Target"))
	}
	label := op
	if label == "" {
		label = operationUnknown
	}
	if d := s.faults.delay(); d > 0 {
		s.metrics.fault(faultLatency)
		if sleepContext(r.Context(), d) != nil {
			s.metrics.request(label, codeCanceled)
			return
		}
	}
	var resp response
	if query {
		resp = s.serveQuery(r, reqID, form, tooLarge)
	} else {
		resp = s.serveJSON(r, &call{op: op, body: body}, tooLarge)
	}
	s.send(w, reqID, label, resp)
}

// send counts a response, then writes it.
func (s *Server) send(w http.ResponseWriter, reqID, label string, resp response) {
	s.metrics.request(label, resp.code)
	resp.write(w, reqID)
}

// serveJSON answers an AWS JSON 1.1 request.
func (s *Server) serveJSON(r *http.Request, c *call, tooLarge bool) response {
	if tooLarge {
		return newAPIError(codeTooLarge, "Request body must not exceed %d bytes.", s.opts.MaxBodyBytes).response()
	}
	if mt := mediaType(r); mt != jsonContentType {
		return newAPIError(codeUnknownOperation, "Content-Type %q is not supported; use %s.", mt, jsonContentType).response()
	}
	scope, err := parseSigV4(r)
	if err != nil {
		return err.response()
	}
	handler := ssmOperations[c.op]
	if handler == nil {
		return newAPIError(codeUnknownOperation, "Operation %q is not supported.", r.Header.Get("X-Amz-Target")).response()
	}
	if s.isRevoked(scope.accessKey) {
		return newAPIError(codeUnrecognizedClient, "The security token included in the request is invalid.").response()
	}
	c.account, c.region = s.accountFor(scope.accessKey), scope.region
	if !s.allow(c.account) {
		return newAPIError(codeThrottling, "Rate exceeded").response()
	}
	if code := s.faults.errorCode(); code != "" {
		s.metrics.fault(code)
		return newAPIError(code, "%s", defaultMessage(code)).response()
	}
	out, err := handler(s, c)
	if err != nil {
		return err.response()
	}
	body, encErr := encodeJSON(out)
	if encErr != nil {
		return newAPIError(codeInternal, "%s", defaultMessage(codeInternal)).response()
	}
	if s.faults.malformed() {
		s.metrics.fault(faultMalformed)
		body = body[:max(1, len(body)/2)]
	}
	return response{status: http.StatusOK, contentType: jsonContentType, body: body, code: codeOK}
}

// recoverPanic answers InternalServerError rather than dropping the
// connection if answering a request panics.
func (s *Server) recoverPanic(w http.ResponseWriter, reqID string) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.send(w, reqID, operationUnknown, newAPIError(codeInternal, "%s", defaultMessage(codeInternal)).response())
	}
}

// allow takes a token from the account's bucket.
func (s *Server) allow(account string) bool {
	if s.opts.RequestsPerSecond <= 0 {
		return true
	}
	s.limMu.Lock()
	l := s.limiters[account]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(s.opts.RequestsPerSecond), s.opts.Burst)
		s.limiters[account] = l
	}
	s.limMu.Unlock()
	return l.AllowN(s.opts.Now(), 1)
}

// readBody reads the request body, reporting whether it exceeds MaxBodyBytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength > s.opts.MaxBodyBytes {
		return nil, true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	return body, errors.As(err, &tooLarge)
}

// decodeInput decodes an operation's JSON input; an empty body is an empty
// input, anything that is not one JSON object answers SerializationException.
func decodeInput(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(v)
	if err == nil && dec.Decode(&json.RawMessage{}) != io.EOF {
		err = errors.New("unexpected data after the request object")
	}
	if err != nil {
		return newAPIError(codeSerialization, "Unable to parse the request body: %v", err)
	}
	return nil
}

func ssmOperation(target string) string {
	name, ok := strings.CutPrefix(target, ssmTargetPrefix)
	if !ok || ssmOperations[name] == nil {
		return ""
	}
	return name
}

func mediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// newRequestID returns a random UUID-shaped request id.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
