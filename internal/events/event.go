// Package events follows the Automation events that EventBridge sends to
// SQS queues: one long-polling loop per queue reads them, routes each by
// its account and region to the targets that take it, and deletes it.
// An event only marks an execution as changed (or announces a new one);
// the next refresh fetches it through the API as polling would, so the
// series stay exactly those of polling. Free text of an event (parameters,
// outputs) is never read.
package events

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// The detail types of the Automation events, and their source.
const (
	StepDetailType      = "EC2 Automation Step Status-change Notification"
	ExecutionDetailType = "EC2 Automation Execution Status-change Notification"
	ssmSource           = "aws.ssm"
	// otherDetailType is the detail_type label of anything else.
	otherDetailType = "other"
)

// The reason label of ssm_automation_events_invalid_total: why a message
// was deleted without marking anything.
const (
	ReasonChecksum         = "checksum"          // a body that does not match the MD5 SQS gives for it
	ReasonNotEnvelope      = "not_envelope"      // not JSON, or not an EventBridge event
	ReasonTruncated        = "truncated"         // JSON that ends too early
	ReasonTooLarge         = "too_large"         // a body larger than maxBodyBytes
	ReasonOtherEvent       = "other_event"       // another source or detail type
	ReasonMalformed        = "malformed"         // an Automation event without a usable account, region, time, execution id or document name
	ReasonNoTarget         = "no_target"         // no target of the queue takes its account and region
	ReasonUnknownExecution = "unknown_execution" // no target follows the execution or has a rule that may find it
)

// Reasons are every reason, in a fixed order.
var Reasons = []string{ReasonChecksum, ReasonNotEnvelope, ReasonTruncated, ReasonTooLarge, ReasonOtherEvent, ReasonMalformed, ReasonNoTarget, ReasonUnknownExecution}

// maxBodyBytes bounds the body of a message that is read: an EventBridge
// event is at most 256 KB, an Automation event about one.
const maxBodyBytes = 256 << 10

// Event is what the exporter takes of an Automation event.
type Event struct {
	DetailType  string // StepDetailType or ExecutionDetailType
	Account     string
	Region      string
	Time        time.Time // when EventBridge says it happened (to the second)
	ExecutionID string
	Document    string // the runbook (detail.Definition)
	Status      string // of the step or of the execution
}

// envelope is an EventBridge event; detail is read only for its kind.
// Source and detail type tell an EventBridge event; the other fields are
// read once the event is known to be an Automation event, so that one of
// the wrong JSON type makes it malformed, not something else.
type envelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Account    json.RawMessage `json:"account"`
	Region     json.RawMessage `json:"region"`
	Time       json.RawMessage `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// detail holds the fields of an Automation event's detail that the
// exporter uses; the others (parameters, outputs, ...) are skipped.
type detail struct {
	ExecutionID string `json:"ExecutionId"`
	Definition  string `json:"Definition"`
	Status      string `json:"Status"`
}

// maxDocumentName is the longest name of an SSM document (the service
// model's DocumentName and DocumentARN: 3 to 128 characters); an event
// naming a longer one is malformed, and not kept.
const maxDocumentName = 128

var (
	accountRE     = regexp.MustCompile(`^\d{12}$`)
	regionRE      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	executionIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// ChecksumOK says whether body is what SQS sent: its MD5, in hexadecimal,
// is md5OfBody. A message without an MD5 is taken as it is.
func ChecksumOK(body string, md5OfBody *string) bool {
	if md5OfBody == nil {
		return true
	}
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:]) == *md5OfBody
}

// Parse reads a message body received at now. It returns the event, or
// the reason the body is not an Automation event the exporter can use, and
// the detail_type label of the body. An event whose time is not plausible
// (before 2000 or more than a day after now, see ssmapi.PlausibleTime) is
// malformed.
func Parse(body string, now time.Time) (ev Event, detailType, reason string) {
	if len(body) > maxBodyBytes {
		return Event{}, otherDetailType, ReasonTooLarge
	}
	var env envelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) && syntax.Offset >= int64(len(body)) {
			return Event{}, otherDetailType, ReasonTruncated
		}
		return Event{}, otherDetailType, ReasonNotEnvelope
	}
	if env.Source == "" || env.DetailType == "" || len(env.Detail) == 0 {
		return Event{}, otherDetailType, ReasonNotEnvelope
	}
	if env.Source != ssmSource || env.DetailType != StepDetailType && env.DetailType != ExecutionDetailType {
		return Event{}, otherDetailType, ReasonOtherEvent
	}
	var d detail
	var account, region, at string
	if json.Unmarshal(env.Account, &account) != nil || json.Unmarshal(env.Region, &region) != nil ||
		json.Unmarshal(env.Time, &at) != nil || json.Unmarshal(env.Detail, &d) != nil {
		return Event{}, env.DetailType, ReasonMalformed
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil || !ssmapi.PlausibleTime(t, now) || !accountRE.MatchString(account) || !regionRE.MatchString(region) ||
		!executionIDRE.MatchString(d.ExecutionID) || utf8.RuneCountInString(d.Definition) > maxDocumentName {
		return Event{}, env.DetailType, ReasonMalformed
	}
	return Event{
		DetailType: env.DetailType, Account: account, Region: region, Time: t,
		ExecutionID: d.ExecutionID, Document: d.Definition, Status: d.Status,
	}, env.DetailType, ""
}
