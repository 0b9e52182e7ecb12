package gen

//lint:file-ignore SA1019 the classic dashboard model is the importable one (see gen.go)

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// tg selects the exporter dashboard's targets.
const tg = `target=~"$target"`

// exporter answers: can the exporter read every target, how fast, at what
// cost in API calls, is its configuration loaded, and do the events
// queues work.
func exporter() *dashboard.DashboardBuilder {
	b := newDashboard(uidExporter, "exporter health",
		"Health of ssm_automation_exporter: targets, scrapes, AWS API calls, throttling, errors and configuration.",
		"1m", "now-6h").
		WithVariable(labelValues("target", "Target", "ssm_automation_up", "target", true)).
		Annotation(alerts(`target=~"$target|"`))
	for _, p := range exporterState() {
		b.WithPanel(p)
	}
	for _, p := range exporterAPI() {
		b.WithPanel(p)
	}
	b.WithPanel(newTable("Targets", "Account, region and role of each target.", 24, 5,
		rows("ssm_automation_target_info{"+tg+"}")).
		WithTransformation(columns(hide("Value"),
			[2]string{"target", "Target"}, [2]string{"account_id", "Account"},
			[2]string{"region", "Region"}, [2]string{"role_arn", "Role"})))
	b.WithPanel(newTimeseries("Pending executions",
		"Executions each target exports that have never been fetched yet: during a cold start it falls scrape after scrape while the background refresh goes on, and reaches 0 when the first refresh completes.",
		"short", 24, 8, overTime("ssm_automation_pending_executions{"+tg+"}", "{{target}}")))
	return b.WithRow(exporterEvents())
}

// exporterEvents is the events queues the targets follow (their events
// key), in a row that starts collapsed: most setups poll.
func exporterEvents() *dashboard.RowBuilder {
	rate := func(metric, by string) string {
		return "sum by (" + by + ") (rate(" + metric + "[$__rate_interval]))"
	}
	delay := func(q string) string {
		return "histogram_quantile(" + q + ", " + rate("ssm_automation_event_delay_seconds_bucket", "le, queue") + ")"
	}
	return dashboard.NewRowBuilder("Events").Collapsed(true).
		WithPanel(newStat("Events queues up",
			"1 when the last call to the queue succeeded. While it is 0 the targets reading it poll as without events.", 6, 8,
			instant("ssm_automation_events_up", "{{queue}}")).
			Mappings(valueText([3]string{"0", "Down", "red"}, [3]string{"1", "Up", "green"})).
			ColorMode(common.BigValueColorModeBackground)).
		WithPanel(newTimeseries("Events received by detail type",
			"Messages received from each queue per second, by the detail type of their event (other for anything else).", "mps", 9, 8,
			overTime(rate("ssm_automation_events_received_total", "queue, detail_type"), "{{queue}} {{detail_type}}"))).
		WithPanel(newTimeseries("Invalid messages by reason",
			"Messages deleted without marking an execution, per second, by reason (see the README's Events).", "mps", 9, 8,
			overTime(rate("ssm_automation_events_invalid_total", "queue, reason"), "{{queue}} {{reason}}"))).
		WithPanel(newTimeseries("Event delay",
			"Time from an Automation event to its receipt from the queue: EventBridge's and SQS's delivery, and any backlog.", "s", 12, 8,
			overTime(delay("0.5"), "p50 {{queue}}"), overTime(delay("0.95"), "p95 {{queue}}"))).
		WithPanel(newTimeseries("Executions refreshed by event vs resync",
			"Executions each target following events fetched per interval, by cause: an event named them (event), "+
				"an event announced a new one (announced), or no event within resync_interval (resync).", "short", 12, 8,
			overTime("sum by (target, cause) (increase(ssm_automation_events_executions_refreshed_total{"+tg+"}[$__rate_interval]))",
				"{{target}} {{cause}}")).
			DrawStyle(common.GraphDrawStyleBars)).
		WithPanel(newStat("Targets following their queue",
			"1 when the target's last refresh trusted its queue and fetched only what its events named; 0 while it polls "+
				"(its queue down, or back and not yet polled since). Up queues and targets at 0 for long: see the README's Events.", 6, 8,
			instant("ssm_automation_events_following{"+tg+"}", "{{target}}")).
			Mappings(valueText([3]string{"0", "Polling", "orange"}, [3]string{"1", "Following", "green"})).
			ColorMode(common.BigValueColorModeBackground)).
		WithPanel(newTimeseries("Time since the last event",
			"Since the last message received from each queue (until the first, since the exporter began reading it). "+
				"A queue that works but stays silent while executions run no longer receives the events: SSMAutomationEventsQueueSilent.", "s", 9, 8,
			overTime("time() - ssm_automation_events_last_received_timestamp_seconds", "{{queue}}"))).
		WithPanel(newTimeseries("Clock skew (AWS − exporter)",
			"How far the service's clock was ahead of the exporter's at each target's last API answer, from its Date header (to the second). "+
				"An event is compared with the fetches on the service's clock.", "s", 9, 8,
			overTime("ssm_automation_exporter_clock_skew_seconds{"+tg+"}", "{{target}}")))
}

