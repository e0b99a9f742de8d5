// Package gauntlet is the k6/x/gauntlet module: raw per-request samples written to a file the harness
// reads (k6's own outputs aggregate or buffer), and clocks that scripts can compare across VUs.
package gauntlet

import (
	"fmt"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
)

// processStart anchors monotonicMs(); time.Since uses the monotonic reading, so wall-clock steps (NTP)
// do not bend measured intervals.
var processStart = time.Now()

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
	return modules.Exports{Named: map[string]any{
		"record":      m.record,
		"monotonicMs": monotonicMs,
		"nowUnixMs":   nowUnixMs,
	}}
}

func (m *ModuleInstance) record(call sobek.FunctionCall) sobek.Value {
	rt := m.vu.Runtime()
	line, ok := call.Argument(0).Export().(string)
	if !ok {
		panic(rt.NewTypeError(fmt.Sprintf("k6/x/gauntlet: record(line) needs a string, got %T",
			call.Argument(0).Export())))
	}
	if err := samples.append(line); err != nil {
		common.Throw(rt, err)
	}
	return sobek.Undefined()
}

func monotonicMs() float64 {
	return float64(time.Since(processStart).Nanoseconds()) / 1e6
}

func nowUnixMs() float64 {
	return float64(time.Now().UnixMicro()) / 1000
}
