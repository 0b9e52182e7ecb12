package e2e

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// testEvents sends the queue the status-change event of one execution,
// as an EventBridge rule would (the simulator is frozen: it makes no
// change of its own), and checks in Prometheus that the exporter received
// it and found it usable. Every server of the test sends one: the count
// must rise above what this server held before the send.
func testEvents(t *testing.T, s *stack) {
	if len(s.execs) == 0 {
		t.Fatal("no execution to send an event of")
	}
	sel := fmt.Sprintf(`job=%q, queue=%q`, job, queue)
	received := `sum(ssm_automation_events_received_total{` + sel + `})`
	before := scalar(t, s, received)
	body, err := json.Marshal(ssmsim.ExecutionEvent(s.account, region, s.execs[0], time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	c := ssmsim.SQSClient(t.Context(), s.simURL, "AKIDE2E", region)
	url := ssmsim.QueueURL(s.simURL, ssmsim.Queue{Account: s.account, Region: region, Name: queue})
	if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
	err = s.api.eachOneSeries(t.Context(), 60*time.Second,
		fmt.Sprintf(`%s > %g`, received, before),
		`sum(ssm_automation_events_invalid_total{`+sel+`}) == 0`,
		`ssm_automation_events_up{`+sel+`} == 1`)
	if err != nil {
		t.Fatalf("the event did not reach Prometheus: %v", err)
	}
}

// scalar is the value of a query of at most one series; 0 when there is
// none.
func scalar(t *testing.T, s *stack, q string) float64 {
	t.Helper()
	res, err := s.api.query(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		return 0
	}
	v, err := strconv.ParseFloat(fmt.Sprint(res[0].Value[1]), 64)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}
