package sse

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestDoStampsEventsAsTheyArrive(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Probe") != "1" {
			http.Error(w, "missing header", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		for i := range 3 {
			_, _ = fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(30 * time.Millisecond)
		}
	}))
	defer srv.Close()

	res := Do(context.Background(), Spec{Method: "GET", URL: srv.URL, Headers: map[string]string{"x-probe": "1"}, Timeout: 5 * time.Second})
	if res.Err != "" || res.Status != 200 || len(res.Events) != 3 {
		t.Fatalf("unexpected result %+v", res)
	}
	for i := 1; i < 3; i++ {
		gap := res.Events[i].AtMs - res.Events[i-1].AtMs
		if gap < 25 || gap > 80 {
			t.Errorf("gap %d = %.1f ms, want ~30 ms", i, gap)
		}
	}
	if res.Headers["content-type"] != "text/event-stream; charset=utf-8" {
		t.Errorf("headers %+v", res.Headers)
	}
}

func TestDoClassifiesFailures(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	res := Do(context.Background(), Spec{Method: "GET", URL: slow.URL, Timeout: 50 * time.Millisecond})
	if res.ErrCode != ErrTimeout {
		t.Errorf("slow server: got %q (%s), want timeout", res.ErrCode, res.Err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	res = Do(ctx, Spec{Method: "GET", URL: slow.URL, Timeout: 5 * time.Second})
	if res.ErrCode != ErrCanceled {
		t.Errorf("canceled VU: got %q (%s), want canceled", res.ErrCode, res.Err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	res = Do(context.Background(), Spec{Method: "GET", URL: "http://" + addr, Timeout: 5 * time.Second})
	if res.ErrCode != ErrConnection {
		t.Errorf("closed port: got %q (%s), want connection", res.ErrCode, res.Err)
	}

	garbage, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer garbage.Close()
	go func() {
		conn, err := garbage.Accept()
		if err != nil {
			return
		}
		_, _ = conn.Write([]byte("SSH-2.0-not-http\r\n\r\n"))
		_ = conn.Close()
	}()
	res = Do(context.Background(), Spec{Method: "GET", URL: "http://" + garbage.Addr().String(), Timeout: 5 * time.Second})
	if res.ErrCode != ErrProtocol {
		t.Errorf("non-HTTP server: got %q (%s), want protocol", res.ErrCode, res.Err)
	}
}
