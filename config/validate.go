package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	// labelSafe is what a target or rule name may hold: it becomes a label
	// value and a /probe?target= value, and '/' is kept for the suffixes
	// that Expand adds.
	labelSafe = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
)

// Bounds from the STS and SSM service models, and the exporter's own.
const (
	executionIDLen    = 36
	maxNameLength     = 128 // of a target name, expanded, or a rule name: the target and rule labels are never cut
	minLabelLength    = 16
	maxAPIConcurrency = 64
	// maxRefreshTimeout bounds api.refresh_timeout: a refresh running longer
	// holds a refresh slot and serves data older than any dashboard expects.
	maxRefreshTimeout = time.Hour
	maxAPIAttempts    = 20
)

// validator checks a decoded Config against the nodes it came from.
type validator struct {
	*decoder
}

// line is the line of path, or of its nearest ancestor that is in the file.
func (v *validator) line(path string) int {
	for {
		if n, ok := v.nodes[path]; ok {
			return n.Line
		}
		if path == "" {
			return 1
		}
		path = parent(path)
	}
}

// parent strips the last ".key" or "[i]" of path.
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// isSet says whether path is in the file with a value other than null.
func (v *validator) isSet(path string) bool {
	n, ok := v.nodes[path]
	return ok && !isNull(n)
}

// failed says whether path or one of its ancestors could not be decoded.
func (v *validator) failed(path string) bool {
	for {
		if v.bad[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parent(path)
	}
}

// add records a problem, unless it stems from a value that could not be
// decoded and was reported already.
func (v *validator) add(path, format string, args ...any) {
	if v.failed(path) {
		return
	}
	v.record(Problem{Line: v.line(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

// length checks the length in characters of a string that is set.
func (v *validator) length(path, s string, minLen, maxLen int) {
	if n := utf8.RuneCountInString(s); v.isSet(path) && (n < minLen || n > maxLen) {
		v.add(path, "must be %d to %d characters long, got %d", minLen, maxLen, n)
	}
}

// unique reports each item of list that an earlier item repeats.
func (v *validator) unique(list []string, path string) {
	first := map[string]int{}
	for i, s := range list {
		if j, ok := first[s]; ok {
			v.add(indexed(path, i), "%s is listed twice (first at %s)", quote(s), indexed(path, j))
			continue
		}
		first[s] = i
	}
}

func (v *validator) config(c *Config) {
	if len(c.Targets) == 0 && !v.failed("targets") {
		v.add("targets", "at least one target is required")
	}
	names := map[string]int{}
	for i := range c.Targets {
		t, path := &c.Targets[i], indexed("targets", i)
		switch j, dup := names[t.Name]; {
		case !v.isSet(path + ".name"):
			v.add(path+".name", "required")
		case !labelSafe.MatchString(t.Name):
			v.add(path+".name", "%s must match %s", quote(t.Name), labelSafe)
		case len(t.Name) > maxNameLength:
			v.add(path+".name", "must be at most %d characters long, got %d", maxNameLength, len(t.Name))
		case dup:
			v.add(path+".name", "%s is already the name of %s", quote(t.Name), indexed("targets", j))
		default:
			names[t.Name] = i
		}
		v.location(t, path)
		v.roles(t, path)
		v.watch(t, path)
		v.events(t, path)
	}
	v.expansions(c)
	v.queues(c)
	v.api(&c.API)
}

func (v *validator) positive(path string, n int) {
	if v.isSet(path) && n <= 0 {
		v.add(path, "must be positive, got %d", n)
	}
}

// between checks an int that is set against inclusive bounds.
func (v *validator) between(path string, n, lo, hi int) {
	if v.isSet(path) && (n < lo || n > hi) {
		v.add(path, "must be between %d and %d, got %d", lo, hi, n)
	}
}

func (v *validator) api(a *API) {
	if v.isSet("api.requests_per_second") && !(a.RequestsPerSecond > 0) {
		v.add("api.requests_per_second", "must be greater than 0, got %g", a.RequestsPerSecond)
	}
	if v.isSet("api.burst") && a.Burst < 1 {
		v.add("api.burst", "must be at least 1, got %d", a.Burst)
	}
	v.between("api.max_concurrency", a.MaxConcurrency, 1, maxAPIConcurrency)
	if v.isSet("api.call_timeout") && a.CallTimeout <= 0 {
		v.add("api.call_timeout", "must be greater than 0, got %s", a.CallTimeout)
	}
	if v.isSet("api.refresh_timeout") && (a.RefreshTimeout <= 0 || a.RefreshTimeout > maxRefreshTimeout) {
		v.add("api.refresh_timeout", "must be greater than 0 and at most %s, got %s", maxRefreshTimeout, a.RefreshTimeout)
	}
	v.between("api.max_attempts", a.MaxAttempts, 1, maxAPIAttempts)
	if v.isSet("api.max_response_bytes") && a.MaxResponseBytes < minResponseBytes {
		v.add("api.max_response_bytes", "must be at least %d, got %d", minResponseBytes, a.MaxResponseBytes)
	}
}

// minResponseBytes is the least response cap that still fits a full page.
const minResponseBytes = 64 << 10
