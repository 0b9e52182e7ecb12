package e2e

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// testAlerts expects exactly the alerts the scenario calls for to fire in
// Prometheus.
func testAlerts(t *testing.T, s *stack) {
	var want map[string][]string
	err := eventually(t.Context(), 30*time.Second, func() error {
		alerts, err := s.api.alerts(t.Context())
		if err != nil {
			return err
		}
		want = byName(expectedAlerts(s.execs, s.commonLabels(), time.Now()))
		if d := diffAlerts(want, byName(firingAlerts(alerts))); d != "" {
			return errors.New(d)
		}
		return nil
	})
	if err != nil {
		t.Errorf("firing alerts differ from the scenario's:%v", err)
	}
	for _, name := range ruleAlerts {
		t.Logf("%s: %d firing as expected", name, len(want[name]))
	}
	for _, name := range []string{"SSMAutomationStepFailed", "SSMAutomationCriticalStepFailed", "SSMAutomationExecutionStuck", "SSMAutomationStepTriggeredAlarm"} {
		if len(want[name]) == 0 {
			t.Errorf("the scenario gives no %s: the test does not exercise it", name)
		}
	}
}

// commonLabels are the labels every series of the exporter carries in
// Prometheus.
func (s *stack) commonLabels() map[string]string {
	return map[string]string{"job": job, "instance": s.expAddr, "target": target}
}

// testNotifications expects Alertmanager to deliver exactly the alerts the
// scenario calls for to the webhook, with their annotations, one group per
// execution.
func testNotifications(t *testing.T, s *stack) {
	if s.hook == nil {
		missing(t, "no Alertmanager: the notifications are not tested")
	}
	var want map[string][]string
	err := eventually(t.Context(), 60*time.Second, func() error {
		want = byName(expectedAlerts(s.execs, s.commonLabels(), time.Now()))
		ns, _ := s.hook.notifications()
		if d := diffAlerts(want, byName(notifiedAlerts(ns))); d != "" {
			return errors.New(d)
		}
		return nil
	})
	if err != nil {
		t.Errorf("the alerts notified to the webhook differ from the scenario's:%v", err)
	}
	ns, bad := s.hook.notifications()
	for _, b := range bad {
		t.Errorf("the webhook could not read a notification: %s", b)
	}
	groups := map[string]bool{}
	for _, n := range ns {
		for _, err := range checkNotification(n) {
			t.Error(err)
		}
		groups[labelKey(n.GroupLabels)] = true
	}
	wantGroups := map[string]bool{}
	for _, l := range expectedAlerts(s.execs, s.commonLabels(), time.Now()) {
		wantGroups[labelKey(map[string]string{"target": l["target"], "execution_id": l["execution_id"]})] = true
	}
	if got, want := slices.Sorted(maps.Keys(groups)), slices.Sorted(maps.Keys(wantGroups)); !slices.Equal(got, want) {
		t.Errorf("notification groups = %q, want one per execution with alerts: %q", got, want)
	}
	t.Logf("%d notifications in %d groups", len(ns), len(groups))
}

// notifiedAlerts returns the label sets of the firing alerts of every
// notification.
func notifiedAlerts(ns []notification) []map[string]string {
	var out []map[string]string
	for _, n := range ns {
		for _, a := range n.Alerts {
			if a.Status == "firing" {
				out = append(out, a.Labels)
			}
		}
	}
	return out
}

// checkNotification checks one notification: it goes to the webhook
// receiver, is grouped by groupBy, and each of its alerts fires, belongs to
// the group and has the annotations of its rule.
func checkNotification(n notification) []error {
	var errs []error
	if n.Receiver != "webhook" || n.Status != "firing" {
		errs = append(errs, fmt.Errorf("notification to %q, status %q: want webhook, firing", n.Receiver, n.Status))
	}
	if got := slices.Sorted(maps.Keys(n.GroupLabels)); !slices.Equal(got, slices.Sorted(slices.Values(groupBy))) {
		errs = append(errs, fmt.Errorf("notification grouped by %q, want %q", got, groupBy))
	}
	for _, a := range n.Alerts {
		if a.Status != "firing" {
			errs = append(errs, fmt.Errorf("alert %s: status %q in a notification, want firing (send_resolved is off)", labelKey(a.Labels), a.Status))
		}
		for _, l := range groupBy {
			if a.Labels[l] != n.GroupLabels[l] {
				errs = append(errs, fmt.Errorf("alert %s in the group of %s", labelKey(a.Labels), labelKey(n.GroupLabels)))
			}
		}
		if err := checkAnnotations(a.Labels, a.Annotations); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkAnnotations compares the annotations of an alert with those its
// rule's templates give for its labels.
func checkAnnotations(labels, annotations map[string]string) error {
	name := labels["alertname"]
	tmpl, ok := annotationTemplates[name]
	if !ok {
		return fmt.Errorf("alert %s: not one the scenario fires", labelKey(labels))
	}
	var errs []error
	if got := slices.Sorted(maps.Keys(annotations)); !slices.Equal(got, []string{"description", "runbook_url", "summary"}) {
		errs = append(errs, fmt.Errorf("annotations %q, want description, runbook_url and summary", got))
	}
	for key, text := range map[string]string{"summary": tmpl[0], "description": tmpl[1]} {
		if re := annotationPattern(text, labels); !re.MatchString(annotations[key]) {
			errs = append(errs, fmt.Errorf("%s %q does not match %s", key, annotations[key], re))
		}
	}
	if got, want := annotations["runbook_url"], runbookURL+"#"+strings.ToLower(name); got != want {
		errs = append(errs, fmt.Errorf("runbook_url %q, want %q", got, want))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("alert %s: %w", labelKey(labels), err)
	}
	return nil
}

func TestAnnotationPattern(t *testing.T) {
	labels := map[string]string{"step_name": "run.it", "status": "Failed"}
	for _, c := range []struct {
		tmpl, text string
		match      bool
	}{
		{"step {step_name} {status}", "step run.it Failed", true},
		{"step {step_name} {status}", "step runXit Failed", false}, // the dot is not a wildcard
		{"step {step_name} {status}", "step run.it Failed.", false},
		{"{status} for {value}, more", "Failed for 4y 2d 3h, more", true},
		{"{status} for {value}, more", "Failed for , more", false},
		{"{missing} x", " x", true}, // Prometheus renders a missing label empty too
	} {
		if got := annotationPattern(c.tmpl, labels).MatchString(c.text); got != c.match {
			t.Errorf("annotationPattern(%q) matches %q: %v, want %v", c.tmpl, c.text, got, c.match)
		}
	}
}
