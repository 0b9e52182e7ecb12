package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestReloadWhileShuttingDown: a reload asked for once the shutdown began
// answers 503 instead of waiting for a reload loop that has ended.
func TestReloadWhileShuttingDown(t *testing.T) {
	stopping, stop := context.WithCancel(context.Background())
	stop()
	h := &handlers{stopping: stopping}
	rec := httptest.NewRecorder()
	h.reload(rec, httptest.NewRequest(http.MethodPost, "/-/reload", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("POST /-/reload while shutting down = %d, want 503", rec.Code)
	}
}
