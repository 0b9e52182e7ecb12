package ssmsim

import (
	"strconv"
	"time"
)

// epochSeconds is a DateTime member: epoch seconds with millisecond
// fractions, a JSON number (1700000000.123). The zero time is omitted.
type epochSeconds time.Time

// IsZero lets the omitzero tag drop unset times.
func (t epochSeconds) IsZero() bool { return time.Time(t).IsZero() }

// MarshalJSON writes the time as a JSON number.
func (t epochSeconds) MarshalJSON() ([]byte, error) {
	return []byte(formatEpoch(time.Time(t))), nil
}

func formatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	if ms < 0 {
		return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
	}
	sec, frac := ms/1000, ms%1000
	if frac == 0 {
		return strconv.FormatInt(sec, 10)
	}
	s := strconv.FormatInt(sec, 10) + "." + strconv.FormatInt(1000+frac, 10)[1:]
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s
}

type alarmStateJSON struct {
	Name  string `json:"Name"`
	State string `json:"State"`
}

type alarmJSON struct {
	Name string `json:"Name"`
}

type alarmConfigurationJSON struct {
	Alarms                 []alarmJSON `json:"Alarms"`
	IgnorePollAlarmFailure bool        `json:"IgnorePollAlarmFailure"`
}

type targetJSON struct {
	Key    string   `json:"Key,omitempty"`
	Values []string `json:"Values,omitempty"`
}

type targetLocationJSON struct {
	Accounts                         []string                `json:"Accounts,omitempty"`
	Regions                          []string                `json:"Regions,omitempty"`
	TargetLocationMaxConcurrency     string                  `json:"TargetLocationMaxConcurrency,omitempty"`
	TargetLocationMaxErrors          string                  `json:"TargetLocationMaxErrors,omitempty"`
	ExecutionRoleName                string                  `json:"ExecutionRoleName,omitempty"`
	TargetLocationAlarmConfiguration *alarmConfigurationJSON `json:"TargetLocationAlarmConfiguration,omitempty"`
}

type failureDetailsJSON struct {
	FailureStage string              `json:"FailureStage,omitempty"`
	FailureType  string              `json:"FailureType,omitempty"`
	Details      map[string][]string `json:"Details,omitempty"`
}

type parentStepDetailsJSON struct {
	StepExecutionID string `json:"StepExecutionId,omitempty"`
	StepName        string `json:"StepName,omitempty"`
	Action          string `json:"Action,omitempty"`
	Iteration       int32  `json:"Iteration"`
	IteratorValue   string `json:"IteratorValue,omitempty"`
}

// stepExecutionJSON is the StepExecution shape.
type stepExecutionJSON struct {
	StepName             string                 `json:"StepName,omitempty"`
	Action               string                 `json:"Action,omitempty"`
	TimeoutSeconds       *int64                 `json:"TimeoutSeconds,omitempty"`
	OnFailure            string                 `json:"OnFailure,omitempty"`
	MaxAttempts          *int32                 `json:"MaxAttempts,omitempty"`
	ExecutionStartTime   epochSeconds           `json:"ExecutionStartTime,omitzero"`
	ExecutionEndTime     epochSeconds           `json:"ExecutionEndTime,omitzero"`
	StepStatus           string                 `json:"StepStatus,omitempty"`
	ResponseCode         string                 `json:"ResponseCode,omitempty"`
	Inputs               map[string]string      `json:"Inputs,omitempty"`
	Outputs              map[string][]string    `json:"Outputs,omitempty"`
	Response             string                 `json:"Response,omitempty"`
	FailureMessage       string                 `json:"FailureMessage,omitempty"`
	FailureDetails       *failureDetailsJSON    `json:"FailureDetails,omitempty"`
	StepExecutionID      string                 `json:"StepExecutionId,omitempty"`
	OverriddenParameters map[string][]string    `json:"OverriddenParameters,omitempty"`
	IsEnd                *bool                  `json:"IsEnd,omitempty"`
	NextStep             string                 `json:"NextStep,omitempty"`
	IsCritical           *bool                  `json:"IsCritical,omitempty"`
	ValidNextSteps       []string               `json:"ValidNextSteps,omitempty"`
	Targets              []targetJSON           `json:"Targets,omitempty"`
	TargetLocation       *targetLocationJSON    `json:"TargetLocation,omitempty"`
	TriggeredAlarms      []alarmStateJSON       `json:"TriggeredAlarms,omitempty"`
	ParentStepDetails    *parentStepDetailsJSON `json:"ParentStepDetails,omitempty"`
}

