package sse

import (
	"errors"
	"testing"
)

func TestParserSplitsEventsAcrossChunksAndLineEndings(t *testing.T) {
	p := NewParser(1024)
	chunks := []string{"\xEF\xBB\xBFdata: a\r", "\ndata:b\n\n: keep-alive\n\nevent: tok", "en\rid: 7\rdata: c\r\r", "data: tail"}
	for i, c := range chunks {
		if err := p.Feed([]byte(c), float64(i*10)); err != nil {
			t.Fatal(err)
		}
	}
	got := p.Events()
	want := []Event{
		{Data: "a\nb", Event: "message", AtMs: 10},
		{Data: "c", Event: "token", ID: "7", AtMs: 20},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParserDispatchesEmptyDataButNotEventsWithoutData(t *testing.T) {
	p := NewParser(1024)
	if err := p.Feed([]byte("event: x\n\ndata\n\n"), 1); err != nil {
		t.Fatal(err)
	}
	got := p.Events()
	if len(got) != 1 || got[0].Data != "" || got[0].Event != "message" {
		t.Fatalf("got %+v, want one message event with empty data", got)
	}
}

func TestParserRejectsOverlongLines(t *testing.T) {
	p := NewParser(8)
	err := p.Feed([]byte("data: 0123456789"), 1)
	if !errors.Is(err, errProtocol) {
		t.Fatalf("got %v, want a protocol error", err)
	}
}
