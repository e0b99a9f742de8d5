package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSpecPaths(t *testing.T) {
	cases := []struct {
		args            []string
		bundle, process string
	}{
		{[]string{"--root", "/r", "create", "--bundle", "/b", "id"}, "/b", ""},
		{[]string{"create", "-b", "/b", "id"}, "/b", ""},
		{[]string{"exec", "--process", "/p.json", "--detach", "id"}, "", "/p.json"},
		{[]string{"exec", "-p", "/p.json", "id"}, "", "/p.json"},
		{[]string{"create", "--bundle=/b", "id"}, "/b", ""},
		{[]string{"exec", "--process=/p.json", "id"}, "", "/p.json"},
		{[]string{"state", "id"}, "", ""},
		{[]string{"create", "--bundle"}, "", ""},
	}
	for _, c := range cases {
		b, p := specPaths(c.args)
		if b != c.bundle || p != c.process {
			t.Errorf("specPaths(%v) = %q, %q; want %q, %q", c.args, b, p, c.bundle, c.process)
		}
	}
}

func TestFixFileBundle(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	spec := `{"ociVersion":"1.0.2","process":{"oomScoreAdj":-999,"capabilities":{` +
		`"bounding":["CAP_CHOWN","CAP_SYS_RESOURCE"],"effective":["CAP_SYS_RESOURCE","CAP_KILL"]}},"root":{"path":"rootfs"}}`
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fixFile(path, true); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	proc := got["process"].(map[string]any)
	caps := proc["capabilities"].(map[string]any)
	if !reflect.DeepEqual(caps["bounding"], []any{"CAP_CHOWN"}) || !reflect.DeepEqual(caps["effective"], []any{"CAP_KILL"}) {
		t.Errorf("capabilities not fixed: %v", caps)
	}
	if proc["oomScoreAdj"] != float64(0) {
		t.Errorf("oomScoreAdj = %v, want 0", proc["oomScoreAdj"])
	}
	if got["root"].(map[string]any)["path"] != "rootfs" {
		t.Errorf("other fields lost: %v", got)
	}
}

func TestFixFileProcessKeepsPositiveOomAndUnrelatedSpecs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "process.json")
	spec := `{"args":["sh"],"oomScoreAdj":500,"capabilities":{"bounding":["CAP_SYS_RESOURCE"]}}`
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fixFile(path, false); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	raw, _ := os.ReadFile(path)
	_ = json.Unmarshal(raw, &got)
	if got["oomScoreAdj"] != float64(500) {
		t.Errorf("positive oomScoreAdj changed: %v", got["oomScoreAdj"])
	}
	if !reflect.DeepEqual(got["capabilities"].(map[string]any)["bounding"], []any{}) {
		t.Errorf("capability kept: %v", got["capabilities"])
	}
	if err := fixFile(filepath.Join(dir, "missing.json"), true); err != nil {
		t.Errorf("a missing file must be left to runc, got %v", err)
	}
}