// executionMetadataJSON is the AutomationExecutionMetadata shape.
type executionMetadataJSON struct {
	AutomationExecutionID       string              `json:"AutomationExecutionId,omitempty"`
	DocumentName                string              `json:"DocumentName,omitempty"`
	DocumentVersion             string              `json:"DocumentVersion,omitempty"`
	AutomationExecutionStatus   string              `json:"AutomationExecutionStatus,omitempty"`
	ExecutionStartTime          epochSeconds        `json:"ExecutionStartTime,omitzero"`
	ExecutionEndTime            epochSeconds        `json:"ExecutionEndTime,omitzero"`
	ExecutedBy                  string              `json:"ExecutedBy,omitempty"`
	Outputs                     map[string][]string `json:"Outputs,omitempty"`
	Mode                        string              `json:"Mode,omitempty"`
	ParentAutomationExecutionID string              `json:"ParentAutomationExecutionId,omitempty"`
	CurrentStepName             string              `json:"CurrentStepName,omitempty"`
	CurrentAction               string              `json:"CurrentAction,omitempty"`
	FailureMessage              string              `json:"FailureMessage,omitempty"`
	Target                      string              `json:"Target,omitempty"`
	AutomationType              string              `json:"AutomationType,omitempty"`
	TriggeredAlarms             []alarmStateJSON    `json:"TriggeredAlarms,omitempty"`
}

// automationExecutionJSON is the AutomationExecution shape.
type automationExecutionJSON struct {
	AutomationExecutionID       string              `json:"AutomationExecutionId,omitempty"`
	DocumentName                string              `json:"DocumentName,omitempty"`
	DocumentVersion             string              `json:"DocumentVersion,omitempty"`
	ExecutionStartTime          epochSeconds        `json:"ExecutionStartTime,omitzero"`
	ExecutionEndTime            epochSeconds        `json:"ExecutionEndTime,omitzero"`
	AutomationExecutionStatus   string              `json:"AutomationExecutionStatus,omitempty"`
	StepExecutions              []stepExecutionJSON `json:"StepExecutions,omitempty"`
	StepExecutionsTruncated     bool                `json:"StepExecutionsTruncated"`
	Outputs                     map[string][]string `json:"Outputs,omitempty"`
	FailureMessage              string              `json:"FailureMessage,omitempty"`
	Mode                        string              `json:"Mode,omitempty"`
	ParentAutomationExecutionID string              `json:"ParentAutomationExecutionId,omitempty"`
	ExecutedBy                  string              `json:"ExecutedBy,omitempty"`
	CurrentStepName             string              `json:"CurrentStepName,omitempty"`
	CurrentAction               string              `json:"CurrentAction,omitempty"`
	Target                      string              `json:"Target,omitempty"`
	TriggeredAlarms             []alarmStateJSON    `json:"TriggeredAlarms,omitempty"`
}

