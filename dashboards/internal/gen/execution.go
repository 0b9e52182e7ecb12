package gen

//lint:file-ignore SA1019 the classic dashboard model is the importable one (see gen.go)

import (
	"strconv"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
)

// ex selects the execution the dashboard shows.
const ex = `target=~"$target", execution_id=~"$execution"`

// stepStatuses are the step statuses the execution dashboard colors, in
// the order of the timeline's values 1, 2, ...
var stepStatuses = [][2]string{
	{"Pending", "blue"}, {"InProgress", "yellow"}, {"Waiting", "purple"}, {"Success", "green"},
	{"Failed", "red"}, {"TimedOut", "orange"}, {"Cancelled", "text"},
}

// execution answers: where is this execution, step by step, and why.
func execution() *dashboard.DashboardBuilder {
	b := newDashboard(uidExecution, "execution",
		"One AWS Systems Manager Automation execution, step by step, from ssm_automation_exporter.",
		"30s", "now-3h").
		WithVariable(labelValues("target", "Target", "ssm_automation_target_info", "target", true)).
		WithVariable(labelValues("document", "Document", `ssm_automation_execution_info{target=~"$target"}`, "document_name", true)).
		WithVariable(labelValues("execution", "Execution",
			`ssm_automation_execution_info{target=~"$target", document_name=~"$document"}`, "execution_id", false)).
		Annotation(alerts(`target=~"$target", execution_id=~"$execution|"`))
	for _, p := range executionHeader() {
		b.WithPanel(p)
	}
	b.WithPanel(stepTimeline())
	for _, p := range executionSteps() {
		b.WithPanel(p)
	}
	b.WithPanel(newTable("Execution", "Metadata of the execution.", 24, 4,
		rows("ssm_automation_execution_info{"+ex+"}")).
		WithTransformation(columns(hide("Value"),
			[2]string{"target", "Target"}, [2]string{"execution_id", "Execution"},
			[2]string{"document_name", "Document"}, [2]string{"document_version", "Version"},
			[2]string{"automation_type", "Type"}, [2]string{"mode", "Mode"},
			[2]string{"parent_execution_id", "Parent execution"})))
	return b
}

// executionHeader is the top line: status, document, start, duration and
// the steps in each status.
func executionHeader() []cog.Builder[dashboard.Panel] {
	start := "ssm_automation_execution_start_timestamp_seconds{" + ex + "}"
	return []cog.Builder[dashboard.Panel]{
		newStat("Status", "Current status of the execution.", 4, 4,
			instant("ssm_automation_execution_status{"+ex+"} == 1", "{{status}}")).
			ColorMode(common.BigValueColorModeNone).TextMode(common.BigValueTextModeName),
		newStat("Document", "Document and version the execution runs.", 6, 4,
			instant("ssm_automation_execution_info{"+ex+"}", "{{document_name}} v{{document_version}}")).
			ColorMode(common.BigValueColorModeNone).TextMode(common.BigValueTextModeName),
		newStat("Started", "Start time of the execution.", 5, 4, instant(start+" * 1000", "")).
			Unit("dateTimeAsIso").ColorMode(common.BigValueColorModeNone),
		newStat("Duration", "End minus start; for a running execution, the time since it started.", 4, 4,
			instant("(ssm_automation_execution_end_timestamp_seconds{"+ex+"} or time() - 0 * "+start+") - "+start, "")).
			Unit("s").ColorMode(common.BigValueColorModeNone),
		newBarGauge("Steps by status", "Step executions of the execution in each status.", "short", 5, 4,
			instant("ssm_automation_execution_steps{"+ex+"} > 0", "{{status}}")),
	}
}

// stepTimeline draws each step's status over time: the query maps the
// statuses of stepStatuses to 1, 2, ... and any other to 0.
func stepTimeline() *statetimeline.PanelBuilder {
	mappings := [][3]string{{"0", "Other", "text"}}
	var terms, names []string
	for i, s := range stepStatuses {
		n := strconv.Itoa(i + 1)
		terms = append(terms, "ssm_automation_step_status{"+ex+`, status="`+s[0]+`"} * `+n)
		names = append(names, s[0])
		mappings = append(mappings, [3]string{n, s[0], s[1]})
	}
	terms = append(terms, "ssm_automation_step_status{"+ex+`, status!~"`+strings.Join(names, "|")+`"} * 0`)
	expr := "max by (step_name, step_execution_id) (\n" + strings.Join(terms, "\n  or ") + "\n)"
	return statetimeline.NewPanelBuilder().
		Title("Step status timeline").
		Description("Status of each step execution over time. Steps that have not started yet are Pending; other statuses than those listed show as Other.").
		Span(24).Height(9).Datasource(datasource).
		Targets(targets([]*prometheus.DataqueryBuilder{overTime(expr, "{{step_name}}")})).
		Thresholds(thresholds("text")).ColorScheme(byThresholds()).Mappings(valueText(mappings...)).
		FillOpacity(80).LineWidth(0).NeverSpanNulls().
		AlignValue(common.TimelineValueAlignmentLeft).MergeValues(true).RowHeight(0.9).
		ShowValue(common.VisibilityModeAuto).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom).
			ShowLegend(false).Calcs([]string{})).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeSingle).Sort(common.SortOrderNone))
}

