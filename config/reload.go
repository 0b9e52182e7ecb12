package config

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// SafeConfig holds the current configuration for concurrent readers and
// replaces it on reload.
type SafeConfig struct {
	mu  sync.RWMutex
	cfg *Config

	// reloadMu serialises reloads, so that subscribers see configurations
	// in the order they were loaded.
	reloadMu    sync.Mutex
	subscribers []func(*Config)

	reloadSuccess prometheus.Gauge
	reloadSeconds prometheus.Gauge
}

// NewSafeConfig returns a SafeConfig holding an empty Config and registers
// its reload metrics with reg.
func NewSafeConfig(reg prometheus.Registerer) *SafeConfig {
	return &SafeConfig{
		cfg: &Config{},
		reloadSuccess: promauto.With(reg).NewGauge(prometheus.GaugeOpts{
			Name: "ssm_automation_exporter_config_last_reload_successful",
			Help: "Whether the last configuration reload succeeded (1) or failed (0).",
		}),
		reloadSeconds: promauto.With(reg).NewGauge(prometheus.GaugeOpts{
			Name: "ssm_automation_exporter_config_last_reload_success_timestamp_seconds",
			Help: "Time of the last successful configuration reload, in seconds since the Unix epoch.",
		}),
	}
}

// Get returns the current configuration. Callers must not modify it; a
// reload replaces it with a new *Config rather than changing it, so the
// pointer also tells one configuration from the next.
func (sc *SafeConfig) Get() *Config {
	sc.mu.RLock()
	defer sc.mu.RUnlock()
	return sc.cfg
}

// Subscribe registers fn to be called with each configuration that a later
// ReloadConfig installs, after it is installed and in the order of the
// reloads; fn runs on the reloading goroutine, so it should be quick. fn is
// not called for the current configuration: use Get for that.
func (sc *SafeConfig) Subscribe(fn func(*Config)) {
	sc.reloadMu.Lock()
	defer sc.reloadMu.Unlock()
	sc.subscribers = append(sc.subscribers, fn)
}

// ReloadConfig loads the file at path and, if it is valid, makes it the
// current configuration and tells the subscribers. If it is not, the
// current configuration stays and the error says why; it wraps the error of
// Load, so errors.As finds Errors in it. logger may be nil.
func (sc *SafeConfig) ReloadConfig(path string, logger *slog.Logger) (err error) {
	sc.reloadMu.Lock()
	defer sc.reloadMu.Unlock()
	defer func() {
		if err != nil {
			sc.reloadSuccess.Set(0)
			return
		}
		sc.reloadSuccess.Set(1)
		sc.reloadSeconds.SetToCurrentTime()
	}()

	c, err := Load(path)
	if err != nil {
		return fmt.Errorf("loading config file %s: %w", path, err)
	}
	sc.mu.Lock()
	sc.cfg = c
	sc.mu.Unlock()
	if logger != nil {
		logger.Info("Loaded config file", "path", path, "targets", len(c.Targets))
	}
	for _, fn := range sc.subscribers {
		fn(c)
	}
	return nil
}
