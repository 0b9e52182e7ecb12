package collector

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// The families hold one series or more per step execution: hundreds of
// thousands for a fleet. Serve writes them straight from the tracked
// records, in the text or the protobuf format, as kube-state-metrics does
// with its objects, instead of building a constant metric, a protobuf
// message and a sorted family of each per scrape. Everything else (the
// per-target series, the aggregates and the base registry) is gathered and
// encoded by client_golang as usual.

// writtenFormats are the formats Serve offers, preferred first, as promhttp
// offers them without OpenMetrics.
var writtenFormats = []expfmt.Format{expfmt.FmtProtoDelim, expfmt.FmtText}

// Serve answers a scrape of s, together with the base gatherer (which may
// be nil), in the format the request negotiates. Errors while gathering
// are logged and what could be gathered is served, as promhttp's
// ContinueOnError does.
func Serve(w http.ResponseWriter, r *http.Request, s *Scrape, base prometheus.Gatherer, logger *slog.Logger) {
	// Refresh first: the base registry, gathered next, then holds the
	// calls and errors of this scrape, not of the one before.
	s.refreshed()
	reg := prometheus.NewRegistry()
	if err := reg.Register(targetsOnly{s}); err != nil {
		logger.Error("registering the scrape", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	gatherers := prometheus.Gatherers{reg}
	if base != nil {
		gatherers = prometheus.Gatherers{base, reg}
	}
	mfs, err := gatherers.Gather()
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
		gz := gzipPool.Get().(*gzip.Writer)
		defer gzipPool.Put(gz)
		gz.Reset(w)
		defer gz.Close()
		h.Set("Content-Encoding", "gzip")
		out = gz
	}
	if err := s.write(out, mfs, format, nameFilter(r)); err != nil {
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

// write writes the gathered families and the scrape's own families,
// merged by name as a registry orders them, in the text or the protobuf
// format; only those named in only when it is not nil.
func (s *Scrape) write(out io.Writer, gathered []*dto.MetricFamily, format expfmt.Format, only map[string]bool) error {
	bw := newBufWriter(out)
	enc := expfmt.NewEncoder(bw, format)
	o := &seriesOut{}
	if format.FormatType() == expfmt.TypeProtoDelim {
		o.proto = &protoWriter{bufWriter: bw}
	} else {
		o.text = &textWriter{bufWriter: bw}
	}
	fams := families
	for len(gathered) > 0 || len(fams) > 0 {
		if len(fams) == 0 || len(gathered) > 0 && gathered[0].GetName() < fams[0].name {
			mf := gathered[0]
			gathered = gathered[1:]
			if only != nil && !only[mf.GetName()] {
				continue
			}
			if err := enc.Encode(mf); err != nil {
				return err
			}
			continue
		}
		f := fams[0]
		fams = fams[1:]
		if only != nil && !only[f.name] {
			continue
		}
		if o.proto != nil {
			o.proto.family(f, func() { s.eachSeries(f, o) })
		} else {
			s.eachSeries(f, o)
		}
		if bw.err != nil {
			return bw.err
		}
	}
	return bw.flush()
}

// gzipPool holds writers at BestSpeed: exposition text compresses well at
// any level, and the fastest one costs a fraction of the CPU of the
// default.
var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

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