// executionSteps are the tables and bars of the steps: status and what
// the document says, durations, timeouts, alarms and loop iterations.
func executionSteps() []cog.Builder[dashboard.Panel] {
	statusText := make([][3]string, len(stepStatuses))
	for i, s := range stepStatuses {
		statusText[i] = [3]string{s[0], s[0], s[1]}
	}
	return []cog.Builder[dashboard.Panel]{
		newTable("Steps", "Every step execution with its status and what the document says about it.", 24, 10,
			rows("(ssm_automation_step_status{"+ex+"} == 1)"+
				" * on (job, instance, target, execution_id, step_execution_id)"+
				" group_left (on_failure, is_critical, is_end, next_step, failure_stage, failure_type)"+
				" ssm_automation_step_info{"+ex+"}")).
			OverrideByName("Status", []dashboard.DynamicConfigValue{
				{Id: "custom.cellOptions", Value: common.NewTableColorTextCellOptions()},
				{Id: "mappings", Value: valueText(statusText...)},
			}).
			WithTransformation(columns(own("Value"),
				[2]string{"step_name", "Step"}, [2]string{"action", "Action"}, [2]string{"status", "Status"},
				[2]string{"on_failure", "On failure"}, [2]string{"is_critical", "Critical"}, [2]string{"is_end", "End"},
				[2]string{"next_step", "Next step"}, [2]string{"failure_stage", "Failure stage"},
				[2]string{"failure_type", "Failure type"}, [2]string{"step_execution_id", "Step execution"})),
		newBarGauge("Step durations",
			"Duration of each step execution: end minus start, or the time since it started while it runs.", "s", 12, 9,
			instant("sort_desc(ssm_automation_step_duration_seconds{"+ex+"})", "{{step_name}}")),
		timeoutTable(),
		newTable("Triggered alarms", "CloudWatch alarms the execution (no step) or its steps triggered, with their state.", 12, 8,
			rows("ssm_automation_execution_triggered_alarm{"+ex+"} or ssm_automation_step_triggered_alarm{"+ex+"}")).
			WithTransformation(columns(own("Value", "step_execution_id"),
				[2]string{"step_name", "Step"}, [2]string{"action", "Action"},
				[2]string{"alarm_name", "Alarm"}, [2]string{"state", "State"})),
		newTable("Loop iterations", "Step executions run by an aws:loop step: the loop step, the iteration and the status of each.", 12, 8,
			rows(`ssm_automation_step_info{`+ex+`, iteration!=""}`+
				" * on (job, instance, target, execution_id, step_execution_id) group_left (status)"+
				" (ssm_automation_step_status{"+ex+"} == 1)")).
			SortBy([]cog.Builder[common.TableSortByFieldState]{
				common.NewTableSortByFieldStateBuilder().DisplayName("Iteration").Desc(false),
			}).
			WithTransformation(columns(own("Value", "on_failure", "is_critical", "is_end",
				"next_step", "failure_stage", "failure_type"),
				[2]string{"parent_step_name", "Loop step"}, [2]string{"iteration", "Iteration"},
				[2]string{"step_name", "Step"}, [2]string{"action", "Action"}, [2]string{"status", "Status"},
				[2]string{"step_execution_id", "Step execution"})),
	}
}

// timeoutTable puts each step's duration beside its TimeoutSeconds, and
// the share of the timeout it used as a gauge turning orange at 80%.
func timeoutTable() *table.PanelBuilder {
	duration := "ssm_automation_step_duration_seconds{" + ex + "}"
	timeout := "ssm_automation_step_timeout_seconds{" + ex + "}"
	return newTable("Duration vs timeout",
		"Duration of each step execution next to its TimeoutSeconds, and the share of the timeout it used.", 12, 9,
		rows(duration), rows(timeout), rows(duration+" / ("+timeout+" > 0)")).
		OverrideByName("Duration", []dashboard.DynamicConfigValue{unit("s")}).
		OverrideByName("Timeout", []dashboard.DynamicConfigValue{unit("s")}).
		OverrideByName("Share of timeout", []dashboard.DynamicConfigValue{
			unit("percentunit"),
			{Id: "custom.cellOptions", Value: common.TableBarGaugeCellOptions{
				Type: common.TableCellDisplayModeGauge, Mode: cog.ToPtr(common.BarGaugeDisplayModeBasic)}},
			{Id: "min", Value: 0}, {Id: "max", Value: 1},
			{Id: "thresholds", Value: thresholdSteps("green", threshold{0.8, "orange"}, threshold{1, "red"})},
		}).
		WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
		WithTransformation(columns(own("step_execution_id"),
			[2]string{"step_name", "Step"}, [2]string{"action", "Action"},
			[2]string{"Value #A", "Duration"}, [2]string{"Value #B", "Timeout"}, [2]string{"Value #C", "Share of timeout"}))
}

// own hides the columns the variables already say (target, document,
// execution), the hidden ones and more.
func own(more ...string) []string {
	return hide(append([]string{"target", "document_name", "execution_id"}, more...)...)
}
