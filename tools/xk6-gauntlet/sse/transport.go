package sse

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// sharedTransport is one connection pool for every VU of the process: streaming requests to a gateway
// should reuse warm keep-alive connections instead of paying a TCP (and TLS) handshake per request, and
// the pool must be large enough that hundreds of VUs do not churn connections.
var sharedTransport = newTransport()

func newTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:               nil, // load goes where the script says, never through an environment proxy
		DialContext:         dialer.DialContext,
		ForceAttemptHTTP2:   false,
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/1.1 only
		MaxIdleConns:        0,                                                      // no global limit
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// Bytes arrive as the server sent them: transparent gzip would hide when events were flushed.
		DisableCompression: true,
		// Small reads so that an event is handed over as soon as its bytes arrive.
		ReadBufferSize: 16 * 1024,
	}
}
