package ssmapi

// The AutomationExecutionStatus values of the service model, shared out
// between those after which nothing changes and those an execution can
// still leave (see the tests).

// NonTerminal are the statuses an execution can still leave; ten, the
// most values one filter takes.
var NonTerminal = []string{
	"Pending", "InProgress", "Waiting", "Cancelling", "PendingApproval", "Approved", "Scheduled",
	"RunbookInProgress", "PendingChangeCalendarOverride", "ChangeCalendarOverrideApproved",
}

// terminalStatuses are the other statuses: after them nothing changes.
var terminalStatuses = map[string]bool{
	"Success": true, "Failed": true, "TimedOut": true, "Cancelled": true,
	"Rejected": true, "CompletedWithSuccess": true, "CompletedWithFailure": true,
	"ChangeCalendarOverrideRejected": true, "Exited": true,
}

// IsTerminal reports whether an execution or step status is terminal:
// nothing changes after it. A status the service adds later counts as not
// terminal, so what has it is fetched again rather than frozen.
func IsTerminal(status string) bool { return terminalStatuses[status] }
