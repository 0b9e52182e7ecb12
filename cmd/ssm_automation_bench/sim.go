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
	store := ssmsim.NewStore()
	for _, e := range es {
		store.Put(simAccount, simRegion, e.Clone())
	}
	srv := ssmsim.New(store, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return &simulator{store: store, srv: srv, http: hs, url: "http://" + ln.Addr().String()}, nil
}

func (s *simulator) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
}

// apiCalls counts SSM requests by operation, every answer code included.
type apiCalls struct {
	executions int // DescribeAutomationExecutions
	steps      int // DescribeAutomationStepExecutions
	other      int // any other operation
	throttled  int // answered ThrottlingException
}

func (c apiCalls) total() int { return c.executions + c.steps + c.other }

func (c apiCalls) sub(o apiCalls) apiCalls {
	return apiCalls{
		executions: c.executions - o.executions, steps: c.steps - o.steps,
		other: c.other - o.other, throttled: c.throttled - o.throttled,
	}
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
				c.other += n
			}
			if code == "ThrottlingException" {
				c.throttled += n
			}
		}
	}
	return c, nil
}
