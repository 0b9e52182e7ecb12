package gen

//lint:file-ignore SA1019 the classic dashboard model is the importable one (see gen.go)

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// ov selects the overview's targets and documents.
const ov = `target=~"$target", document_name=~"$document"`

// running are the statuses of an execution that has not finished.
const running = "InProgress|Waiting|Pending|PendingApproval|Cancelling"

// overview answers: what runs, what failed, which steps are slow or
// alarming, across targets and documents.
func overview() *dashboard.DashboardBuilder {
	b := newDashboard(uidOverview, "overview",
		"AWS Systems Manager Automation executions and steps across targets, from ssm_automation_exporter.",
		"1m", "now-6h").
		WithVariable(labelValues("target", "Target", "ssm_automation_target_info", "target", true)).
		WithVariable(labelValues("document", "Document", `ssm_automation_execution_info{target=~"$target"}`, "document_name", true)).
		Annotation(alerts(`target=~"$target", document_name=~"$document|"`))
	for _, p := range overviewCounts() {
		b.WithPanel(p)
	}
	b.WithPanel(newTimeseries("Executions by status", "Tracked executions in each status over time.", "short", 12, 8,
		overTime("sum by (status) (ssm_automation_execution_status{"+ov+"})", "{{status}}")).
		FillOpacity(60).Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal).Group("A")))
	b.WithPanel(newBarGauge("Finished executions by status",
		"Executions the exporter saw finish in the dashboard's time range, by terminal status.", "short", 12, 8,
		instant("sort_desc(sum by (status) (increase(ssm_automation_executions_finished_total{"+ov+"}[$__range])))", "{{status}}")))
	b.WithPanel(newTable("Failed, timed-out and cancelled steps",
		"Step executions whose current status is Failed, TimedOut or Cancelled, with the failure type the API reported. Click an execution to open it.", 24, 9,
		rows(`(ssm_automation_step_status{`+ov+`, status=~"Failed|TimedOut|Cancelled"} == 1)`+
			" * on (job, instance, target, execution_id, step_execution_id) group_left (failure_stage, failure_type)"+
			" ssm_automation_step_info{"+ov+"}")).
		DataLinks(executionLink()).
		WithTransformation(columns(hide("Value", "step_execution_id"),
			execColumns("status", "Status", "failure_stage", "Failure stage", "failure_type", "Failure type")...)))
	b.WithPanel(newTable("Step status by document and step",
		"Step executions in each status across the tracked executions, per document and step.", 12, 9,
		rows("sum by (target, document_name, step_name, action, status) (ssm_automation_steps{"+ov+"})")).
		WithTransformation(columns(hidden,
			[2]string{"target", "Target"}, [2]string{"document_name", "Document"}, [2]string{"step_name", "Step"},
			[2]string{"action", "Action"}, [2]string{"status", "Status"}, [2]string{"Value", "Steps"})))
	b.WithPanel(newBarGauge("Failed steps by document",
		"Step executions in Failed or TimedOut now, per document. Needs the recording rules of alerts/ssm_automation.rules.yml.", "short", 12, 9,
		instant("sort_desc(sum by (target, document_name) ("+recStepsFailed+"{"+ov+"}))", "{{document_name}} ({{target}})")).
		Thresholds(thresholds("red")))
	b.WithPanel(newTimeseries("Step duration p50 / p95",
		"Quantiles of the duration of the steps that finished, per document and step, from ssm_automation_step_finished_duration_seconds.", "s", 12, 8,
		overTime(stepQuantile("0.5"), "p50 {{document_name}} {{step_name}}"),
		overTime(stepQuantile("0.95"), "p95 {{document_name}} {{step_name}}")))
	for _, p := range overviewStepTables() {
		b.WithPanel(p)
	}
	return b
}

