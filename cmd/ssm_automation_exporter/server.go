package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
)

// writeSlack is the time a scrape has after its deadline to be encoded and
// written before the server's write timeout cuts the connection.
const writeSlack = time.Minute

// answerSlack is the time scrapes ended at the shutdown grace have to
// write their answers before the remaining connections are closed.
const answerSlack = 5 * time.Second

// newHTTPServer returns the exporter's server of h. Its timeouts free the
// connections of clients that stall (headers, idle keep-alive, a response
// nobody reads) without cutting a scrape: the write timeout runs from the
// end of the request headers and exceeds the longest scrape deadline.
// Errors of the server itself, such as failed TLS handshakes, go to logger.
func newHTTPServer(o *options, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      maxScrapeTimeout + writeSlack,
		IdleTimeout:       o.idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
}

// listen serves srv until stopping ends, then shuts it down: see shutdown.
// It returns an error only when serving fails.
func listen(stopping context.Context, srv *http.Server, o *options, endScrapes context.CancelFunc, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, o.webFlags, logger) }()
	select {
	case err := <-errc:
		return err
	case <-stopping.Done():
	}
	shutdown(srv, o.shutdownGrace, endScrapes, logger)
	return nil
}

// shutdown stops accepting connections and lets the scrapes in flight
// refresh for the grace; then endScrapes ends them, so that they answer
// with what is known, and they have answerSlack to write it. Connections
// still open after that are closed.
func shutdown(srv *http.Server, grace time.Duration, endScrapes context.CancelFunc, logger *slog.Logger) {
	logger.Info("shutting down", "grace", grace)
	cut := time.AfterFunc(grace, func() {
		logger.Debug("shutdown grace over; scrapes in flight answer with what is known")
		endScrapes()
	})
	defer cut.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), grace+answerSlack)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		logger.Warn("closing the connections still open after the shutdown grace", "err", err)
		_ = srv.Close()
	}
}
