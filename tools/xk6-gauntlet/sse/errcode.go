package sse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ErrCode is the machine-readable class of a failed request, so that scripts can count failures by cause
// without parsing Go error strings.
type ErrCode string

// The error classes a request can end with; ErrNone when it succeeded (any HTTP status is a success here).
const (
	ErrNone       ErrCode = ""
	ErrTimeout    ErrCode = "timeout"    // params.timeoutMs elapsed, or a dial/TLS timeout
	ErrConnection ErrCode = "connection" // refused, reset, closed early, DNS, ...
	ErrCanceled   ErrCode = "canceled"   // the VU's context ended (test stopping, iteration interrupted)
	ErrProtocol   ErrCode = "protocol"   // the server sent something that is not valid HTTP/1.1 or SSE
)

func classify(err error, parent, ctx context.Context) ErrCode {
	switch {
	case parent.Err() != nil:
		return ErrCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	case errors.Is(err, errProtocol):
		return ErrProtocol
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ErrTimeout
	}
	msg := err.Error()
	// net/http reports unparsable responses only as strings ("malformed HTTP response", "malformed chunked
	// encoding", "invalid header ...", "unsupported transfer encoding ...", "tls: first record does not
	// look like a TLS handshake").
	for _, marker := range []string{"malformed", "invalid", "unsupported", "first record does not look like"} {
		if strings.Contains(msg, marker) {
			return ErrProtocol
		}
	}
	// Everything else (refused, reset, EOF before or during the body, DNS) is the connection's doing.
	return ErrConnection
}

func describe(err error, code ErrCode, timeout time.Duration) string {
	switch code {
	case ErrTimeout:
		return fmt.Sprintf("request timed out after %d ms: %v", timeout.Milliseconds(), err)
	case ErrCanceled:
		return fmt.Sprintf("request canceled because the VU's context ended (test stopping): %v", err)
	default:
		return err.Error()
	}
}
