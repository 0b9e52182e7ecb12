package ssmsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// Scenario is a simulator data file: the scenario's clock, generator runs
// and hand-written executions by account and region.
type Scenario struct {
	Now      time.Time          `yaml:"now"`
	Generate []ScenarioGenerate `yaml:"generate"`
	Accounts []ScenarioAccount  `yaml:"accounts"`
}

// ScenarioGenerate is one Generate run; Now is the scenario's clock.
type ScenarioGenerate struct {
	Seed            int64         `yaml:"seed"`
	Executions      int           `yaml:"executions"`
	Steps           int           `yaml:"steps"`
	Account         string        `yaml:"account"`
	Region          string        `yaml:"region"`
	RunningFraction float64       `yaml:"running_fraction"`
	Spread          time.Duration `yaml:"spread"`
}

// ScenarioAccount holds one account's executions by region.
type ScenarioAccount struct {
	ID      string           `yaml:"id"`
	Regions []ScenarioRegion `yaml:"regions"`
}

// ScenarioRegion holds the executions of one region.
type ScenarioRegion struct {
	Name       string       `yaml:"name"`
	Executions []*Execution `yaml:"executions"`
}

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// ParseScenario decodes a scenario strictly (unknown fields are errors) and
// validates it; errors name the line they concern.
func ParseScenario(data []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if err := scenarioTimes(&root); err != nil {
		return nil, err
	}
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("scenario is empty")
		}
		return nil, err
	}
	c := scenarioCheck{root: &root, ids: map[string]bool{}}
	c.scenario(&sc)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	return &sc, nil
}

// Apply runs the scenario's generator entries and puts its executions into store.
func (sc *Scenario) Apply(store *Store) error {
	for _, a := range sc.Accounts {
		for _, r := range a.Regions {
			for _, e := range r.Executions {
				if store.Get(a.ID, r.Name, e.ID) != nil {
					return fmt.Errorf("execution %s already exists in account %s region %s", e.ID, a.ID, r.Name)
				}
				store.Put(a.ID, r.Name, e.Clone())
			}
		}
	}
	for _, g := range sc.Generate {
		Generate(store, GenOptions{
			Seed: g.Seed, Executions: g.Executions, StepsPerExecution: g.Steps,
			Account: g.Account, Region: g.Region, Now: sc.Now,
			RunningFraction: g.RunningFraction, Spread: g.Spread,
		})
	}
	return nil
}

var (
	scenarioAccountRe  = regexp.MustCompile(`^[0-9]{12}$`)
	scenarioRegionRe   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	scenarioDocumentRe = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	// The model's pattern stops at 25 letters, shorter than the real
	// aws:waitForAwsResourceProperty, so names may be longer here.
	scenarioActionRe = regexp.MustCompile(`^aws:[a-zA-Z]{3,40}$`)
)

// scenarioStatuses is the AutomationExecutionStatus enum; true marks the
// statuses of a finished execution, which must have an end time.
var scenarioStatuses = map[string]bool{
	"Pending": false, "InProgress": false, "Waiting": false, "Success": true, "TimedOut": true,
	"Cancelling": false, "Cancelled": true, "Failed": true, "PendingApproval": false,
	"Approved": false, "Rejected": true, "Scheduled": false, "RunbookInProgress": false,
	"PendingChangeCalendarOverride": false, "ChangeCalendarOverrideApproved": false,
	"ChangeCalendarOverrideRejected": true, "CompletedWithSuccess": true,
	"CompletedWithFailure": true, "Exited": true,
}

type scenarioCheck struct {
	root *yaml.Node
	ids  map[string]bool // execution and step execution ids seen so far
	errs []error
}

func (c *scenarioCheck) fail(path []any, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("line %d: %s", scenarioLine(c.root, path), fmt.Sprintf(format, args...)))
}

func (c *scenarioCheck) scenario(sc *Scenario) {
	if sc.Now.IsZero() {
		c.fail(nil, "now is required")
	}
	for i, g := range sc.Generate {
		p := []any{"generate", i}
		switch {
		case g.Executions <= 0:
			c.fail(p, "executions must be positive")
		case g.Steps < 0:
			c.fail(p, "steps must not be negative")
		case g.Account != "" && !scenarioAccountRe.MatchString(g.Account):
			c.fail(append(p, "account"), "account %q is not a 12-digit account id", g.Account)
		case g.RunningFraction > 1:
			c.fail(append(p, "running_fraction"), "running_fraction must not exceed 1")
		}
	}
	accounts := map[string]bool{}
	for i, a := range sc.Accounts {
		p := []any{"accounts", i}
		if !scenarioAccountRe.MatchString(a.ID) || accounts[a.ID] {
			c.fail(append(p, "id"), "account id %q is not a new 12-digit account id", a.ID)
		}
		accounts[a.ID] = true
		regions := map[string]bool{}
		for j, r := range a.Regions {
			rp := append(p, "regions", j)
			if !scenarioRegionRe.MatchString(r.Name) || regions[r.Name] {
				c.fail(append(rp, "name"), "region %q is not a new region name", r.Name)
			}
			regions[r.Name] = true
			for k, e := range r.Executions {
				c.execution(append(rp, "executions", k), e)
			}
		}
	}
}

