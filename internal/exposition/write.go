package exposition

import (
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Source is the families a caller writes itself and their samples.
type Source interface {
	// Families lists the families, sorted by name.
	Families() []*Family
	// Samples hands every sample of the i-th family to w. In the
	// protobuf format it is called twice per family (once to size the
	// message, once to write it) and must hand over the same samples.
	Samples(i int, w *SampleWriter)
}

// SampleWriter writes the samples of a family in the text or the
// protobuf format. Concrete writers rather than an interface keep the
// label values of a sample on the caller's stack.
type SampleWriter struct {
	text  *textWriter
	proto *protoWriter
}

// Sample writes one sample of f, its label values in the order of
// f.Labels.
func (w *SampleWriter) Sample(f *Family, v float64, values []string) {
	if w.text != nil {
		w.text.sample(f, v, values)
	} else {
		w.proto.sample(f, v, values)
	}
}

// Write writes the gathered families and those of src, merged by name as
// a registry orders them, in the text or the protobuf format; only those
// named in only when it is not nil. A family without samples is left out.
func Write(out io.Writer, gathered []*dto.MetricFamily, src Source, format expfmt.Format, only map[string]bool) error {
	bw := newBufWriter(out)
	enc := expfmt.NewEncoder(bw, format)
	sw := &SampleWriter{}
	if format.FormatType() == expfmt.TypeProtoDelim {
		sw.proto = &protoWriter{bufWriter: bw}
	} else {
		sw.text = &textWriter{bufWriter: bw}
	}
	fams := src.Families()
	for i := 0; len(gathered) > 0 || i < len(fams); {
		if i == len(fams) || len(gathered) > 0 && gathered[0].GetName() < fams[i].Name {
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
		f, n := fams[i], i
		i++
		if only != nil && !only[f.Name] {
			continue
		}
		if sw.proto != nil {
			sw.proto.family(f, func() { src.Samples(n, sw) })
		} else {
			src.Samples(n, sw)
		}
		if bw.err != nil {
			return bw.err
		}
	}
	return bw.flush()
}
