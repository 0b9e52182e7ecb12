package image

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDockerignoreKeepsTheBuild checks that .dockerignore leaves in every
// file the image's go build reads (the module files and the packages the
// exporter imports) and keeps out the history and the deployment files.
func TestDockerignoreKeepsTheBuild(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") || strings.Contains(line, "**") {
			t.Fatalf(".dockerignore: %q: this test knows plain patterns only", line)
		}
		patterns = append(patterns, line)
	}
	out, err := goCmd(t, "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./cmd/ssm_automation_exporter")
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	root, _ := filepath.Abs(repoRoot)
	needed := []string{"go.mod", "go.sum"}
	for _, dir := range strings.Fields(out) {
		if rel, err := filepath.Rel(root, dir); err == nil && !strings.HasPrefix(rel, "..") {
			needed = append(needed, filepath.ToSlash(rel)+"/x.go")
		}
	}
	if len(needed) < 4 {
		t.Fatalf("go list found only %q", needed)
	}
	for _, p := range needed {
		if pat := ignoredBy(patterns, p); pat != "" {
			t.Errorf(".dockerignore pattern %q leaves %s out of the build", pat, p)
		}
	}
	for _, p := range []string{".git/HEAD", "deploy/go.mod", "deploy/helm/ssm-automation-exporter/Chart.yaml"} {
		if ignoredBy(patterns, p) == "" {
			t.Errorf(".dockerignore does not keep %s out of the build context", p)
		}
	}
}

// ignoredBy returns the pattern that excludes p or one of its parents, as
// Docker matches them (filepath.Match on the path from the context root).
func ignoredBy(patterns []string, p string) string {
	parts := strings.Split(p, "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		for _, pat := range patterns {
			if ok, _ := filepath.Match(strings.TrimPrefix(pat, "/"), prefix); ok {
				return pat
			}
		}
	}
	return ""
}

// TestDefaultCommandServesDemo builds the exporter as the Dockerfile does
// and runs the image's default command, in an environment as empty as the
// image's: it must serve the demo's metrics without any configuration or
// credentials, and stop cleanly on SIGTERM.
func TestDefaultCommandServesDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the exporter")
	}
	ins := parseDockerfile(t)
	last := ins[len(ins)-1].Stage
	bin := buildAsDockerfile(t, ins)
	args := append(execForm(t, ins, last, "CMD"), "--web.listen-address="+freeAddr(t))
	cmd := exec.Command(bin, args...)
	tmp := t.TempDir()
	cmd.Env = []string{"TMPDIR=" + tmp, "HOME=/nonexistent"}
	cmd.Dir = tmp
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed once the process has exited and its log is read;
	// waitErr is its exit status then.
	exited, waitErr := make(chan struct{}), error(nil)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		waitErr = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	metrics := waitForDemo(t, "http://"+args[len(args)-1][len("--web.listen-address="):], exited)
	if !strings.Contains(metrics, "ssm_automation_step_status{") {
		t.Errorf("the demo serves no step series:\n%.2000s", metrics)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("after SIGTERM: %v, want exit 0", waitErr)
		}
	case <-time.After(30 * time.Second):
		t.Error("still running 30s after SIGTERM")
	}
}

// buildAsDockerfile builds the exporter with the Dockerfile's -ldflags,
// VERSION and REVISION set, and checks that --version reports them (the
// -X paths name real variables).
func buildAsDockerfile(t *testing.T, ins []instruction) string {
	t.Helper()
	var ldflags string
	for _, r := range stageOf(ins, 0, "RUN") {
		if m := regexp.MustCompile(`-ldflags "([^"]*)"`).FindStringSubmatch(r); m != nil {
			ldflags = strings.NewReplacer("${VERSION}", "1.2.3-test", "${REVISION}", "0123abc").Replace(m[1])
		}
	}
	if ldflags == "" {
		t.Fatal("no -ldflags in the build stage")
	}
	bin := filepath.Join(t.TempDir(), "ssm_automation_exporter")
	if out, err := goCmd(t, "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "./cmd/ssm_automation_exporter"); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "version 1.2.3-test") || !strings.Contains(string(out), "revision: 0123abc") {
		t.Fatalf("--version of the image's build: %v\n%s", err, out)
	}
	return bin
}

// waitForDemo polls /metrics until the demo target is up, for at most a
// minute (the first refresh of the simulator takes well under a second).
func waitForDemo(t *testing.T, base string, exited <-chan struct{}) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	last := ""
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatal("the default command exited")
		default:
		}
		if resp, err := http.Get(base + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			if strings.Contains(last, `ssm_automation_up{target="demo"} 1`) {
				return last
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the demo target never came up:\n%.2000s", last)
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// goCmd runs the go command in the repository's root module, with
// CGO_ENABLED=0 as in the Dockerfile.
func goCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
