// Package xk6gauntlet registers Gauntlet's k6 modules: k6/x/sse (streaming requests with per-event
// arrival times) and k6/x/gauntlet (raw sample lines to a file, shared clocks). Import it for its side
// effect from a k6 main package, as tools/k6/main.go does.
package xk6gauntlet

import (
	"go.k6.io/k6/js/modules"

	"github.com/gauntlet-dev/xk6-gauntlet/gauntlet"
	"github.com/gauntlet-dev/xk6-gauntlet/sse"
)

func init() {
	modules.Register("k6/x/sse", new(sse.RootModule))
	modules.Register("k6/x/gauntlet", new(gauntlet.RootModule))
}
