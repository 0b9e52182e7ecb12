package ssmsim

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSimulatorMetrics(t *testing.T) {
	store := NewStore()
	putSteps(store, simExecID(1), simSteps(2))
	url, srv := NewTestServer(t, store, Options{})
	describe := `{"AutomationExecutionId":"` + simExecID(1) + `"}`
	rawCall(t, url, rawHeaders("DescribeAutomationStepExecutions"), describe)
	rawCall(t, url, rawHeaders("DescribeAutomationStepExecutions"), describe)
	rawCall(t, url, rawHeaders("GetAutomationExecution"), `{"AutomationExecutionId":"`+simExecID(2)+`"}`)
	rawCall(t, url, rawHeaders("DeleteParameter"), `{}`)
	rawCall(t, url, map[string]string{"Content-Type": formContentType}, "Action=AssumeRole&Version=2011-06-15")
	srv.SetFaults(Faults{ErrorRates: map[string]float64{codeInternal: 1}})
	rawCall(t, url, rawHeaders("DescribeAutomationExecutions"), `{}`)

	want := `
# HELP ssm_simulator_injected_faults_total Faults injected by the SSM simulator, by kind (an error code, Latency, MalformedBody, RepeatToken, WrongMD5, EventDrop, EventDuplicate or EventReorder).
# TYPE ssm_simulator_injected_faults_total counter
ssm_simulator_injected_faults_total{kind="InternalServerError"} 1
# HELP ssm_simulator_requests_total Requests served by the SSM simulator (SSM, STS and SQS), by operation and result code (OK or the error code).
# TYPE ssm_simulator_requests_total counter
ssm_simulator_requests_total{code="AutomationExecutionNotFoundException",operation="GetAutomationExecution"} 1
ssm_simulator_requests_total{code="InternalServerError",operation="DescribeAutomationExecutions"} 1
ssm_simulator_requests_total{code="MissingAuthenticationToken",operation="AssumeRole"} 1
ssm_simulator_requests_total{code="OK",operation="DescribeAutomationStepExecutions"} 2
ssm_simulator_requests_total{code="UnknownOperationException",operation="Unknown"} 1
`
	if err := testutil.GatherAndCompare(srv.Registry(), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.GatherAndLint(srv.Registry()); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}

	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	line := `ssm_simulator_requests_total{code="OK",operation="DescribeAutomationStepExecutions"} 2`
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), line) {
		t.Errorf("GET /metrics = %d, lacks %s:\n%s", resp.StatusCode, line, body)
	}
	if got := srv.Requests("DescribeAutomationStepExecutions", codeOK); got != 2 {
		t.Errorf("Requests() = %v, want 2", got)
	}
}
