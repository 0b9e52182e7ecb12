package config

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The forms of a target's values.
var (
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	roleARNRE   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+$`)
	sessionRE   = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalRE  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	detailsKeys = []string{DetailsSteps, DetailsExecutions, DetailsNone}

	// executionIDRE is the form of an automation execution id. The service
	// model gives the AutomationExecutionId shape a length (min and max 36)
	// and no pattern; SSM gives out ids as lowercase UUIDs, and the
	// exporter compares ids as strings, so an id in another form or case
	// could only be an execution the API never returns, or a second name
	// of one it does.
	executionIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// location checks where a target's API calls go.
func (v *validator) location(t *Target, path string) {
	hasRegion, hasRegions := v.isSet(path+".region"), v.isSet(path+".regions")
	switch {
	case hasRegion && hasRegions:
		v.add(path+".regions", "region and regions are both set; use one")
	case !hasRegion && !hasRegions:
		v.add(path, "one of region or regions is required")
	case hasRegion && !regionRE.MatchString(t.Region):
		v.add(path+".region", "%s is not a region (like eu-west-1)", quote(t.Region))
	case hasRegions && len(t.Regions) == 0:
		v.add(path+".regions", "must list at least one region")
	}
	if hasRegions {
		v.eachMatches(t.Regions, path+".regions", regionRE, "%s is not a region (like eu-west-1)")
	}
	for _, e := range []struct{ key, url string }{{"endpoint", t.Endpoint}, {"sts_endpoint", t.STSEndpoint}} {
		if v.isSet(path+"."+e.key) && !isHTTPURL(e.url) {
			v.add(path+"."+e.key, "%s is not an absolute http or https URL", quote(redactURL(e.url)))
		}
	}
}

// eachMatches checks that every item of a list matches re (format takes
// the item) and that none is listed twice.
func (v *validator) eachMatches(list []string, path string, re *regexp.Regexp, format string) {
	for i, item := range list {
		if !re.MatchString(item) {
			v.add(indexed(path, i), format, quote(item))
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
		v.add(path+".role_arn", "%s is not an IAM role ARN (like arn:aws:iam::123456789012:role/name)", quote(t.RoleARN))
	case hasRoles && len(t.RoleARNs) == 0:
		v.add(path+".role_arns", "must list at least one role ARN")
	}
	if hasRoles {
		v.eachMatches(t.RoleARNs, path+".role_arns", roleARNRE, "%s is not an IAM role ARN (like arn:aws:iam::123456789012:role/name)")
	}
	v.length(path+".external_id", t.ExternalID, 2, 1224)
	if !externalRE.MatchString(t.ExternalID) {
		v.add(path+".external_id", "%s may hold only letters, digits and the characters +=,.@:/_-", quote(t.ExternalID))
	}
	v.length(path+".session_name", t.SessionName, 2, 64)
	if !sessionRE.MatchString(t.SessionName) {
		v.add(path+".session_name", "%s may hold only letters, digits and the characters +=,.@_-", quote(t.SessionName))
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
			v.add(ep+".id", "%s must be %d characters long, got %d", quote(e.ID), executionIDLen, n)
		case !executionIDRE.MatchString(e.ID):
			v.add(ep+".id", "%s is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)", quote(e.ID))
		case dup:
			v.add(ep+".id", "%s is already listed at %s", quote(e.ID), indexed("executions", j))
		default:
			ids[e.ID] = i
		}
		v.stepFilters(e.Filters, ep+".filters")
	}
	v.discovery(t.Discovery, path+".discovery")
	if v.isSet(path+".details") && !slices.Contains(detailsKeys, t.Details) {
		v.add(path+".details", "%s is not one of %s", quote(t.Details), strings.Join(detailsKeys, ", "))
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
