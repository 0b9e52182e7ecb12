package exposition

import (
	"math"
	"strconv"
)

// textWriter writes families in the text format.
type textWriter struct {
	*bufWriter
	header *Family // the family whose HELP and TYPE lines are written
}

// sample writes one sample of f, and f's HELP and TYPE lines before
// its first sample: a family without samples is left out, as a registry
// leaves it out.
func (t *textWriter) sample(f *Family, v float64, values []string) {
	b := t.buf
	if t.header != f {
		t.header = f
		b = append(b, "# HELP "...)
		b = append(b, f.Name...)
		b = append(b, ' ')
		b = appendEscaped(b, f.Help, false)
		b = append(b, "\n# TYPE "...)
		b = append(b, f.Name...)
		b = append(b, ' ')
		b = append(b, f.typeName()...)
		b = append(b, '\n')
	}
	b = append(b, f.Name...)
	b = append(b, '{')
	for i, name := range f.Labels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, name...)
		b = append(b, '=', '"')
		b = appendEscaped(b, values[i], true)
		b = append(b, '"')
	}
	b = append(b, '}', ' ')
	b = appendFloat(b, v)
	b = append(b, '\n')
	t.buf = b
	t.flushIfFull()
}

// appendEscaped escapes s as the text format does: backslash and newline,
// and the double quote in label values.
func appendEscaped(b []byte, s string, quote bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; {
		case c == '\\':
			esc = `\\`
		case c == '\n':
			esc = `\n`
		case c == '"' && quote:
			esc = `\"`
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendFloat formats v as the text format does.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case v == 0:
		return append(b, '0') // -0 too
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
