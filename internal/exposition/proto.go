package exposition

import (
	"math"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf exposition (what Prometheus asks for when it scrapes native
// histograms) is a stream of io.prometheus.client.MetricFamily messages,
// each after its length as a varint. The field numbers below are those of
// client_model's metrics.proto.
const (
	pbFamilyName   protowire.Number = 1
	pbFamilyHelp   protowire.Number = 2
	pbFamilyType   protowire.Number = 3
	pbFamilyMetric protowire.Number = 4
	pbMetricLabel  protowire.Number = 1
	pbMetricGauge  protowire.Number = 2
	pbMetricCount  protowire.Number = 3
	pbMetricUntyp  protowire.Number = 5
	pbLabelName    protowire.Number = 1
	pbLabelValue   protowire.Number = 2
	pbValue        protowire.Number = 1 // of a Gauge, Counter or Untyped message
)

// protoWriter writes families as delimited MetricFamily messages. A
// message starts with its length, so each family is enumerated twice:
// once to size it, once to write it, which keeps nothing per series in
// memory.
type protoWriter struct {
	*bufWriter
	sizing bool
	size   int // of the family's metric fields, while sizing
}

// family writes every series each hands over as one MetricFamily, or
// nothing when there is none.
func (p *protoWriter) family(f *Family, each func()) {
	p.sizing, p.size = true, 0
	each()
	p.sizing = false
	if p.size == 0 {
		return
	}
	header := protowire.SizeTag(pbFamilyName) + protowire.SizeBytes(len(f.Name)) +
		protowire.SizeTag(pbFamilyHelp) + protowire.SizeBytes(len(f.Help)) +
		protowire.SizeTag(pbFamilyType) + protowire.SizeVarint(uint64(f.Type))
	b := protowire.AppendVarint(p.buf, uint64(header+p.size))
	b = appendString(b, pbFamilyName, f.Name)
	b = appendString(b, pbFamilyHelp, f.Help)
	b = protowire.AppendTag(b, pbFamilyType, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(f.Type))
	p.buf = b
	each()
	p.flushIfFull()
}

// valueSize is the size of a Gauge, Counter or Untyped message holding
// a double.
var valueSize = protowire.SizeTag(pbValue) + protowire.SizeFixed64()

// sample sizes or writes one Metric of f.
func (p *protoWriter) sample(f *Family, v float64, values []string) {
	field := f.valueField()
	size := protowire.SizeTag(field) + protowire.SizeBytes(valueSize)
	for i, name := range f.Labels {
		size += protowire.SizeTag(pbMetricLabel) + protowire.SizeBytes(labelSize(name, values[i]))
	}
	if p.sizing {
		p.size += protowire.SizeTag(pbFamilyMetric) + protowire.SizeBytes(size)
		return
	}
	b := protowire.AppendTag(p.buf, pbFamilyMetric, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	for i, name := range f.Labels {
		b = protowire.AppendTag(b, pbMetricLabel, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(labelSize(name, values[i])))
		b = appendString(b, pbLabelName, name)
		b = appendString(b, pbLabelValue, values[i])
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(valueSize))
	b = protowire.AppendTag(b, pbValue, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(v))
	p.buf = b
	p.flushIfFull()
}

// labelSize is the size of a LabelPair message.
func labelSize(name, value string) int {
	return protowire.SizeTag(pbLabelName) + protowire.SizeBytes(len(name)) +
		protowire.SizeTag(pbLabelValue) + protowire.SizeBytes(len(value))
}

func appendString(b []byte, n protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, n, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// valueField is the Metric field that holds a sample of f.
func (f *Family) valueField() protowire.Number {
	switch f.Type {
	case dto.MetricType_COUNTER:
		return pbMetricCount
	case dto.MetricType_UNTYPED:
		return pbMetricUntyp
	}
	return pbMetricGauge
}
