package gen

// The series the recording rules of alerts/ssm_automation.rules.yml
// record, named here once for every dashboard. Renaming a recording rule
// is one line here, then `go generate ./dashboards`; until then the
// dashboards tests fail, naming the rule the rules file no longer records.
const (
	// recStepsFailed counts the Failed or TimedOut step executions now,
	// per target and document.
	recStepsFailed = "ssm_automation:steps_failed:count"
)

// Recorded lists the recorded series the dashboards query.
var Recorded = []string{recStepsFailed}