func toStepJSON(st *Step) stepExecutionJSON {
	out := stepExecutionJSON{
		StepName:             st.StepName,
		Action:               st.Action,
		TimeoutSeconds:       st.TimeoutSeconds,
		OnFailure:            st.OnFailure,
		MaxAttempts:          st.MaxAttempts,
		ExecutionStartTime:   epochSeconds(st.StartTime),
		ExecutionEndTime:     epochSeconds(st.EndTime),
		StepStatus:           st.Status,
		ResponseCode:         st.ResponseCode,
		Inputs:               st.Inputs,
		Outputs:              paramMap(st.Outputs),
		Response:             st.Response,
		FailureMessage:       st.FailureMessage,
		StepExecutionID:      st.StepExecutionID,
		OverriddenParameters: paramMap(st.OverriddenParameters),
		IsEnd:                st.IsEnd,
		NextStep:             st.NextStep,
		IsCritical:           st.IsCritical,
		ValidNextSteps:       st.ValidNextSteps,
		TriggeredAlarms:      alarmStates(st.TriggeredAlarms),
	}
	if fd := st.FailureDetails; fd != nil {
		out.FailureDetails = &failureDetailsJSON{FailureStage: fd.FailureStage, FailureType: fd.FailureType, Details: paramMap(fd.Details)}
	}
	for _, t := range st.Targets {
		out.Targets = append(out.Targets, targetJSON(t))
	}
	if tl := st.TargetLocation; tl != nil {
		out.TargetLocation = toTargetLocationJSON(tl)
	}
	if p := st.ParentStepDetails; p != nil {
		out.ParentStepDetails = &parentStepDetailsJSON{
			StepExecutionID: p.StepExecutionID, StepName: p.StepName, Action: p.Action,
			Iteration: p.Iteration, IteratorValue: p.IteratorValue,
		}
	}
	return out
}

func toTargetLocationJSON(tl *TargetLocation) *targetLocationJSON {
	out := &targetLocationJSON{
		Accounts:                     tl.Accounts,
		Regions:                      tl.Regions,
		TargetLocationMaxConcurrency: tl.TargetLocationMaxConcurrency,
		TargetLocationMaxErrors:      tl.TargetLocationMaxErrors,
		ExecutionRoleName:            tl.ExecutionRoleName,
	}
	if len(tl.AlarmNames) > 0 {
		cfg := &alarmConfigurationJSON{IgnorePollAlarmFailure: tl.IgnorePollAlarmFailure}
		for _, n := range tl.AlarmNames {
			cfg.Alarms = append(cfg.Alarms, alarmJSON{Name: n})
		}
		out.TargetLocationAlarmConfiguration = cfg
	}
	return out
}

func toMetadataJSON(e *Execution) executionMetadataJSON {
	return executionMetadataJSON{
		AutomationExecutionID:       e.ID,
		DocumentName:                e.DocumentName,
		DocumentVersion:             e.DocumentVersion,
		AutomationExecutionStatus:   e.Status,
		ExecutionStartTime:          epochSeconds(e.StartTime),
		ExecutionEndTime:            epochSeconds(e.EndTime),
		ExecutedBy:                  e.ExecutedBy,
		Outputs:                     paramMap(e.Outputs),
		Mode:                        e.Mode,
		ParentAutomationExecutionID: e.ParentExecutionID,
		CurrentStepName:             e.CurrentStepName,
		CurrentAction:               e.CurrentAction,
		FailureMessage:              e.FailureMessage,
		Target:                      e.Target,
		AutomationType:              e.AutomationType,
		TriggeredAlarms:             alarmStates(e.TriggeredAlarms),
	}
}

func toAutomationExecutionJSON(e *Execution) automationExecutionJSON {
	out := automationExecutionJSON{
		AutomationExecutionID:       e.ID,
		DocumentName:                e.DocumentName,
		DocumentVersion:             e.DocumentVersion,
		ExecutionStartTime:          epochSeconds(e.StartTime),
		ExecutionEndTime:            epochSeconds(e.EndTime),
		AutomationExecutionStatus:   e.Status,
		Outputs:                     paramMap(e.Outputs),
		FailureMessage:              e.FailureMessage,
		Mode:                        e.Mode,
		ParentAutomationExecutionID: e.ParentExecutionID,
		ExecutedBy:                  e.ExecutedBy,
		CurrentStepName:             e.CurrentStepName,
		CurrentAction:               e.CurrentAction,
		Target:                      e.Target,
		TriggeredAlarms:             alarmStates(e.TriggeredAlarms),
	}
	for _, st := range e.Steps {
		out.StepExecutions = append(out.StepExecutions, toStepJSON(st))
	}
	return out
}

// paramMap copies an AutomationParameterMap, writing absent value lists as
// empty lists rather than null.
func paramMap(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		if v == nil {
			v = []string{}
		}
		out[k] = v
	}
	return out
}

func alarmStates(as []Alarm) []alarmStateJSON {
	var out []alarmStateJSON
	for _, a := range as {
		out = append(out, alarmStateJSON(a))
	}
	return out
}
