package bot

import (
	"context"
	"sync"
	"time"

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

// MemUnanswered is an in-process ring of the last Cap questions.
type MemUnanswered struct {
	Cap int
	mu  sync.Mutex
	qs  []Question
}

func (u *MemUnanswered) Add(_ context.Context, q Question) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.qs = append(u.qs, q)
	if c := max(u.Cap, 1); len(u.qs) > c {
		u.qs = u.qs[len(u.qs)-c:]
	}
	return nil
}

func (u *MemUnanswered) Recent(_ context.Context, n int) ([]Question, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]Question, 0, min(n, len(u.qs)))
	for i := len(u.qs) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, u.qs[i])
	}
	return out, nil
}

// MemLimiter is a per-client token bucket kept in process.
type MemLimiter struct {
	Rate  rate.Limit
	Burst int
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

func (l *MemLimiter) Allow(_ context.Context, client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil || len(l.m) > 100000 {
		l.m = map[string]*rate.Limiter{} // forget everyone rather than grow without bound
	}
	lim, ok := l.m[client]
	if !ok {
		lim = rate.NewLimiter(l.Rate, l.Burst)
		l.m[client] = lim
	}
	return lim.Allow()
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
		r.unanswered.Add(context.Background(), Question{Text: q, At: time.Now().UTC().Truncate(time.Second)})
	}
	return a, err
}

// Current is the index being served, so the channels can check the
// actions their buttons name (chat.Served); nil before one is loaded.
func (r recorder) Current() *index.Index {
	if l, ok := r.live.(*index.Live); ok && l != nil {
		return l.Current()
	}
	return nil
}
