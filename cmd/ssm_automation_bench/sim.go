package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// simulator is an in-process SSM simulator served on a loopback port.
type simulator struct {
	store *ssmsim.Store
	srv   *ssmsim.Server
	http  *http.Server
	url   string
}

// startSimulator serves copies of es with opts (frozen: nothing moves
// unless the caller starts live mode on its store).
func startSimulator(es []*ssmsim.Execution, opts ssmsim.Options) (*simulator, error) {
	return serveStore(storeOf(es), opts)
}

// storeOf is a store holding copies of es.
func storeOf(es []*ssmsim.Execution) *ssmsim.Store {
	store := ssmsim.NewStore()
	for _, e := range es {
		store.Put(simAccount, simRegion, e.Clone())
	}
	return store
}

// serveStore serves store with opts; several simulators may serve one
// store, each counting its own calls.
func serveStore(store *ssmsim.Store, opts ssmsim.Options) (*simulator, error) {
	srv := ssmsim.New(store, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	hs.RegisterOnShutdown(srv.StopLongPolls) // a consumer's long poll does not hold the shutdown
	go func() { _ = hs.Serve(ln) }()
	return &simulator{store: store, srv: srv, http: hs, url: "http://" + ln.Addr().String()}, nil
}

func (s *simulator) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
}

// apiCalls counts requests by operation, every answer code included.
type apiCalls struct {
	executions int // DescribeAutomationExecutions
	steps      int // DescribeAutomationStepExecutions
	other      int // any other SSM or STS operation
	sqs        int // SQS operations: the events consumer's
	throttled  int // answered ThrottlingException
}

// total is the SSM calls: the scarce resource the targets are about.
func (c apiCalls) total() int { return c.executions + c.steps + c.other }

func (c apiCalls) sub(o apiCalls) apiCalls {
	return apiCalls{
		executions: c.executions - o.executions, steps: c.steps - o.steps,
		other: c.other - o.other, sqs: c.sqs - o.sqs, throttled: c.throttled - o.throttled,
	}
}

// sqsOperations are the operations counted as SQS calls.
var sqsOperations = map[string]bool{
	"CreateQueue": true, "GetQueueUrl": true, "DeleteQueue": true, "GetQueueAttributes": true, "SendMessage": true,
	"ReceiveMessage": true, "DeleteMessage": true, "DeleteMessageBatch": true, "ChangeMessageVisibility": true,
}

// calls reads ssm_simulator_requests_total from the simulator's registry.
func (s *simulator) calls() (apiCalls, error) {
	mfs, err := s.srv.Registry().Gather()
	if err != nil {
		return apiCalls{}, err
	}
	var c apiCalls
	for _, mf := range mfs {
		if mf.GetName() != "ssm_simulator_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var op, code string
			for _, lp := range m.GetLabel() {
				switch lp.GetName() {
				case "operation":
					op = lp.GetValue()
				case "code":
					code = lp.GetValue()
				}
			}
			n := int(m.GetCounter().GetValue())
			switch op {
			case "DescribeAutomationExecutions":
				c.executions += n
			case "DescribeAutomationStepExecutions":
				c.steps += n
			default:
				if sqsOperations[op] {
					c.sqs += n
					break
				}
				c.other += n
			}
			if code == "ThrottlingException" {
				c.throttled += n
			}
		}
	}
	return c, nil
}
