package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		want buildInfo
	}{
		{"no build information", nil, buildInfo{}},
		{"go install of a release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, buildInfo{version: "1.2.3"}},
		{"go build of a clean tree",
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260102030405-abcdef012345"},
				Settings: vcs("vcs", "git", "vcs.revision", "abcdef0123456789", "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "false")},
			buildInfo{version: "0.0.0-20260102030405-abcdef012345", revision: "abcdef0123456789", date: "20260102-03:04:05"}},
		{"go build of a changed tree",
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260102030405-abcdef012345+dirty"},
				Settings: vcs("vcs.modified", "true", "vcs.time", "2026-01-02T04:04:05+01:00", "vcs.revision", "abcdef0123456789")},
			buildInfo{version: "0.0.0-20260102030405-abcdef012345+dirty", revision: "abcdef0123456789-modified", date: "20260102-03:04:05"}},
		{"go run without VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, buildInfo{version: "(devel)"}},
		{"a bad time is left out", &debug.BuildInfo{Settings: vcs("vcs.time", "yesterday")}, buildInfo{}},
	} {
		if got := fromBuildInfo(c.bi); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestVersionOfGoBuild: a plain go build, without ldflags, prints a
// version and a revision.
func TestVersionOfGoBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "ssm_automation_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`version \S+ \(branch: \S*, revision: \S+\)`).Match(out) {
		t.Errorf("--version of go build has no version:\n%s", out)
	}
}
