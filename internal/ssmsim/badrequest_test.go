package ssmsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// nextTokenOf requests one step of an execution and returns the NextToken.
func nextTokenOf(t *testing.T, url, body string) string {
	t.Helper()
	resp := rawCall(t, url, rawHeaders("DescribeAutomationStepExecutions"), body)
	var out struct{ NextToken string }
	if err := json.Unmarshal(resp.body, &out); err != nil || out.NextToken == "" {
		t.Fatalf("no NextToken in %d %s", resp.status, resp.body)
	}
	return out.NextToken
}

func filtersJSON(n, values, valueLen int) string {
	vals := make([]string, values)
	for i := range vals {
		vals[i] = fmt.Sprintf("%q", strings.Repeat("x", valueLen))
	}
	fs := make([]string, n)
	for i := range fs {
		fs[i] = `{"Key":"StepName","Values":[` + strings.Join(vals, ",") + `]}`
	}
	return `[` + strings.Join(fs, ",") + `]`
}

func TestBadRequests(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	putSteps(store, simExecID(2), simSteps(3))
	url, _ := NewTestServer(t, store, Options{MaxBodyBytes: 4096})
	id1 := `"AutomationExecutionId":"` + simExecID(1) + `"`
	steps := "DescribeAutomationStepExecutions"
	withHeader := func(k, v string) map[string]string {
		h := rawHeaders(steps)
		h[k] = v
		return h
	}
	cases := []badCase{
		{"malformed JSON", nil, `{` + id1 + `,`, 400, codeSerialization},
		{"not an object", nil, `["x"]`, 400, codeSerialization},
		{"trailing data", nil, `{` + id1 + `} {}`, 400, codeSerialization},
		{"wrong member type", nil, `{` + id1 + `,"MaxResults":"5"}`, 400, codeSerialization},
		{"wrong content type", withHeader("Content-Type", "application/json"), `{` + id1 + `}`, 400, codeUnknownOperation},
		{"no content type", withHeader("Content-Type", ""), `{` + id1 + `}`, 400, codeUnknownOperation},
		{"missing target", withHeader("X-Amz-Target", ""), `{` + id1 + `}`, 400, codeUnknownOperation},
		{"unknown operation", withHeader("X-Amz-Target", "AmazonSSM.StartAutomationExecution"), `{}`, 400, codeUnknownOperation},
		{"other service's target", withHeader("X-Amz-Target", "DynamoDB_20120810.ListTables"), `{}`, 400, codeUnknownOperation},
		{"missing authorization", withHeader("Authorization", ""), `{` + id1 + `}`, 400, codeMissingAuth},
		{"garbled authorization", withHeader("Authorization", "AWS4-HMAC-SHA256 Credential=oops"), `{` + id1 + `}`, 400, codeIncompleteSignature},
		{"other scheme", withHeader("Authorization", "Bearer abc"), `{` + id1 + `}`, 400, codeIncompleteSignature},
		{"no date", withHeader("X-Amz-Date", ""), `{` + id1 + `}`, 400, codeIncompleteSignature},
		{"oversized body", nil, `{` + id1 + `,"NextToken":"` + strings.Repeat("x", 5000) + `"}`, 413, codeTooLarge},
		{"MaxResults 0", nil, `{` + id1 + `,"MaxResults":0}`, 400, codeValidation},
		{"MaxResults 51", nil, `{` + id1 + `,"MaxResults":51}`, 400, codeValidation},
		{"MaxResults 1", nil, `{` + id1 + `,"MaxResults":1}`, 200, ""},
		{"MaxResults 50", nil, `{` + id1 + `,"MaxResults":50}`, 200, ""},
		{"missing id", nil, `{}`, 400, codeValidation},
		{"empty body", nil, ``, 400, codeValidation},
		{"id of 35 characters", nil, `{"AutomationExecutionId":"` + simExecID(1)[1:] + `"}`, 400, codeValidation},
		{"id of 37 characters", nil, `{"AutomationExecutionId":"` + simExecID(1) + `0"}`, 400, codeValidation},
		{"unknown id", nil, `{"AutomationExecutionId":"` + simExecID(3) + `"}`, 400, codeNotFound},
		{"6 filters", nil, `{` + id1 + `,"Filters":` + filtersJSON(6, 1, 5) + `}`, 200, ""},
		{"7 filters", nil, `{` + id1 + `,"Filters":` + filtersJSON(7, 1, 5) + `}`, 400, codeValidation},
		{"no filters", nil, `{` + id1 + `,"Filters":[]}`, 400, codeValidation},
		{"10 values", nil, `{` + id1 + `,"Filters":` + filtersJSON(1, 10, 5) + `}`, 200, ""},
		{"11 values", nil, `{` + id1 + `,"Filters":` + filtersJSON(1, 11, 5) + `}`, 400, codeValidation},
		{"no values", nil, `{` + id1 + `,"Filters":` + filtersJSON(1, 0, 5) + `}`, 400, codeValidation},
		{"150-character value", nil, `{` + id1 + `,"Filters":` + filtersJSON(1, 1, 150) + `}`, 200, ""},
		{"151-character value", nil, `{` + id1 + `,"Filters":` + filtersJSON(1, 1, 151) + `}`, 400, codeValidation},
		{"empty value", nil, `{` + id1 + `,"Filters":` + filtersJSON(1, 1, 0) + `}`, 400, codeValidation},
		{"filter without key", nil, `{` + id1 + `,"Filters":[{"Values":["a"]}]}`, 400, codeValidation},
		{"unknown key", nil, `{` + id1 + `,"Filters":[{"Key":"Colour","Values":["a"]}]}`, 400, codeInvalidFilterKey},
		{"unknown status", nil, `{` + id1 + `,"Filters":[{"Key":"StepExecutionStatus","Values":["Success","Done"]}]}`, 400, codeInvalidFilterValue},
		{"bad time", nil, `{` + id1 + `,"Filters":[{"Key":"StartTimeBefore","Values":["2024-13-01T00:00:00Z"]}]}`, 400, codeInvalidFilterValue},
		{"non-numeric iteration", nil, `{` + id1 + `,"Filters":[{"Key":"ParentStepIteration","Values":["two"]}]}`, 400, codeInvalidFilterValue},
	}
	runBadCases(t, url, cases)
}

