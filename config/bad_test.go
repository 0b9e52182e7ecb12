package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// badConfigs maps each file in testdata/bad to the exact problems, one a
// line, that loading it must report.
var badConfigs = []struct {
	file string
	want []string
}{
	{"bad_api", []string{
		`line 2: api.requests_per_second: must be greater than 0, got 0`,
		`line 3: api.burst: must be at least 1, got 0`,
		`line 4: api.max_concurrency: must be between 1 and 64, got 65`,
		`line 5: api.call_timeout: must be greater than 0, got 0s`,
		`line 6: api.max_attempts: must be between 1 and 20, got 21`,
		`line 7: api.max_response_bytes: must be at least 65536, got 1024`,
		`line 8: api.refresh_timeout: must be greater than 0 and at most 1h0m0s, got 0s`,
	}},
	{"bad_refresh_timeout", []string{
		`line 2: api.refresh_timeout: must be greater than 0 and at most 1h0m0s, got 2h0m0s`,
	}},
	{"bad_api_types", []string{
		`line 2: api.requests_per_second: "fast" is not a number`,
		`line 3: api.burst: "1.5" is not an integer`,
		`line 4: api.max_concurrency: expected an integer, got a list`,
		`line 5: api.max_attempts: expected an integer, got a mapping`,
	}},
	{"bad_automation_type", []string{
		`line 5: targets[0].discovery[0].automation_type: "Remote" is not an automation type (valid: CrossAccount, Local)`,
	}},
	{"bad_details", []string{
		`line 6: targets[0].details: "all" is not one of steps, executions, none`,
	}},
	{"bad_discovery_status", []string{
		`line 5: targets[0].discovery[0].statuses[1]: "failed" is not an automation execution status (valid: Pending, InProgress, Waiting, Success, TimedOut, Cancelling, Cancelled, Failed, PendingApproval, Approved, Rejected, Scheduled, RunbookInProgress, PendingChangeCalendarOverride, ChangeCalendarOverrideApproved, ChangeCalendarOverrideRejected, CompletedWithSuccess, CompletedWithFailure, Exited)`,
		`line 5: targets[0].discovery[0].statuses[2]: "Failed" is listed twice (first at targets[0].discovery[0].statuses[0])`,
	}},
	{"bad_durations", []string{
		`line 6: targets[0].min_refresh_interval: must not be negative, got -5s`,
		`line 8: api.call_timeout: "5 minutes" is not a duration (like 30s, 6h or 7d)`,
	}},
	{"bad_endpoint", []string{
		`line 4: targets[0].endpoint: "ssm.example.internal" is not an absolute http or https URL`,
		`line 5: targets[0].sts_endpoint: "ftp://sts.example.internal" is not an absolute http or https URL`,
	}},
	// The user info of an endpoint, which may hold a password, is never
	// quoted, even where url.Parse fails or sees no user info.
	{"endpoint_user_info", []string{
		`line 4: targets[0].endpoint: "http://xxxxx@ssm.example.internal:bad" is not an absolute http or https URL`,
		`line 5: targets[0].sts_endpoint: "ftp://xxxxx@sts.example.internal" is not an absolute http or https URL`,
		`line 10: targets[1].endpoint: "xxxxx@ssm.example.internal" is not an absolute http or https URL`,
		`line 11: targets[1].sts_endpoint: "http://xxxxx@sts.example.internal:99999" is not an absolute http or https URL`,
		`line 16: targets[2].endpoint: "https://xxxxx@" is not an absolute http or https URL`,
		`line 17: targets[2].sts_endpoint: "https://xxxxx@b" is not an absolute http or https URL`,
	}},
	// The events keys; the user info of a queue URL is never quoted.
	{"bad_events", []string{
		`line 6: targets[0].events.queue_url: "https://sqs.eu-west-1.amazonaws.com/1234/q" ` + queueURLForm,
		`line 7: targets[0].events.region: "us-east-1" is not the region of queue_url, eu-west-1`,
		`line 8: targets[0].events.wait_time: must be whole seconds from 1s to 20s, got 0s`,
		`line 9: targets[0].events.resync_interval: must be greater than 0 and at most 24h0m0s, got 0s`,
		`line 10: targets[0].events.visibility_timeout: must be whole seconds from 1s to 12h0m0s, got 13h0m0s`,
		`line 15: targets[1].events.queue_url: "https://xxxxx@sqs.example.internal/q?x=1" ` + queueURLForm,
		`line 16: targets[1].events.wait_time: must be whole seconds from 1s to 20s, got 1.5s`,
		`line 17: targets[1].events.visibility_timeout: must be whole seconds from 1s to 12h0m0s, got -1s`,
		`line 22: targets[2].events.region: required: queue_url names no region and the target lists several regions`,
		`line 27: targets[3].events.queue_url: "https://sqs.eu-west-1.amazonaws.com/123456789012/bad.name" ` + queueURLForm +
			`; a queue name is 1 to 80 of letters, digits, - and _ (.fifo included)`,
		`line 28: targets[3].events.region: "eu-west" is not a region (like eu-west-1)`,
		`line 29: targets[3].events.resync_interval: must be greater than 0 and at most 24h0m0s, got 25h0m0s`,
		`line 34: targets[4].events.queue_url: required`,
		`line 39: targets[5].events.queue_url: "http://sqs.eu-west-1.amazonaws.com/123456789012/q" ` + queueURLForm,
		`line 40: targets[5].events.wait_time: must be whole seconds from 1s to 20s, got 21s`,
		`line 41: targets[5].events.max_messages: unknown key (valid: queue_url, region, wait_time, resync_interval, visibility_timeout, requests_per_second, burst)`,
		`line 42: targets[5].events.requests_per_second: must be greater than 0, got 0`,
		`line 43: targets[5].events.burst: must be at least 1, got 0`,
		`line 44: targets[5].events.visibility_timeout: must be whole seconds from 1s to 12h0m0s, got 0s`,
	}},
	// Targets reading one queue agree on how; two queues of one name
	// would be one queue label.
	{"events_shared_queue", []string{
		`line 20: targets[2].events.wait_time: 10s here and 20s for targets[0], which reads the same queue; they must agree`,
		`line 25: targets[3].events.visibility_timeout: unset (the queue's own) here and 30s for targets[0], which reads the same queue; they must agree`,
		`line 30: targets[4].events.queue_url: names a queue called "events" other than the one targets[0] reads; the queue label would not tell the two apart`,
		`line 41: targets[6].events.region: us-east-1 here and eu-west-1 for targets[0], which reads the same queue; they must agree`,
		`line 49: targets[7].events.requests_per_second: 10 here and 50 for targets[0], which reads the same queue; they must agree`,
		`line 57: targets[8].events.burst: 7 here and 100 for targets[0], which reads the same queue; they must agree`,
	}},
	{"bad_execution_id", []string{
		`line 5: targets[0].executions[0].id: "8a8e9f1c" must be 36 characters long, got 8`,
		`line 6: targets[0].executions[1].id: required`,
		`line 9: targets[0].executions[2].id: "8a8e9f1c 2c4d 4e55 9a0b 0123456789ab" is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)`,
		`line 10: targets[0].executions[3].id: "8A8E9F1C-2C4D-4E55-9A0B-0123456789AB" is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)`,
		`line 11: targets[0].executions[4].id: "8a8e9f1c-2c4d-4e55-9a0b-0123456789aé" is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)`,
		`line 12: targets[0].executions[5].id: "8a8e9f1c2c4d-4e55-9a0b-0123456789ab-" is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)`,
	}},
	{"bad_id_filters", []string{
		`line 5: targets[0].discovery[0].document_name_prefix: "AWS Patch" may hold only letters, digits and the characters _-. of a document name`,
		`line 7: targets[0].discovery[0].filters[0].values[1]: "latest" is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)`,
		`line 8: targets[0].discovery[0].filters[1].values[0]: "8A8E9F1C-2C4D-4E55-9A0B-0123456789AB" is not an automation execution id (a lowercase UUID like 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab)`,
		`line 9: targets[0].discovery[1].document_name_prefix: "arn:aws:ssm:eu-west-1:123456789012:document/Patch" may hold only letters, digits and the characters _-. of a document name`,
	}},
	{"bad_name_length", []string{
		`line 2: targets[0].name: must be at most 128 characters long, got 129`,
		`line 5: targets[1].name: expands to target name "` + strings.Repeat("f", 120) + `/111111111111/us-east-1" of 143 characters; at most 128 are allowed`,
		`line 9: targets[1].discovery[0].name: must be at most 128 characters long, got 129`,
	}},
	{"bad_iteration", []string{
		`line 8: targets[0].executions[0].filters[0].values[1]: "first" is not an integer`,
		`line 8: targets[0].executions[0].filters[0].values[2]: "2.5" is not an integer`,
	}},
	{"bad_limits", []string{
		`line 7: targets[0].limits.max_executions: must be positive, got 0`,
		`line 8: targets[0].limits.max_steps_per_execution: must be positive, got -3`,
		`line 9: targets[0].limits.max_label_length: must be at least 16, got 8`,
	}},
	{"bad_name_chars", []string{
		`line 2: targets[0].name: "prod/eu" must match ^[A-Za-z0-9_.:-]+$`,
		`line 6: targets[1].name: required`,
	}},
	{"bad_region", []string{
		`line 3: targets[0].region: "eu-west" is not a region (like eu-west-1)`,
		`line 7: targets[1].regions[1]: "US-EAST-2" is not a region (like eu-west-1)`,
		`line 7: targets[1].regions[2]: "us-east-1" is listed twice (first at targets[1].regions[0])`,
		`line 11: targets[2].regions: must list at least one region`,
	}},
	{"bad_role_arn", []string{
		`line 4: targets[0].role_arn: "arn:aws:iam::1234:role/reader" is not an IAM role ARN (like arn:aws:iam::123456789012:role/name)`,
		`line 10: targets[1].role_arns[0]: "arn:aws:iam::111111111111:user/reader" is not an IAM role ARN (like arn:aws:iam::123456789012:role/name)`,
	}},
	{"bad_rule_lengths", []string{
		`line 5: targets[0].discovery[0].document_name_prefix: must be 1 to 128 characters long, got 0`,
		`line 6: targets[0].discovery[0].tag_key: must be 1 to 128 characters long, got 129`,
		`line 7: targets[0].discovery[0].lookback: must be greater than 0, got 0s`,
		`line 8: targets[0].discovery[0].statuses: at most 10 statuses are allowed, got 11`,
	}},
	{"bad_session_name", []string{
		`line 5: targets[0].external_id: must be 2 to 1224 characters long, got 1`,
		`line 6: targets[0].session_name: must be 2 to 64 characters long, got 1`,
		`line 12: targets[1].external_id: "my id" may hold only letters, digits and the characters +=,.@:/_-`,
		`line 13: targets[1].session_name: "my session" may hold only letters, digits and the characters +=,.@_-`,
	}},
	{"bad_start_time", []string{
		`line 8: targets[0].executions[0].filters[0].values[0]: "yesterday" is not an RFC 3339 time (like 2024-05-01T00:00:00Z)`,
		`line 10: targets[0].executions[0].filters[1].values[0]: "2024-05-01 00:00:00" is not an RFC 3339 time (like 2024-05-01T00:00:00Z)`,
	}},
	{"bad_status_value", []string{
		`line 8: targets[0].executions[0].filters[0].values[1]: "Failure" is not an automation execution status (valid: Pending, InProgress, Waiting, Success, TimedOut, Cancelling, Cancelled, Failed, PendingApproval, Approved, Rejected, Scheduled, RunbookInProgress, PendingChangeCalendarOverride, ChangeCalendarOverrideApproved, ChangeCalendarOverrideRejected, CompletedWithSuccess, CompletedWithFailure, Exited)`,
	}},
	{"bad_step_filter_key", []string{
		`line 9: targets[0].executions[0].filters[0].key: "StepStatus" is not a step filter key (valid: StartTimeBefore, StartTimeAfter, StepExecutionStatus, StepExecutionId, StepName, Action, ParentStepExecutionId, ParentStepIteration, ParentStepIteratorValue)`,
	}},
	{"discovery_reserved_key", []string{
		`line 6: targets[0].discovery[0].filters[0].key: "ExecutionStatus" is set by the rule itself; use statuses`,
		`line 8: targets[0].discovery[0].filters[1].key: "TagKey" is set by the rule itself; use tag_key`,
		`line 10: targets[0].discovery[0].filters[2].key: "StartTimeAfter" is set by the rule itself; use lookback`,
		`line 12: targets[0].discovery[0].filters[3].key: "DocumentName" is not an automation execution filter key (valid: ExecutionId, ParentExecutionId, CurrentAction, StartTimeBefore, TargetResourceGroup, AutomationSubtype, OpsItemId)`,
		`line 15: targets[0].discovery[0].filters[4].values[0]: "tomorrow" is not an RFC 3339 time (like 2024-05-01T00:00:00Z)`,
	}},
	{"duplicate_execution_id", []string{
		`line 7: targets[0].executions[2].id: "8a8e9f1c-2c4d-4e55-9a0b-0123456789ab" is already listed at executions[0]`,
	}},
	{"duplicate_key", []string{
		`line 4: targets[0].region: key is set twice (first at line 3)`,
	}},
	{"duplicate_rule_name", []string{
		`line 6: targets[0].discovery[1].name: "patching" is already the name of discovery[0]`,
		`line 8: targets[0].discovery[3]: the default name "rule3" is already the name of discovery[2]; set name`,
		`line 9: targets[0].discovery[4].name: "bad name" must match ^[A-Za-z0-9_.:-]+$`,
	}},
	{"duplicate_target_name", []string{
		`line 6: targets[1].name: "prod" is already the name of targets[0]`,
	}},
	{"empty", []string{
		`line 1: targets: at least one target is required`,
	}},
	{"expanded_name_collision", []string{
		`line 7: targets[0].role_arns[2]: expands to target name "fleet/111111111111/us-east-1", as does targets[0].role_arns[0]`,
	}},
	{"filter_value_too_long", []string{
		`line 10: targets[0].executions[0].filters[0].values[1]: must be 1 to 150 characters long, got 151`,
		`line 11: targets[0].executions[0].filters[0].values[2]: must be 1 to 150 characters long, got 0`,
	}},
	{"filter_values_count", []string{
		`line 8: targets[0].executions[0].filters[0].values: at least one value is required`,
		`line 10: targets[0].executions[0].filters[1].values: at most 10 values are allowed, got 11`,
		`line 11: targets[0].executions[0].filters[2].values: at least one value is required`,
	}},
	{"multiple_documents", []string{
		`line 6: only one YAML document is allowed`,
	}},
	{"no_region", []string{
		`line 2: targets[0]: one of region or regions is required`,
	}},
	{"no_targets", []string{
		`line 3: targets: at least one target is required`,
	}},
	{"nothing_to_watch", []string{
		`line 2: targets[0]: nothing to watch: list executions or discovery rules`,
		`line 4: targets[1]: nothing to watch: list executions or discovery rules`,
	}},
	{"region_and_regions", []string{
		`line 4: targets[0].regions: region and regions are both set; use one`,
	}},
	{"role_arn_and_role_arns", []string{
		`line 5: targets[0].role_arns: role_arn and role_arns are both set; use one`,
	}},
	{"rule_max_executions_zero", []string{
		`line 5: targets[0].discovery[0].max_executions: must be at least 1, got 0`,
		`line 6: targets[0].discovery[1].max_executions: must be at least 1, got -1`,
	}},
	{"syntax_error", []string{
		`line 3: invalid YAML: mapping values are not allowed in this context`,
	}},
	{"targets_not_a_list", []string{
		`line 2: targets: expected a list, got a mapping`,
	}},
	{"too_many_discovery_filters", []string{
		`line 10: targets[0].discovery[0].filters: the rule sends 11 filters (5 of its own and 6 listed here); DescribeAutomationExecutions accepts at most 10`,
		`line 17: targets[0].discovery[0].step_filters[0].key: "StepStatus" is not a step filter key (valid: StartTimeBefore, StartTimeAfter, StepExecutionStatus, StepExecutionId, StepName, Action, ParentStepExecutionId, ParentStepIteration, ParentStepIteratorValue)`,
	}},
	{"too_many_filters", []string{
		`line 7: targets[0].executions[0].filters: at most 6 filters are allowed, got 7`,
	}},
	{"type_errors", []string{
		`line 3: targets[0].regions: expected a list, got "eu-west-1"`,
		`line 5: targets[0].executions: expected a list, got a mapping`,
		`line 7: targets[1].region: expected a string, got a list`,
		`line 9: targets[1].discovery[0].include_children: "maybe" is not true or false`,
		`line 10: targets[1].discovery[0].lookback: "30" is not a duration (like 30s, 6h or 7d)`,
	}},
	{"unknown_key_nested", []string{
		`line 2: targets[0]: one of region or regions is required`,
		`line 3: targets[0].regoin: unknown key (valid: name, region, regions, endpoint, sts_endpoint, role_arn, role_arns, external_id, session_name, executions, discovery, details, min_refresh_interval, limits, events)`,
		`line 6: targets[0].executions[0].filter: unknown key (valid: id, filters)`,
		`line 10: targets[0].limits.max_series: unknown key (valid: max_executions, max_steps_per_execution, max_label_length)`,
	}},
	{"unknown_key_top", []string{
		`line 1: scrape_interval: unknown key (valid: api, targets)`,
	}},
	{"missing_keys", []string{
		`line 4: targets[0].role_arns: must list at least one role ARN`,
		`line 8: targets[0].executions[0].filters[0].key: required`,
		`line 11: targets[0].discovery[0].filters[0].key: required`,
	}},
	{"alias_bomb", []string{
		`line 1: targets[0].name: aliases expand to too many values (more than 20800)`,
		`line 1: x0: unknown key (valid: api, targets)`,
		`line 2: x1: unknown key (valid: api, targets)`,
		`line 3: x2: unknown key (valid: api, targets)`,
		`line 4: x3: unknown key (valid: api, targets)`,
		`line 5: x4: unknown key (valid: api, targets)`,
		`line 6: x5: unknown key (valid: api, targets)`,
		`line 7: x6: unknown key (valid: api, targets)`,
		`line 8: x7: unknown key (valid: api, targets)`,
		`line 10: targets[0]: one of region or regions is required`,
		`line 10: targets[0]: nothing to watch: list executions or discovery rules`,
	}},
	{"too_many_expansions", []string{
		`line 2: targets: the targets expand to 10100 targets (one per role ARN and region of each); at most 10000 are allowed`,
	}},
	// Values and keys are quoted up to 256 characters.
	{"long_values", []string{
		`line 3: targets[0].region: "eu-west-` + strings.Repeat("1", 248) + `"... is not a region (like eu-west-1)`,
		`line 4: targets[0].` + strings.Repeat("k", 256) + `...: unknown key (valid: name, region, regions, endpoint, sts_endpoint, role_arn, role_arns, external_id, session_name, executions, discovery, details, min_refresh_interval, limits, events)`,
		`line 6: targets[0].executions[0].id: "` + strings.Repeat("é", 256) + `"... must be 36 characters long, got 300`,
	}},
	{"bad_aliases", []string{
		`line 7: targets[0].discovery[0]: a merge key (<<) needs a mapping, got "prod"`,
		`line 9: targets[1].executions[0]: expected a mapping, got a list`,
		`line 10: targets[2]: nested too deeply (a mapping that merges itself?)`,
	}},
}

