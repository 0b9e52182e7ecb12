// Package gen builds the Grafana dashboards of ssm_automation_exporter
// with the builders of the Grafana Foundation SDK, so that Grafana's own
// types check every panel, query, variable and annotation.
// `go generate ./dashboards` writes them to dashboards/*.json, which are
// checked in; the dashboards tests fail when a file differs from what this
// package builds. The package is internal to dashboards/: the exporter's
// binary never links the SDK.
package gen

// The SDK marks its classic dashboard model deprecated in favour of
// dashboardv2, a different resource. The classic model is the one Grafana
// imports from a file or from grafana.com and provisions from a folder.
//lint:file-ignore SA1019 the classic dashboard model is the importable one

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// File is one dashboard: its file name under dashboards/ and its JSON.
type File struct {
	Name string
	JSON []byte
}

// The dashboards' uids: links between them use these, and a re-import
// replaces the dashboard instead of adding a copy.
const (
	uidOverview  = "ssm-automation-overview"
	uidExecution = "ssm-automation-execution"
	uidExporter  = "ssm-automation-exporter"
)

// dashboards are the dashboards by file name. The names are stable: the
// Helm chart ships each file as it is.
var dashboards = []struct {
	file  string
	build func() *dashboard.DashboardBuilder
}{
	{uidOverview + ".json", overview},
	{uidExecution + ".json", execution},
	{uidExporter + ".json", exporter},
}

// Files builds every dashboard, in a stable order.
func Files() ([]File, error) {
	out := make([]File, 0, len(dashboards))
	for _, d := range dashboards {
		built, err := d.build().Build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.file, err)
		}
		tidy(&built)
		b, err := export(built)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.file, err)
		}
		out = append(out, File{Name: d.file, JSON: b})
	}
	return out, nil
}

// tidy numbers the panels 1, 2, ... in order, leaves links and the
// annotation where Grafana puts them by default (the SDK places them in
// the controls menu of Grafana 12, out of sight) and drops the settings
// of interval variables the SDK gives every variable.
func tidy(d *dashboard.Dashboard) {
	for i := range d.Templating.List {
		v := &d.Templating.List[i]
		v.Auto, v.AutoMin, v.AutoCount = nil, nil, nil
	}
	for i := range d.Links {
		d.Links[i].Placement = nil
	}
	for i := range d.Annotations.List {
		d.Annotations.List[i].Placement = nil
	}
	id := uint32(0)
	for _, p := range d.Panels {
		if r := p.RowPanel; r != nil { // the row, then the panels it holds
			id++
			r.Id = id
			for i := range r.Panels {
				id++
				tidyPanel(&r.Panels[i], id)
			}
			continue
		}
		id++
		tidyPanel(p.Panel, id)
	}
}

// tidyPanel numbers a panel and leaves its links where Grafana puts them.
func tidyPanel(p *dashboard.Panel, id uint32) {
	p.Id = cog.ToPtr(id)
	if p.FieldConfig == nil {
		return
	}
	for i := range p.FieldConfig.Defaults.Links {
		p.FieldConfig.Defaults.Links[i].Placement = nil
	}
}

// datasource is the dashboards' only datasource: the variable, never a
// datasource uid of one Grafana.
var datasource = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// newDashboard starts a dashboard with what the three share: title prefix,
// tags, a link to the others, the datasource variable first and the alert
// annotation.
func newDashboard(uid, title, description, refresh, from string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder("SSM Automation — "+title).
		Uid(uid).Description(description).
		Tags([]string{"ssm-automation", "aws", "systems-manager"}).
		Editable().Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Time(from, "now").Timezone("").Refresh(refresh).
		Link(dashboard.NewDashboardLinkBuilder("SSM Automation").
			Type(dashboard.DashboardLinkTypeDashboards).Tags([]string{"ssm-automation"}).
			Icon("external link").Tooltip("").AsDropdown(false).
			IncludeVars(true).KeepTime(true).TargetBlank(false)).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").
			Label("Data source").Type("prometheus").Regex("").
			// Importing the file asks for a Prometheus datasource (the
			// DS_PROMETHEUS input) and makes it the default; provisioned
			// as it is, the variable falls back to the default datasource.
			Current(option(dsInputRef)))
}

// option is a variable's selected value.
func option(value string) dashboard.VariableOption {
	return dashboard.VariableOption{
		Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr(value)},
		Value: dashboard.StringOrArrayOfString{String: cog.ToPtr(value)},
	}
}

// labelValues is a variable listing the values of label in selector's
// series. A multi variable offers All (any value, .*) and starts on it.
func labelValues(name, label, selector, labelName string, multi bool) *dashboard.QueryVariableBuilder {
	q := "label_values(" + selector + ", " + labelName + ")"
	v := dashboard.NewQueryVariableBuilder(name).Label(label).Datasource(datasource).
		Query(dashboard.StringOrMap{Map: map[string]any{
			"qryType": 1, "query": q, "refId": "PrometheusVariableQueryEditor-VariableQuery",
		}}).
		Definition(q).Regex("").
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(multi).IncludeAll(multi)
	if multi {
		v.AllValue(".*").Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		})
	}
	return v
}

// AlertNames selects the alerts of alerts/ssm_automation.rules.yml in the
// alert annotation; a test checks that it matches every alert there.
const AlertNames = "SSMAutomation.*"

// alerts marks on the time axis where the exporter's alerts fired. The
// matchers narrow them to what the dashboard shows; a matcher on
// "$variable|" also keeps the alerts without that label (an exporter alert
// has no execution_id, a reload failure no target).
func alerts(matchers string) *dashboard.AnnotationQueryBuilder {
	return dashboard.NewAnnotationQueryBuilder().
		Name("Alerts").Datasource(datasource).Enable(true).Hide(false).IconColor("red").
		Expr(`ALERTS{alertname=~"` + AlertNames + `", alertstate="firing", ` + matchers + `}`).
		Step("1m").TitleFormat("{{alertname}}").
		TagKeys("severity,target,document_name,execution_id,step_name").
		UseValueForTime(false)
}