// stepQuantile reads the classic buckets, or the native histogram where
// Prometheus keeps only that (Prometheus 3 with scrape_native_histograms
// and without always_scrape_classic_histograms).
func stepQuantile(q string) string {
	const name = "ssm_automation_step_finished_duration_seconds"
	return "histogram_quantile(" + q + ", sum by (le, document_name, step_name) (" +
		"rate(" + name + "_bucket{" + ov + "}[$__rate_interval])))" +
		" or histogram_quantile(" + q + ", sum by (document_name, step_name) (" +
		"rate(" + name + "{" + ov + "}[$__rate_interval])))"
}

// overviewCounts are the four numbers at the top: tracked, running, failed
// steps and alarms; the last two turn red from 1.
func overviewCounts() []cog.Builder[dashboard.Panel] {
	red := thresholds("green", threshold{1, "red"})
	return []cog.Builder[dashboard.Panel]{
		newStat("Executions tracked", "Executions the exporter tracks now (found by discovery rules or listed in the configuration).", 6, 4,
			instant("count(ssm_automation_execution_info{"+ov+"}) or vector(0)", "")),
		newStat("Executions running", "Executions in InProgress, Waiting, Pending, PendingApproval or Cancelling.", 6, 4,
			instant(`count(ssm_automation_execution_status{`+ov+`, status=~"`+running+`"} == 1) or vector(0)`, "")),
		newStat("Failed steps now", "Step executions in Failed or TimedOut among the tracked executions.", 6, 4,
			instant(`count(ssm_automation_step_status{`+ov+`, status=~"Failed|TimedOut"} == 1) or vector(0)`, "")).
			Thresholds(red),
		newStat("Alarms in ALARM", "CloudWatch alarms in ALARM that tracked executions or their steps triggered.", 6, 4,
			instant(`count(ssm_automation_execution_triggered_alarm{`+ov+`, state="ALARM"}`+
				` or ssm_automation_step_triggered_alarm{`+ov+`, state="ALARM"}) or vector(0)`, "")).
			Thresholds(red),
	}
}

// overviewStepTables list the step executions worth a look, each row a
// link to its execution.
func overviewStepTables() []cog.Builder[dashboard.Panel] {
	step := []string{"step_execution_id"}
	return []cog.Builder[dashboard.Panel]{
		newTable("Slowest running steps", "The ten InProgress step executions that have run longest.", 12, 8,
			rows("topk(10, ssm_automation_step_duration_seconds{"+ov+"}"+
				" and on (job, instance, target, execution_id, step_execution_id)"+
				` (ssm_automation_step_status{`+ov+`, status="InProgress"} == 1))`)).
			DataLinks(executionLink()).
			OverrideByName("Running for", []dashboard.DynamicConfigValue{unit("s")}).
			SortBy([]cog.Builder[common.TableSortByFieldState]{
				common.NewTableSortByFieldStateBuilder().DisplayName("Running for").Desc(true),
			}).
			WithTransformation(columns(hide(step...), execColumns("Value", "Running for")...)),
		newTable("Triggered CloudWatch alarms",
			"CloudWatch alarms that tracked executions (no step) or their steps triggered, with their state.", 12, 8,
			rows("ssm_automation_execution_triggered_alarm{"+ov+"} or ssm_automation_step_triggered_alarm{"+ov+"}")).
			DataLinks(executionLink()).
			WithTransformation(columns(hide("Value", "step_execution_id"),
				execColumns("alarm_name", "Alarm", "state", "State")...)),
		newTable("Steps allowed more than one attempt",
			"Step executions whose MaxAttempts is above 1: a failure there may have been retried.", 12, 8,
			rows("ssm_automation_step_max_attempts{"+ov+"} > 1")).
			DataLinks(executionLink()).
			WithTransformation(columns(hide(step...), execColumns("Value", "Max attempts")...)),
	}
}

// execColumns are target, document, execution, step and action, then the
// given columns as name/header pairs.
func execColumns(more ...string) [][2]string {
	out := [][2]string{
		{"target", "Target"}, {"document_name", "Document"}, {"execution_id", "Execution"},
		{"step_name", "Step"}, {"action", "Action"},
	}
	for i := 0; i+1 < len(more); i += 2 {
		out = append(out, [2]string{more[i], more[i+1]})
	}
	return out
}
