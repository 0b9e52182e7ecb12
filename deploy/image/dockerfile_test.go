// Package image checks the repository's Dockerfile and .dockerignore
// without a container engine: the invariants of the image, and that the
// command the image runs by default starts and serves.
package image

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const repoRoot = "../.."

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd, Args string
	Stage     int // index of the FROM it belongs to
}

func parseDockerfile(t *testing.T) []instruction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	stage, cur := -1, ""
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == "") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur += trimmed
		cmd, args, _ := strings.Cut(cur, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			stage++
		}
		out = append(out, instruction{Cmd: cmd, Args: strings.TrimSpace(args), Stage: stage})
		cur = ""
	}
	return out
}

func stageOf(ins []instruction, stage int, cmd string) []string {
	var out []string
	for _, i := range ins {
		if i.Stage == stage && i.Cmd == cmd {
			out = append(out, i.Args)
		}
	}
	return out
}

// pinned matches an image reference with a tag of a full version
// (major.minor.patch, so that no new release moves it) or a digest;
// "latest", "1.26" and bare names are not pinned.
var pinned = regexp.MustCompile(`^[a-z0-9./_-]+(:[A-Za-z_-]*[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9._-]*)?(@sha256:[a-f0-9]{64})?$`)

// TestDockerfileInvariants checks what the image promises: base images
// pinned by version, a cross-compiling build for TARGETOS/TARGETARCH on the
// builder's platform, the OCI labels, a non-root user, the exporter's port,
// and the demo as the default command.
func TestDockerfileInvariants(t *testing.T) {
	ins := parseDockerfile(t)
	froms := 0
	for _, i := range ins {
		if i.Cmd != "FROM" {
			continue
		}
		froms++
		fields := strings.Fields(i.Args)
		if len(fields) == 0 {
			t.Fatal("FROM without an image")
		}
		image := fields[0]
		if strings.HasPrefix(image, "--platform=") {
			image = fields[1]
		}
		if image != "scratch" && (!strings.Contains(image, ":") && !strings.Contains(image, "@") || !pinned.MatchString(image) || strings.Contains(image, "latest")) {
			t.Errorf("FROM %s: base images must be pinned by version", image)
		}
	}
	if froms < 2 {
		t.Fatalf("%d stages, want a build stage and the image", froms)
	}
	last := froms - 1
	checkCrossBuild(t, ins)
	checkLabels(t, stageOf(ins, last, "LABEL"), stageOf(ins, last, "ARG"))
	user := stageOf(ins, last, "USER")
	if len(user) != 1 || !regexp.MustCompile(`^[1-9][0-9]*(:[1-9][0-9]*)?$`).MatchString(user[0]) {
		t.Errorf("USER %q, want one numeric non-root user (a runAsNonRoot pod checks it)", user)
	}
	if expose := stageOf(ins, last, "EXPOSE"); len(expose) != 1 || expose[0] != "9847" {
		t.Errorf("EXPOSE %q, want the exporter's default port 9847", expose)
	}
	entry, cmd := execForm(t, ins, last, "ENTRYPOINT"), execForm(t, ins, last, "CMD")
	if len(entry) != 1 || entry[0] != "/bin/ssm_automation_exporter" {
		t.Errorf("ENTRYPOINT %q, want the binary alone", entry)
	}
	if len(cmd) != 1 || cmd[0] != "--demo" {
		t.Errorf("CMD %q, want [--demo]: the image must run without a configuration", cmd)
	}
}

func checkCrossBuild(t *testing.T, ins []instruction) {
	t.Helper()
	if !strings.HasPrefix(ins[0].Args, "--platform=$BUILDPLATFORM ") {
		t.Errorf("FROM %s: the build stage must run on $BUILDPLATFORM and cross-compile", ins[0].Args)
	}
	args := strings.Join(stageOf(ins, 0, "ARG"), " ")
	for _, a := range []string{"TARGETOS", "TARGETARCH", "VERSION", "REVISION"} {
		if !regexp.MustCompile(`(^| )` + a + `(=| |$)`).MatchString(args) {
			t.Errorf("the build stage does not declare ARG %s", a)
		}
	}
	build := ""
	for _, r := range stageOf(ins, 0, "RUN") {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=${TARGETOS", "GOARCH=${TARGETARCH", "-trimpath",
		"version.Version=${VERSION}", "version.Revision=${REVISION}", "./cmd/ssm_automation_exporter"} {
		if !strings.Contains(build, want) {
			t.Errorf("the go build command lacks %q: %s", want, build)
		}
	}
}

func checkLabels(t *testing.T, labels, args []string) {
	t.Helper()
	all := strings.Join(labels, " ")
	want := map[string]string{
		"org.opencontainers.image.source":   "${SOURCE}",
		"org.opencontainers.image.version":  "${VERSION}",
		"org.opencontainers.image.revision": "${REVISION}",
		"org.opencontainers.image.licenses": "Apache-2.0",
	}
	for k, v := range want {
		if !strings.Contains(all, k+`="`+v+`"`) {
			t.Errorf("no label %s=%q in the image's stage", k, v)
		}
	}
	declared := strings.Join(args, " ")
	for _, a := range []string{"VERSION", "REVISION", "SOURCE=https://github.com/ssm-automation-exporter/ssm_automation_exporter"} {
		if !strings.Contains(declared, a) {
			t.Errorf("the image's stage does not declare ARG %s (an ARG is per stage)", a)
		}
	}
	license, err := os.ReadFile(filepath.Join(repoRoot, "LICENSE"))
	if err != nil || !strings.Contains(string(license), "Apache License") || !strings.Contains(string(license), "Version 2.0") {
		t.Error("the licenses label says Apache-2.0, LICENSE does not")
	}
}

// execForm parses the exec (JSON) form of ENTRYPOINT or CMD: the shell form
// would run through a shell the image does not have.
func execForm(t *testing.T, ins []instruction, stage int, cmd string) []string {
	t.Helper()
	all := stageOf(ins, stage, cmd)
	if len(all) != 1 {
		t.Fatalf("%d %s instructions in the image's stage, want 1", len(all), cmd)
	}
	var out []string
	if err := json.Unmarshal([]byte(all[0]), &out); err != nil {
		t.Fatalf("%s %s: not the exec form: %v", cmd, all[0], err)
	}
	return out
}
