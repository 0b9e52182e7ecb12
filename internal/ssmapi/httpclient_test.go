package ssmapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// closeRecorder is a body that says whether it was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// TestCappedBody reads bodies of every size around the cap, in one read
// or a byte at a time: up to the cap a body reads whole, one byte more
// fails with ErrResponseTooLarge after exactly the cap's bytes.
func TestCappedBody(t *testing.T) {
	for _, c := range []struct {
		name     string
		size     int
		max      int64
		byByte   bool
		wantRead int
		wantErr  error
	}{
		{"empty", 0, 10, false, 0, nil},
		{"under the cap", 9, 10, false, 9, nil},
		{"at the cap", 10, 10, false, 10, nil},
		{"one byte over", 11, 10, false, 10, ErrResponseTooLarge},
		{"far over", 1 << 20, 10, false, 10, ErrResponseTooLarge},
		{"at the cap, a byte at a time", 10, 10, true, 10, nil},
		{"one byte over, a byte at a time", 11, 10, true, 10, ErrResponseTooLarge},
		{"no room, empty", 0, 0, false, 0, nil},
		{"no room, one byte", 1, 0, false, 0, ErrResponseTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := &closeRecorder{Reader: strings.NewReader(strings.Repeat("x", c.size))}
			var body io.ReadCloser = &cappedBody{rc: src, left: c.max}
			var r io.Reader = body
			if c.byByte {
				r = iotest.OneByteReader(body)
			}
			got, err := io.ReadAll(r)
			if len(got) != c.wantRead || !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
				t.Errorf("read %d bytes, %v; want %d, %v", len(got), err, c.wantRead, c.wantErr)
			}
			if err := body.Close(); err != nil || !src.closed {
				t.Errorf("Close: %v, closed the response body: %v", err, src.closed)
			}
		})
	}
}

// TestCappedClient checks the client as the SDK uses it: the server gets
// the whole request body, the request can be sent again from GetBody, and
// the response body is capped.
func TestCappedClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(bytes.Repeat(b, 2)) // the request body, twice
	}))
	defer srv.Close()
	for _, c := range []struct {
		body    string
		max     int64
		wantErr error
	}{
		{"abc", 6, nil},
		{"abcd", 6, ErrResponseTooLarge},
	} {
		client := &cappedClient{inner: srv.Client(), max: c.max}
		req, err := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(strings.NewReader(c.body)))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := strings.Repeat(c.body, 2)[:min(len(c.body)*2, int(c.max))]
		if string(got) != want || !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("body %q: read %q, %v; want %q, %v", c.body, got, err, want, c.wantErr)
		}
		again, err := resp.Request.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(again); string(b) != c.body {
			t.Errorf("body %q: GetBody gives %q", c.body, b)
		}
	}
}

// innerFunc is an HTTP client that answers with a function.
type innerFunc func(*http.Request) (*http.Response, error)

func (f innerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestCappedClientCopiesOnlyTheBody sends a signed request as the SDK
// does: the transport gets a body of its own, and the request it gets is
// otherwise the one sent, not a deep copy of it made for each call (its
// headers, URL and context are what a call allocates most besides its
// response).
func TestCappedClientCopiesOnlyTheBody(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(`{"AutomationExecutionId":"x"}`))
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Target", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "User-Agent", "Content-Type"} {
		req.Header.Set(h, strings.Repeat("v", 64))
	}
	var sent *http.Request
	c := &cappedClient{max: 1 << 20, inner: innerFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		body, err := io.ReadAll(r.Body)
		if err != nil || string(body) != `{"AutomationExecutionId":"x"}` {
			t.Errorf("the transport read %q (%v)", body, err)
		}
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	})}
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	if sent == req || sent.Body == req.Body || sent.GetBody == nil {
		t.Fatal("the transport got the caller's request body")
	}
	if sent.Header.Get("X-Amz-Date") != req.Header.Get("X-Amz-Date") || sent.URL.String() != req.URL.String() {
		t.Error("the transport got other headers or another URL")
	}
	call := func() {
		r := *req
		r.Body = io.NopCloser(strings.NewReader(`{"AutomationExecutionId":"x"}`))
		_, _ = c.Do(&r)
	}
	// 11 objects, the call's own included; 15 with a deep copy of the
	// request.
	if allocs := testing.AllocsPerRun(100, call); allocs > 11 {
		t.Errorf("a call allocated %.0f objects, want at most 11", allocs)
	}
}
