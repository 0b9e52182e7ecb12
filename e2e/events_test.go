package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// testEvents sends the queue the status-change event of one execution,
// as an EventBridge rule would (the simulator is frozen: it makes no
// change of its own), and checks in Prometheus that the exporter received
// it and found it usable.
func testEvents(t *testing.T, s *stack, execs []*ssmsim.Execution) {
	if len(execs) == 0 {
		t.Fatal("no execution to send an event of")
	}
	body, err := json.Marshal(ssmsim.ExecutionEvent(s.account, region, execs[0], time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	c := ssmsim.SQSClient(t.Context(), s.simURL, "AKIDE2E", region)
	url := ssmsim.QueueURL(s.simURL, ssmsim.Queue{Account: s.account, Region: region, Name: queue})
	if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
	sel := fmt.Sprintf(`job=%q, queue=%q`, job, queue)
	err = eventually(t.Context(), 60*time.Second, func() error {
		for _, q := range []string{
			`sum(ssm_automation_events_received_total{` + sel + `}) > 0`,
			`sum(ssm_automation_events_invalid_total{` + sel + `}) == 0`,
			`ssm_automation_events_up{` + sel + `} == 1`,
		} {
			if res, err := s.api.query(t.Context(), q); err != nil {
				return err
			} else if len(res) != 1 {
				return fmt.Errorf("%s: %d series, want 1", q, len(res))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the event did not reach Prometheus: %v", err)
	}
}
