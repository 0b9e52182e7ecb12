package e2e

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// What the rules of alerts/ssm_automation.rules.yml alert on, restated here
// so that the expected alerts follow from the scenario, not from Prometheus.
const (
	stepFailedStatuses = "Failed|TimedOut"
	stuckStatuses      = "InProgress|Waiting|Pending|PendingApproval|Cancelling"
	stuckAfter         = 3 * time.Hour
)

// ruleAlerts are the alerts the rules file defines.
var ruleAlerts = []string{
	"SSMAutomationStepFailed",
	"SSMAutomationCriticalStepFailed",
	"SSMAutomationExecutionStuck",
	"SSMAutomationStepTriggeredAlarm",
	"SSMAutomationDocumentFailureRate",
	"SSMAutomationExporterDown",
	"SSMAutomationExporterThrottled",
	"SSMAutomationExporterReloadFailed",
}

// runbookURL is the published docs/runbooks.md: an alert's runbook_url is
// its section there.
const runbookURL = "https://github.com/ssm-automation-exporter/ssm_automation_exporter/blob/main/docs/runbooks.md"

// annotationTemplates restate the summary and description of the alerts
// the scenario fires: {label} stands for the value of a label, {value} for
// the alert's value, which changes as time passes.
var annotationTemplates = map[string][2]string{
	"SSMAutomationStepFailed": {
		"SSM Automation step {step_name} {status}",
		"Step {step_name} ({action}) of execution {execution_id} of document {document_name} on target {target} is {status}.",
	},
	"SSMAutomationCriticalStepFailed": {
		"Critical SSM Automation step {step_name} {status}",
		"Critical step {step_name} ({action}) of execution {execution_id} of document {document_name} on target {target} is {status}: the execution cannot succeed.",
	},
	"SSMAutomationExecutionStuck": {
		"SSM Automation execution {execution_id} {status} for {value}",
		"Execution {execution_id} of document {document_name} on target {target} has been {status} for {value}, more than 3h.",
	},
	"SSMAutomationStepTriggeredAlarm": {
		"CloudWatch alarm {alarm_name} triggered by SSM Automation step {step_name}",
		"Alarm {alarm_name} is in ALARM for step {step_name} of execution {execution_id} of document {document_name} on target {target}.",
	},
}

// annotationPattern turns an annotation template into a regular
// expression that matches it for the given labels, and any value.
func annotationPattern(tmpl string, labels map[string]string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			break
		}
		b.WriteString(regexp.QuoteMeta(tmpl[:i]))
		if name := tmpl[i+1 : j]; name == "value" {
			b.WriteString(".+")
		} else {
			b.WriteString(regexp.QuoteMeta(labels[name]))
		}
		tmpl = tmpl[j+1:]
	}
	b.WriteString(regexp.QuoteMeta(tmpl) + "$")
	return regexp.MustCompile(b.String())
}

// visible returns the executions the exporter's target sees: those the
// simulator holds for account and region (the scenario's own and those its
// generator entries make) that started within the discovery lookback.
func visible(sc *ssmsim.Scenario, account, region string, now time.Time, lookback time.Duration) ([]*ssmsim.Execution, error) {
	store := ssmsim.NewStore()
	if err := sc.Apply(store); err != nil {
		return nil, err
	}
	var out []*ssmsim.Execution
	for _, e := range store.List(account, region) {
		if e.StartTime.After(now.Add(-lookback)) {
			out = append(out, e)
		}
	}
	return out, nil
}

// expectedAlerts derives the label sets of the alerts that must fire for
// the executions the exporter sees. common holds the labels every series
// of the exporter carries (job, instance, target).
//
// SSMAutomationDocumentFailureRate expects nothing: in frozen mode the
// exporter counts every finished execution once, in its first scrape, and
// the counters stay flat after that, so increase() over them is 0 and the
// rate is not a number; the promtool unit tests cover that alert. The
// exporter alerts expect nothing because the simulator answers every call.
func expectedAlerts(execs []*ssmsim.Execution, common map[string]string, now time.Time) []map[string]string {
	var want []map[string]string
	add := func(name, severity string, labels map[string]string) {
		l := maps.Clone(common)
		maps.Copy(l, labels)
		l["alertname"], l["severity"] = name, severity
		want = append(want, l)
	}
	for _, e := range execs {
		exec := map[string]string{"execution_id": e.ID, "document_name": e.DocumentName}
		if matches(stuckStatuses, e.Status) && now.Sub(e.StartTime) > stuckAfter {
			add("SSMAutomationExecutionStuck", "warning", with(exec, "status", e.Status))
		}
		for _, st := range e.Steps {
			step := with(exec, "step_execution_id", st.StepExecutionID, "step_name", st.StepName, "action", st.Action)
			if matches(stepFailedStatuses, st.Status) {
				if st.IsCritical != nil && *st.IsCritical {
					add("SSMAutomationCriticalStepFailed", "critical", with(step, "status", st.Status))
				} else {
					add("SSMAutomationStepFailed", "warning", with(step, "status", st.Status))
				}
			}
			for _, a := range st.TriggeredAlarms {
				if a.State == "ALARM" {
					add("SSMAutomationStepTriggeredAlarm", "warning", with(step, "alarm_name", a.Name, "state", a.State))
				}
			}
		}
	}
	return want
}

// byName groups the label sets of the rules file's alerts by alert name,
// each group rendered with labelKey and sorted.
func byName(alerts []map[string]string) map[string][]string {
	got := map[string][]string{}
	for _, l := range alerts {
		if name := l["alertname"]; slices.Contains(ruleAlerts, name) {
			got[name] = append(got[name], labelKey(l))
		}
	}
	for name := range got {
		sort.Strings(got[name])
	}
	return got
}

// firingAlerts returns the label sets of the firing alerts.
func firingAlerts(alerts []alert) []map[string]string {
	var got []map[string]string
	for _, a := range alerts {
		if a.State == "firing" {
			got = append(got, a.Labels)
		}
	}
	return got
}

// diffAlerts describes how got differs from want, or returns "".
func diffAlerts(want, got map[string][]string) string {
	var b strings.Builder
	for _, name := range ruleAlerts {
		for _, l := range want[name] {
			if !slices.Contains(got[name], l) {
				fmt.Fprintf(&b, "\n  missing %s", l)
			}
		}
		for _, l := range got[name] {
			if !slices.Contains(want[name], l) {
				fmt.Fprintf(&b, "\n  unexpected %s", l)
			}
		}
	}
	return b.String()
}

// labelKey renders a label set in a stable order.
func labelKey(l map[string]string) string {
	keys := slices.Sorted(maps.Keys(l))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, l[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// with returns a copy of l with the key/value pairs kv added.
func with(l map[string]string, kv ...string) map[string]string {
	out := maps.Clone(l)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// matches reports whether s is one of the |-separated alternatives.
func matches(alternatives, s string) bool {
	return slices.Contains(strings.Split(alternatives, "|"), s)
}
