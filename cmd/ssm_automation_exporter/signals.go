package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// signals are the process's signals, caught from the first line of run so
// that none of them can end the process with its default action.
type signals struct {
	// stopping ends at the first SIGINT or SIGTERM; later ones are ignored
	// while the shutdown runs.
	stopping context.Context
	// hup holds a SIGHUP until the reload loop takes it: one that arrives
	// while the configuration first loads reloads it once the exporter
	// serves; one that arrives during shutdown is dropped.
	hup chan os.Signal
}

// catchSignals starts catching the signals. SIGHUP stays caught for the
// life of the process: were it released when run returns, a SIGHUP in the
// moment before the process exits would end it with exit status 129.
func catchSignals() (*signals, context.CancelFunc) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return &signals{stopping: ctx, hup: hup}, stop
}

// reloadLoop serialises reloads from SIGHUP and POST /-/reload until ctx
// ends.
func reloadLoop(ctx context.Context, safe *config.SafeConfig, path string, hup <-chan os.Signal, reqs chan chan error, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = reload(safe, path, logger)
		case reply := <-reqs:
			reply <- reload(safe, path, logger)
		}
	}
}

func reload(safe *config.SafeConfig, path string, logger *slog.Logger) error {
	err := safe.ReloadConfig(path, logger)
	if err != nil {
		logger.Error("reloading configuration failed; keeping the running one", "err", err)
	} else {
		logger.Info("configuration reloaded")
	}
	return err
}
