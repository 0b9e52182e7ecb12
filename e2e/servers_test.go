package e2e

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The servers the test runs, and where it finds them.
const (
	// prometheus3Env names the Prometheus 3 binary: .ci/run builds it from
	// its Go module (Debian has only 2.x) and exports the path.
	prometheus3Env = "SSM_E2E_PROMETHEUS3"
	// alertmanagerEnv names an Alertmanager binary; without it the test
	// looks for Debian's prometheus-alertmanager, then alertmanager.
	alertmanagerEnv = "SSM_E2E_ALERTMANAGER"
)

// promServer is one Prometheus server the test runs against.
type promServer struct {
	name    string // the subtest's name: prometheus2, prometheus3
	bin     string
	version string // as --version prints it
	// nativeHistograms turns on the scrape of native histograms, which
	// Prometheus asks for in the protobuf format.
	nativeHistograms bool
}

// missing skips the test when a tool it needs is missing, or fails it in
// CI, where a skip would hide that nothing was tested.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// requireTools checks for promtool and the exporter's build.
func requireTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("promtool"); err != nil {
		missing(t, "promtool not on PATH: install Debian's prometheus package: apt-get install -y prometheus")
	}
}

// prometheus2 is Debian's Prometheus, from PATH.
func prometheus2(t *testing.T) promServer {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		missing(t, "prometheus not on PATH: install Debian's prometheus package: apt-get install -y prometheus")
	}
	return promServer{name: "prometheus2", bin: bin, version: serverVersion(t, bin, "2.")}
}

// prometheus3 is the Prometheus 3 binary $SSM_E2E_PROMETHEUS3 names, with
// native histograms on.
func prometheus3(t *testing.T) promServer {
	t.Helper()
	bin := os.Getenv(prometheus3Env)
	if bin == "" {
		missing(t, "$"+prometheus3Env+" is not set: build Prometheus 3 with "+
			"`go install -tags remove_all_sd github.com/prometheus/prometheus/cmd/prometheus@v0.316.0` (as .ci/run does) and set it to the binary's path")
	}
	if _, err := os.Stat(bin); err != nil {
		missing(t, fmt.Sprintf("$%s: %v", prometheus3Env, err))
	}
	return promServer{name: "prometheus3", bin: bin, version: serverVersion(t, bin, "3."), nativeHistograms: true}
}

// alertmanagerBin finds Alertmanager: $SSM_E2E_ALERTMANAGER, Debian's
// prometheus-alertmanager or alertmanager on PATH.
func alertmanagerBin() (string, error) {
	if bin := os.Getenv(alertmanagerEnv); bin != "" {
		_, err := os.Stat(bin)
		return bin, err
	}
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if bin, err := exec.LookPath(name); err == nil {
			return bin, nil
		}
	}
	return "", errors.New("Alertmanager not found: install Debian's prometheus-alertmanager package or set $" + alertmanagerEnv)
}

var versionLine = regexp.MustCompile(`version (\S+)`)

// moduleVersion matches the version of Prometheus's Go module, v0.MNN.P
// for Prometheus M.NN.P.
var moduleVersion = regexp.MustCompile(`^v0\.([1-9])(\d\d)\.(\d+)$`)

// serverVersion returns the version of the Prometheus binary bin and
// checks that it starts with want: a Prometheus 2 where 3 is expected
// would test nothing new. A binary built with go install prints no
// version; its module version tells it.
func serverVersion(t *testing.T, bin, want string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	var v string
	if m := versionLine.FindSubmatch(out); m != nil {
		v = string(m[1])
	}
	if v == "" {
		if info, err := buildinfo.ReadFile(bin); err == nil && info.Main.Path == "github.com/prometheus/prometheus" {
			if m := moduleVersion.FindStringSubmatch(info.Main.Version); m != nil {
				minor, _ := strconv.Atoi(m[2])
				v = fmt.Sprintf("%s.%d.%s", m[1], minor, m[3])
			}
		}
	}
	if !strings.HasPrefix(v, want) {
		t.Fatalf("%s: want Prometheus %sx, got version %q from\n%s", bin, want, v, out)
	}
	return v
}
