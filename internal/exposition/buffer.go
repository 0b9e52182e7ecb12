package exposition

import "io"

// flushSize is how much of an exposition is buffered before a write.
const flushSize = 64 << 10

// bufWriter buffers an exposition for one writer and keeps its first
// write error.
type bufWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func newBufWriter(w io.Writer) *bufWriter {
	return &bufWriter{w: w, buf: make([]byte, 0, flushSize+4096)}
}

// Write takes what the encoder of the gathered families writes.
func (b *bufWriter) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	b.flushIfFull()
	return len(p), b.err
}

func (b *bufWriter) flushIfFull() {
	if len(b.buf) >= flushSize {
		b.flush()
	}
}

func (b *bufWriter) flush() error {
	if b.err == nil && len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
	}
	b.buf = b.buf[:0]
	return b.err
}
