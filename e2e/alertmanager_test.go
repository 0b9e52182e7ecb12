package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// groupBy is how the test's Alertmanager groups notifications: one per
// execution of a target, as the README recommends.
var groupBy = []string{"target", "execution_id"}

// notification is the part of an Alertmanager webhook payload the test
// reads.
type notification struct {
	Receiver    string            `json:"receiver"`
	Status      string            `json:"status"`
	GroupLabels map[string]string `json:"groupLabels"`
	Alerts      []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`
}

// webhook is the receiver Alertmanager notifies: it keeps every
// notification.
type webhook struct {
	url string
	mu  sync.Mutex
	got []notification
	bad []string // what could not be read
}

// startWebhook serves a webhook receiver until the test ends.
func startWebhook(t *testing.T) *webhook {
	t.Helper()
	w := &webhook{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var n notification
		err := json.NewDecoder(r.Body).Decode(&n)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			w.bad = append(w.bad, err.Error())
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.got = append(w.got, n)
	}))
	t.Cleanup(srv.Close)
	w.url = srv.URL + "/alerts"
	return w
}

// notifications returns what the webhook has received so far.
func (w *webhook) notifications() ([]notification, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.got), slices.Clone(w.bad)
}

// startAlertmanager runs Alertmanager with a route to the webhook and
// returns its address. Clustering is off: the test runs one instance, and
// the default cluster port may be taken.
func startAlertmanager(t *testing.T, bin, dir string, w *webhook) string {
	t.Helper()
	cfg := map[string]any{
		"route": map[string]any{
			"receiver": "webhook",
			"group_by": groupBy,
			// Notify at once, and again as soon as a group changes; never
			// repeat an unchanged group while the test runs.
			"group_wait":      "1s",
			"group_interval":  "1s",
			"repeat_interval": "1h",
		},
		"receivers": []any{map[string]any{
			"name": "webhook",
			"webhook_configs": []any{map[string]any{
				"url": w.url,
				// A scrape that fails on a busy machine resolves alerts for
				// a moment; the test counts what fires.
				"send_resolved": false,
			}},
		}},
	}
	addr := freePort(t)
	am := start(t, "alertmanager", bin, nil,
		"--config.file", writeYAML(t, filepath.Join(dir, "alertmanager.yml"), cfg),
		"--storage.path", filepath.Join(dir, "alertmanager-data"),
		"--web.listen-address", addr,
		"--cluster.listen-address=")
	waitHTTP(t, am, "http://"+addr+"/-/ready", 30*time.Second)
	return addr
}

// TestReadmeGroupBy keeps the route the README recommends and the one the
// test's Alertmanager uses the same.
func TestReadmeGroupBy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*group_by: \[([^\]]*)\]$`).FindAllSubmatch(b, -1)
	if len(m) != 1 {
		t.Fatalf("README.md: %d group_by lines, want the one of the recommended route", len(m))
	}
	var got []string
	for _, l := range strings.Split(string(m[0][1]), ",") {
		got = append(got, strings.TrimSpace(l))
	}
	if !slices.Equal(got, groupBy) {
		t.Errorf("README.md recommends group_by %q, the test uses %q", got, groupBy)
	}
}
