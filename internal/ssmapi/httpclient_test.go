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
