package gauntlet

import (
	"fmt"
	"os"
	"sync"
)

// SamplesEnv names the file that record() appends to.
const SamplesEnv = "GAUNTLET_SAMPLES_FILE"

// samplesFile is shared by every VU of the process. Each line goes to the kernel in one write(2) on an
// O_APPEND file, so lines never interleave and nothing sits in a user-space buffer when k6 is killed.
type samplesFile struct {
	once sync.Once
	mu   sync.Mutex
	file *os.File
	err  error
}

var samples = &samplesFile{}

func (s *samplesFile) open() {
	path := os.Getenv(SamplesEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		s.err = fmt.Errorf("k6/x/gauntlet: cannot open %s=%s: %w", SamplesEnv, path, err)
		return
	}
	s.file = f
}

// append writes line and a newline; it is a no-op when the env variable is unset.
func (s *samplesFile) append(line string) error {
	s.once.Do(s.open)
	if s.err != nil {
		return s.err
	}
	if s.file == nil {
		return nil
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(buf, line...)
	buf = append(buf, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.file.Write(buf); err != nil {
		return fmt.Errorf("k6/x/gauntlet: writing to %s: %w", s.file.Name(), err)
	}
	return nil
}
