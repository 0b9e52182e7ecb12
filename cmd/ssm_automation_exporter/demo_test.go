package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"
)

var (
	demoReceived = regexp.MustCompile(`(?m)^ssm_automation_events_received_total\{[^}]*detail_type="EC2 Automation (Step|Execution) Status-change Notification"[^}]*\} (\S+)$`)
	demoQueueUp  = regexp.MustCompile(`(?m)^ssm_automation_events_up\{queue="ssm-automation-events"\} 1$`)
)

// TestDemoEvents runs the exporter with --demo: the demo's simulator
// sends the events of its live changes to a queue the demo configuration
// follows, and the exporter receives them.
func TestDemoEvents(t *testing.T) {
	p := startExporter(t, "--demo", "--web.listen-address=127.0.0.1:0")
	url := "http://" + p.serving(t) + "/metrics"
	// The consumer says when the queue works, and the simulator moves
	// every 2 s: scrape until events have come, within the wait bound.
	p.waitLog(t, 0, "events queue works")
	deadline := time.Now().Add(waitBound)
	for {
		body := demoScrape(t, url)
		received := 0.0
		for _, m := range demoReceived.FindAllStringSubmatch(body, -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			received += v
		}
		if received > 0 {
			if !demoQueueUp.MatchString(body) {
				t.Fatalf("events received but the queue is not up:\n%s", body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event received within %s:\n%s", waitBound, body)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func demoScrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
