package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultSessionName is the role session name when session_name is unset.
const DefaultSessionName = "ssm_automation_exporter"

// Defaults filled in by Parse for keys left unset.
var (
	DefaultAPI = API{
		RequestsPerSecond: 5,
		Burst:             10,
		MaxConcurrency:    4,
		CallTimeout:       10 * time.Second,
		MaxAttempts:       5,
		MaxResponseBytes:  16 << 20,
	}
	DefaultLimits = Limits{
		MaxExecutions:        1000,
		MaxStepsPerExecution: 5000,
		MaxLabelLength:       128,
	}
	DefaultLookback          = 24 * time.Hour
	DefaultRuleMaxExecutions = 200
)

// Load reads and parses the configuration file at path. A file that cannot
// be read gives the error of the read, wrapped; a file that is not a valid
// configuration gives Errors, as Parse does.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	return Parse(data)
}

// Parse decodes and validates a configuration, strictly: unknown and
// repeated keys are errors. On failure the error is Errors, holding every
// problem found with its line and path. On success every unset key holds its
// default and each Target its line.
func Parse(data []byte) (*Config, error) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	d := newDecoder()
	if root != nil {
		d.budget(root)
		d.decode(root, reflect.ValueOf(c).Elem(), "", 0)
	}
	v := &validator{decoder: d}
	v.config(c)
	if len(d.probs) > 0 {
		sortProblems(d.probs)
		return nil, d.probs
	}
	c.setDefaults()
	for i := range c.Targets {
		c.Targets[i].Line = v.line(indexed("targets", i))
	}
	return c, nil
}

// parseYAML returns the content of the file's only document, or nil for an
// empty file.
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, Errors{syntaxProblem(err)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, Errors{syntaxProblem(err)}
	default:
		return nil, Errors{{Line: extra.Line, Message: "only one YAML document is allowed"}}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func (c *Config) setDefaults() {
	setDefault(&c.API.RequestsPerSecond, DefaultAPI.RequestsPerSecond)
	setDefault(&c.API.Burst, DefaultAPI.Burst)
	setDefault(&c.API.MaxConcurrency, DefaultAPI.MaxConcurrency)
	setDefault(&c.API.CallTimeout, DefaultAPI.CallTimeout)
	setDefault(&c.API.MaxAttempts, DefaultAPI.MaxAttempts)
	setDefault(&c.API.MaxResponseBytes, DefaultAPI.MaxResponseBytes)
	for i := range c.Targets {
		t := &c.Targets[i]
		setDefault(&t.SessionName, DefaultSessionName)
		setDefault(&t.Details, DetailsSteps)
		setDefault(&t.Limits.MaxExecutions, DefaultLimits.MaxExecutions)
		setDefault(&t.Limits.MaxStepsPerExecution, DefaultLimits.MaxStepsPerExecution)
		setDefault(&t.Limits.MaxLabelLength, DefaultLimits.MaxLabelLength)
		for j := range t.Discovery {
			r := &t.Discovery[j]
			setDefault(&r.Name, defaultRuleName(j))
			setDefault(&r.Lookback, DefaultLookback)
			setDefault(&r.MaxExecutions, DefaultRuleMaxExecutions)
		}
	}
}

// setDefault sets *p to def when *p is the zero value. Validation has
// already rejected an explicit zero wherever zero is not allowed.
func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

func defaultRuleName(i int) string {
	return fmt.Sprintf("rule%d", i)
}

func indexed(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}
