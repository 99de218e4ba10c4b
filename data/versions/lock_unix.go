//go:build unix

package versions

import (
	"errors"
	"os"
	"syscall"
)

var errWouldBlock = errors.New("lock held")

// tryLock takes an exclusive flock without waiting. flock locks belong to
// the open file, so a second Lock in the same process is refused too.
func tryLock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errWouldBlock
		}
		return err
	}
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
