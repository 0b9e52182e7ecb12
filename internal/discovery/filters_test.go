package discovery

import (
	"reflect"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// TestFilters checks the filters of a rule with every key set, and of one
// with the defaults only.
func TestExecutionFilters(t *testing.T) {
	now := time.Date(2024, 5, 3, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	c, err := config.Parse([]byte(`
targets:
  - name: prod
    region: eu-west-1
    discovery:
      - document_name_prefix: Patch-
        statuses: [Failed, TimedOut]
        lookback: 2d
        tag_key: team
        automation_type: Local
        filters: [{key: CurrentAction, values: [aws:runCommand]}]
      - {}
`))
	if err != nil {
		t.Fatal(err)
	}
	full := []config.Filter{
		{Key: "DocumentNamePrefix", Values: []string{"Patch-"}},
		{Key: "ExecutionStatus", Values: []string{"Failed", "TimedOut"}},
		{Key: "StartTimeAfter", Values: []string{"2024-05-01T10:00:00Z"}},
		{Key: "TagKey", Values: []string{"team"}},
		{Key: "AutomationType", Values: []string{"Local"}},
		{Key: "CurrentAction", Values: []string{"aws:runCommand"}},
	}
	if got := Filters(&c.Targets[0].Discovery[0], now); !reflect.DeepEqual(got, full) {
		t.Errorf("every key set:\n got %v\nwant %v", got, full)
	}
	bare := []config.Filter{{Key: "StartTimeAfter", Values: []string{"2024-05-02T10:00:00Z"}}}
	if got := Filters(&c.Targets[0].Discovery[1], now); !reflect.DeepEqual(got, bare) {
		t.Errorf("defaults only:\n got %v\nwant %v", got, bare)
	}
}
