package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

const (
	maxLineBytes = 8 << 20  // one event-stream line
	maxBodyBytes = 64 << 20 // one non-streaming body
	readChunk    = 32 << 10
)

// Spec is one request as the script described it.
type Spec struct {
	Method  string
	URL     string
	Body    *string // nil: no body
	Headers map[string]string
	Timeout time.Duration
}

// Result is what one request produced. Times are in milliseconds on the monotonic clock, from the moment
// just before the request was handed to the transport; StartedAtUnixMs is that moment on the wall clock.
type Result struct {
	Status          int
	Err             string
	ErrCode         ErrCode
	Headers         map[string]string
	Body            string
	Events          []Event
	HeadersAtMs     float64
	DurationMs      float64
	StartedAtUnixMs float64
}

// Do sends spec over the shared transport and reads the whole response. A failure after the headers
// arrived keeps what was read so far (status, headers, events) next to the error.
func Do(parent context.Context, spec Spec) Result {
	ctx, cancel := context.WithTimeout(parent, spec.Timeout)
	defer cancel()

	var body io.Reader
	if spec.Body != nil {
		body = strings.NewReader(*spec.Body)
	}
	res := Result{Headers: map[string]string{}, Events: []Event{}}
	req, err := http.NewRequestWithContext(ctx, spec.Method, spec.URL, body)
	if err != nil {
		res.Err, res.ErrCode = err.Error(), ErrProtocol
		return res
	}
	for name, value := range spec.Headers {
		if strings.EqualFold(name, "host") {
			req.Host = value
			continue
		}
		req.Header.Set(name, value)
	}

	start := time.Now()
	res.StartedAtUnixMs = float64(start.UnixMicro()) / 1000
	sinceStart := func() float64 { return float64(time.Since(start).Nanoseconds()) / 1e6 }
	fail := func(err error) Result {
		res.DurationMs = sinceStart()
		res.ErrCode = classify(err, parent, ctx)
		res.Err = describe(err, res.ErrCode, spec.Timeout)
		return res
	}

	resp, err := sharedTransport.RoundTrip(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close() //nolint:errcheck // nothing useful to do when closing a read body fails
	res.HeadersAtMs = sinceStart()
	res.Status = resp.StatusCode
	for name, values := range resp.Header {
		if len(values) > 0 {
			res.Headers[strings.ToLower(name)] = values[0]
		}
	}

	if isEventStream(resp.Header.Get("Content-Type")) {
		parser := NewParser(maxLineBytes)
		err = readChunks(resp.Body, func(chunk []byte) error { return parser.Feed(chunk, sinceStart()) })
		res.Events = parser.Events()
	} else {
		var buf strings.Builder
		err = readChunks(resp.Body, func(chunk []byte) error {
			if buf.Len()+len(chunk) > maxBodyBytes {
				return fmt.Errorf("%w: response body larger than %d bytes", errProtocol, maxBodyBytes)
			}
			buf.Write(chunk)
			return nil
		})
		res.Body = buf.String()
	}
	if err != nil {
		return fail(err)
	}
	res.DurationMs = sinceStart()
	return res
}

// readChunks hands each read to onChunk as soon as it returns, so that arrival times are not delayed by
// buffering until a full buffer or the end of the body.
func readChunks(r io.Reader, onChunk func([]byte) error) error {
	buf := make([]byte, readChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if cbErr := onChunk(buf[:n]); cbErr != nil {
				return cbErr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func isEventStream(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && strings.EqualFold(mediaType, "text/event-stream")
}
