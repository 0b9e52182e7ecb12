// Package config loads, validates and reloads the exporter's YAML configuration.
package config

import "time"

// Config is the whole configuration file.
type Config struct {
	// API holds the settings of the client side of the AWS API.
	API API `yaml:"api"`
	// Targets are the account/region pairs to watch. At least one.
	Targets []Target `yaml:"targets"`
}

// API bounds the exporter's use of the SSM API.
type API struct {
	// RequestsPerSecond is the token-bucket rate per (account, region), shared
	// by every target and rule using that account and region. Default 5.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// Burst is the token-bucket size per (account, region). Default 10.
	Burst int `yaml:"burst"`
	// MaxConcurrency bounds the API calls in flight per target. Default 4.
	MaxConcurrency int `yaml:"max_concurrency"`
	// CallTimeout bounds one HTTP attempt. Default 10s.
	CallTimeout time.Duration `yaml:"call_timeout"`
	// RefreshTimeout bounds one refresh of a target, which may outlive the
	// scrape that started it. Default 5m.
	RefreshTimeout time.Duration `yaml:"refresh_timeout"`
	// MaxAttempts is the SDK retryer's attempts per call. Default 5.
	MaxAttempts int `yaml:"max_attempts"`
	// MaxResponseBytes caps the body of one API response; a larger one fails
	// the call and is counted. Default 16 MiB.
	MaxResponseBytes int `yaml:"max_response_bytes"`
}

// Details says how much per-execution detail a target exports.
const (
	DetailsSteps      = "steps"      // execution and step series (default)
	DetailsExecutions = "executions" // execution series only
	DetailsNone       = "none"       // aggregates only
)

// Target is one entry of targets.
type Target struct {
	// Name is unique and becomes the `target` label (with a suffix when
	// regions or role_arns expand it, see Expand).
	Name string `yaml:"name"`
	// Region, or Regions for several; exactly one of the two.
	Region  string   `yaml:"region"`
	Regions []string `yaml:"regions"`
	// Endpoint overrides the SSM endpoint; empty means the SDK's resolution.
	Endpoint string `yaml:"endpoint"`
	// STSEndpoint overrides the STS endpoint used to assume roles.
	STSEndpoint string `yaml:"sts_endpoint"`
	// RoleARN, or RoleARNs for several: roles to assume; none means the
	// default credential chain.
	RoleARN     string   `yaml:"role_arn"`
	RoleARNs    []string `yaml:"role_arns"`
	ExternalID  string   `yaml:"external_id"`
	SessionName string   `yaml:"session_name"` // default "ssm_automation_exporter"
	// Executions are static execution ids.
	Executions []Execution `yaml:"executions"`
	// Discovery rules find executions with DescribeAutomationExecutions.
	Discovery []DiscoveryRule `yaml:"discovery"`
	// Details is steps (default), executions or none.
	Details string `yaml:"details"`
	// MinRefreshInterval lets scrapes within it reuse the last result. Default 0.
	MinRefreshInterval time.Duration `yaml:"min_refresh_interval"`
	// Limits cap what one target may export.
	Limits Limits `yaml:"limits"`
	// Events, when set, name the SQS queue of the target's events.
	Events Events `yaml:"events"`

	// Line is the line of the target in the file (0 when built in code).
	Line int `yaml:"-"`
}

// Limits cap the work and the series of one target.
type Limits struct {
	// MaxExecutions caps the executions tracked per target. Default 1000.
	MaxExecutions int `yaml:"max_executions"`
	// MaxStepsPerExecution caps the step executions kept per execution. Default 5000.
	MaxStepsPerExecution int `yaml:"max_steps_per_execution"`
	// MaxLabelLength cuts longer label values. Default 128.
	MaxLabelLength int `yaml:"max_label_length"`
}

// Execution is one static execution id with optional step filters.
type Execution struct {
	ID      string   `yaml:"id"`
	Filters []Filter `yaml:"filters"`
}

// Filter is a StepExecutionFilter or an AutomationExecutionFilter.
type Filter struct {
	Key    string   `yaml:"key"`
	Values []string `yaml:"values"`
}

// DiscoveryRule finds executions with DescribeAutomationExecutions.
type DiscoveryRule struct {
	// Name is the `rule` label; default "rule<index>" (rule0, rule1, ...).
	Name               string `yaml:"name"`
	DocumentNamePrefix string `yaml:"document_name_prefix"`
	// Statuses filter on ExecutionStatus; default every status.
	Statuses []string `yaml:"statuses"`
	// Lookback sets StartTimeAfter = now - lookback. Default 24h.
	Lookback        time.Duration `yaml:"lookback"`
	TagKey          string        `yaml:"tag_key"`
	AutomationType  string        `yaml:"automation_type"`
	IncludeChildren bool          `yaml:"include_children"`
	// MaxExecutions keeps the newest; the rest are counted. Default 200.
	MaxExecutions int `yaml:"max_executions"`
	// Filters are any other AutomationExecutionFilterKey.
	Filters []Filter `yaml:"filters"`
	// StepFilters are DescribeAutomationStepExecutions filters for what the rule finds.
	StepFilters []Filter `yaml:"step_filters"`
}

// ExpandedTarget is one (role, region) of a target, ready for a client.
type ExpandedTarget struct {
	// Name is the target label: the target's name, then "/<account id>" when
	// it lists several role_arns and "/<region>" when it lists several regions.
	Name string
	// Parent is the configured target name.
	Parent    string
	Region    string
	RoleARN   string // "" for the default credential chain
	AccountID string // from RoleARN; "" when no role is assumed
	Target    *Target
}
