package events

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// logInterval is the least time between two log lines of one reason.
const logInterval = 5 * time.Minute

// invalidLog summarises the messages deleted unused: one line per reason
// and logInterval, with advice, how many messages since the last line and
// one queue they came from. Nothing of a message's body is logged.
type invalidLog struct {
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	last    map[string]time.Time // by reason: when its last line was written
	pending map[string]int       // by reason: messages since that line
}

func newInvalidLog(logger *slog.Logger) *invalidLog {
	return &invalidLog{logger: logger, now: time.Now, last: map[string]time.Time{}, pending: map[string]int{}}
}

// invalidAdvice is what each reason means, and what to check.
var invalidAdvice = map[string]string{
	ReasonChecksum:         "messages of an events queue do not match the MD5 of their body that SQS gives: damaged on the way, they are deleted unused",
	ReasonNotEnvelope:      "messages of an events queue are not EventBridge events: let only an EventBridge rule send to the queue, straight (not through SNS)",
	ReasonTruncated:        "messages of an events queue end too early to be read",
	ReasonTooLarge:         "messages of an events queue are larger than an EventBridge event can be (256 KiB)",
	ReasonOtherEvent:       "events of another source or detail type reached an events queue: narrow the EventBridge rule's event pattern to the two Automation status changes of aws.ssm",
	ReasonMalformed:        "Automation events lack a usable account, region, time, execution id or document name",
	ReasonNoTarget:         "Automation events of an account and region that no target of the queue watches: narrow the EventBridge rule, or add the target",
	ReasonUnknownExecution: "Automation events of executions that no target follows or may discover: expected when the EventBridge rule is wider than the discovery rules",
}

// add counts a message deleted unused, and writes the line of its reason
// when the last one is logInterval old or more.
func (w *invalidLog) add(reason, queue string) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending[reason]++
	if last, ok := w.last[reason]; ok && now.Sub(last) < logInterval {
		return
	}
	n := w.pending[reason]
	w.last[reason], w.pending[reason] = now, 0
	level := slog.LevelWarn
	if reason == ReasonUnknownExecution || reason == ReasonNoTarget {
		level = slog.LevelInfo
	}
	w.logger.Log(context.Background(), level, invalidAdvice[reason], "reason", reason, "messages", n, "example_queue", queue)
}
