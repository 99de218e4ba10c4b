// Package chat holds what every front end (LINE, Slack, web) shares: the
// question-answering contract, event de-duplication, feedback counting and
// metrics hooks. Implementations here are in-process; the service swaps in
// Redis-backed ones when replicas share state.
package chat

import (
	"context"
	"net/http"
	"sync"
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

// Feedback counts residents' and staff's votes per action, one vote per
// voter and action: a voter's later vote on an action replaces the
// earlier one. The voter names the chat ("line:U…", "slack:T…:U…", or the
// web client's address); stores keep it only as a salted hash, for a
// bounded time and number (feedback.go). The stores (MemFeedback, Redis)
// count under whatever name they are given; the service wraps its store
// in ByKey, so that the channels vote with action IDs and the votes are
// kept by the actions' stable keys.
type Feedback interface {
	Vote(ctx context.Context, voter, action string, helpful bool) error
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

// APIClient returns an HTTP client for a platform API called by up to
// conns workers at once. It keeps that many connections open: the default
// transport keeps two, so further workers would dial (and shake TLS hands)
// for every call.
func APIClient(timeout time.Duration, conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2)
	return &http.Client{Timeout: timeout, Transport: t}
}