func TestBadConfigs(t *testing.T) {
	for _, tc := range badConfigs {
		t.Run(tc.file, func(t *testing.T) {
			c, err := Load(filepath.Join("testdata", "bad", tc.file+".yml"))
			if err == nil {
				t.Fatalf("loaded without error: %+v", c)
			}
			if c != nil {
				t.Errorf("returned a config along with the error")
			}
			want := strings.Join(tc.want, "\n")
			if got := err.Error(); got != want {
				t.Errorf("wrong error\ngot:\n%s\nwant:\n%s", got, want)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is a %T, not Errors", err)
			}
			if len(errs) != len(tc.want) {
				t.Errorf("got %d problems, want %d", len(errs), len(tc.want))
			}
			for i, p := range errs {
				if p.Line < 1 {
					t.Errorf("problem %d has no line: %+v", i, p)
				}
			}
		})
	}
}

// TestBadConfigsAllListed keeps testdata/bad and the table in step.
func TestBadConfigsAllListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tc := range badConfigs {
		listed[tc.file] = true
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yml")
		if !listed[name] {
			t.Errorf("%s has no entry in badConfigs", f)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("badConfigs lists %s, which is not in testdata/bad", name)
	}
	if len(files) < 25 {
		t.Errorf("only %d bad configs", len(files))
	}
}
