package sse

import (
	"bytes"
	"errors"
	"fmt"
)

// Event is one dispatched server-sent event. AtMs is the time, since the request was sent, at which the
// bytes that completed the event (its terminating blank line) had been read from the connection.
type Event struct {
	Data  string
	Event string
	ID    string
	AtMs  float64
}

// errProtocol marks failures caused by what the server sent (as opposed to the network or the clock).
var errProtocol = errors.New("protocol error")

// Parser implements the event-stream interpretation of the WHATWG HTML spec ("9.2.6 Interpreting an event
// stream"): lines end in CRLF, LF or CR; "data" lines accumulate; a blank line dispatches; an event whose
// data buffer is empty is not dispatched; a trailing event without its blank line is dropped. It is fed
// in chunks as they arrive so that every event carries the arrival time of the chunk that completed it.
type Parser struct {
	maxLineBytes int
	line         []byte
	lastWasCR    bool
	sawFirstByte bool
	data         bytes.Buffer
	hasData      bool
	eventType    string
	lastID       string
	events       []Event
}

// NewParser returns a parser that refuses lines longer than maxLineBytes (a guard against a server that
// never sends a newline).
func NewParser(maxLineBytes int) *Parser {
	return &Parser{maxLineBytes: maxLineBytes}
}

// Feed consumes one chunk read at atMs.
func (p *Parser) Feed(chunk []byte, atMs float64) error {
	if !p.sawFirstByte && len(chunk) > 0 {
		p.sawFirstByte = true
		// A leading UTF-8 BOM is not part of the first field name.
		chunk = bytes.TrimPrefix(chunk, []byte("\xEF\xBB\xBF"))
	}
	for len(chunk) > 0 {
		if p.lastWasCR {
			p.lastWasCR = false
			if chunk[0] == '\n' {
				chunk = chunk[1:]
				continue
			}
		}
		i := bytes.IndexAny(chunk, "\r\n")
		if i < 0 {
			p.line = append(p.line, chunk...)
			chunk = nil
		} else {
			p.line = append(p.line, chunk[:i]...)
			p.lastWasCR = chunk[i] == '\r'
			chunk = chunk[i+1:]
			p.processLine(p.line, atMs)
			p.line = p.line[:0]
		}
		if len(p.line) > p.maxLineBytes {
			return fmt.Errorf("%w: event-stream line longer than %d bytes", errProtocol, p.maxLineBytes)
		}
	}
	return nil
}

// Events returns the events dispatched so far.
func (p *Parser) Events() []Event {
	return p.events
}

func (p *Parser) processLine(line []byte, atMs float64) {
	if len(line) == 0 {
		p.dispatch(atMs)
		return
	}
	if line[0] == ':' {
		return // comment (often a keep-alive)
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = bytes.TrimPrefix(value, []byte(" "))
	}
	switch string(field) {
	case "data":
		p.data.Write(value)
		p.data.WriteByte('\n')
		p.hasData = true
	case "event":
		p.eventType = string(value)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.lastID = string(value)
		}
	default:
		// "retry" and unknown fields do not affect what we measure.
	}
}

func (p *Parser) dispatch(atMs float64) {
	eventType := p.eventType
	p.eventType = ""
	if !p.hasData {
		p.data.Reset()
		return
	}
	data := p.data.Bytes()
	data = data[:len(data)-1] // the spec drops the final LF appended after the last data line
	if eventType == "" {
		eventType = "message"
	}
	p.events = append(p.events, Event{Data: string(data), Event: eventType, ID: p.lastID, AtMs: atMs})
	p.data.Reset()
	p.hasData = false
}
