package ssmapi

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// TestStatusesShareOutTheModel checks that the terminal and the running
// statuses share out the SDK's values: each is in exactly one of the two
// lists.
func TestStatusesShareOutTheModel(t *testing.T) {
	// The terminal and the running statuses share out the SDK's values:
	// each is in exactly one of the two lists.
	for _, s := range types.AutomationExecutionStatus("").Values() {
		if IsTerminal(string(s)) == slices.Contains(NonTerminal, string(s)) {
			t.Errorf("status %s is in both lists or in neither", s)
		}
	}
	if n := len(terminalStatuses) + len(NonTerminal); n != len(types.AutomationExecutionStatus("").Values()) {
		t.Errorf("%d statuses in the two lists, the SDK has %d", n, len(types.AutomationExecutionStatus("").Values()))
	}
}
