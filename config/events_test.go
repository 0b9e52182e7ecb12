package config

import (
	"testing"
	"time"
)

const eventsConfig = `
targets:
  - name: aws
    region: eu-west-1
    discovery: [{}]
    events: {queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/ssm-events"}
  - name: sim
    region: eu-west-1
    discovery: [{}]
    events:
      queue_url: http://127.0.0.1:4580/123456789012/sim
      wait_time: 5s
      resync_interval: 2m
      visibility_timeout: 45s
      requests_per_second: 200
      burst: 5
  - name: fleet
    regions: [eu-west-1, us-east-1]
    discovery: [{}]
    events: {queue_url: "http://127.0.0.1:4580/123456789012/sim", region: eu-west-1, wait_time: 5s, visibility_timeout: 45s,
      requests_per_second: 200, burst: 5}
  - name: one
    regions: [ap-south-1]
    discovery: [{}]
    events: {queue_url: "https://sqs-fips.us-east-2.amazonaws.com/123456789012/orders.fifo"}
  - name: polling
    region: eu-west-1
    discovery: [{}]
`

// TestEventsDefaults checks the defaults of the events keys: the region
// of an AWS queue URL, else the target's; 20s of long poll; a resync every
// 10m; the queue's own visibility timeout unless one is set; a
// budget of 50 calls a second, 100 at once.
func TestEventsDefaults(t *testing.T) {
	c := mustParse(t, eventsConfig)
	want := []Events{
		{QueueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/ssm-events", Region: "us-east-1",
			WaitTime: 20 * time.Second, ResyncInterval: 10 * time.Minute, RequestsPerSecond: 50, Burst: 100},
		{QueueURL: "http://127.0.0.1:4580/123456789012/sim", Region: "eu-west-1",
			WaitTime: 5 * time.Second, ResyncInterval: 2 * time.Minute, VisibilityTimeout: 45 * time.Second, HasVisibilityTimeout: true, RequestsPerSecond: 200, Burst: 5},
		{QueueURL: "http://127.0.0.1:4580/123456789012/sim", Region: "eu-west-1",
			WaitTime: 5 * time.Second, ResyncInterval: 10 * time.Minute, VisibilityTimeout: 45 * time.Second, HasVisibilityTimeout: true, RequestsPerSecond: 200, Burst: 5},
		{QueueURL: "https://sqs-fips.us-east-2.amazonaws.com/123456789012/orders.fifo", Region: "us-east-2",
			WaitTime: 20 * time.Second, ResyncInterval: 10 * time.Minute, RequestsPerSecond: 50, Burst: 100},
		{},
	}
	for i, w := range want {
		if got := c.Targets[i].Events; got != w {
			t.Errorf("%s: events = %+v, want %+v", c.Targets[i].Name, got, w)
		}
		if c.Targets[i].Events.Enabled() != (w.QueueURL != "") {
			t.Errorf("%s: Enabled() = %v", c.Targets[i].Name, c.Targets[i].Events.Enabled())
		}
	}
}

func TestQueueURLParts(t *testing.T) {
	for _, c := range []struct {
		url, name, endpoint, region, problem string
	}{
		{"https://sqs.eu-west-1.amazonaws.com/123456789012/q", "q", "", "eu-west-1", ""},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "q", "", "cn-north-1", ""},
		{"https://sqs.us-gov-west-1.api.aws/123456789012/q-1_x", "q-1_x", "", "us-gov-west-1", ""},
		{"https://eu-west-1.queue.amazonaws.com/123456789012/q", "q", "", "eu-west-1", ""},
		{"http://127.0.0.1:4580/000000000000/local", "local", "http://127.0.0.1:4580", "", ""},
		{"https://user:pw@sqs.internal:8443/q/", "q", "https://sqs.internal:8443", "", ""},
		{"https://sqs.eu-west-1.amazonaws.com/q", "q", "", "eu-west-1", queueURLForm},
		{"https://sqs.eu-west-1.amazonaws.com:443/123456789012/q", "q", "", "eu-west-1", queueURLForm},
		{"https://ssm.eu-west-1.amazonaws.com/123456789012/q", "q", "", "", queueURLForm},
		{"sqs.eu-west-1.amazonaws.com/123456789012/q", "q", "", "", queueURLForm},
		{"http://sqs.internal/", "", "http://sqs.internal", "", queueURLForm + "; a queue name is 1 to 80 of letters, digits, - and _ (.fifo included)"},
	} {
		if got := QueueName(c.url); got != c.name {
			t.Errorf("QueueName(%s) = %q, want %q", c.url, got, c.name)
		}
		if got := QueueEndpoint(c.url); got != c.endpoint {
			t.Errorf("QueueEndpoint(%s) = %q, want %q", c.url, got, c.endpoint)
		}
		if got := queueRegion(c.url); got != c.region {
			t.Errorf("queueRegion(%s) = %q, want %q", c.url, got, c.region)
		}
		if got := queueURLProblem(c.url); got != c.problem {
			t.Errorf("queueURLProblem(%s) = %q, want %q", c.url, got, c.problem)
		}
	}
}
