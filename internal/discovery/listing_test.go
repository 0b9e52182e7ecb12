package discovery

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// TestRunningFiltersFallBackWhenARuleCannotListWarm checks which rules a
// warm listing follows: one more ExecutionStatus filter of the ten
// statuses not terminal, and none (a full listing) for a rule with
// statuses, with CurrentAction, or already at ten filters.
func TestRunningFiltersFallBackWhenARuleCannotListWarm(t *testing.T) {
	ten := make([]config.Filter, 5)
	for i := range ten {
		ten[i] = config.Filter{Key: "OpsItemId", Values: []string{"oi-1"}}
	}
	for name, c := range map[string]struct {
		rule config.DiscoveryRule
		ok   bool
	}{
		"plain":          {config.DiscoveryRule{DocumentNamePrefix: "AWS-", TagKey: "team"}, true},
		"started before": {config.DiscoveryRule{Filters: []config.Filter{{Key: "StartTimeBefore", Values: []string{"2026-01-01T00:00:00Z"}}}}, true},
		"statuses":       {config.DiscoveryRule{Statuses: ssmapi.NonTerminal}, false},
		"current action": {config.DiscoveryRule{Filters: []config.Filter{{Key: "CurrentAction", Values: []string{"aws:sleep"}}}}, false},
		"ten filters": {config.DiscoveryRule{DocumentNamePrefix: "AWS-", TagKey: "team", AutomationType: "Local",
			Filters: append(ten, config.Filter{Key: "TargetResourceGroup", Values: []string{"g"}})}, false},
	} {
		base := discoveryFilters(&c.rule, time.Now())
		got, ok := runningFilters(&c.rule, base)
		if ok != c.ok {
			t.Errorf("%s: ok = %v, want %v", name, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if len(got) != len(base)+1 || got[len(base)].Key != "ExecutionStatus" || len(got[len(base)].Values) != 10 {
			t.Errorf("%s: running filters %v", name, got)
		}
		for _, s := range got[len(base)].Values {
			if terminal(types.AutomationExecutionStatus(s)) {
				t.Errorf("%s: %s is terminal", name, s)
			}
		}
	}
}
