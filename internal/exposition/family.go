// Package exposition writes families of samples in the Prometheus text
// format or as delimited protobuf, straight from the caller's records,
// merged by name with what a registry gathered; it negotiates the format
// and the gzip encoding and honours name[] as promhttp does.
//
// The bulk of an exposition (one series or more per step execution) is
// written this way, as kube-state-metrics does with its objects, instead
// of building a constant metric, a protobuf message and a sorted family of
// each per scrape.
package exposition

import (
	"fmt"

	dto "github.com/prometheus/client_model/go"
)

// Family is a metric family whose samples hold one value each: a gauge,
// a counter or an untyped metric. A sample passes its label values in
// the order of Labels.
type Family struct {
	Name, Help string
	Type       dto.MetricType
	Labels     []string // sorted, as client_golang orders them
}

// NewFamily is a family of a type whose samples hold one value; any other
// type panics.
func NewFamily(name, help string, t dto.MetricType, labels []string) *Family {
	switch t {
	case dto.MetricType_GAUGE, dto.MetricType_COUNTER, dto.MetricType_UNTYPED:
	default:
		panic(fmt.Sprintf("exposition: family %s of type %s: only gauges, counters and untyped metrics are written", name, t))
	}
	return &Family{Name: name, Help: help, Type: t, Labels: labels}
}

// typeName is the type on the family's TYPE line.
func (f *Family) typeName() string {
	switch f.Type {
	case dto.MetricType_COUNTER:
		return "counter"
	case dto.MetricType_UNTYPED:
		return "untyped"
	}
	return "gauge"
}
