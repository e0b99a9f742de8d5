// Command runc-capfix runs runc after removing CAP_SYS_RESOURCE from the OCI spec it is given.
//
// Why: on the machines this project runs on, CAP_SYS_RESOURCE is missing from the capability bounding
// set. `docker run --privileged` asks runc for every capability, runc cannot raise one the bounding set
// lacks, and the container fails with "unable to apply caps". kind's node containers are privileged,
// so kind does not work there without this. The same missing capability forbids a negative
// oom_score_adj, which Docker and containerd ask for; it is raised to 0.
//
// dockerd runs it as a runtime (daemon.json "runtimes"); it edits the bundle's config.json for
// `runc create/run` and the process spec for `runc exec --process`, then execs the real runc.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
)

// realRunc is Debian's runc; RUNC_CAPFIX_RUNC overrides it (for tests and other layouts).
const realRunc = "/usr/sbin/runc"

const dropped = "CAP_SYS_RESOURCE"

func main() {
	bundle, process := specPaths(os.Args[1:])
	if process != "" {
		if err := fixFile(process, false); err != nil {
			fail(err)
		}
	}
	if bundle != "" {
		if err := fixFile(bundle+"/config.json", true); err != nil {
			fail(err)
		}
	}
	runc := realRunc
	if v := os.Getenv("RUNC_CAPFIX_RUNC"); v != "" {
		runc = v
	}
	argv := append([]string{runc}, os.Args[1:]...)
	fail(syscall.Exec(runc, argv, os.Environ()))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "runc-capfix: %v\n", err)
	os.Exit(1)
}

// specPaths finds the values of --bundle/-b and --process/-p in runc's arguments, in both the
// "--flag value" and "--flag=value" forms.
func specPaths(args []string) (bundle, process string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--bundle" || a == "-b":
			bundle = next()
		case a == "--process" || a == "-p":
			process = next()
		case len(a) > 9 && a[:9] == "--bundle=":
			bundle = a[9:]
		case len(a) > 10 && a[:10] == "--process=":
			process = a[10:]
		}
	}
	return bundle, process
}

// fixFile rewrites an OCI spec in place. inBundle: the file is a whole config.json (the process
// is under "process"); otherwise it is a process spec itself. A missing file is left alone: runc
// reports that better than we can.
func fixFile(path string, inBundle bool) error {
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	proc := spec
	if inBundle {
		p, ok := spec["process"].(map[string]any)
		if !ok {
			return nil
		}
		proc = p
	}
	if !fixProcess(proc) {
		return nil
	}
	out, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".capfix"
	if err := os.WriteFile(tmp, out, info.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// fixProcess drops CAP_SYS_RESOURCE from every capability set and raises a negative oomScoreAdj
// to 0. It reports whether it changed anything.
func fixProcess(proc map[string]any) bool {
	changed := false
	if caps, ok := proc["capabilities"].(map[string]any); ok {
		for set, list := range caps {
			items, ok := list.([]any)
			if !ok {
				continue
			}
			kept := make([]any, 0, len(items))
			for _, c := range items {
				if c == dropped {
					changed = true
					continue
				}
				kept = append(kept, c)
			}
			caps[set] = kept
		}
	}
	if adj, ok := proc["oomScoreAdj"].(float64); ok && adj < 0 {
		proc["oomScoreAdj"] = float64(0)
		changed = true
	}
	return changed
}
