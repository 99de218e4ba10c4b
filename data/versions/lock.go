package versions

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Holder says who holds a data directory's lock: the service (with the
// address the command line can reach it at) or an offline command.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`        // "serve", "reindex", "rollback"
	Addr    string    `json:"addr,omitempty"` // the service's base URL, http://host:port
	Since   time.Time `json:"since"`
}

// ErrLocked is wrapped by the *LockedError of a directory in use.
var ErrLocked = errors.New("data dir in use")

// LockedError is returned by Lock for a directory another process holds.
type LockedError struct {
	Dir    string
	Holder Holder // zero when the holder did not say
}

func (e *LockedError) Unwrap() error { return ErrLocked }

func (e *LockedError) Error() string {
	h := e.Holder
	switch {
	case h.Command == "serve" && h.Addr != "":
		return fmt.Sprintf("a service (pid %d, %s, since %s) serves the data dir %s; reindex and roll back through it: --server %s (with PLANBOT_ADMIN_TOKEN)",
			h.PID, h.Addr, h.Since.Local().Format(time.DateTime), e.Dir, h.Addr)
	case h.Command == "serve":
		return fmt.Sprintf("a service (pid %d) serves the data dir %s; reindex and roll back through it with --server URL (with PLANBOT_ADMIN_TOKEN)", h.PID, e.Dir)
	case h.PID != 0:
		return fmt.Sprintf("planbot %s (pid %d) is using the data dir %s; try again when it has finished", h.Command, h.PID, e.Dir)
	}
	return fmt.Sprintf("another process is using the data dir %s", e.Dir)
}

// DirLock is a held lock on a data directory; the operating system
// releases it when the process ends, however it ends.
type DirLock struct {
	f *os.File
}

// lockFile is the lock's name in the data directory.
const lockFile = "LOCK"

// Lock takes the data directory for this process, recording h in the
// lock file so that others can say who holds it. It does not wait: a
// directory in use is a *LockedError.
func Lock(dir string, h Holder) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("versions: lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if !errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("versions: lock %s: %w", path, err)
		}
		le := &LockedError{Dir: dir}
		if b, err := os.ReadFile(path); err == nil {
			json.Unmarshal(b, &le.Holder)
		}
		return nil, le
	}
	if h.PID == 0 {
		h.PID = os.Getpid()
	}
	if h.Since.IsZero() {
		h.Since = time.Now()
	}
	b, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		f.WriteAt(append(b, '\n'), 0)
	}
	return &DirLock{f: f}, nil
}

// Unlock releases the directory.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unlock(l.f)
	l.f.Close()
	l.f = nil
	return err
}
