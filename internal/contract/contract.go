// Package contract lists every metric the exporter can expose, with its
// type, its label names and its help. The collector builds its descriptors
// and metric vectors from it; tests check the exposition, the README's
// metric table, the dashboards and the alerting rules against it. The Go
// and process metrics of the base registry (go_*, process_*) are not part
// of it.
package contract

import "fmt"

// Type is a metric's type, as the TYPE line of the text format names it.
type Type string

const (
	Gauge     Type = "gauge"
	Counter   Type = "counter"
	Histogram Type = "histogram"
)

// Group says what exposes a metric, and so where it is served.
type Group int

const (
	// Targets are the series of a scrape of targets: /metrics (unless
	// --no-web.metrics-include-targets) and /probe serve them.
	Targets Group = iota
	// API is the exporter's count of its API use and of the events it
	// reads, registered in the base registry: /metrics serves it, /probe
	// does not.
	API
	// Program is the configuration's reload state and the build info,
	// registered in the base registry: /metrics serves them, /probe does not.
	Program
)

// Metric is one metric family.
type Metric struct {
	Name  string
	Type  Type
	Group Group
	// Labels are in the order the exporter passes their values; the
	// families written from the tracked records (see the collector's
	// families.go) have them sorted, the order of the exposition.
	Labels []string
	Help   string
	// Conditional says what must happen before the metric appears. It is
	// empty for a metric that every /metrics scrape of a configured target
	// has, even when the target's API cannot be reached (one series per
	// target, and per discovery rule for those with a rule label).
	Conditional string
	// Native says a histogram is also exposed as a native histogram, in
	// the protobuf format: its bare name then holds series too.
	Native bool
}

