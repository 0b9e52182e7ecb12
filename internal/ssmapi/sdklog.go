package ssmapi

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger writes the SDK's own log lines through the exporter's logger,
// so that they take its format (--log.format=json) and level, and carry
// the target of the call, instead of going to stderr as plain text.
//
// The SDK's warnings that it could not discard or close a response body
// are logged at debug level: they follow a call that already failed (a
// body over api.max_response_bytes, a connection cut while reading) and
// that the exporter counts and reports itself, once per reason and
// interval; one more warning per failed call would flood the log. The
// SDK's other warnings (a Date header it cannot read, for one) say
// something the exporter does not, and stay warnings.
type sdkLogger struct{ logger *slog.Logger }

var _ logging.ContextLogger = sdkLogger{}

func newSDKLogger(logger *slog.Logger) sdkLogger {
	return sdkLogger{logger: logger.With("component", "aws-sdk")}
}

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn && !strings.Contains(format, "HTTP response body") {
		level = slog.LevelWarn
	}
	l.logger.Log(context.Background(), level, fmt.Sprintf(format, v...))
}

// WithContext adds the target of the call, when there is one.
func (l sdkLogger) WithContext(ctx context.Context) logging.Logger {
	if c, _ := ctx.Value(targetKey{}).(*TargetCounters); c != nil {
		return sdkLogger{logger: l.logger.With("target", c.name)}
	}
	return l
}
