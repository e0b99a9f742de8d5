// Command k6 is k6 with the extensions Gauntlet's scenarios import. It is what xk6 would generate; we
// keep it in the repository so the build needs only `go` and the module proxy (see bin/setup/k6.js).
package main

import (
	k6cmd "go.k6.io/k6/cmd"

	_ "github.com/gauntlet-dev/xk6-gauntlet"
	_ "github.com/grafana/xk6-disruptor"
)

func main() {
	k6cmd.Execute()
}
