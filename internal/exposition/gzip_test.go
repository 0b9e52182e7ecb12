package exposition

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestGzipWriterOutlivesCollections serves gzip-encoded answers with
// garbage collections between them, as between scrapes: each answer
// after the first reuses the writer of the last one (about 1.2 MiB)
// instead of making a new one, and the answers stay whole.
func TestGzipWriterOutlivesCollections(t *testing.T) {
	src := typedSource()
	logger := slog.New(slog.DiscardHandler)
	serve := func() []byte {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		Serve(w, r, prometheus.NewRegistry(), src, logger)
		if w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatal("the answer is not gzip-encoded")
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	first := serve()
	for i := range 3 {
		runtime.GC()
		runtime.GC()
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		done := make(chan []byte)
		go func() { done <- serve() }() // on whichever processor
		body := <-done
		runtime.ReadMemStats(&b)
		if !bytes.Equal(body, first) {
			t.Fatalf("answer %d differs from the first", i+2)
		}
		if n := b.TotalAlloc - a.TotalAlloc; n > 256<<10 {
			t.Errorf("answer %d allocated %d KiB, want at most 256 KiB: a new gzip writer", i+2, n>>10)
		}
	}
}
