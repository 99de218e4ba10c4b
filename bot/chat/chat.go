// Package chat holds what every front end (LINE, Slack, web) shares: the
// question-answering contract, event de-duplication, feedback counting and
// metrics hooks. Implementations here are in-process; the service swaps in
// Redis-backed ones when replicas share state.
package chat

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"planbot/index"
)

// Asker answers a question; *index.Live implements it.
type Asker interface {
	Ask(q string) (index.Answer, error)
}

// Deduper remembers keys (webhook event IDs, channel+ts) for a while.
type Deduper interface {
	// Seen reports whether key was seen within ttl, and marks it seen.
	Seen(ctx context.Context, key string, ttl time.Duration) bool
}

// Feedback counts residents' and staff's votes per action. It stores no
// user identity. The stores (MemFeedback, Redis) count under whatever
// name they are given; the service wraps its store in ByKey, so that the
// channels vote with action IDs and the votes are kept by the actions'
// stable keys.
type Feedback interface {
	Vote(ctx context.Context, action string, helpful bool) error
	Counts(ctx context.Context) (map[string]Votes, error)
}

// Votes is the tally of one action.
type Votes struct {
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
}

// Metrics receives events worth counting. Implementations must be safe for
// concurrent use; Nop discards everything.
type Metrics interface {
	Request(channel, status string)
	Answered(channel string, a index.Answer, d time.Duration)
	Dropped(channel, reason string)
}

// Nop is a Metrics that records nothing.
type Nop struct{}

func (Nop) Request(string, string)                       {}
func (Nop) Answered(string, index.Answer, time.Duration) {}
func (Nop) Dropped(string, string)                       {}

// MemDeduper is an in-process Deduper.
type MemDeduper struct {
	mu    sync.Mutex
	seen  map[string]time.Time // key -> expiry
	sweep int                  // size at which expired keys are next swept
	now   func() time.Time
}

// minSweep is the size below which expired keys are left in place.
const minSweep = 10000

// NewMemDeduper returns an empty in-process Deduper.
func NewMemDeduper() *MemDeduper {
	return &MemDeduper{seen: map[string]time.Time{}, sweep: minSweep, now: time.Now}
}

func (d *MemDeduper) Seen(_ context.Context, key string, ttl time.Duration) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if exp, ok := d.seen[key]; ok && now.Before(exp) {
		return true
	}
	d.seen[key] = now.Add(ttl)
	if len(d.seen) >= d.sweep {
		// Sweeping only when the map has doubled since the last sweep keeps
		// the cost per call constant however many keys are live.
		for k, exp := range d.seen {
			if !now.Before(exp) {
				delete(d.seen, k)
			}
		}
		d.sweep = max(2*len(d.seen), minSweep)
	}
	return false
}

// Len reports how many keys are held, expired or not.
func (d *MemDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}

// MemFeedback is an in-process Feedback.
type MemFeedback struct {
	mu    sync.Mutex
	votes map[string]Votes
}

// NewMemFeedback returns an empty in-process Feedback.
func NewMemFeedback() *MemFeedback { return &MemFeedback{votes: map[string]Votes{}} }

func (f *MemFeedback) Vote(_ context.Context, action string, helpful bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.votes[action]
	if helpful {
		v.Helpful++
	} else {
		v.NotHelpful++
	}
	f.votes[action] = v
	return nil
}

func (f *MemFeedback) Counts(context.Context) (map[string]Votes, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]Votes, len(f.votes))
	for k, v := range f.votes {
		out[k] = v
	}
	return out, nil
}

// DropLog logs dropped work at most once a second, with the number dropped
// since the last line, so a flood of drops cannot flood the log as well.
// The zero value is ready to use.
type DropLog struct {
	n    atomic.Int64
	last atomic.Int64 // Unix nanoseconds of the last line
}

// Drop counts one dropped piece of work and may log msg with args.
func (d *DropLog) Drop(log *slog.Logger, msg string, args ...any) {
	d.n.Add(1)
	now, last := time.Now().UnixNano(), d.last.Load()
	if now-last < int64(time.Second) || !d.last.CompareAndSwap(last, now) {
		return
	}
	log.Warn(msg, append(args, "dropped", d.n.Swap(0))...)
}

// APIClient returns an HTTP client for a platform API called by up to
// conns workers at once. It keeps that many connections open: the default
// transport keeps two, so further workers would dial (and shake TLS hands)
// for every call.
func APIClient(timeout time.Duration, conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2)
	return &http.Client{Timeout: timeout, Transport: t}
}