// exporterState is the top line and the scrapes: targets up, the
// configuration, the build, scrape durations and the age of the data.
func exporterState() []cog.Builder[dashboard.Panel] {
	return []cog.Builder[dashboard.Panel]{
		newStat("Targets up", "1 when the exporter fetched everything for the target in its last scrape.", 8, 5,
			instant("ssm_automation_up{"+tg+"}", "{{target}}")).
			Mappings(valueText([3]string{"0", "Down", "red"}, [3]string{"1", "Up", "green"})).
			ColorMode(common.BigValueColorModeBackground),
		newStat("Configuration reload", "Whether the last configuration reload succeeded.", 4, 5,
			instant("ssm_automation_exporter_config_last_reload_successful", "{{instance}}")).
			Mappings(valueText([3]string{"0", "Failed", "red"}, [3]string{"1", "OK", "green"})).
			ColorMode(common.BigValueColorModeBackground),
		newStat("Last successful reload", "When the configuration was last loaded successfully.", 4, 5,
			instant("ssm_automation_exporter_config_last_reload_success_timestamp_seconds * 1000", "{{instance}}")).
			Unit("dateTimeFromNow").ColorMode(common.BigValueColorModeNone),
		newTable("Build", "Version and revision of the running exporters.", 8, 5,
			rows("ssm_automation_exporter_build_info")).
			WithTransformation(columns([]string{"Time", "__name__", "job", "Value"},
				[2]string{"instance", "Instance"}, [2]string{"version", "Version"}, [2]string{"revision", "Revision"})),
		newTimeseries("Scrape duration vs timeout", "Time each target took in a scrape, against the deadline the scrape had.", "s", 12, 8,
			overTime("ssm_automation_scrape_duration_seconds{"+tg+"}", "{{target}}"),
			overTime("max(ssm_automation_scrape_timeout_seconds)", "timeout")).
			OverrideByName("timeout", []dashboard.DynamicConfigValue{
				{Id: "color", Value: dashboard.FieldColor{Mode: dashboard.FieldColorModeIdFixed, FixedColor: cog.ToPtr("red")}},
				{Id: "custom.lineStyle", Value: common.LineStyle{Fill: cog.ToPtr(common.LineStyleFillDash), Dash: []float64{10, 10}}},
				{Id: "custom.fillOpacity", Value: 0},
			}),
		newTimeseries("Data age", "Time since each target's data was last refreshed from the API.", "s", 12, 8,
			overTime("time() - ssm_automation_last_refresh_timestamp_seconds{"+tg+"}", "{{target}}")),
	}
}

// exporterAPI is the exporter's use of the AWS API: calls, latency,
// throttling, the client-side rate limit, errors, discovery and cuts.
func exporterAPI() []cog.Builder[dashboard.Panel] {
	perTarget := func(metric, by string) string {
		return "sum by (" + by + ") (rate(" + metric + "{" + tg + "}[$__rate_interval]))"
	}
	return []cog.Builder[dashboard.Panel]{
		newTimeseries("API calls by operation and code",
			"SSM and STS API calls per second, by operation and answer (OK or the AWS error code).", "reqps", 12, 8,
			overTime(perTarget("ssm_automation_exporter_api_requests_total", "operation, code"), "{{operation}} {{code}}")),
		newTimeseries("API call duration p95", "95th percentile of the duration of API calls, by operation.", "s", 12, 8,
			overTime("histogram_quantile(0.95, sum by (le, operation) ("+
				"rate(ssm_automation_exporter_api_request_duration_seconds_bucket[$__rate_interval])))", "{{operation}}")),
		newTimeseries("Throttled calls", "ThrottlingException answers per second.", "reqps", 8, 8,
			overTime(perTarget("ssm_automation_exporter_api_throttled_total", "target"), "{{target}}")),
		newTimeseries("Rate-limit wait",
			"Share of the time calls spent waiting for the client-side token bucket (api.requests_per_second, api.burst).", "percentunit", 8, 8,
			overTime(perTarget("ssm_automation_exporter_rate_limit_wait_seconds_total", "target"), "{{target}}")),
		newTimeseries("Errors by reason",
			"Failed fetches per second, by reason: access_denied, expired_credentials, throttled, not_found, invalid_request, endpoint, timeout, server_error, other.", "reqps", 8, 8,
			overTime(perTarget("ssm_automation_exporter_errors_total", "target, reason"), "{{target}} {{reason}}")),
		newTimeseries("Discovery", "Executions each discovery rule found, and those it dropped beyond its max_executions.", "short", 12, 8,
			overTime("ssm_automation_discovered_executions{"+tg+"}", "found {{target}} {{rule}}"),
			overTime("ssm_automation_discovery_dropped_executions{"+tg+"}", "dropped {{target}} {{rule}}")),
		newTimeseries("Vanished executions and limit cuts",
			"Executions the API no longer knew, and what the configured limits cut (executions, steps, label lengths), per interval.", "short", 12, 8,
			overTime("sum by (target) (increase(ssm_automation_exporter_executions_vanished_total{"+tg+"}[$__rate_interval]))", "vanished {{target}}"),
			overTime("sum by (target, limit) (increase(ssm_automation_exporter_limit_cut_total{"+tg+"}[$__rate_interval]))", "cut {{target}} {{limit}}")).
			DrawStyle(common.GraphDrawStyleBars),
	}
}