// badCase is a hand-made DescribeAutomationStepExecutions request and the
// answer it must get; nil headers are those of a well-formed request.
type badCase struct {
	name    string
	headers map[string]string
	body    string
	status  int
	errType string
}

func runBadCases(t *testing.T, url string, cases []badCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.headers
			if h == nil {
				h = rawHeaders("DescribeAutomationStepExecutions")
			}
			resp := rawCall(t, url, h, tc.body)
			if resp.status != tc.status || resp.errTyp != tc.errType {
				t.Fatalf("got %d %q, want %d %q; body %s", resp.status, resp.errTyp, tc.status, tc.errType, resp.body)
			}
			checkResponseHeaders(t, resp)
		})
	}
}

func TestBadNextTokens(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(3))
	putSteps(store, simExecID(2), simSteps(3))
	url, _ := NewTestServer(t, store, Options{})
	otherURL, _ := NewTestServer(t, store, Options{})
	id1 := `"AutomationExecutionId":"` + simExecID(1) + `"`
	token := nextTokenOf(t, url, `{`+id1+`,"MaxResults":1}`)
	flipped := "A"
	if token[10] == 'A' {
		flipped = "B"
	}
	tampered := token[:10] + flipped + token[11:]
	foreign := nextTokenOf(t, url, `{"AutomationExecutionId":"`+simExecID(2)+`","MaxResults":1}`)
	reversed := nextTokenOf(t, url, `{`+id1+`,"MaxResults":1,"ReverseOrder":true}`)
	otherServer := nextTokenOf(t, otherURL, `{`+id1+`,"MaxResults":1}`)
	runBadCases(t, url, []badCase{
		{"tampered token", nil, `{` + id1 + `,"NextToken":"` + tampered + `"}`, 400, codeInvalidNextToken},
		{"garbage token", nil, `{` + id1 + `,"NextToken":"!!!"}`, 400, codeInvalidNextToken},
		{"token of another execution", nil, `{` + id1 + `,"NextToken":"` + foreign + `"}`, 400, codeInvalidNextToken},
		{"token of another order", nil, `{` + id1 + `,"NextToken":"` + reversed + `"}`, 400, codeInvalidNextToken},
		{"token of other filters", nil, `{` + id1 + `,"Filters":[{"Key":"StepName","Values":["step1"]}],"NextToken":"` + token + `"}`, 400, codeInvalidNextToken},
		{"token of another simulator", nil, `{` + id1 + `,"NextToken":"` + otherServer + `"}`, 400, codeInvalidNextToken},
		{"token of the request", nil, `{` + id1 + `,"MaxResults":2,"NextToken":"` + token + `"}`, 200, ""},
	})
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkResponseHeaders asserts what every SSM answer carries.
func checkResponseHeaders(t *testing.T, resp rawResponse) {
	t.Helper()
	if ct := resp.header.Get("Content-Type"); ct != jsonContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	if id := resp.header.Get("x-amzn-RequestId"); !requestIDPattern.MatchString(id) {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", id)
	}
	if resp.status != http.StatusOK && resp.header.Get("X-Amzn-ErrorType") != resp.errTyp {
		t.Errorf("X-Amzn-ErrorType = %q, body __type %q", resp.header.Get("X-Amzn-ErrorType"), resp.errTyp)
	}
}

