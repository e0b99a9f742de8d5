// Package sse is the k6/x/sse module: one synchronous HTTP request whose text/event-stream response is
// parsed into events, each stamped with its arrival time, for time-to-first-token and inter-token
// latency measurements.
package sse

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
)

const defaultTimeout = 60 * time.Second // the same default as k6's http.request

// RootModule is created once per process; it hands every VU its own ModuleInstance.
type RootModule struct{}

// ModuleInstance is the module as one VU sees it.
type ModuleInstance struct {
	vu modules.VU
}

var (
	_ modules.Module   = &RootModule{}
	_ modules.Instance = &ModuleInstance{}
)

// NewModuleInstance implements modules.Module.
func (*RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	return &ModuleInstance{vu: vu}
}

// Exports implements modules.Instance.
func (m *ModuleInstance) Exports() modules.Exports {
	return modules.Exports{Named: map[string]any{"request": m.request}}
}

// request(method, url, body, params) blocks the VU until the response has been read completely, like
// http.request does; the VU's context cancels it when the test stops.
func (m *ModuleInstance) request(call sobek.FunctionCall) sobek.Value {
	rt := m.vu.Runtime()
	if m.vu.State() == nil {
		common.Throw(rt, common.NewInitContextError("k6/x/sse: requests can't be made in the init context"))
	}
	spec := Spec{
		Method:  stringArg(rt, call.Argument(0), "method"),
		URL:     stringArg(rt, call.Argument(1), "url"),
		Timeout: defaultTimeout,
	}
	if body := call.Argument(2); !sobek.IsUndefined(body) && !sobek.IsNull(body) {
		s := stringArg(rt, body, "body")
		spec.Body = &s
	}
	applyParams(rt, call.Argument(3), &spec)
	return toJS(rt, Do(m.vu.Context(), spec))
}

func stringArg(rt *sobek.Runtime, v sobek.Value, name string) string {
	s, ok := v.Export().(string)
	if !ok {
		panic(rt.NewTypeError(fmt.Sprintf("k6/x/sse: %s must be a string, got %s", name, describeValue(v))))
	}
	return s
}

func applyParams(rt *sobek.Runtime, v sobek.Value, spec *Spec) {
	if sobek.IsUndefined(v) || sobek.IsNull(v) {
		return
	}
	obj, ok := v.(*sobek.Object)
	if !ok {
		panic(rt.NewTypeError("k6/x/sse: params must be an object"))
	}
	for _, key := range obj.Keys() {
		value := obj.Get(key)
		if sobek.IsUndefined(value) {
			continue
		}
		switch key {
		case "headers":
			spec.Headers = headersParam(rt, value)
		case "timeoutMs":
			ms, isNumber := numberValue(value)
			if !isNumber || math.IsNaN(ms) || math.IsInf(ms, 0) || ms <= 0 {
				panic(rt.NewTypeError(fmt.Sprintf("k6/x/sse: params.timeoutMs must be a number > 0, got %s",
					describeValue(value))))
			}
			spec.Timeout = time.Duration(ms * float64(time.Millisecond))
		default:
			panic(rt.NewTypeError(fmt.Sprintf(
				"k6/x/sse: unknown params field %q (allowed: headers, timeoutMs)", key)))
		}
	}
}

func headersParam(rt *sobek.Runtime, v sobek.Value) map[string]string {
	obj, ok := v.(*sobek.Object)
	if !ok {
		panic(rt.NewTypeError("k6/x/sse: params.headers must be an object of strings"))
	}
	headers := map[string]string{}
	for _, name := range obj.Keys() {
		value, ok := obj.Get(name).Export().(string)
		if !ok {
			panic(rt.NewTypeError(fmt.Sprintf("k6/x/sse: params.headers[%q] must be a string, got %s",
				name, describeValue(obj.Get(name)))))
		}
		headers[name] = value
	}
	return headers
}

func numberValue(v sobek.Value) (float64, bool) {
	switch n := v.Export().(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	default:
		return 0, false
	}
}

func describeValue(v sobek.Value) string {
	if v == nil || sobek.IsUndefined(v) {
		return "undefined"
	}
	if sobek.IsNull(v) {
		return "null"
	}
	return fmt.Sprintf("%T", v.Export())
}

// toJS builds plain JS objects (not wrapped Go values) so that scripts can spread, JSON.stringify and
// Object.keys them, with keys in a stable order.
func toJS(rt *sobek.Runtime, res Result) *sobek.Object {
	headers := rt.NewObject()
	names := make([]string, 0, len(res.Headers))
	for name := range res.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		mustSet(headers, name, res.Headers[name])
	}
	events := make([]any, 0, len(res.Events))
	for _, e := range res.Events {
		event := rt.NewObject()
		mustSet(event, "data", e.Data)
		mustSet(event, "event", e.Event)
		mustSet(event, "id", e.ID)
		mustSet(event, "atMs", e.AtMs)
		events = append(events, event)
	}
	out := rt.NewObject()
	mustSet(out, "status", res.Status)
	mustSet(out, "error", res.Err)
	mustSet(out, "errorCode", string(res.ErrCode))
	mustSet(out, "headers", headers)
	mustSet(out, "body", res.Body)
	mustSet(out, "events", rt.NewArray(events...))
	mustSet(out, "headersAtMs", res.HeadersAtMs)
	mustSet(out, "durationMs", res.DurationMs)
	mustSet(out, "startedAtUnixMs", res.StartedAtUnixMs)
	return out
}

func mustSet(obj *sobek.Object, key string, value any) {
	if err := obj.Set(key, value); err != nil {
		panic(err) // only fails on frozen objects, and these were just created
	}
}
