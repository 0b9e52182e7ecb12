package gen

//lint:file-ignore SA1019 the classic dashboard model is the importable one (see gen.go)

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// A dashboard file is the dashboard with the two fields of Grafana's
// "export for sharing externally": __inputs, what the import form asks
// for, and __requires, what the dashboard needs. Neither is part of the
// dashboard model; Grafana reads them on import and drops them.

// DatasourceInput is the one input: the Prometheus datasource, asked for
// on import. Grafana puts the chosen datasource wherever ${DS_PROMETHEUS}
// appears: only in the datasource variable's default value.
const DatasourceInput = "DS_PROMETHEUS"

const dsInputRef = "${" + DatasourceInput + "}"

type input struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Type        string `json:"type"`
	PluginID    string `json:"pluginId"`
	PluginName  string `json:"pluginName"`
}

type requirement struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// grafanaVersion is the oldest Grafana the dashboards are written for: its
// panels read every option set here.
const grafanaVersion = "11.0.0"

// panelNames are the names of the panel plugins the dashboards may use; a
// panel of another type fails the build until it is named here.
var panelNames = map[string]string{
	"bargauge":       "Bar gauge",
	"stat":           "Stat",
	"state-timeline": "State timeline",
	"table":          "Table",
	"timeseries":     "Time series",
}

// requires lists Grafana, the Prometheus datasource and the panel plugins
// the dashboard uses, sorted by id.
func requires(d dashboard.Dashboard) ([]requirement, error) {
	var types []string
	for _, p := range d.Panels {
		panels := []dashboard.Panel{}
		if p.Panel != nil {
			panels = append(panels, *p.Panel)
		}
		if p.RowPanel != nil {
			panels = append(panels, p.RowPanel.Panels...)
		}
		for _, q := range panels {
			if !slices.Contains(types, q.Type) {
				types = append(types, q.Type)
			}
		}
	}
	slices.Sort(types)
	out := []requirement{
		{Type: "grafana", ID: "grafana", Name: "Grafana", Version: grafanaVersion},
		{Type: "datasource", ID: "prometheus", Name: "Prometheus", Version: "1.0.0"},
	}
	for _, t := range types {
		name, ok := panelNames[t]
		if !ok {
			return nil, fmt.Errorf("panel type %q has no plugin name for __requires", t)
		}
		out = append(out, requirement{Type: "panel", ID: t, Name: name, Version: ""})
	}
	return out, nil
}

// export writes the dashboard with __inputs and __requires, indented, the
// fields of the top level sorted as Grafana's export sorts them.
func export(d dashboard.Dashboard) ([]byte, error) {
	reqs, err := requires(d)
	if err != nil {
		return nil, err
	}
	body, err := encode(d, "")
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	inputs := []input{{
		Name: DatasourceInput, Label: "Prometheus", Type: "datasource",
		Description: "Prometheus that scrapes ssm_automation_exporter",
		PluginID:    "prometheus", PluginName: "Prometheus",
	}}
	for k, v := range map[string]any{"__inputs": inputs, "__requires": reqs} {
		if fields[k], err = encode(v, ""); err != nil {
			return nil, err
		}
	}
	return encode(fields, "  ")
}

// encode writes v as JSON with <, > and & as they are: PromQL compares
// with > and links join parameters with &. The SDK's own marshallers
// escape them; encode puts them back and checks that the value read back
// is the same.
func encode(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	escaped := buf.Bytes()
	plain := []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(buf.String()))
	var a, b any
	if err := json.Unmarshal(escaped, &a); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(plain, &b); err != nil || !reflect.DeepEqual(a, b) {
		return nil, fmt.Errorf("unescaping <, > and & changed the JSON (%v)", err)
	}
	return plain, nil
}
