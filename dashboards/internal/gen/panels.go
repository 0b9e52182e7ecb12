package gen

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The panel kinds the dashboards use, each with the settings every panel
// of its kind shares. A panel is given its size; the dashboard builder
// places panels left to right, then row after row. The queries of a panel
// are named A, B, ... in order.

// query is one PromQL query on the datasource variable.
func query(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(datasource).
		EditorMode(prometheus.QueryEditorModeCode).
		Expr(expr)
}

// instant asks for the value now; a legend names each series.
func instant(expr, legend string) *prometheus.DataqueryBuilder {
	q := query(expr).Instant()
	if legend != "" {
		q.LegendFormat(legend)
	}
	return q
}

// overTime asks for the series over the dashboard's time range.
func overTime(expr, legend string) *prometheus.DataqueryBuilder {
	return query(expr).Range().LegendFormat(legend)
}

// rows asks for the value now, one table row per series.
func rows(expr string) *prometheus.DataqueryBuilder {
	return query(expr).Instant().Format(prometheus.PromQueryFormatTable)
}

// targets names the queries A, B, ... in order.
func targets(qs []*prometheus.DataqueryBuilder) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], len(qs))
	for i, q := range qs {
		out[i] = q.RefId(string(rune('A' + i)))
	}
	return out
}

// thresholds are absolute steps: a base color, then value/color pairs.
func thresholds(base string, steps ...threshold) *dashboard.ThresholdsConfigBuilder {
	c := thresholdSteps(base, steps...)
	return dashboard.NewThresholdsConfigBuilder().Mode(c.Mode).Steps(c.Steps)
}

func thresholdSteps(base string, steps ...threshold) dashboard.ThresholdsConfig {
	all := []dashboard.Threshold{{Color: base}} // the base step has no value (-Infinity)
	for _, s := range steps {
		all = append(all, dashboard.Threshold{Value: cog.ToPtr(s.value), Color: s.color})
	}
	return dashboard.ThresholdsConfig{Mode: dashboard.ThresholdsModeAbsolute, Steps: all}
}

type threshold struct {
	value float64
	color string
}

func byThresholds() *dashboard.FieldColorBuilder {
	return dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)
}

func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Fields("").Values(false)
}

// newStat is a single value, colored by thresholds (green unless told).
func newStat(title, description string, w, h uint32, qs ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).Description(description).Span(w).Height(h).
		Datasource(datasource).Targets(targets(qs)).
		Unit("short").
		Thresholds(thresholds("green")).ColorScheme(byThresholds()).
		ColorMode(common.BigValueColorModeValue).GraphMode(common.BigValueGraphModeNone).
		JustifyMode(common.BigValueJustifyModeAuto).TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto).WideLayout(true).
		ShowPercentChange(false).PercentChangeColorMode(common.PercentChangeColorModeStandard).
		ReduceOptions(lastValue())
}

// newTimeseries draws lines from 0, a legend below, every series in the tooltip.
func newTimeseries(title, description, unit string, w, h uint32, qs ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).Description(description).Span(w).Height(h).
		Datasource(datasource).Targets(targets(qs)).
		Unit(unit).Min(0).
		DrawStyle(common.GraphDrawStyleLine).LineWidth(1).FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(false)}).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNone).Group("A")).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom).
			ShowLegend(true).Calcs([]string{})).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
}

// newBarGauge is one horizontal bar per series, in one color (blue unless told).
func newBarGauge(title, description, unit string, w, h uint32, qs ...*prometheus.DataqueryBuilder) *bargauge.PanelBuilder {
	return bargauge.NewPanelBuilder().
		Title(title).Description(description).Span(w).Height(h).
		Datasource(datasource).Targets(targets(qs)).
		Unit(unit).Thresholds(thresholds("blue")).ColorScheme(byThresholds()).
		DisplayMode(common.BarGaugeDisplayModeGradient).Orientation(common.VizOrientationHorizontal).
		ShowUnfilled(true).ValueMode(common.BarGaugeValueModeColor).
		NamePlacement(common.BarGaugeNamePlacementAuto).Sizing(common.BarGaugeSizingAuto).
		MinVizWidth(8).MinVizHeight(16).MaxVizHeight(300).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom).
			ShowLegend(false).Calcs([]string{})).
		ReduceOptions(lastValue())
}

// newTable is one row per series of an instant query, filterable columns.
func newTable(title, description string, w, h uint32, qs ...*prometheus.DataqueryBuilder) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).Description(description).Span(w).Height(h).
		Datasource(datasource).Targets(targets(qs)).
		Align(common.FieldTextAlignmentAuto).Filterable(true).Inspect(false).
		CellOptions(common.TableCellOptions{TableAutoCellOptions: common.NewTableAutoCellOptions()}).
		CellHeight(common.TableCellHeightSm).ShowHeader(true).FrameIndex(0).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}).Fields([]string{}))
}

// columns is the organize transformation of a table: the columns to hide,
// and the columns to show, in order, each with its header.
func columns(hide []string, show ...[2]string) dashboard.DataTransformerConfig {
	exclude := map[string]bool{}
	for _, c := range hide {
		exclude[c] = true
	}
	rename, index := map[string]string{}, map[string]int{}
	for i, c := range show {
		rename[c[0]], index[c[0]] = c[1], i
	}
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
		"excludeByName": exclude, "renameByName": rename, "indexByName": index,
	}}
}

// hidden are the columns no table shows: Grafana's own and the target labels.
var hidden = []string{"Time", "__name__", "job", "instance"}

// hide returns hidden and more.
func hide(more ...string) []string {
	return append(append([]string{}, hidden...), more...)
}

// valueText maps values to a text and a color, in order.
func valueText(pairs ...[3]string) []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i, p := range pairs {
		opts[p[0]] = dashboard.ValueMappingResult{Text: cog.ToPtr(p[1]), Color: cog.ToPtr(p[2]), Index: cog.ToPtr(int32(i))}
	}
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: opts}}}
}

// executionLink opens the execution dashboard on a table row's execution.
func executionLink() []cog.Builder[dashboard.DashboardLink] {
	url := "/d/" + uidExecution + "/" + uidExecution + "?${datasource:queryparam}" +
		"&var-target=${__data.fields.target}&var-document=${__data.fields.document_name}" +
		"&var-execution=${__data.fields.execution_id}&${__url_time_range}"
	return []cog.Builder[dashboard.DashboardLink]{
		dashboard.NewDashboardLinkBuilder("Open execution ${__data.fields.execution_id}").
			Type(dashboard.DashboardLinkTypeLink).Url(url).TargetBlank(false),
	}
}

// unit is a field override's unit.
func unit(u string) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "unit", Value: u}
}
