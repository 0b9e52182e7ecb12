package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"
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

// maxGCPercent is the largest target the runtime holds: it keeps the
// target in 32 bits, so a larger one would wrap (to a negative number,
// which turns the collector off, or to a tiny one).
const maxGCPercent = math.MaxInt32

// parseGCPercent reads --runtime.gc-percent as typed: a whole number in
// decimal from 1 (0 and below would turn the collector off) to
// maxGCPercent. Its error quotes the text, never a number made of it.
func parseGCPercent(text string) (int, error) {
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("--runtime.gc-percent %q: must be a whole number from 1 to %d", text, maxGCPercent)
	}
	if err != nil || n < 1 || n > maxGCPercent {
		return 0, fmt.Errorf("--runtime.gc-percent %q: must be from 1 to %d (GOGC=off turns the collector off)", text, maxGCPercent)
	}
	return int(n), nil
}
