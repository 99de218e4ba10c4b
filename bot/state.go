package bot

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"

	"planbot/bot/chat"
	"planbot/index"
)

// Question is a question the plan did not cover: its text and time only,
// never who asked.
type Question struct {
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Unanswered keeps the recent not-covered questions for the admin page.
type Unanswered interface {
	Add(ctx context.Context, q Question) error
	Recent(ctx context.Context, n int) ([]Question, error)
}

// Limiter decides whether a client may make another request now.
type Limiter interface {
	Allow(ctx context.Context, client string) bool
}

// MemUnanswered keeps the last Cap questions (UnansweredCap when 0) of
// the last Keep (UnansweredKeep when 0) in process.
type MemUnanswered struct {
	Cap  int
	Keep time.Duration
	mu   sync.Mutex
	qs   []Question // oldest first
}

func (u *MemUnanswered) Add(_ context.Context, q Question) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.qs = append(u.qs, q)
	c := u.Cap
	if c <= 0 {
		c = UnansweredCap
	}
	if len(u.qs) > c {
		u.qs = slices.Delete(u.qs, 0, len(u.qs)-c) // zeroes what it drops
	}
	u.expire()
	return nil
}

func (u *MemUnanswered) Recent(_ context.Context, n int) ([]Question, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expire()
	out := make([]Question, 0, min(n, len(u.qs)))
	for i := len(u.qs) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, u.qs[i])
	}
	return out, nil
}

// expire drops the questions older than Keep: they leave when the log is
// next written or read, not when newer ones push them out.
func (u *MemUnanswered) expire() {
	keep := u.Keep
	if keep <= 0 {
		keep = UnansweredKeep
	}
	cut := time.Now().Add(-keep)
	i := 0
	for i < len(u.qs) && u.qs[i].At.Before(cut) {
		i++
	}
	u.qs = slices.Delete(u.qs, 0, i)
}

// MemLimiter is a per-client token bucket kept in process. It holds the
// buckets of at most Max clients (default 100,000): past that, the bucket
// of the client seen least recently is dropped, so a flood of new
// addresses costs bounded memory and never resets everyone at once (a
// client whose bucket was dropped had not been seen for longest; its
// bucket was likely full again anyway).
type MemLimiter struct {
	Rate  rate.Limit
	Burst int
	Max   int
	mu    sync.Mutex
	m     *simplelru.LRU[string, *rate.Limiter]
}

// DefaultMaxClients is how many clients' buckets a MemLimiter keeps
// unless told otherwise.
const DefaultMaxClients = 100_000

func (l *MemLimiter) Allow(_ context.Context, client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		size := l.Max
		if size <= 0 {
			size = DefaultMaxClients
		}
		l.m, _ = simplelru.NewLRU[string, *rate.Limiter](size, nil)
	}
	lim, ok := l.m.Get(client)
	if !ok {
		lim = rate.NewLimiter(l.Rate, l.Burst)
		l.m.Add(client, lim)
	}
	return lim.Allow()
}

// Len is how many clients' buckets are held.
func (l *MemLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		return 0
	}
	return l.m.Len()
}

// recorder is the Asker the channels get: it answers from the live index
// and logs the questions the plan does not cover.
type recorder struct {
	live       chat.Asker
	unanswered Unanswered
}

func (r recorder) Ask(q string) (index.Answer, error) {
	a, err := r.live.Ask(q)
	if err == nil && a.Intent == index.IntentNotCovered && r.unanswered != nil {
		r.unanswered.Add(context.Background(), Logged(q, time.Now()))
	}
	return a, err
}

// Logged is the question q as the not-covered log keeps it: masked (Mask),
// cut to MaxLoggedQuestion runes, and timed to the second.
func Logged(q string, at time.Time) Question {
	// Masked first: a number cut in two would escape the mask.
	q = Mask(q)
	if r := []rune(q); len(r) > MaxLoggedQuestion {
		q = string(r[:MaxLoggedQuestion]) + "…"
	}
	return Question{Text: q, At: at.UTC().Truncate(time.Second)}
}

// Current is the index being served, so the channels can check the
// actions their buttons name (chat.Served); nil before one is loaded.
func (r recorder) Current() *index.Index {
	if l, ok := r.live.(*index.Live); ok && l != nil {
		return l.Current()
	}
	return nil
}
