package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// procStatus is the memory of a process, from /proc/<pid>/status.
type procStatus struct {
	rssKiB int64 // VmRSS: resident now
	hwmKiB int64 // VmHWM: the most ever resident
}

// parseProcStatus reads VmRSS and VmHWM (in kB) from a status file.
func parseProcStatus(r io.Reader) (procStatus, error) {
	var st procStatus
	var haveRSS, haveHWM bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return st, fmt.Errorf("%s: unexpected value %q", key, strings.TrimSpace(rest))
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return st, fmt.Errorf("%s: %w", key, err)
		}
		if key == "VmRSS" {
			st.rssKiB, haveRSS = n, true
		} else {
			st.hwmKiB, haveHWM = n, true
		}
	}
	if err := sc.Err(); err != nil {
		return st, err
	}
	if !haveRSS || !haveHWM {
		return st, fmt.Errorf("VmRSS or VmHWM missing")
	}
	return st, nil
}

func readProcStatus(pid int) (procStatus, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStatus{}, err
	}
	defer f.Close()
	return parseProcStatus(f)
}

// machine describes where the benchmark ran.
type machine struct {
	cpus     int
	model    string
	memory   string
	goVer    string
	revision string
	date     time.Time
	load     string // 1, 5 and 15 minute load averages
}

func describeMachine(moduleRoot string) machine {
	m := machine{cpus: runtime.NumCPU(), goVer: runtime.Version(), date: time.Now().UTC()}
	m.model = procField("/proc/cpuinfo", "model name")
	if f := strings.Fields(procField("/proc/meminfo", "MemTotal")); len(f) > 0 {
		if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			m.memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	m.revision = gitRevision(moduleRoot)
	m.load = loadAverage()
	return m
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// gitRevision names the commit measured, and says when the collector or
// the exporter command (or the packages under them) had changes not
// committed yet.
func gitRevision(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	dirty, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", "collector", "internal/ssmapi", "internal/exposition", "cmd/ssm_automation_exporter").Output()
	if err == nil && len(strings.TrimSpace(string(dirty))) > 0 {
		rev += " (with uncommitted changes in collector/, internal/ or cmd/ssm_automation_exporter/)"
	}
	return rev
}

// loadAverage is the first three fields of /proc/loadavg: on a shared
// machine it says how much the figures can be trusted.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
