// Package e2e holds the end-to-end test: the SSM simulator on a fixed
// scenario, the exporter reading it, and a real Prometheus server scraping
// the exporter with the project's rules, queried with every dashboard query.
// The test needs Debian's prometheus package (prometheus and promtool).
package e2e
