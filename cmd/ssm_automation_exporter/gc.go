package main

import (
	"fmt"
	"log/slog"
	"runtime/debug"
)

// defaultGCPercent is the garbage collector's target the exporter sets at
// start-up when neither --runtime.gc-percent nor GOGC gives one: the heap
// may grow by half of what is live before a collection, not by all of it
// as under the runtime's default of 100. Most of the exporter's peak is
// that room; at 50 the peak per tracked step execution falls by about a
// fifth, for more collections (see README, Memory).
const defaultGCPercent = 50

// gcPercent is the target to set, and where it comes from: the flag if
// given, else nothing when GOGC is set (the runtime has read it), else
// the default.
func gcPercent(flag int, flagSet bool, lookupEnv func(string) (string, bool)) (percent int, source string) {
	switch {
	case flagSet:
		return flag, "flag"
	case hasEnv(lookupEnv, "GOGC"):
		return 0, "GOGC"
	default:
		return defaultGCPercent, "default"
	}
}

func hasEnv(lookupEnv func(string) (string, bool), key string) bool {
	_, ok := lookupEnv(key)
	return ok
}

// applyGCPercent sets the garbage collector's target at start-up (see
// gcPercent) and logs it.
func applyGCPercent(o *options, lookupEnv func(string) (string, bool), logger *slog.Logger) {
	percent, source := gcPercent(o.gcPercent, o.gcPercentSet, lookupEnv)
	if source == "GOGC" {
		logger.Info("garbage collector target left to GOGC")
		return
	}
	debug.SetGCPercent(percent)
	logger.Info("garbage collector target set", "gc_percent", percent, "source", source)
}

// checkGCPercent rejects a target given on the command line that would
// turn the collector off, or is not a percentage at all.
func checkGCPercent(percent int, set bool) error {
	if set && percent < 1 {
		return fmt.Errorf("--runtime.gc-percent %d: must be at least 1 (GOGC=off turns the collector off)", percent)
	}
	return nil
}
