package main

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// A graceful shutdown answers a waiting long poll at once rather than
// waiting out its 20 s, so SIGTERM stops the simulator cleanly.
func TestShutdownEndsLongPolls(t *testing.T) {
	waiting := make(chan ssmsim.Queue, 1)
	sim := ssmsim.New(nil, ssmsim.Options{OnLongPoll: func(q ssmsim.Queue) { waiting <- q }})
	q := ssmsim.Queue{Account: "123456789012", Region: "us-east-1", Name: "automation"}
	sim.CreateQueue(q)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(sim)
	go func() { _ = srv.Serve(l) }()
	url := "http://" + l.Addr().String()
	client := ssmsim.SQSClient(context.Background(), url, "AKIDTEST", q.Region)
	polled := make(chan error, 1)
	go func() {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(ssmsim.QueueURL(url, q)), WaitTimeSeconds: 20})
		if err == nil && len(out.Messages) > 0 {
			err = context.DeadlineExceeded
		}
		polled <- err
	}()
	select {
	case <-waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("the receive never waited")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-polled; err != nil {
		t.Errorf("long poll: %v, want an empty answer", err)
	}
}

// checkBinaryEvents runs the built simulator with a queue subscribed to its
// live events and receives them through the printed SQS endpoint.
func checkBinaryEvents(t *testing.T, bin string) {
	ctx := context.Background()
	cmd, env, _ := startSimulator(t, bin, "--executions=20", "--seed=3", "--events.queue=automation")
	client := sqs.NewFromConfig(sdkConfig(t, env))
	q, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("automation")})
	if err != nil {
		t.Fatal(err)
	}
	// Running executions change every 2 s tick; the long poll returns with the first events.
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) == 0 {
		t.Fatalf("no event within 20 s: %v", err)
	}
	var ev ssmsim.Event
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &ev); err != nil || ev.Source != ssmsim.EventSource {
		t.Errorf("message %s: %v", aws.ToString(out.Messages[0].Body), err)
	}
	stopSimulator(t, cmd)
}
