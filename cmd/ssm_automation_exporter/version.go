package main

import (
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/common/version"
)

// buildInfo is what the module's build information says of the build:
// what go build, go run and go install record without ldflags.
type buildInfo struct {
	version, revision, date string
}

// fromBuildInfo reads the main module's version (without the leading v,
// as release builds write it), the VCS revision (with -modified when the
// tree had changes, as prometheus/common/version writes it) and the
// commit time (in the format of release builds).
func fromBuildInfo(bi *debug.BuildInfo) buildInfo {
	var b buildInfo
	if bi == nil {
		return b
	}
	b.version = bi.Main.Version
	if len(b.version) > 1 && b.version[0] == 'v' && b.version[1] >= '0' && b.version[1] <= '9' {
		b.version = b.version[1:]
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				b.date = t.UTC().Format("20060102-15:04:05")
			}
		}
	}
	if modified && b.revision != "" && !strings.HasSuffix(b.revision, "-modified") {
		b.revision += "-modified"
	}
	return b
}

// versionFromBuildInfo fills the version variables that ldflags left
// empty from the build information, before the flags and the build_info
// metric read them. The branch is not recorded there and stays as set.
func versionFromBuildInfo() {
	bi, _ := debug.ReadBuildInfo()
	b := fromBuildInfo(bi)
	setIfEmpty(&version.Version, b.version)
	setIfEmpty(&version.Revision, b.revision)
	setIfEmpty(&version.BuildDate, b.date)
}

func setIfEmpty(v *string, from string) {
	if *v == "" {
		*v = from
	}
}
