package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

func TestRunRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode=paused"}, "enum value must be one of frozen,live"},
		{[]string{"--fault.error-rate=ThrottlingException=2"}, "--fault.error-rate ThrottlingException=2: the rate must be a number from 0 to 1"},
		{[]string{"--fault.malformed-rate=1.5"}, "--fault.malformed-rate must be from 0 to 1"},
		{[]string{"--executions=-1"}, "rates, counts and durations must not be negative"},
		{[]string{"--access-key=AKIDONLY"}, "expected KEY=VALUE got 'AKIDONLY'"},
		{[]string{"--events.drop-rate=1.1"}, "--events.drop-rate must be from 0 to 1"},
		{[]string{"--events.reorder-rate=-0.1"}, "--events.reorder-rate must be from 0 to 1"},
		{[]string{"--events.delay=-1s"}, "rates, counts and durations must not be negative"},
		{[]string{"--events.queue=a.fifo"}, `--events.queue "a.fifo": 1 to 80 letters, digits, hyphens or underscores`},
		{[]string{"--sqs.fault.error-rate=ThrottlingException=x"}, "--sqs.fault.error-rate ThrottlingException=x: the rate must be a number from 0 to 1"},
	} {
		var out bytes.Buffer
		if code := run(tc.args, &out); code != 2 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, output %q; want 2 and %q", tc.args, code, out.String(), tc.want)
		}
	}
}

func TestRunFailsWhenItCannotStart(t *testing.T) {
	for _, args := range [][]string{
		{"--web.listen-address=127.0.0.1:0", "--scenario=" + filepath.Join(t.TempDir(), "missing.yml")},
		{"--web.listen-address=127.0.0.1:99999", "--executions=1"},
	} {
		var out bytes.Buffer
		if code := run(append(args, "--log.level=error"), &out); code != 1 || out.Len() != 0 {
			t.Errorf("%v: exit %d, output %q; want 1 and nothing printed", args, code, out.String())
		}
	}
}

func TestPrintEnvironmentNamesAReachableHostAndAKeyOfTheAccount(t *testing.T) {
	var out bytes.Buffer
	o := &options{account: "111122223333", region: "eu-west-1",
		accessKeys: map[string]string{"AKIDB": "111122223333", "AKIDA": "444455556666", "AKIDC": "111122223333"}}
	printEnvironment(&out, &net.TCPAddr{IP: net.IPv6unspecified, Port: 4580}, o,
		ssmsim.Queue{Account: "111122223333", Region: "eu-west-1", Name: "automation"})
	want := "ssm_simulator serving on http://127.0.0.1:4580\n" +
		"export AWS_ENDPOINT_URL_SSM=http://127.0.0.1:4580\n" +
		"export AWS_ENDPOINT_URL_STS=http://127.0.0.1:4580\n" +
		"export AWS_ENDPOINT_URL_SQS=http://127.0.0.1:4580\n" +
		"export AWS_ACCESS_KEY_ID=AKIDB AWS_SECRET_ACCESS_KEY=simulator AWS_REGION=eu-west-1\n" +
		"events queue: http://127.0.0.1:4580/111122223333/automation\n"
	if out.String() != want {
		t.Fatalf("printed\n%s\nwant\n%s", out.String(), want)
	}
	if got := accessKeyFor(&options{account: "999999999999", accessKeys: o.accessKeys}); got != defaultAccessKey {
		t.Fatalf("key for an unmapped account: %s", got)
	}
}

// startSimulator runs the binary, waits for the endpoint it prints and for
// its first successful response; it returns the printed environment and how
// long after the process started that response came.
func startSimulator(t *testing.T, bin string, args ...string) (*exec.Cmd, map[string]string, time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--web.listen-address=127.0.0.1:0", "--log.level=warn"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 64)
	go func() {
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines <- sc.Text()
		}
		close(lines)
	}()
	env := map[string]string{}
	for env["URL"] == "" || env["AWS_REGION"] == "" {
		line, ok := <-lines
		if !ok {
			t.Fatalf("simulator exited before printing its endpoint: %s", stderr.String())
		}
		if url, found := strings.CutPrefix(line, "ssm_simulator serving on "); found {
			env["URL"] = url
		}
		for _, kv := range strings.Fields(strings.TrimPrefix(line, "export ")) {
			if k, v, found := strings.Cut(kv, "="); found {
				env[k] = v
			}
		}
	}
	for {
		resp, err := http.Get(env["URL"] + "/metrics")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd, env, time.Since(started)
			}
		}
		if time.Since(started) > 10*time.Second {
			t.Fatalf("no successful response: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sdkConfig loads an SDK configuration from exactly the printed environment.
func sdkConfig(t *testing.T, env map[string]string) aws.Config {
	t.Helper()
	for _, k := range []string{"AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SQS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		if env[k] == "" {
			t.Fatalf("%s not printed", k)
		}
		t.Setenv(k, env[k])
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func stopSimulator(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("simulator did not stop cleanly on SIGTERM: %v", err)
	}
}

func TestSimulatorBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "ssm_simulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx := context.Background()

	t.Run("generated", func(t *testing.T) {
		cmd, env, ready := startSimulator(t, bin, "--executions=20", "--seed=3", "--account=111122223333",
			"--access-key=AKIDTEST=111122223333", "--access-key=AKIDOTHER=444455556666")
		t.Logf("first successful response %v after the process started", ready)
		if ready >= time.Second {
			t.Errorf("first successful response %v after start, want under 1s", ready)
		}
		if env["AWS_ACCESS_KEY_ID"] != "AKIDTEST" {
			t.Errorf("printed access key %q, want the one mapped to --account", env["AWS_ACCESS_KEY_ID"])
		}
		cfg := sdkConfig(t, env)
		role, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::444455556666:role/AutomationReader"), RoleSessionName: aws.String("test"),
		})
		if err != nil || role.Credentials == nil || aws.ToString(role.Credentials.AccessKeyId) == "" {
			t.Fatalf("AssumeRole through the printed STS endpoint: %v", err)
		}
		out, err := ssm.NewFromConfig(cfg).DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.AutomationExecutionMetadataList); n != 20 {
			t.Fatalf("%d executions, want the 20 generated", n)
		}
		stopSimulator(t, cmd)
	})

	t.Run("events", func(t *testing.T) { checkBinaryEvents(t, bin) })

	t.Run("scenario", func(t *testing.T) {
		cmd, env, _ := startSimulator(t, bin, "--mode=frozen", "--account=111122223333",
			"--scenario=../../internal/ssmsim/testdata/e2e.yml")
		client := ssm.NewFromConfig(sdkConfig(t, env))
		out, err := client.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.AutomationExecutionMetadataList); n != 5 {
			t.Fatalf("%d executions in the account's us-east-1, want the scenario's 5", n)
		}
		steps, err := client.DescribeAutomationStepExecutions(ctx, &ssm.DescribeAutomationStepExecutionsInput{
			AutomationExecutionId: aws.String("bdd640fb-0667-4ad1-9c80-317fa3b1799d"),
		})
		if err != nil || len(steps.StepExecutions) != 8 {
			t.Fatalf("steps of the first scenario execution: %v, %d steps, want 8", err, len(steps.StepExecutions))
		}
		stopSimulator(t, cmd)
	})
}
