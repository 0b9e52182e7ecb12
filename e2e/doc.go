// Package e2e holds the end-to-end test: the SSM simulator on a fixed
// scenario, the exporter reading it, and real Prometheus servers, 2.x
// (text exposition) and 3.x (native histograms, protobuf exposition),
// scraping the exporter with the project's rules, queried with every
// dashboard query, and sending their alerts to a real Alertmanager that
// notifies a webhook the test serves. The test needs Debian's prometheus
// and prometheus-alertmanager packages, and $SSM_E2E_PROMETHEUS3 naming a
// Prometheus 3 binary.
package e2e
