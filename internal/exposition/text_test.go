package exposition

import (
	"bytes"
	"math"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"
)

func TestAppendEscaped(t *testing.T) {
	for _, c := range []struct {
		in    string
		quote bool
		want  string
	}{
		{"plain", true, "plain"},
		{`a"b`, true, `a\"b`},
		{`a"b`, false, `a"b`},
		{"a\\b\nc", true, `a\\b\nc`},
		{"\"\\\n", true, `\"\\\n`},
		{"é\uFFFD", true, "é\uFFFD"},
		{"", true, ""},
	} {
		if got := string(appendEscaped([]byte("x"), c.in, c.quote)); got != "x"+c.want {
			t.Errorf("appendEscaped(%q, %v) = %q, want %q", c.in, c.quote, got, "x"+c.want)
		}
	}
}

func TestAppendFloatMatchesExpfmt(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 1.5, 1e21, 1e-7, 1.7723604e+09, 2147483647,
		math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64} {
		mf := &dto.MetricFamily{Name: proto.String("x"), Type: dto.MetricType_GAUGE.Enum(),
			Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(v)}}}}
		var b bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(strings.TrimPrefix(b.String(), "# TYPE x gauge\nx "), "\n")
		if got := string(appendFloat(nil, v)); got != want {
			t.Errorf("appendFloat(%v) = %q, expfmt writes %q", v, got, want)
		}
	}
}
