package exposition

import (
	"compress/gzip"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"
)

// gathererFunc gathers what it returns.
type gathererFunc func() ([]*dto.MetricFamily, error)

func (f gathererFunc) Gather() ([]*dto.MetricFamily, error) { return f() }

var _ prometheus.Gatherer = gathererFunc(nil)

// TestServePrometheusAcceptHeaders answers the Accept headers Prometheus
// sends, byte for byte: 2.42, and 3.16 with its default scrape protocols
// (OpenMetrics and text 1.0.0 first, asking for UTF-8 names) and with
// scrape_native_histograms (protobuf first). Each gets a format Serve
// writes, with the escaping the request allows, and an answer that decodes
// in it to the families.
func TestServePrometheusAcceptHeaders(t *testing.T) {
	// As captured from the servers (Accept-Encoding: gzip from all three).
	for _, c := range []struct {
		name, accept, encoding string
		want                   string // Content-Type
	}{
		{
			name:     "prometheus 2.42",
			accept:   "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
			encoding: "gzip",
			want:     "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
		},
		{
			name:     "prometheus 3.16",
			accept:   "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.7,application/openmetrics-text;version=0.0.1;q=0.6,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.3",
			encoding: "gzip",
			want:     "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
		},
		{
			name:     "prometheus 3.16, native histograms",
			accept:   "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
			encoding: "gzip",
			want:     "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", c.accept)
			req.Header.Set("Accept-Encoding", c.encoding)
			rec := httptest.NewRecorder()
			src := typedSource()
			Serve(rec, req, gathererFunc(func() ([]*dto.MetricFamily, error) { return gatheredFamilies(), nil }), src, slog.New(slog.DiscardHandler))
			resp := rec.Result()
			if ct := resp.Header.Get("Content-Type"); ct != c.want {
				t.Fatalf("Content-Type %q, want %q", ct, c.want)
			}
			if enc := resp.Header.Get("Content-Encoding"); enc != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", enc)
			}
			got := decodeAll(t, resp)
			sortFamilies(got) // the text decoder hands them over in any order
			want := expected(src, gatheredFamilies())
			if len(got) != len(want) {
				t.Fatalf("%d families, want %d", len(got), len(want))
			}
			for i := range want {
				if !proto.Equal(got[i], want[i]) {
					t.Errorf("family %d:\n got %v\nwant %v", i, got[i], want[i])
				}
			}
		})
	}
}

// decodeAll decodes a gzip-encoded answer in the format its Content-Type
// names.
func decodeAll(t *testing.T, resp *http.Response) []*dto.MetricFamily {
	t.Helper()
	body, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	dec := expfmt.NewDecoder(body, expfmt.ResponseFormat(resp.Header))
	var out []*dto.MetricFamily
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("decoding %s: %v", resp.Header.Get("Content-Type"), err)
		}
		out = append(out, mf)
	}
}
