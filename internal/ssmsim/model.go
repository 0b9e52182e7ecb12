package ssmsim

import (
	"sort"
	"sync"
	"time"
)

// Execution is one Automation execution as the simulator stores it. Field
// names follow the AutomationExecutionMetadata shape of the service model.
type Execution struct {
	ID                string              `yaml:"id"`
	DocumentName      string              `yaml:"document_name"`
	DocumentVersion   string              `yaml:"document_version"`
	Status            string              `yaml:"status"`
	StartTime         time.Time           `yaml:"start_time"`
	EndTime           time.Time           `yaml:"end_time"` // zero while running
	ParentExecutionID string              `yaml:"parent_execution_id"`
	AutomationType    string              `yaml:"automation_type"` // Local or CrossAccount
	Mode              string              `yaml:"mode"`            // Auto or Interactive
	ExecutedBy        string              `yaml:"executed_by"`
	Target            string              `yaml:"target"`
	CurrentStepName   string              `yaml:"current_step_name"`
	CurrentAction     string              `yaml:"current_action"`
	FailureMessage    string              `yaml:"failure_message"`
	Tags              map[string]string   `yaml:"tags"`
	TriggeredAlarms   []Alarm             `yaml:"triggered_alarms"`
	Outputs           map[string][]string `yaml:"outputs"`
	Steps             []*Step             `yaml:"steps"`
}

// Alarm is the AlarmStateInformation shape.
type Alarm struct {
	Name  string `yaml:"name"`
	State string `yaml:"state"` // ALARM or UNKNOWN
}

// FailureDetails is the FailureDetails shape.
type FailureDetails struct {
	FailureStage string              `yaml:"stage"`
	FailureType  string              `yaml:"type"`
	Details      map[string][]string `yaml:"details"`
}

// ParentStepDetails is the ParentStepDetails shape (set on steps run by aws:loop).
type ParentStepDetails struct {
	StepExecutionID string `yaml:"step_execution_id"`
	StepName        string `yaml:"step_name"`
	Action          string `yaml:"action"`
	Iteration       int32  `yaml:"iteration"`
	IteratorValue   string `yaml:"iterator_value"`
}

// Target is the Target shape.
type Target struct {
	Key    string   `yaml:"key"`
	Values []string `yaml:"values"`
}

// TargetLocation is the subset of the TargetLocation shape the simulator keeps.
type TargetLocation struct {
	Accounts                     []string `yaml:"accounts"`
	Regions                      []string `yaml:"regions"`
	ExecutionRoleName            string   `yaml:"execution_role_name"`
	TargetLocationMaxConcurrency string   `yaml:"max_concurrency"`
	TargetLocationMaxErrors      string   `yaml:"max_errors"`
	AlarmNames                   []string `yaml:"alarm_names"` // TargetLocationAlarmConfiguration.Alarms
	IgnorePollAlarmFailure       bool     `yaml:"ignore_poll_alarm_failure"`
}

// Step is one step execution: every member of the StepExecution shape.
type Step struct {
	StepExecutionID      string              `yaml:"step_execution_id"`
	StepName             string              `yaml:"step_name"`
	Action               string              `yaml:"action"`
	TimeoutSeconds       *int64              `yaml:"timeout_seconds"`
	OnFailure            string              `yaml:"on_failure"`
	MaxAttempts          *int32              `yaml:"max_attempts"`
	StartTime            time.Time           `yaml:"start_time"` // zero while Pending
	EndTime              time.Time           `yaml:"end_time"`   // zero until it ends
	Status               string              `yaml:"status"`
	ResponseCode         string              `yaml:"response_code"`
	Inputs               map[string]string   `yaml:"inputs"`
	Outputs              map[string][]string `yaml:"outputs"`
	Response             string              `yaml:"response"`
	FailureMessage       string              `yaml:"failure_message"`
	FailureDetails       *FailureDetails     `yaml:"failure_details"`
	OverriddenParameters map[string][]string `yaml:"overridden_parameters"`
	IsEnd                *bool               `yaml:"is_end"`
	NextStep             string              `yaml:"next_step"`
	IsCritical           *bool               `yaml:"is_critical"`
	ValidNextSteps       []string            `yaml:"valid_next_steps"`
	Targets              []Target            `yaml:"targets"`
	TargetLocation       *TargetLocation     `yaml:"target_location"`
	TriggeredAlarms      []Alarm             `yaml:"triggered_alarms"`
	ParentStepDetails    *ParentStepDetails  `yaml:"parent_step_details"`
}

// Store holds executions by account and region. It is safe for concurrent use.
type Store struct {
	mu   sync.RWMutex
	data map[string]map[string]map[string]*Execution // account -> region -> id -> execution
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{data: map[string]map[string]map[string]*Execution{}}
}

// Put adds or replaces an execution in an account and region.
func (s *Store) Put(account, region string, e *Execution) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byRegion := s.data[account]
	if byRegion == nil {
		byRegion = map[string]map[string]*Execution{}
		s.data[account] = byRegion
	}
	byID := byRegion[region]
	if byID == nil {
		byID = map[string]*Execution{}
		byRegion[region] = byID
	}
	byID[e.ID] = e
}

// Delete removes an execution; it reports whether it existed.
func (s *Store) Delete(account, region, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := s.data[account][region]
	if _, ok := byID[id]; !ok {
		return false
	}
	delete(byID, id)
	return true
}

// Get returns a deep copy of one execution, or nil.
func (s *Store) Get(account, region, id string) *Execution {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.data[account][region][id]
	if e == nil {
		return nil
	}
	return e.Clone()
}

// List returns deep copies of every execution in an account and region,
// newest start time first (ties broken by id), as DescribeAutomationExecutions lists them.
func (s *Store) List(account, region string) []*Execution {
	return s.list(account, region, (*Execution).Clone)
}

// ListMetadata is List without the step executions, which
// DescribeAutomationExecutions does not answer with: copying every step of
// every execution for each page would cost the simulator more than all
// the rest of a scrape.
func (s *Store) ListMetadata(account, region string) []*Execution {
	return s.list(account, region, (*Execution).cloneMetadata)
}

func (s *Store) list(account, region string, clone func(*Execution) *Execution) []*Execution {
	s.mu.RLock()
	out := make([]*Execution, 0, len(s.data[account][region]))
	for _, e := range s.data[account][region] {
		out = append(out, clone(e))
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartTime.Equal(out[j].StartTime) {
			return out[i].StartTime.After(out[j].StartTime)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Update runs fn on every stored execution under the write lock (used by live mode).
func (s *Store) Update(fn func(account, region string, e *Execution)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for account, byRegion := range s.data {
		for region, byID := range byRegion {
			for _, e := range byID {
				fn(account, region, e)
			}
		}
	}
}

// cloneMetadata returns a copy of the execution without its steps.
func (e *Execution) cloneMetadata() *Execution {
	c := *e
	c.Steps = nil
	c.TriggeredAlarms = append([]Alarm(nil), e.TriggeredAlarms...)
	return &c
}

// Clone returns a deep copy of the execution and its steps.
func (e *Execution) Clone() *Execution {
	c := *e
	c.Steps = make([]*Step, len(e.Steps))
	for i, st := range e.Steps {
		sc := *st
		c.Steps[i] = &sc
	}
	c.TriggeredAlarms = append([]Alarm(nil), e.TriggeredAlarms...)
	return &c
}
