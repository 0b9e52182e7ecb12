package exposition

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// writtenFormats are the formats Serve offers, preferred first, as promhttp
// offers them without OpenMetrics.
var writtenFormats = []expfmt.Format{expfmt.FmtProtoDelim, expfmt.FmtText}

// Serve answers a scrape: what g gathers and the families of src, in the
// format the request negotiates, gzip-encoded when the request prefers
// it, only the families that name[] asks for when it does. Errors while
// gathering are logged and what could be gathered is served, as
// promhttp's ContinueOnError does.
func Serve(w http.ResponseWriter, r *http.Request, g prometheus.Gatherer, src Source, logger *slog.Logger) {
	mfs, err := g.Gather()
	if err != nil {
		logger.Error("error gathering metrics", "err", err)
		if len(mfs) == 0 {
			http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	format := expfmt.NegotiateAccept(r.Header, writtenFormats...)
	h := w.Header()
	h.Add("Vary", "Accept")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", string(format))
	var out io.Writer = w
	if acceptsGzip(r) {
		gz := takeGzip(w)
		defer putGzip(gz)
		h.Set("Content-Encoding", "gzip")
		out = gz
	}
	if err := Write(out, mfs, src, format, nameFilter(r)); err != nil {
		logger.Debug("writing the exposition", "err", err)
	}
}

// nameFilter is the set of family names the request's name[] parameters
// ask for, as promhttp reads them, or nil for every family.
func nameFilter(r *http.Request) map[string]bool {
	if r.URL == nil {
		return nil
	}
	names := r.URL.Query()["name[]"]
	if len(names) == 0 {
		return nil
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

// idleGzip is a gzip writer kept for the next answer. Writers compress at
// BestSpeed: exposition text compresses well at any level, and the
// fastest one costs a fraction of the CPU of the default. A writer weighs
// about 1.2 MiB, most of the memory an answer takes: one is kept, and
// only one. A sync.Pool keeps one for each processor that last wrote an
// answer and drops them at every other garbage collection, so that two
// were often alive between scrapes, and a new one was made every few.
var idleGzip struct {
	sync.Mutex
	w *gzip.Writer
}

// takeGzip returns the idle writer, or a new one, writing to w.
func takeGzip(w io.Writer) *gzip.Writer {
	idleGzip.Lock()
	gz := idleGzip.w
	idleGzip.w = nil
	idleGzip.Unlock()
	if gz == nil {
		gz, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
		return gz
	}
	gz.Reset(w)
	return gz
}

// putGzip ends the answer gz writes and keeps gz for the next one, unless
// one is kept already (concurrent answers each make their own). It no
// longer refers to the answer's writer.
func putGzip(gz *gzip.Writer) {
	_ = gz.Close()
	gz.Reset(io.Discard)
	idleGzip.Lock()
	defer idleGzip.Unlock()
	if idleGzip.w == nil {
		idleGzip.w = gz
	}
}

// acceptsGzip reports whether the answer should be gzip-encoded: gzip
// (or *) is acceptable and weighs more than identity, which wins a tie,
// as promhttp negotiates it.
func acceptsGzip(r *http.Request) bool {
	gzipQ, identityQ, starQ := -1.0, -1.0, -1.0
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip":
				gzipQ = q
			case "identity":
				identityQ = q
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ < 0 {
		gzipQ = starQ
	}
	if identityQ < 0 {
		identityQ = starQ
	}
	return gzipQ > 0 && gzipQ > identityQ
}