func TestExecutionListingBadRequests(t *testing.T) {
	url, _ := NewTestServer(t, nil, Options{})
	filters := func(n int) string {
		fs := make([]string, n)
		for i := range fs {
			fs[i] = `{"Key":"ExecutionStatus","Values":["Success"]}`
		}
		return `{"Filters":[` + strings.Join(fs, ",") + `]}`
	}
	for _, tc := range []struct {
		name, body, errType string
	}{
		{"10 filters", filters(10), ""},
		{"11 filters", filters(11), codeValidation},
		{"unknown status", `{"Filters":[{"Key":"ExecutionStatus","Values":["Sleeping"]}]}`, codeInvalidFilterValue},
		{"unknown type", `{"Filters":[{"Key":"AutomationType","Values":["Remote"]}]}`, codeInvalidFilterValue},
		{"unknown subtype", `{"Filters":[{"Key":"AutomationSubtype","Values":["Other"]}]}`, codeInvalidFilterValue},
		{"step key", `{"Filters":[{"Key":"StepName","Values":["a"]}]}`, codeInvalidFilterKey},
		{"MaxResults 51", `{"MaxResults":51}`, codeValidation},
		{"garbage token", `{"NextToken":"abc"}`, codeInvalidNextToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawCall(t, url, rawHeaders("DescribeAutomationExecutions"), tc.body)
			if resp.errTyp != tc.errType {
				t.Fatalf("got %d %q, want %q; body %s", resp.status, resp.errTyp, tc.errType, resp.body)
			}
		})
	}
}

func TestValidationMessages(t *testing.T) {
	url, _ := NewTestServer(t, nil, Options{})
	for _, tc := range []struct{ op, body, want string }{
		{"DescribeAutomationStepExecutions", `{"AutomationExecutionId":"` + simExecID(1) + `","MaxResults":51}`,
			"1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"GetAutomationExecution", `{}`,
			"1 validation error detected: Value null at 'automationExecutionId' failed to satisfy constraint: Member must not be null"},
		{"DescribeAutomationStepExecutions", `{"AutomationExecutionId":"short","MaxResults":0}`,
			"2 validation errors detected: Value 'short' at 'automationExecutionId' failed to satisfy constraint: Member must have length greater than or equal to 36; " +
				"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		resp := rawCall(t, url, rawHeaders(tc.op), tc.body)
		var e errorBody
		if err := json.Unmarshal(resp.body, &e); err != nil || e.Message != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.op, tc.body, e.Message, tc.want)
		}
	}
}
