package chat

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines is a JSON log kept for a test to read.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// dropped returns the "dropped" count of each line with msg, in order.
func (l *lines) dropped(t *testing.T, msg string) []int64 {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int64
	for _, s := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if s == "" {
			continue
		}
		var rec struct {
			Msg     string `json:"msg"`
			Dropped int64  `json:"dropped"`
		}
		if err := json.Unmarshal([]byte(s), &rec); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		if rec.Msg == msg {
			out = append(out, rec.Dropped)
		}
	}
	return out
}

func sum(ns []int64) (s int64) {
	for _, n := range ns {
		s += n
	}
	return s
}

// TestDropLogBurst: a burst of drops is one line at once for the first and
// one when the interval ends for the rest; the count of the last drops of
// the burst is not lost.
func TestDropLogBurst(t *testing.T) {
	var l lines
	log := slog.New(slog.NewJSONHandler(&l, nil))
	d := DropLog{Every: 100 * time.Millisecond}
	for range 8 {
		d.Drop(log, "queue full", "channel", "test")
	}
	if got := l.dropped(t, "queue full"); len(got) != 1 || got[0] != 1 {
		t.Fatalf("at once: lines %v, want one line counting the first drop", got)
	}
	time.Sleep(300 * time.Millisecond)
	if got := l.dropped(t, "queue full"); len(got) != 2 || got[1] != 7 {
		t.Fatalf("after the interval: lines %v, want [1 7]", got)
	}
	if !strings.Contains(l.buf.String(), `"channel":"test"`) {
		t.Errorf("args lost: %s", l.buf.String())
	}
	// Quiet for longer than the interval: the next drop is logged at once.
	d.Drop(log, "queue full")
	if got := l.dropped(t, "queue full"); len(got) != 3 || got[2] != 1 {
		t.Fatalf("after a quiet interval: lines %v", got)
	}
}

// TestDropLogConcurrent: drops from many goroutines are all counted, in
// at most a line per interval (and one at the start).
func TestDropLogConcurrent(t *testing.T) {
	var l lines
	log := slog.New(slog.NewJSONHandler(&l, nil))
	const every = 20 * time.Millisecond
	d := DropLog{Every: every}
	const goroutines, each = 8, 5000
	start := time.Now()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for i := range each {
				d.Drop(log, "busy")
				if i%500 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(3 * every)
	got := l.dropped(t, "busy")
	if n := sum(got); n != goroutines*each {
		t.Errorf("logged %d drops in %d lines, want %d", n, len(got), goroutines*each)
	}
	if max := int(elapsed/every) + 2; len(got) > max {
		t.Errorf("%d lines in %v, want at most %d", len(got), elapsed, max)
	}
}

// TestDropLogFlush: Flush logs what is pending at once (at shutdown), and
// the timer then logs nothing more.
func TestDropLogFlush(t *testing.T) {
	var l lines
	log := slog.New(slog.NewJSONHandler(&l, nil))
	d := DropLog{Every: time.Hour}
	var empty DropLog
	empty.Flush() // nothing dropped yet: nothing to log, no panic
	for range 5 {
		d.Drop(log, "rejected")
	}
	d.Flush()
	if got := l.dropped(t, "rejected"); len(got) != 2 || sum(got) != 5 {
		t.Fatalf("after Flush: %v", got)
	}
	d.Flush()
	if got := l.dropped(t, "rejected"); len(got) != 2 {
		t.Fatalf("a second Flush logged again: %v", got)
	}
}

// BenchmarkDropLog is the cost of a drop while a line is due, from many
// goroutines at once: what a flood costs on top of refusing the work.
func BenchmarkDropLog(b *testing.B) {
	log := slog.New(slog.DiscardHandler)
	var d DropLog
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			d.Drop(log, "queue full", "channel", "bench")
		}
	})
}
