package ssmsim

// maxExecutionFilters is the AutomationExecutionFilterList maximum.
const maxExecutionFilters = 10

type describeExecutionsInput struct {
	Filters    []wireFilter `json:"Filters"`
	MaxResults *int64       `json:"MaxResults"`
	NextToken  *string      `json:"NextToken"`
}

type describeExecutionsOutput struct {
	AutomationExecutionMetadataList []executionMetadataJSON `json:"AutomationExecutionMetadataList,omitempty"`
	NextToken                       string                  `json:"NextToken,omitempty"`
}

type getExecutionInput struct {
	AutomationExecutionID *string `json:"AutomationExecutionId"`
}

type getExecutionOutput struct {
	AutomationExecution automationExecutionJSON `json:"AutomationExecution"`
}

// executionKey orders executions newest start first, ties by id, as
// Store.List returns them.
type executionKey struct {
	start int64
	id    string
}

func executionKeyOf(e *Execution) executionKey {
	return executionKey{start: e.StartTime.UnixNano(), id: e.ID}
}

func (a executionKey) before(b executionKey) bool {
	if a.start != b.start {
		return a.start > b.start
	}
	return a.id < b.id
}

// describeExecutions answers DescribeAutomationExecutions.
func (s *Server) describeExecutions(c *call) (any, *apiError) {
	var in describeExecutionsInput
	if err := decodeInput(c.body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkFilterShape(&v, in.Filters, maxExecutionFilters)
	size := checkPageSize(&v, in.MaxResults)
	if err := v.err(); err != nil {
		return nil, err
	}
	match, err := compileFilters(in.Filters, executionFilterKinds)
	if err != nil {
		return nil, err
	}
	hash := requestHash(c.op, c.account, c.region, in.Filters)
	var isAfter func(*Execution) bool
	if tok := stringOrEmpty(in.NextToken); tok != "" {
		cur, err := s.tokens.decode(tok, hash)
		if err != nil {
			return nil, err
		}
		ck := executionKey{start: cur.Time, id: cur.ID}
		isAfter = func(e *Execution) bool { return ck.before(executionKeyOf(e)) }
	}
	var matched []*Execution
	for _, e := range s.store.ListMetadata(c.account, c.region) {
		if match(e) {
			matched = append(matched, e)
		}
	}
	page, more := pageAfter(matched, isAfter, size)
	var out describeExecutionsOutput
	for _, e := range page {
		out.AutomationExecutionMetadataList = append(out.AutomationExecutionMetadataList, toMetadataJSON(e))
	}
	if more {
		last := executionKeyOf(page[len(page)-1])
		out.NextToken = s.tokens.encode(cursor{Hash: hash, Time: last.start, ID: last.id})
	}
	out.NextToken = s.faults.repeatToken(stringOrEmpty(in.NextToken), out.NextToken, s.metrics)
	return out, nil
}

// getExecution answers GetAutomationExecution with every step execution.
func (s *Server) getExecution(c *call) (any, *apiError) {
	var in getExecutionInput
	if err := decodeInput(c.body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkExecutionID(&v, in.AutomationExecutionID)
	if err := v.err(); err != nil {
		return nil, err
	}
	e := s.store.Get(c.account, c.region, *in.AutomationExecutionID)
	if e == nil {
		return nil, notFound(*in.AutomationExecutionID)
	}
	return getExecutionOutput{AutomationExecution: toAutomationExecutionJSON(e)}, nil
}
