package dashboards

// The JSON files of this directory are built by dashboards/internal/gen
// with the Grafana Foundation SDK; edit the Go code there, never the JSON,
// then rewrite them:
//
//go:generate go run ./generate
