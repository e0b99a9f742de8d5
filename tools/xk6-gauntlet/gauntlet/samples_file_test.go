package gauntlet

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestAppendWritesWholeLinesFromManyGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "samples.jsonl")
	t.Setenv(SamplesEnv, path)
	s := &samplesFile{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if err := s.append(strings.Repeat(string(rune('a'+g)), 64)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("got %d lines, want 800", len(lines))
	}
	for _, line := range lines {
		if len(line) != 64 || strings.Count(line, line[:1]) != 64 {
			t.Fatalf("interleaved line %q", line)
		}
	}
}

func TestAppendIsANoOpWithoutTheEnv(t *testing.T) {
	t.Setenv(SamplesEnv, "")
	s := &samplesFile{}
	if err := s.append("x"); err != nil || s.file != nil {
		t.Fatalf("got err %v, file %v; want a no-op", err, s.file)
	}
}
