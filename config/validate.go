package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	// labelSafe is what a target or rule name may hold: it becomes a label
	// value and a /probe?target= value, and '/' is kept for the suffixes
	// that Expand adds.
	labelSafe   = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	roleARNRE   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+$`)
	sessionRE   = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalRE  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	detailsKeys = []string{DetailsSteps, DetailsExecutions, DetailsNone}
)

// Bounds from the STS and SSM service models, and the exporter's own.
const (
	executionIDLen    = 36
	minLabelLength    = 16
	maxAPIConcurrency = 64
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
	v.probs = append(v.probs, Problem{Line: v.line(path), Path: path, Message: fmt.Sprintf(format, args...)})
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
			v.add(indexed(path, i), "%q is listed twice (first at %s)", s, indexed(path, j))
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
			v.add(path+".name", "%q must match %s", t.Name, labelSafe)
		case dup:
			v.add(path+".name", "%q is already the name of %s", t.Name, indexed("targets", j))
		default:
			names[t.Name] = i
		}
		v.location(t, path)
		v.roles(t, path)
		v.watch(t, path)
	}
	v.expansions(c)
	v.api(&c.API)
}

// location checks where a target's API calls go.
func (v *validator) location(t *Target, path string) {
	hasRegion, hasRegions := v.isSet(path+".region"), v.isSet(path+".regions")
	switch {
	case hasRegion && hasRegions:
		v.add(path+".regions", "region and regions are both set; use one")
	case !hasRegion && !hasRegions:
		v.add(path, "one of region or regions is required")
	case hasRegion && !regionRE.MatchString(t.Region):
		v.add(path+".region", "%q is not a region (like eu-west-1)", t.Region)
	case hasRegions && len(t.Regions) == 0:
		v.add(path+".regions", "must list at least one region")
	}
	if hasRegions {
		v.eachMatches(t.Regions, path+".regions", regionRE, "%q is not a region (like eu-west-1)")
	}
	for _, e := range []struct{ key, url string }{{"endpoint", t.Endpoint}, {"sts_endpoint", t.STSEndpoint}} {
		if v.isSet(path+"."+e.key) && !isHTTPURL(e.url) {
			v.add(path+"."+e.key, "%q is not an absolute http or https URL", e.url)
		}
	}
}

// eachMatches checks that every item of a list matches re (format takes
// the item) and that none is listed twice.
func (v *validator) eachMatches(list []string, path string, re *regexp.Regexp, format string) {
	for i, item := range list {
		if !re.MatchString(item) {
			v.add(indexed(path, i), format, item)
		}
	}
	v.unique(list, path)
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// roles checks the roles a target assumes.
func (v *validator) roles(t *Target, path string) {
	hasRole, hasRoles := v.isSet(path+".role_arn"), v.isSet(path+".role_arns")
	switch {
	case hasRole && hasRoles:
		v.add(path+".role_arns", "role_arn and role_arns are both set; use one")
	case hasRole && !roleARNRE.MatchString(t.RoleARN):
		v.add(path+".role_arn", "%q is not an IAM role ARN (like arn:aws:iam::123456789012:role/name)", t.RoleARN)
	case hasRoles && len(t.RoleARNs) == 0:
		v.add(path+".role_arns", "must list at least one role ARN")
	}
	if hasRoles {
		v.eachMatches(t.RoleARNs, path+".role_arns", roleARNRE, "%q is not an IAM role ARN (like arn:aws:iam::123456789012:role/name)")
	}
	v.length(path+".external_id", t.ExternalID, 2, 1224)
	if !externalRE.MatchString(t.ExternalID) {
		v.add(path+".external_id", "%q may hold only letters, digits and the characters +=,.@:/_-", t.ExternalID)
	}
	v.length(path+".session_name", t.SessionName, 2, 64)
	if !sessionRE.MatchString(t.SessionName) {
		v.add(path+".session_name", "%q may hold only letters, digits and the characters +=,.@_-", t.SessionName)
	}
}

// watch checks what a target watches and how much of it it exports.
func (v *validator) watch(t *Target, path string) {
	if len(t.Executions) == 0 && len(t.Discovery) == 0 &&
		!v.failed(path+".executions") && !v.failed(path+".discovery") {
		v.add(path, "nothing to watch: list executions or discovery rules")
	}
	ids := map[string]int{}
	for i, e := range t.Executions {
		ep := indexed(path+".executions", i)
		n := utf8.RuneCountInString(e.ID)
		switch j, dup := ids[e.ID]; {
		case !v.isSet(ep + ".id"):
			v.add(ep+".id", "required")
		case n != executionIDLen:
			v.add(ep+".id", "%q must be %d characters long, got %d", e.ID, executionIDLen, n)
		case dup:
			v.add(ep+".id", "%q is already listed at %s", e.ID, indexed("executions", j))
		default:
			ids[e.ID] = i
		}
		v.stepFilters(e.Filters, ep+".filters")
	}
	v.discovery(t.Discovery, path+".discovery")
	if v.isSet(path+".details") && !slices.Contains(detailsKeys, t.Details) {
		v.add(path+".details", "%q is not one of %s", t.Details, strings.Join(detailsKeys, ", "))
	}
	if t.MinRefreshInterval < 0 {
		v.add(path+".min_refresh_interval", "must not be negative, got %s", t.MinRefreshInterval)
	}
	lp := path + ".limits"
	v.positive(lp+".max_executions", t.Limits.MaxExecutions)
	v.positive(lp+".max_steps_per_execution", t.Limits.MaxStepsPerExecution)
	if v.isSet(lp+".max_label_length") && t.Limits.MaxLabelLength < minLabelLength {
		v.add(lp+".max_label_length", "must be at least %d, got %d", minLabelLength, t.Limits.MaxLabelLength)
	}
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
	v.between("api.max_attempts", a.MaxAttempts, 1, maxAPIAttempts)
	if v.isSet("api.max_response_bytes") && a.MaxResponseBytes < minResponseBytes {
		v.add("api.max_response_bytes", "must be at least %d, got %d", minResponseBytes, a.MaxResponseBytes)
	}
}

// minResponseBytes is the least response cap that still fits a full page.
const minResponseBytes = 64 << 10
