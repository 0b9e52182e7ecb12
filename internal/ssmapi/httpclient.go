package ssmapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// ErrResponseTooLarge fails a call whose response body passes
// api.max_response_bytes.
var ErrResponseTooLarge = errors.New("response body larger than api.max_response_bytes")

// cappedClient bounds the bytes read from each response body, and hands
// the transport its own copy of each request body: the SDK closes its
// request body as soon as the response headers arrive, and a transport
// still checking that body then drops the connection while the response
// body is read (seen as "use of closed network connection" and a retried
// call on a fast endpoint).
type cappedClient struct {
	inner aws.HTTPClient
	max   int64
}

func (c *cappedClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		// A shallow copy: the client copies what it changes, and the
		// transport changes nothing.
		own := *req
		own.Body = io.NopCloser(bytes.NewReader(body))
		own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req = &own
	}
	resp, err := c.inner.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: c.max}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Anything more is past the cap.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