func (c *scenarioCheck) execution(p []any, e *Execution) {
	at := func(field string) []any { return append(append([]any(nil), p...), field) }
	c.newID(at("id"), "execution id", e.ID)
	if !scenarioDocumentRe.MatchString(e.DocumentName) {
		c.fail(at("document_name"), "document_name %q is not a document name", e.DocumentName)
	}
	finished, ok := scenarioStatuses[e.Status]
	switch {
	case !ok:
		c.fail(at("status"), "status %q is not an AutomationExecutionStatus", e.Status)
	case e.StartTime.IsZero():
		c.fail(p, "start_time is required")
	case finished && e.EndTime.IsZero():
		c.fail(at("status"), "a %s execution needs an end_time", e.Status)
	case finished && e.EndTime.Before(e.StartTime):
		c.fail(at("end_time"), "end_time is before start_time")
	case !finished && !e.EndTime.IsZero():
		c.fail(at("end_time"), "a %s execution has no end_time", e.Status)
	}
	if e.ParentExecutionID != "" && len(e.ParentExecutionID) != 36 {
		c.fail(at("parent_execution_id"), "parent_execution_id %q must be 36 characters", e.ParentExecutionID)
	}
	c.enum(at("automation_type"), &e.AutomationType, "Local", "CrossAccount")
	c.enum(at("mode"), &e.Mode, "Auto", "Interactive")
	c.alarms(at("triggered_alarms"), e.TriggeredAlarms)
	steps := map[string]bool{}
	for i, st := range e.Steps {
		sp := append(at("steps"), i)
		c.step(sp, st, steps)
		steps[st.StepExecutionID] = true
	}
}

func (c *scenarioCheck) step(p []any, st *Step, earlier map[string]bool) {
	at := func(field string) []any { return append(append([]any(nil), p...), field) }
	c.newID(at("step_execution_id"), "step_execution_id", st.StepExecutionID)
	if st.StepName == "" {
		c.fail(p, "step_name is required")
	}
	if !scenarioActionRe.MatchString(st.Action) {
		c.fail(at("action"), "action %q is not an automation action name", st.Action)
	}
	if _, ok := scenarioStatuses[st.Status]; !ok {
		c.fail(at("status"), "status %q is not an AutomationExecutionStatus", st.Status)
	}
	if !st.StartTime.IsZero() && !st.EndTime.IsZero() && st.EndTime.Before(st.StartTime) {
		c.fail(at("end_time"), "end_time is before start_time")
	}
	if ps := st.ParentStepDetails; ps != nil && !earlier[ps.StepExecutionID] {
		c.fail(at("parent_step_details"), "parent step %q is not an earlier step of this execution", ps.StepExecutionID)
	}
	c.alarms(at("triggered_alarms"), st.TriggeredAlarms)
}

func (c *scenarioCheck) newID(p []any, what, id string) {
	switch {
	case len(id) != 36:
		c.fail(p, "%s %q must be 36 characters", what, id)
	case c.ids[id]:
		c.fail(p, "duplicate %s %q", what, id)
	}
	c.ids[id] = true
}

// enum checks *v against values and sets it to the first one when empty.
func (c *scenarioCheck) enum(p []any, v *string, values ...string) {
	if *v == "" {
		*v = values[0]
		return
	}
	for _, ok := range values {
		if *v == ok {
			return
		}
	}
	c.fail(p, "%q is not one of %q", *v, values)
}

func (c *scenarioCheck) alarms(p []any, alarms []Alarm) {
	if len(alarms) > 1 {
		c.fail(p, "at most one triggered alarm is allowed")
	}
	for _, a := range alarms {
		if a.Name == "" || (a.State != "ALARM" && a.State != "UNKNOWN") {
			c.fail(p, "a triggered alarm needs a name and the state ALARM or UNKNOWN")
		}
	}
}

// scenarioLine is the line of the node at path (mapping keys and sequence
// indices), or of the deepest node on the way that exists.
func scenarioLine(root *yaml.Node, path []any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, step := range path {
		var next *yaml.Node
		switch k := step.(type) {
		case string:
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

// scenarioTimes checks that every time field holds an RFC 3339 time, which
// the decoder would reject without saying where.
func scenarioTimes(n *yaml.Node) error {
	for i, child := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 1 && child.Kind == yaml.ScalarNode && child.Tag != "!!null" {
			switch key := n.Content[i-1].Value; key {
			case "now", "start_time", "end_time":
				if _, err := time.Parse(time.RFC3339Nano, child.Value); err != nil {
					return fmt.Errorf("line %d: %s %q is not an RFC 3339 time", child.Line, key, child.Value)
				}
			}
		}
		if err := scenarioTimes(child); err != nil {
			return err
		}
	}
	return nil
}
