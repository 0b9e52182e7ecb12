package discovery

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Slim is a copy of m with only what the exporter reads of an execution's
// metadata, in strings of its own. A listing keeps the metadata of every
// execution in a rule's window from one refresh to the next, and what the
// SDK decodes shares the memory of the whole response: a single string
// kept from it keeps every field of every execution of the page (Outputs,
// Parameters, Targets and the like), the maps the SDK built for them too.
func Slim(m *types.AutomationExecutionMetadata) *types.AutomationExecutionMetadata {
	out := &types.AutomationExecutionMetadata{
		AutomationExecutionId:       cloned(m.AutomationExecutionId),
		DocumentName:                cloned(m.DocumentName),
		DocumentVersion:             cloned(m.DocumentVersion),
		ParentAutomationExecutionId: cloned(m.ParentAutomationExecutionId),
		AutomationExecutionStatus:   types.AutomationExecutionStatus(strings.Clone(string(m.AutomationExecutionStatus))),
		AutomationType:              types.AutomationType(strings.Clone(string(m.AutomationType))),
		Mode:                        types.ExecutionMode(strings.Clone(string(m.Mode))),
		ExecutionStartTime:          m.ExecutionStartTime,
		ExecutionEndTime:            m.ExecutionEndTime,
	}
	if len(m.TriggeredAlarms) > 0 {
		out.TriggeredAlarms = make([]types.AlarmStateInformation, len(m.TriggeredAlarms))
		for i, a := range m.TriggeredAlarms {
			out.TriggeredAlarms[i] = types.AlarmStateInformation{
				Name: cloned(a.Name), State: types.ExternalAlarmState(strings.Clone(string(a.State))),
			}
		}
	}
	return out
}

func cloned(s *string) *string {
	if s == nil {
		return nil
	}
	c := strings.Clone(*s)
	return &c
}
