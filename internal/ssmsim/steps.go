package ssmsim

import (
	"sort"
)

// maxStepFilters is the StepExecutionFilterList maximum.
const maxStepFilters = 6

type describeStepsInput struct {
	AutomationExecutionID *string      `json:"AutomationExecutionId"`
	Filters               []wireFilter `json:"Filters"`
	MaxResults            *int64       `json:"MaxResults"`
	NextToken             *string      `json:"NextToken"`
	ReverseOrder          *bool        `json:"ReverseOrder"`
}

type describeStepsOutput struct {
	StepExecutions []stepExecutionJSON `json:"StepExecutions,omitempty"`
	NextToken      string              `json:"NextToken,omitempty"`
}

// stepKey orders step executions: started steps by start time, then steps not
// started yet; ties in definition order.
type stepKey struct {
	pending bool
	start   int64
	index   int
}

func (a stepKey) before(b stepKey) bool {
	if a.pending != b.pending {
		return !a.pending
	}
	if a.start != b.start {
		return a.start < b.start
	}
	return a.index < b.index
}

type orderedStep struct {
	step *Step
	key  stepKey
}

// orderSteps returns the steps that match, in listing order.
func orderSteps(steps []*Step, match predicate[*Step], reverse bool) []orderedStep {
	var out []orderedStep
	for i, st := range steps {
		if !match(st) {
			continue
		}
		k := stepKey{pending: st.StartTime.IsZero(), index: i}
		if !k.pending {
			k.start = st.StartTime.UnixNano()
		}
		out = append(out, orderedStep{step: st, key: k})
	}
	sort.Slice(out, func(i, j int) bool {
		if reverse {
			return out[j].key.before(out[i].key)
		}
		return out[i].key.before(out[j].key)
	})
	return out
}

// describeStepExecutions answers DescribeAutomationStepExecutions.
func (s *Server) describeStepExecutions(c *call) (any, *apiError) {
	var in describeStepsInput
	if err := decodeInput(c.body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkExecutionID(&v, in.AutomationExecutionID)
	checkFilterShape(&v, in.Filters, maxStepFilters)
	size := checkPageSize(&v, in.MaxResults)
	if err := v.err(); err != nil {
		return nil, err
	}
	match, err := compileFilters(in.Filters, stepFilterKinds)
	if err != nil {
		return nil, err
	}
	id := *in.AutomationExecutionID
	e := s.store.Get(c.account, c.region, id)
	if e == nil {
		return nil, notFound(id)
	}
	reverse := in.ReverseOrder != nil && *in.ReverseOrder
	hash := requestHash(c.op, c.account, c.region, id, reverse, in.Filters)
	var isAfter func(orderedStep) bool
	if tok := stringOrEmpty(in.NextToken); tok != "" {
		cur, err := s.tokens.decode(tok, hash)
		if err != nil {
			return nil, err
		}
		ck := stepKey{pending: cur.Pending, start: cur.Time, index: cur.Index}
		isAfter = func(o orderedStep) bool {
			if reverse {
				return o.key.before(ck)
			}
			return ck.before(o.key)
		}
	}
	page, more := pageAfter(orderSteps(e.Steps, match, reverse), isAfter, size)
	var out describeStepsOutput
	for _, o := range page {
		out.StepExecutions = append(out.StepExecutions, toStepJSON(o.step))
	}
	if more {
		last := page[len(page)-1].key
		out.NextToken = s.tokens.encode(cursor{Hash: hash, Pending: last.pending, Time: last.start, Index: last.index})
	}
	out.NextToken = s.faults.repeatToken(stringOrEmpty(in.NextToken), out.NextToken, s.metrics)
	return out, nil
}

func notFound(id string) *apiError {
	return newAPIError(codeNotFound, "Automation execution %s not found.", id)
}

func stringOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
