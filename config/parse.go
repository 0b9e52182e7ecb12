package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
		RefreshTimeout:    5 * time.Minute,
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

// MaxFileBytes is the largest configuration file Load reads: 1 MiB, room
// for some 20,000 static execution ids, where the example is 6 KB. It
// bounds the time and memory of a load, which grow with the file: a MiB of
// junk (BenchmarkParseJunk) takes under a second and some 200 MB of
// allocations.
const MaxFileBytes = 1 << 20

// Load reads and parses the configuration file at path. A file that cannot
// be read, or is larger than MaxFileBytes, gives an error naming the file,
// wrapped; a file that is not a valid configuration gives Errors, as Parse
// does.
func Load(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	return Parse(data)
}

// ErrTooLarge is the error of a file larger than MaxFileBytes.
var ErrTooLarge = fmt.Errorf("file is larger than the limit of %d bytes (1 MiB)", MaxFileBytes)

// readFile reads at most MaxFileBytes of the file at path, and fails with
// ErrTooLarge if there is more, reading only one byte more to tell.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	switch {
	case err != nil:
		return nil, err // a *fs.PathError already
	case len(data) > MaxFileBytes:
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	return data, nil
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
	if errs := d.probs.errors(); errs != nil {
		return nil, errs
	}
	c.setDefaults()
	for i := range c.Targets {
		c.Targets[i].Line = v.line(indexed("targets", i))
		c.Targets[i].eventDefaults(v.isSet(indexed("targets", i) + ".events.visibility_timeout"))
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
	setDefault(&c.API.RefreshTimeout, DefaultAPI.RefreshTimeout)
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
