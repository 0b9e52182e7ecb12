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
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// The families hold one series or more per step execution: hundreds of
// thousands for a fleet. Serve writes them straight from the tracked
// records, in the text or the protobuf format, as kube-state-metrics does
// with its objects, instead of building a constant metric, a protobuf
// message and a sorted family of each per scrape. Everything else (the
// per-target series, the aggregates and the base registry) is gathered and
// encoded by client_golang as usual. Any other format takes the collector
// path.

// Serve answers a scrape of s, together with the base gatherer (which may
// be nil), in the format the request negotiates. Errors while gathering
// are logged and what could be gathered is served, as promhttp's
// ContinueOnError does.
func Serve(w http.ResponseWriter, r *http.Request, s *Scrape, base prometheus.Gatherer, logger *slog.Logger) {
	gatherers := prometheus.Gatherers{}
	if base != nil {
		gatherers = append(gatherers, base)
	}
	format := expfmt.Negotiate(r.Header)
	written := format.FormatType() == expfmt.TypeTextPlain || format.FormatType() == expfmt.TypeProtoDelim
	reg := prometheus.NewRegistry()
	var c prometheus.Collector = s
	if written {
		c = targetsOnly{s} // the families are written below
	}
	if err := reg.Register(c); err != nil {
		logger.Error("registering the scrape", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	gatherers = append(gatherers, reg)
	if !written {
		promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{
			ErrorHandling: promhttp.ContinueOnError,
			ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelError),
		}).ServeHTTP(w, r)
		return
	}
	mfs, err := gatherers.Gather()
	if err != nil {
		logger.Error("error gathering metrics", "err", err)
		if len(mfs) == 0 {
			http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", string(format))
	var out io.Writer = w
	if acceptsGzip(r) {
		gz := gzipPool.Get().(*gzip.Writer)
		defer gzipPool.Put(gz)
		gz.Reset(w)
		defer gz.Close()
		w.Header().Set("Content-Encoding", "gzip")
		out = gz
	}
	if err := s.write(out, mfs, format); err != nil {
		logger.Debug("writing the exposition", "err", err)
	}
}

// write writes the gathered families and the scrape's own families,
// merged by name as a registry orders them, in the text or the protobuf
// format.
func (s *Scrape) write(out io.Writer, gathered []*dto.MetricFamily, format expfmt.Format) error {
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
			if err := enc.Encode(gathered[0]); err != nil {
				return err
			}
			gathered = gathered[1:]
			continue
		}
		f := fams[0]
		fams = fams[1:]
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

// acceptsGzip reports whether the request accepts a gzip-encoded answer.
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q, ok := strings.CutPrefix(strings.TrimSpace(params), "q=")
			if !ok {
				return true
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
			return err == nil && f > 0
		}
	}
	return false
}
