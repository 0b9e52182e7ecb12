package exposition

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"
)

// fixedSource is a source whose families each hold the same samples.
type fixedSource struct {
	fams    []*Family
	samples [][]float64
}

func (s *fixedSource) Families() []*Family { return s.fams }

func (s *fixedSource) Samples(i int, w *SampleWriter) {
	for j, v := range s.samples[i] {
		w.Sample(s.fams[i], v, []string{string(rune('a' + j)), "x\"y\n"})
	}
}

// typedSource has a family of each type that Write supports, and one
// family without samples.
func typedSource() *fixedSource {
	labels := []string{"k", "l"}
	return &fixedSource{
		fams: []*Family{
			NewFamily("b_counter_total", "A counter.", dto.MetricType_COUNTER, labels),
			NewFamily("c_empty", "No samples.", dto.MetricType_GAUGE, labels),
			NewFamily("d_gauge", "A gauge \\ with\nnewline.", dto.MetricType_GAUGE, labels),
			NewFamily("f_untyped", "Untyped.", dto.MetricType_UNTYPED, labels),
		},
		samples: [][]float64{{1, 2.5}, nil, {-1, 0}, {7}},
	}
}

// expected is what client_golang encodes of src and gathered, merged.
func expected(src *fixedSource, gathered []*dto.MetricFamily) []*dto.MetricFamily {
	var out []*dto.MetricFamily
	for i, f := range src.fams {
		mf := &dto.MetricFamily{Name: proto.String(f.Name), Help: proto.String(f.Help), Type: f.Type.Enum()}
		for j, v := range src.samples[i] {
			m := &dto.Metric{Label: []*dto.LabelPair{
				{Name: proto.String("k"), Value: proto.String(string(rune('a' + j)))},
				{Name: proto.String("l"), Value: proto.String("x\"y\n")},
			}}
			switch f.Type {
			case dto.MetricType_COUNTER:
				m.Counter = &dto.Counter{Value: proto.Float64(v)}
			case dto.MetricType_UNTYPED:
				m.Untyped = &dto.Untyped{Value: proto.Float64(v)}
			default:
				m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
			}
			mf.Metric = append(mf.Metric, m)
		}
		if len(mf.Metric) > 0 {
			out = append(out, mf)
		}
	}
	out = append(out, gathered...)
	sortFamilies(out)
	return out
}

func sortFamilies(mfs []*dto.MetricFamily) {
	for i := 1; i < len(mfs); i++ {
		for j := i; j > 0 && mfs[j].GetName() < mfs[j-1].GetName(); j-- {
			mfs[j], mfs[j-1] = mfs[j-1], mfs[j]
		}
	}
}

func gatheredFamilies() []*dto.MetricFamily {
	g := func(name string) *dto.MetricFamily {
		return &dto.MetricFamily{Name: proto.String(name), Help: proto.String("Gathered."), Type: dto.MetricType_GAUGE.Enum(),
			Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(3)}}}}
	}
	return []*dto.MetricFamily{g("a_first"), g("e_between"), g("z_last")}
}

// TestWriteMatchesExpfmt writes families of each type, merged with
// gathered ones, and compares the bytes with expfmt's encoding of the
// same families, in both formats; name[] keeps only what it names.
func TestWriteMatchesExpfmt(t *testing.T) {
	for _, format := range []expfmt.Format{expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeProtoDelim)} {
		for _, only := range []map[string]bool{nil, {"d_gauge": true, "e_between": true, "c_empty": true}} {
			src := typedSource()
			var got bytes.Buffer
			if err := Write(&got, gatheredFamilies(), src, format, only); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			enc := expfmt.NewEncoder(&want, format)
			for _, mf := range expected(src, gatheredFamilies()) {
				if only != nil && !only[mf.GetName()] {
					continue
				}
				if err := enc.Encode(mf); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s, only %v:\n got %q\nwant %q", format, only, got.String(), want.String())
			}
		}
	}
}

func TestNewFamilyRefusesOtherTypes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a histogram family was accepted")
		}
	}()
	NewFamily("h", "A histogram.", dto.MetricType_HISTOGRAM, nil)
}

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip;q=0", false},
		{"identity;q=1, gzip;q=0.5", false},
		{"*", false}, // identity wins a tie
		{"*;q=0.5, identity", false},
		{"deflate, GZIP;q=0.8", true},
	} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if c.header != "" {
			r.Header.Set("Accept-Encoding", c.header)
		}
		if got := acceptsGzip(r); got != c.want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", c.header, got, c.want)
		}
	}
}

func TestNameFilter(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/metrics?name[]=a&name[]=b", nil)
	if got := nameFilter(r); len(got) != 2 || !got["a"] || !got["b"] {
		t.Errorf("name[]=a&name[]=b: %v", got)
	}
	if got := nameFilter(httptest.NewRequest(http.MethodGet, "/metrics", nil)); got != nil {
		t.Errorf("no name[]: %v, want every family", got)
	}
}
