package e2e

import (
	"fmt"
	"maps"
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

// expectedAlerts derives, per alert name, the label sets of the alerts that
// must fire for the executions the exporter sees. common holds the labels
// every series of the exporter carries (job, instance, target).
//
// SSMAutomationDocumentFailureRate expects nothing: in frozen mode the
// exporter counts every finished execution once, in its first scrape, and
// the counters stay flat after that, so increase() over them is 0 and the
// rate is not a number; the promtool unit tests cover that alert. The
// exporter alerts expect nothing because the simulator answers every call.
func expectedAlerts(execs []*ssmsim.Execution, common map[string]string, now time.Time) map[string][]string {
	want := map[string][]string{}
	add := func(name, severity string, labels map[string]string) {
		l := maps.Clone(common)
		maps.Copy(l, labels)
		l["alertname"], l["severity"] = name, severity
		want[name] = append(want[name], labelKey(l))
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
	for name := range want {
		sort.Strings(want[name])
	}
	return want
}

// firingAlerts groups the firing alerts of the rules file by name.
func firingAlerts(alerts []alert) map[string][]string {
	got := map[string][]string{}
	for _, a := range alerts {
		name := a.Labels["alertname"]
		if a.State != "firing" || !slices.Contains(ruleAlerts, name) {
			continue
		}
		got[name] = append(got[name], labelKey(a.Labels))
	}
	for name := range got {
		sort.Strings(got[name])
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
