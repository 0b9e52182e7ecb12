package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv set to 1 makes the test binary run the exporter's main.
const childEnv = "SSM_AUTOMATION_EXPORTER_TEST_CHILD"

// binaryEnv names another build of the exporter for the tests that run it
// in a child process to run instead of the test binary (an older release,
// to compare behaviours).
const binaryEnv = "SSM_AUTOMATION_EXPORTER_TEST_BINARY"

// TestMain runs the exporter instead of the tests when childEnv is set:
// tests start the test binary itself as the exporter, so the child is
// built as the tests are (with the race detector under -race) and nothing
// has to be compiled.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// waitBound bounds every wait on a child process; reaching it fails the
// test, it never decides a pass.
const waitBound = 2 * time.Minute

// lockedLog collects a process's output lines and tells who waits when
// one arrives.
type lockedLog struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced at each new line
}

func newLockedLog() *lockedLog { return &lockedLog{changed: make(chan struct{})} }

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// follow reads r line by line until it ends.
func (l *lockedLog) follow(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.mu.Lock()
		l.lines = append(l.lines, sc.Text())
		close(l.changed)
		l.changed = make(chan struct{})
		l.mu.Unlock()
	}
}

// find returns the first line from index from on that holds want, its
// index, and a channel closed when another line arrives.
func (l *lockedLog) find(from int, want string) (string, int, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := from; i < len(l.lines); i++ {
		if strings.Contains(l.lines[i], want) {
			return l.lines[i], i, l.changed
		}
	}
	return "", len(l.lines), l.changed
}

// exporterProc is the exporter running in a child process.
type exporterProc struct {
	cmd  *exec.Cmd
	logs *lockedLog
	done chan struct{} // closed when the process has exited
	err  error         // its exit error, once done is closed
}

// startExporter runs the exporter with args (the test binary, or the
// binary binaryEnv names); its standard output and error go to p.logs. The
// process is killed when the test ends.
func startExporter(t *testing.T, args ...string) *exporterProc {
	t.Helper()
	bin := os.Args[0]
	if b := os.Getenv(binaryEnv); b != "" {
		bin = b
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1",
		"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y", "AWS_SESSION_TOKEN=",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	p := &exporterProc{cmd: cmd, logs: newLockedLog(), done: make(chan struct{})}
	go func() {
		p.logs.follow(r)
		r.Close()
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("exporter output:\n%s", p.logs)
		}
	})
	return p
}

// waitLog waits for a line holding want, from line index from on, and
// returns it and its index; it fails the test if the process exits first.
func (p *exporterProc) waitLog(t *testing.T, from int, want string) (string, int) {
	t.Helper()
	timeout := time.After(waitBound)
	for {
		line, i, changed := p.logs.find(from, want)
		if line != "" {
			return line, i
		}
		select {
		case <-changed:
		case <-p.done:
			if line, i, _ := p.logs.find(from, want); line != "" {
				return line, i
			}
			t.Fatalf("the exporter exited (%v) before logging %q", p.err, want)
		case <-timeout:
			t.Fatalf("the exporter did not log %q within %s", want, waitBound)
		}
	}
}

var listenAddress = regexp.MustCompile(`address"?[=:]"?([0-9.]+:[0-9]+)`)

// serving waits until the exporter serves and returns its address.
func (p *exporterProc) serving(t *testing.T) string {
	t.Helper()
	line, _ := p.waitLog(t, 0, "TLS is")
	m := listenAddress.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no address in %q", line)
	}
	return m[1]
}

// signal sends sig to the exporter.
func (p *exporterProc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// exit waits for the process to end and returns its exit error.
func (p *exporterProc) exit(t *testing.T) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(waitBound):
		t.Fatalf("the exporter did not exit within %s", waitBound)
		return nil
	}
}

// stop sends SIGTERM and returns the exit error of the process.
func (p *exporterProc) stop(t *testing.T) error {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	return p.exit(t)
}
