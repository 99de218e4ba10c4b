package chat

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DropLog logs dropped (or refused) work at most once per interval, each
// line with the number dropped since the last one, so that a flood of drops
// cannot flood the log as well and no drop goes uncounted: the first drop
// after a quiet interval is logged at once, and the drops that follow
// within the interval are logged together when it ends. The zero value is
// ready to use and logs at most once a second.
type DropLog struct {
	// Every is the least time between two lines; 0 means a second.
	Every time.Duration

	n     atomic.Int64 // drops not yet logged
	armed atomic.Bool  // a line is due: logged now or by a timer

	mu   sync.Mutex
	last time.Time // when the last line was logged
	log  *slog.Logger
	msg  string
	args []any
}

// Drop counts one dropped piece of work. It logs msg with args and the
// count ("dropped") at once when no line was logged within the interval,
// else when the interval ends; args are those of the first drop a line
// counts. Drop is cheap when a line is already due: two atomic operations.
func (d *DropLog) Drop(log *slog.Logger, msg string, args ...any) {
	d.n.Add(1)
	if d.armed.Load() || !d.armed.CompareAndSwap(false, true) {
		return
	}
	d.mu.Lock()
	d.log, d.msg, d.args = log, msg, args
	wait := time.Until(d.last.Add(d.every()))
	d.mu.Unlock()
	if wait <= 0 {
		d.Flush()
		return
	}
	time.AfterFunc(wait, d.Flush)
}

// Flush logs the drops not yet logged, if any, now: at the end of each
// interval, and when the service stops.
func (d *DropLog) Flush() {
	d.mu.Lock()
	if d.log == nil { // no drop has armed a line yet
		d.mu.Unlock()
		return
	}
	// Disarmed before the count is taken: a drop counted after it arms the
	// next line, one counted before it is in this one.
	d.armed.Store(false)
	n := d.n.Swap(0)
	if n == 0 {
		d.mu.Unlock()
		return
	}
	d.last = time.Now()
	log, msg, args := d.log, d.msg, d.args
	d.mu.Unlock()
	log.Warn(msg, append(args[:len(args):len(args)], "dropped", n)...)
}

func (d *DropLog) every() time.Duration {
	if d.Every <= 0 {
		return time.Second
	}
	return d.Every
}
