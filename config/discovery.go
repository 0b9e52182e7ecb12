package config

import (
	"regexp"
	"slices"
	"strings"
)

// ruleKeys maps the AutomationExecutionFilterKeys that a discovery rule
// derives from its own keys to those keys; they may not be listed as filters.
var ruleKeys = map[string]string{
	"DocumentNamePrefix": "document_name_prefix",
	"ExecutionStatus":    "statuses",
	"StartTimeAfter":     "lookback",
	"TagKey":             "tag_key",
	"AutomationType":     "automation_type",
}

// documentNameChars are the characters of the DocumentName shape of the
// service model (pattern ^[a-zA-Z0-9_\-.]{3,128}$), which a prefix of one
// is made of.
var documentNameChars = regexp.MustCompile(`^[a-zA-Z0-9_.-]*$`)

// ruleFilterKeys are the keys a rule may list in filters.
var ruleFilterKeys = slices.DeleteFunc(slices.Clone(AutomationExecutionFilterKeys), func(k string) bool {
	_, derived := ruleKeys[k]
	return derived
})

// discovery checks the rules of one target.
func (v *validator) discovery(rules []DiscoveryRule, path string) {
	names := map[string]int{}
	for i := range rules {
		r, rp := &rules[i], indexed(path, i)
		named := v.isSet(rp + ".name")
		name := r.Name
		if !named {
			name = defaultRuleName(i)
		}
		switch j, dup := names[name]; {
		case named && !labelSafe.MatchString(name):
			v.add(rp+".name", "%s must match %s", quote(name), labelSafe)
		case len(name) > maxNameLength:
			v.add(rp+".name", "must be at most %d characters long, got %d", maxNameLength, len(name))
		case dup && named:
			v.add(rp+".name", "%s is already the name of %s", quote(name), indexed("discovery", j))
		case dup:
			v.add(rp, "the default name %s is already the name of %s; set name", quote(name), indexed("discovery", j))
		default:
			names[name] = i
		}
		v.rule(r, rp)
	}
}

// rule checks one discovery rule.
func (v *validator) rule(r *DiscoveryRule, path string) {
	v.length(path+".document_name_prefix", r.DocumentNamePrefix, 1, 128)
	if v.isSet(path+".document_name_prefix") && !documentNameChars.MatchString(r.DocumentNamePrefix) {
		v.add(path+".document_name_prefix", "%s may hold only letters, digits and the characters _-. of a document name",
			quote(r.DocumentNamePrefix))
	}
	if n := len(r.Statuses); n > maxFilterValues {
		v.add(path+".statuses", "at most %d statuses are allowed, got %d", maxFilterValues, n)
	}
	for i, s := range r.Statuses {
		v.status(indexed(path+".statuses", i), s)
	}
	v.unique(r.Statuses, path+".statuses")
	if v.isSet(path+".lookback") && r.Lookback <= 0 {
		v.add(path+".lookback", "must be greater than 0, got %s", r.Lookback)
	}
	v.length(path+".tag_key", r.TagKey, 1, 128)
	if v.isSet(path+".automation_type") && !slices.Contains(AutomationTypes, r.AutomationType) {
		v.add(path+".automation_type", "%s is not an automation type (valid: %s)",
			quote(r.AutomationType), strings.Join(AutomationTypes, ", "))
	}
	if v.isSet(path+".max_executions") && r.MaxExecutions < 1 {
		v.add(path+".max_executions", "must be at least 1, got %d", r.MaxExecutions)
	}
	v.ruleFilters(r, path)
	v.stepFilters(r.StepFilters, path+".step_filters")
}

// ruleFilters checks a rule's explicit filters and their number together
// with the filters the rule derives from its own keys.
func (v *validator) ruleFilters(r *DiscoveryRule, path string) {
	fp := path + ".filters"
	for i, f := range r.Filters {
		kp := indexed(fp, i) + ".key"
		own, derived := ruleKeys[f.Key]
		switch {
		case !v.isSet(kp):
			v.add(kp, "required")
		case derived:
			v.add(kp, "%s is set by the rule itself; use %s", quote(f.Key), own)
		case !slices.Contains(ruleFilterKeys, f.Key):
			v.add(kp, "%s is not an automation execution filter key (valid: %s)",
				quote(f.Key), strings.Join(ruleFilterKeys, ", "))
		}
		v.filterValues(f, indexed(fp, i))
	}
	if total := derivedFilters(r) + len(r.Filters); len(r.Filters) > 0 && total > maxExecutionFilters {
		v.add(fp, "the rule sends %d filters (%d of its own and %d listed here); DescribeAutomationExecutions accepts at most %d",
			total, derivedFilters(r), len(r.Filters), maxExecutionFilters)
	}
}

// derivedFilters counts the filters a rule builds from its own keys (see
// discovery.Filters): StartTimeAfter always, DocumentNamePrefix,
// ExecutionStatus, TagKey and AutomationType as far as it sets them.
func derivedFilters(r *DiscoveryRule) int {
	n := 1
	for _, set := range []bool{r.DocumentNamePrefix != "", len(r.Statuses) > 0, r.TagKey != "", r.AutomationType != ""} {
		if set {
			n++
		}
	}
	return n
}
