package ssmsim

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The detail types and source of the EventBridge events Systems Manager
// sends for Automation.
const (
	DetailTypeStep      = "EC2 Automation Step Status-change Notification"
	DetailTypeExecution = "EC2 Automation Execution Status-change Notification"
	EventSource         = "aws.ssm"
)

// Event formats, as in the service's documented examples: the envelope's
// time in RFC 3339 UTC to the second, the detail's times in a US English
// layout in UTC ("Nov 29, 2024 7:43:23 PM").
const (
	eventTimeLayout  = "2006-01-02T15:04:05Z"
	detailTimeLayout = "Jan 2, 2006 3:04:05 PM"
)

// Event is an EventBridge event as Systems Manager sends it for an
// Automation step or execution whose status changed.
type Event struct {
	Version    string      `json:"version"`
	ID         string      `json:"id"`
	DetailType string      `json:"detail-type"`
	Source     string      `json:"source"`
	Account    string      `json:"account"`
	Time       string      `json:"time"`
	Region     string      `json:"region"`
	Resources  []string    `json:"resources"`
	Detail     EventDetail `json:"detail"`
}

// EventDetail is the detail of both event types: StepName and Action are
// set on step events, ExecutedBy on execution events. DefinitionVersion is
// a number ("1.0"); Time is the duration from StartTime to EndTime in
// milliseconds ("2630.0"), and it and EndTime are absent until the step or
// execution ends.
type EventDetail struct {
	ExecutionID       string      `json:"ExecutionId"`
	Definition        string      `json:"Definition"`
	DefinitionVersion json.Number `json:"DefinitionVersion,omitempty"`
	Status            string      `json:"Status"`
	StartTime         string      `json:"StartTime,omitempty"`
	EndTime           string      `json:"EndTime,omitempty"`
	Time              json.Number `json:"Time,omitempty"`
	StepName          string      `json:"StepName,omitempty"`
	Action            string      `json:"Action,omitempty"`
	ExecutedBy        string      `json:"ExecutedBy,omitempty"`
}

// ExecutionEvent is the event of e's status as of at, in account and region.
func ExecutionEvent(account, region string, e *Execution, at time.Time) Event {
	ev := newEvent(DetailTypeExecution, account, region, e, at)
	ev.Detail.Status = e.Status
	setTimes(&ev.Detail, e.StartTime, e.EndTime)
	ev.Detail.ExecutedBy = e.ExecutedBy
	return ev
}

// StepEvent is the event of step st of e as of at, in account and region.
func StepEvent(account, region string, e *Execution, st *Step, at time.Time) Event {
	ev := newEvent(DetailTypeStep, account, region, e, at)
	ev.Detail.Status = st.Status
	setTimes(&ev.Detail, st.StartTime, st.EndTime)
	ev.Detail.StepName, ev.Detail.Action = st.StepName, st.Action
	return ev
}

func newEvent(detailType, account, region string, e *Execution, at time.Time) Event {
	arn := "arn:aws:ssm:" + region + ":" + account + ":"
	return Event{
		Version: "0", ID: newRequestID(), DetailType: detailType, Source: EventSource,
		Account: account, Time: at.UTC().Format(eventTimeLayout), Region: region,
		Resources: []string{
			arn + "automation-execution/" + e.ID,
			arn + "automation-definition/" + e.DocumentName + ":" + e.DocumentVersion,
		},
		Detail: EventDetail{ExecutionID: e.ID, Definition: e.DocumentName, DefinitionVersion: definitionVersion(e.DocumentVersion)},
	}
}

func setTimes(d *EventDetail, start, end time.Time) {
	if !start.IsZero() {
		d.StartTime = start.UTC().Format(detailTimeLayout)
	}
	if !end.IsZero() {
		d.EndTime = end.UTC().Format(detailTimeLayout)
		if !start.IsZero() {
			ms := float64(end.Sub(start)) / float64(time.Millisecond)
			d.Time = json.Number(strconv.FormatFloat(ms, 'f', 1, 64))
		}
	}
}

// definitionVersion renders a document version as the number the events
// carry ("3" is 3.0); a version that is not a plain decimal is left out.
func definitionVersion(v string) json.Number {
	if strings.Trim(v, "0123456789.") != "" {
		return ""
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return ""
	}
	decimals := 1
	if _, frac, ok := strings.Cut(v, "."); ok {
		decimals = max(1, len(frac))
	}
	return json.Number(strconv.FormatFloat(f, 'f', decimals, 64))
}

// changeEvents are the events of one execution's change from before to
// after; before is nil for an execution that just started. A step is
// announced when it leaves Pending or changes status, the execution when
// it starts or changes status.
func changeEvents(account, region string, before, after *Execution, at time.Time) []Event {
	var out []Event
	was := map[string]string{}
	if before == nil {
		out = append(out, ExecutionEvent(account, region, after, at))
	} else {
		for _, st := range before.Steps {
			was[st.StepExecutionID] = st.Status
		}
	}
	for _, st := range after.Steps {
		if old, ok := was[st.StepExecutionID]; st.Status == "Pending" || ok && old == st.Status {
			continue
		}
		out = append(out, StepEvent(account, region, after, st, at))
	}
	if before != nil && before.Status != after.Status {
		out = append(out, ExecutionEvent(account, region, after, at))
	}
	return out
}

// publisher publishes the events of the changes a live tick at now makes;
// it is nil when live mode has no Events server.
func (l *live) publisher(now time.Time) func(account, region string, before, after *Execution) {
	if l.opts.Events == nil {
		return nil
	}
	return func(account, region string, before, after *Execution) {
		for _, ev := range changeEvents(account, region, before, after, now) {
			l.opts.Events.PublishEvent(ev)
		}
	}
}
