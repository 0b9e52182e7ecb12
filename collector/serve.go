package collector

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/exposition"
)

// Serve answers a scrape of s, together with the base gatherer (which may
// be nil), in the format the request negotiates (see exposition.Serve).
// The families are written straight from the tracked records; everything
// else (the per-target series, the aggregates and the base registry) is
// gathered and encoded by client_golang as usual.
func Serve(w http.ResponseWriter, r *http.Request, s *Scrape, base prometheus.Gatherer, logger *slog.Logger) {
	// Refresh first: the base registry, gathered next, then holds the
	// calls and errors of this scrape, not of the one before.
	s.refreshed()
	start := time.Now()
	defer func() { s.exp.cost.note(time.Since(start), len(s.targets)) }()
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
	exposition.Serve(w, r, gatherers, s.written(), logger)
}

// writtenFamilies are the families of a scrape as the exposition writes
// them.
type writtenFamilies struct {
	s *Scrape
	o seriesOut
}

// exposedFamilies are the families as the exposition knows them, in the
// same order.
var exposedFamilies = func() []*exposition.Family {
	out := make([]*exposition.Family, len(families))
	for i, f := range families {
		out[i] = f.Family
	}
	return out
}()

func (s *Scrape) written() *writtenFamilies { return &writtenFamilies{s: s} }

func (w *writtenFamilies) Families() []*exposition.Family { return exposedFamilies }

func (w *writtenFamilies) Samples(i int, sw *exposition.SampleWriter) {
	w.o.w = sw
	w.s.eachSeries(families[i], &w.o)
}