// Lookup returns the metric called name.
func Lookup(name string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Must returns the metric called name, which must have type t: the
// collector builds its descriptors with it when the program starts, so a
// name or a type that disagrees with the contract fails at once.
func Must(name string, t Type) Metric {
	m, ok := Lookup(name)
	if !ok {
		panic(fmt.Sprintf("metric %s is not in the contract", name))
	}
	if m.Type != t {
		panic(fmt.Sprintf("metric %s is a %s in the contract, not a %s", name, m.Type, t))
	}
	return m
}

// stepLabels are the labels of one step execution, sorted.
var stepLabels = []string{"action", "document_name", "execution_id", "step_execution_id", "step_name", "target"}

// The conditions of the families: details: none keeps none of them,
// details: executions only the execution ones.
const (
	tracked     = "an execution is tracked (details: steps or executions)"
	stepTracked = "a step execution is tracked (details: steps)"
	eventsOn    = "a target follows an events queue"
)

// Metrics is the contract: every metric the exporter can expose.
var Metrics = []Metric{
	// The families, one or more series per tracked execution or step execution.
	{Name: "ssm_automation_execution_info", Type: Gauge, Group: Targets,
		Labels: []string{"automation_type", "document_name", "document_version", "execution_id", "mode", "parent_execution_id", "target"},
		Help:   "Metadata of an Automation execution (value 1).", Conditional: tracked},
	{Name: "ssm_automation_execution_status", Type: Gauge, Group: Targets,
		Labels: []string{"document_name", "execution_id", "status", "target"},
		Help:   "Current status of an Automation execution (1 for the current status).", Conditional: tracked},
	{Name: "ssm_automation_execution_start_timestamp_seconds", Type: Gauge, Group: Targets,
		Labels: []string{"document_name", "execution_id", "target"},
		Help:   "Start time of an Automation execution.", Conditional: tracked},
	{Name: "ssm_automation_execution_end_timestamp_seconds", Type: Gauge, Group: Targets,
		Labels: []string{"document_name", "execution_id", "target"},
		Help:   "End time of an Automation execution; absent while it runs.", Conditional: "a tracked execution has ended (details: steps or executions)"},
	{Name: "ssm_automation_execution_steps", Type: Gauge, Group: Targets,
		Labels: []string{"document_name", "execution_id", "status", "target"},
		Help:   "Step executions of an Automation execution in each status.", Conditional: tracked},
	{Name: "ssm_automation_execution_triggered_alarm", Type: Gauge, Group: Targets,
		Labels: []string{"alarm_name", "document_name", "execution_id", "state", "target"},
		Help:   "CloudWatch alarm an Automation execution triggered (value 1).", Conditional: "a tracked execution triggered an alarm (details: steps or executions)"},
	{Name: "ssm_automation_execution_last_success_timestamp_seconds", Type: Gauge, Group: Targets,
		Labels: []string{"execution_id", "target"},
		Help:   "Last time the execution was fetched from the API without error.", Conditional: tracked},
	{Name: "ssm_automation_step_status", Type: Gauge, Group: Targets,
		Labels: []string{"action", "document_name", "execution_id", "status", "step_execution_id", "step_name", "target"},
		Help:   "Current status of a step execution (1 for the current status).", Conditional: stepTracked},
	{Name: "ssm_automation_step_duration_seconds", Type: Gauge, Group: Targets, Labels: stepLabels,
		Help:        "Duration of a step execution: end - start, or now - start while it runs.",
		Conditional: "a tracked step execution has started, and has ended with an end time or still runs (details: steps)"},
	{Name: "ssm_automation_step_start_timestamp_seconds", Type: Gauge, Group: Targets, Labels: stepLabels,
		Help: "Start time of a step execution.", Conditional: "a tracked step execution has started (details: steps)"},
	{Name: "ssm_automation_step_end_timestamp_seconds", Type: Gauge, Group: Targets, Labels: stepLabels,
		Help: "End time of a step execution.", Conditional: "a tracked step execution has ended (details: steps)"},
	{Name: "ssm_automation_step_max_attempts", Type: Gauge, Group: Targets, Labels: stepLabels,
		Help: "Attempts a step execution is allowed (MaxAttempts).", Conditional: "a tracked step execution has MaxAttempts (details: steps)"},
	{Name: "ssm_automation_step_timeout_seconds", Type: Gauge, Group: Targets, Labels: stepLabels,
		Help: "Timeout of a step execution (TimeoutSeconds).", Conditional: "a tracked step execution has TimeoutSeconds (details: steps)"},
	{Name: "ssm_automation_step_info", Type: Gauge, Group: Targets,
		Labels: []string{"action", "document_name", "execution_id", "failure_stage", "failure_type", "is_critical", "is_end",
			"iteration", "next_step", "on_failure", "parent_step_name", "step_execution_id", "step_name", "target"},
		Help: "Metadata of a step execution (value 1).", Conditional: stepTracked},
	{Name: "ssm_automation_step_triggered_alarm", Type: Gauge, Group: Targets,
		Labels: []string{"action", "alarm_name", "document_name", "execution_id", "state", "step_execution_id", "step_name", "target"},
		Help:   "CloudWatch alarm a step execution triggered (value 1).", Conditional: "a tracked step execution triggered an alarm (details: steps)"},

	// The aggregates, which do not depend on execution ids.
	{Name: "ssm_automation_steps", Type: Gauge, Group: Targets, Labels: []string{"target", "document_name", "step_name", "action", "status"},
		Help: "Step executions in each status across every tracked execution of the target.", Conditional: "a step execution is tracked"},
	{Name: "ssm_automation_steps_finished_total", Type: Counter, Group: Targets, Labels: []string{"target", "document_name", "step_name", "action", "status"},
		Help: "Step executions observed in a terminal status, once per step execution.", Conditional: "a step execution was seen in a terminal status"},
	{Name: "ssm_automation_executions_finished_total", Type: Counter, Group: Targets, Labels: []string{"target", "document_name", "status"},
		Help: "Executions observed in a terminal status, once per execution.", Conditional: "an execution was seen in a terminal status"},
	{Name: "ssm_automation_step_finished_duration_seconds", Native: true, Type: Histogram, Group: Targets, Labels: []string{"target", "document_name", "step_name", "action"},
		Help:        "Durations of finished step executions.",
		Conditional: "a step execution with a start and an end time was seen in a terminal status"},

	// The per-target series.
	{Name: "ssm_automation_discovered_executions", Type: Gauge, Group: Targets, Labels: []string{"target", "rule"},
		Help: "Executions a discovery rule found in its window."},
	{Name: "ssm_automation_discovery_dropped_executions", Type: Gauge, Group: Targets, Labels: []string{"target", "rule"},
		Help: "Executions a discovery rule found beyond max_executions; counted, not exported."},
	{Name: "ssm_automation_target_info", Type: Gauge, Group: Targets, Labels: []string{"target", "account_id", "region", "role_arn"},
		Help: "Account, region and role of a target (value 1)."},
	{Name: "ssm_automation_up", Type: Gauge, Group: Targets, Labels: []string{"target"},
		Help: "1 when every wanted execution of the target has been fetched and its last completed refresh had no error."},
	{Name: "ssm_automation_scrape_duration_seconds", Type: Gauge, Group: Targets, Labels: []string{"target"},
		Help: "Time spent on the target in this scrape."},
	{Name: "ssm_automation_scrape_timeout_seconds", Type: Gauge, Group: Targets,
		Help: "Deadline this scrape had for refreshing targets."},
	{Name: "ssm_automation_last_refresh_timestamp_seconds", Type: Gauge, Group: Targets, Labels: []string{"target"},
		Help: "When the target's data was last refreshed from the API."},
	{Name: "ssm_automation_pending_executions", Type: Gauge, Group: Targets, Labels: []string{"target"},
		Help: "Executions the target exports that have never been fetched yet (a cold start converging)."},

	// The exporter's count of its API use.
	{Name: "ssm_automation_exporter_api_requests_total", Type: Counter, Group: API, Labels: []string{"target", "operation", "code"},
		Help: "API calls the SDK made, retries included, by outcome: OK, the error code, or other for a code the service does not document."},
	{Name: "ssm_automation_exporter_api_request_duration_seconds", Type: Histogram, Group: API, Labels: []string{"operation"},
		Help: "Duration of API attempts."},
	{Name: "ssm_automation_exporter_api_throttled_total", Type: Counter, Group: API, Labels: []string{"target"},
		Help: "ThrottlingException answers received."},
	{Name: "ssm_automation_exporter_rate_limit_wait_seconds_total", Type: Counter, Group: API, Labels: []string{"target"},
		Help: "Time spent waiting for the client-side token bucket."},
	{Name: "ssm_automation_exporter_errors_total", Type: Counter, Group: API, Labels: []string{"target", "reason"},
		Help: "Failed fetches by reason."},
	{Name: "ssm_automation_exporter_executions_vanished_total", Type: Counter, Group: API, Labels: []string{"target"},
		Help: "Executions the API said no longer exist; dropped."},
	{Name: "ssm_automation_exporter_limit_cut_total", Type: Counter, Group: API, Labels: []string{"target", "limit"},
		Help: "What a configured cap cut, by cap."},
	{Name: "ssm_automation_exporter_clock_skew_seconds", Type: Gauge, Group: API, Labels: []string{"target"},
		Help:        "How far the service's clock was ahead of the exporter's at the target's last API answer (negative: behind), from its Date header, to the second.",
		Conditional: "an API call of the target was answered"},

	// The events of the targets that follow a queue (events in the configuration).
	{Name: "ssm_automation_events_received_total", Type: Counter, Group: API, Labels: []string{"queue", "detail_type"},
		Help:        "Messages received from an events queue, by the detail type of their event (other for anything else).",
		Conditional: eventsOn},
	{Name: "ssm_automation_events_invalid_total", Type: Counter, Group: API, Labels: []string{"queue", "reason"},
		Help:        "Messages of an events queue deleted without marking an execution, by reason.",
		Conditional: eventsOn},
	{Name: "ssm_automation_event_delay_seconds", Native: true, Type: Histogram, Group: API, Labels: []string{"queue"},
		Help:        "Time from an Automation event to its receipt from the queue.",
		Conditional: "an Automation event was received from an events queue"},
	{Name: "ssm_automation_events_up", Type: Gauge, Group: API, Labels: []string{"queue"},
		Help:        "1 when the last call to an events queue succeeded; 0 while its targets poll instead.",
		Conditional: eventsOn},
	{Name: "ssm_automation_events_last_received_timestamp_seconds", Type: Gauge, Group: API, Labels: []string{"queue"},
		Help:        "Unix time of the last message received from an events queue; until the first, the time the exporter began reading the queue.",
		Conditional: eventsOn},
	{Name: "ssm_automation_events_following", Type: Gauge, Group: Targets, Labels: []string{"target"},
		Help:        "1 when the target's last refresh trusted its events queue and fetched what its events named; 0 when it polled (its queue down, or back and not yet polled since).",
		Conditional: eventsOn},
	{Name: "ssm_automation_events_executions_refreshed_total", Type: Counter, Group: API, Labels: []string{"target", "cause"},
		Help:        "Executions a target following events fetched, by cause: event (an event named it), announced (an event named a new execution a rule found) or resync (no event within resync_interval).",
		Conditional: eventsOn},

	// The configuration's reload state and the build info.
	{Name: "ssm_automation_exporter_config_last_reload_successful", Type: Gauge, Group: Program,
		Help: "Whether the last configuration reload succeeded (1) or failed (0)."},
	{Name: "ssm_automation_exporter_config_last_reload_success_timestamp_seconds", Type: Gauge, Group: Program,
		Help: "Time of the last successful configuration reload, in seconds since the Unix epoch."},
	{Name: "ssm_automation_exporter_build_info", Type: Gauge, Group: Program,
		Labels: []string{"version", "revision", "branch", "goversion", "goos", "goarch", "tags"},
		Help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which " +
			"ssm_automation_exporter was built, and the goos and goarch for the build."},
}
