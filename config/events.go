package config

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Events names the SQS queue into which an EventBridge rule sends the
// Automation status-change events of a target's account and region. With
// it, a warm refresh fetches only what the events say changed, plus a
// resync of the rest every ResyncInterval (see the README's Events).
type Events struct {
	// QueueURL is the queue's URL: https://sqs.<region>.amazonaws.com/<account>/<name>,
	// or any http(s) URL ending in the queue name for another endpoint.
	// Several targets may name one queue: events go by account and region.
	QueueURL string `yaml:"queue_url"`
	// Region signs the SQS calls. Default: the region in QueueURL, else the
	// target's region (required when the target lists several regions and
	// QueueURL names none).
	Region string `yaml:"region"`
	// WaitTime is the long poll's WaitTimeSeconds: 1s to 20s. Default 20s.
	WaitTime time.Duration `yaml:"wait_time"`
	// ResyncInterval bounds how long an execution goes unfetched without an
	// event, and how often discovery rules list. Default 10m.
	ResyncInterval time.Duration `yaml:"resync_interval"`
	// VisibilityTimeout of the messages received, 1s to 12h; the queue's
	// own when unset (HasVisibilityTimeout false).
	VisibilityTimeout    time.Duration `yaml:"visibility_timeout"`
	HasVisibilityTimeout bool          `yaml:"-"`
	// RequestsPerSecond is the token-bucket rate of the queue's calls,
	// its own budget apart from api.requests_per_second. Default 50.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// Burst is the token-bucket size of the queue's calls. Default 100.
	Burst int `yaml:"burst"`
}

// Budget is the queue's token bucket: its rate and size, the defaults
// when unset (an Events built in code).
func (e *Events) Budget() (requestsPerSecond float64, burst int) {
	requestsPerSecond, burst = e.RequestsPerSecond, e.Burst
	if requestsPerSecond <= 0 {
		requestsPerSecond = DefaultEventsRequestsPerSecond
	}
	if burst < 1 {
		burst = DefaultEventsBurst
	}
	return requestsPerSecond, burst
}

// Enabled says whether the target follows a queue.
func (e *Events) Enabled() bool { return e.QueueURL != "" }

// Defaults of the events keys.
const (
	DefaultEventsWaitTime       = 20 * time.Second
	DefaultEventsResyncInterval = 10 * time.Minute
	// DefaultEventsRequestsPerSecond: a queue costs a ReceiveMessage and a
	// DeleteMessageBatch per ten messages, so 50 calls a second read 250
	// messages a second, more than a large fleet's status changes, and a
	// backlog of 100,000 messages in under 7 minutes. An idle queue makes
	// one call per wait_time whatever the rate. SQS standard queues take
	// nearly any rate of calls; the bucket only bounds what a backlog
	// costs.
	DefaultEventsRequestsPerSecond = 50
	// DefaultEventsBurst is two seconds' worth, as api's default is.
	DefaultEventsBurst = 100
)

// Bounds of the events keys: SQS's, and the exporter's for the resync.
const (
	maxWaitTime          = 20 * time.Second
	maxVisibilityTimeout = 12 * time.Hour
	maxResyncInterval    = 24 * time.Hour
)

var (
	// sqsHostRE is the host of an SQS endpoint of AWS; its group 2 is the
	// region.
	sqsHostRE = regexp.MustCompile(`^(sqs(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)|([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.amazonaws\.com)$`)
	awsHostRE = regexp.MustCompile(`(^|\.)(amazonaws\.com(\.cn)?|api\.aws)$`)
	// queueNameRE is the QueueName of SQS: 1 to 80 of letters, digits, - and
	// _, ".fifo" included for a FIFO queue.
	queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,75}\.fifo$|^[A-Za-z0-9_-]{1,80}$`)
	accountRE   = regexp.MustCompile(`^\d{12}$`)
)

// QueueName is the last part of an SQS queue URL: the `queue` label.
func QueueName(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// QueueEndpoint is the endpoint of a queue URL that is not one of AWS
// (scheme and host, without user info), "" for a queue of AWS, whose
// endpoint the SDK resolves from the region.
func QueueEndpoint(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil || u.Host == "" || awsHostRE.MatchString(u.Hostname()) {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// queueRegion is the region an SQS URL of AWS names, "" for another.
func queueRegion(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	m := sqsHostRE.FindStringSubmatch(u.Hostname())
	if m == nil {
		return ""
	}
	return m[2] + m[3]
}

const queueURLForm = "is not an SQS queue URL (like https://sqs.eu-west-1.amazonaws.com/123456789012/ssm-automation-events, or an http(s) URL ending in the queue name)"

// queueURLProblem says what is wrong with a queue URL, "" when nothing.
func queueURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return queueURLForm
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if !queueNameRE.MatchString(parts[len(parts)-1]) {
		return queueURLForm + "; a queue name is 1 to 80 of letters, digits, - and _ (.fifo included)"
	}
	if !awsHostRE.MatchString(u.Hostname()) {
		return ""
	}
	if u.Scheme != "https" || !sqsHostRE.MatchString(u.Hostname()) || u.Port() != "" ||
		len(parts) != 2 || !accountRE.MatchString(parts[0]) {
		return queueURLForm
	}
	return ""
}
