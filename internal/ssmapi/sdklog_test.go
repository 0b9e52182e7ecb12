package ssmapi

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// TestSDKLogLinesGoThroughTheLogger provokes the SDK's warning that it
// cannot discard a response body (a body over api.max_response_bytes) and
// checks that it is written by the exporter's logger, in its format and
// with the call's target, and not as plain text on stderr.
func TestSDKLogLinesGoThroughTheLogger(t *testing.T) {
	steps := []*ssmsim.Step{
		{StepExecutionID: "s-1", StepName: "a", Action: "aws:sleep", Status: "InProgress", StartTime: time.Now().Add(-time.Minute)},
		{StepExecutionID: "s-2", StepName: "b", Action: "aws:sleep", Status: "Pending"},
	}
	for _, s := range steps {
		s.Response = strings.Repeat("x", 40<<10) // two steps: 80 KiB in one page
	}
	sim := newSim(t, &ssmsim.Execution{ID: execID, DocumentName: "Doc", Status: "InProgress",
		StartTime: time.Now().Add(-time.Minute), Steps: steps})
	// The SDK's default logger writes to the stderr of the time the
	// configuration is loaded.
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = stderr
	t.Cleanup(func() { os.Stderr = saved })
	var logs syncBuffer
	clients := sim.clients(t, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	os.Stderr = saved
	if _, ok := clients.base.Logger.(sdkLogger); !ok {
		t.Errorf("the SDK's logger is %T, want the exporter's", clients.base.Logger)
	}
	api := sim.api(t, clients, "  max_response_bytes: 65536\n")
	ctx := WithTarget(context.Background(), sim.metrics.ForTarget("t1"))
	if err := EachStep(ctx, api, execID, nil, func(*types.StepExecution) {}); err == nil {
		t.Fatal("a page over max_response_bytes was read")
	}
	if v := sim.counter(t, "ssm_automation_exporter_limit_cut_total", "limit", "response_bytes"); v == 0 {
		t.Fatal("no response was over the cap")
	}
	const line = "failed to discard remaining HTTP response body"
	found := false
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, line) {
			found = true
			for _, want := range []string{`"level":"DEBUG"`, `"target":"t1"`, `"component":"aws-sdk"`} {
				if !strings.Contains(l, want) {
					t.Errorf("the SDK's line lacks %s: %s", want, l)
				}
			}
		}
	}
	if !found {
		t.Errorf("the SDK's line %q did not go through the logger:\n%s", line, logs.String())
	}
	written, err := os.ReadFile(stderr.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(written) > 0 {
		t.Errorf("the SDK wrote to stderr:\n%s", written)
	}
}

func TestSDKLoggerLevels(t *testing.T) {
	for _, c := range []struct {
		class  logging.Classification
		format string
		want   string
	}{
		{logging.Warn, "failed to discard remaining HTTP response body, this may affect connection reuse: %v", "DEBUG"},
		{logging.Warn, "failed to close HTTP response body, this may affect connection reuse: %v", "DEBUG"},
		{logging.Warn, "failed to parse response Date header value, got %v", "WARN"},
		{logging.Debug, "request %v", "DEBUG"},
	} {
		var b strings.Builder
		newSDKLogger(slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}))).Logf(c.class, c.format, "x")
		if !strings.Contains(b.String(), "level="+c.want) || !strings.Contains(b.String(), "component=aws-sdk") {
			t.Errorf("%s %q logged as %s, want level %s", c.class, c.format, b.String(), c.want)
		}
	}
}
