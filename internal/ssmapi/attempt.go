package ssmapi

import (
	"context"
	"errors"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// targetKey carries the counters of the target a call is made for through
// the SDK's middleware.
type targetKey struct{}

// WithTarget makes the calls made with ctx count for the target of c.
func WithTarget(ctx context.Context, c *TargetCounters) context.Context {
	return context.WithValue(ctx, targetKey{}, c)
}

// targetOf is the counters of the call's target; a call made for no target
// counts with an empty target label.
func (m *attemptMiddleware) targetOf(ctx context.Context) *TargetCounters {
	if c, _ := ctx.Value(targetKey{}).(*TargetCounters); c != nil {
		return c
	}
	return &TargetCounters{m: m.metrics}
}

// attemptMiddleware runs once per HTTP attempt, after the retryer: it waits
// for the (account, region) token bucket, bounds the attempt's time and
// counts the attempt by its outcome.
type attemptMiddleware struct {
	limiter *adaptiveLimiter
	metrics *APIMetrics
}

func (*attemptMiddleware) ID() string { return "SSMAutomationExporterAttempt" }

func (m *attemptMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	target := m.targetOf(ctx)
	op := middleware.GetOperationName(ctx)
	waited, err := m.limiter.Wait(ctx)
	target.add(m.metrics.rateLimitWait, waited.Seconds())
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	// The attempt's time is bounded by the HTTP client's timeout
	// (api.call_timeout), which covers reading the body too; a context
	// cancelled here as the attempt returns would race the transport
	// putting the connection back into its pool.
	start := time.Now()
	out, md, err := next.HandleFinalize(ctx, in)
	m.metrics.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	raw := rawCode(err)
	target.add(m.metrics.requests, 1, op, codeLabel(raw))
	if server, ok := awsmiddleware.GetServerTime(md); ok {
		if at, ok := awsmiddleware.GetResponseAt(md); ok {
			target.clockSkew(server.Sub(at))
		}
	}
	if errors.Is(err, ErrResponseTooLarge) {
		target.Cut("response_bytes", 1)
	}
	switch raw {
	case "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled":
		target.add(m.metrics.throttled, 1)
		m.limiter.Throttled()
	case "OK":
		m.limiter.Succeeded()
	}
	return out, md, err
}
