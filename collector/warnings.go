package collector

import (
	"log/slog"
	"sync"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// errorLogInterval is the least time between two warnings of one reason.
const errorLogInterval = 5 * time.Minute

// warnings summarises the failed fetches of every target in warnings: one
// line per reason and errorLogInterval, with advice, how many targets
// failed for that reason since the last such line, and one of them. A
// thousand targets that time out give one line, not a thousand.
type warnings struct {
	logger *slog.Logger

	mu      sync.Mutex
	pending map[string]*failedTargets // by reason, since its last line
	last    map[string]time.Time      // by reason: when its last line was written
}

// failedTargets are the targets that failed for one reason.
type failedTargets struct {
	names   map[string]bool
	example string // the first of them
	code    string // the error code of its failure
}

func newWarnings(logger *slog.Logger) *warnings {
	return &warnings{logger: logger, pending: map[string]*failedTargets{}, last: map[string]time.Time{}}
}

// add records that target failed for reason with an error of that code.
func (w *warnings) add(reason, target, code string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pending[reason]
	if p == nil {
		p = &failedTargets{names: map[string]bool{}, example: target, code: code}
		w.pending[reason] = p
	}
	p.names[target] = true
}

// flush writes the line of every reason with failures whose last line is
// errorLogInterval old or more; the others wait for their interval.
func (w *warnings) flush() {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for reason, p := range w.pending {
		if last, ok := w.last[reason]; ok && now.Sub(last) < errorLogInterval {
			continue
		}
		w.last[reason] = now
		delete(w.pending, reason)
		w.logger.Warn(ssmapi.Advice(reason), "reason", reason, "targets", len(p.names), "example_target", p.example, "code", p.code)
	}
}
