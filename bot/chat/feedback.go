package chat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// ErrNotAction is returned by a ByKey Feedback for an ID that names no
// action of the plan being served (or when no plan is loaded yet).
var ErrNotAction = errors.New("no such action in the current plan")

// The bounds of a feedback store. A ballot (who voted how on an action,
// the voter as a salted hash) is kept for BallotKeep after the vote, and
// at most MaxBallots of them, the oldest forgotten first: a voter whose
// ballot was forgotten may vote on that action once more. The counts of
// at most MaxKeys actions are kept, those voted on least recently
// forgotten first; the counts of an action a reindex removed stay until
// then.
const (
	BallotKeep = 30 * 24 * time.Hour
	MaxBallots = 50_000
	MaxKeys    = 100_000
)

// ByKey returns a Feedback that takes action IDs ("1.1.1.1", as the web
// API, LINE postbacks and Slack buttons send them), translates each with
// the plan asker serves at the moment of the vote into the action's stable
// key (data.Item.Key, a hash of its text), and counts the vote under that
// key in store. An ID that names no action of that plan (a forged or
// stale one, the contact desk) is ErrNotAction and counts nothing. Counts
// therefore follow an action when a reindex moves or renumbers it, and
// the counts of an action a reindex removed stay stored under its key.
// Counts returns store's counts, by key. asker must be Served (the
// service's Asker is); store may already be a ByKey Feedback.
func ByKey(store Feedback, asker Asker) Feedback {
	if k, ok := store.(*keyed); ok {
		return k
	}
	return &keyed{store: store, asker: asker}
}

type keyed struct {
	store Feedback
	asker Asker
}

func (k *keyed) Vote(ctx context.Context, voter, id string, helpful bool) error {
	it, found, _ := servedItem(k.asker, id)
	if !found {
		return ErrNotAction
	}
	return k.store.Vote(ctx, voter, it.Key(), helpful)
}

func (k *keyed) Counts(ctx context.Context) (map[string]Votes, error) { return k.store.Counts(ctx) }

// MemFeedback is an in-process Feedback within the bounds above.
type MemFeedback struct {
	mu      sync.Mutex
	salt    []byte
	now     func() time.Time
	keep    time.Duration
	ballots *simplelru.LRU[string, ballot] // voter hash + action → vote
	votes   *simplelru.LRU[string, Votes]  // action → counts
}

type ballot struct {
	helpful bool
	at      time.Time
}

// NewMemFeedback returns an empty in-process Feedback with the default
// bounds.
func NewMemFeedback() *MemFeedback { return newMemFeedback(MaxBallots, MaxKeys, BallotKeep) }

func newMemFeedback(ballots, keys int, keep time.Duration) *MemFeedback {
	f := &MemFeedback{salt: make([]byte, 32), now: time.Now, keep: keep}
	rand.Read(f.salt)
	f.ballots, _ = simplelru.NewLRU[string, ballot](ballots, nil)
	f.votes, _ = simplelru.NewLRU[string, Votes](keys, nil)
	return f
}

func (f *MemFeedback) Vote(_ context.Context, voter, action string, helpful bool) error {
	id := string(voterHash(f.salt, voter)) + action
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	// Ballots past their time go first; they are the least recent.
	for {
		_, b, ok := f.ballots.GetOldest()
		if !ok || now.Sub(b.at) < f.keep {
			break
		}
		f.ballots.RemoveOldest()
	}
	prev, voted := f.ballots.Get(id)
	f.ballots.Add(id, ballot{helpful: helpful, at: now})
	v, _ := f.votes.Get(action)
	if voted {
		if prev.helpful == helpful {
			f.votes.Add(action, v) // still the voter's vote: recently used
			return nil
		}
		if prev.helpful {
			v.Helpful = max(v.Helpful-1, 0)
		} else {
			v.NotHelpful = max(v.NotHelpful-1, 0)
		}
	}
	if helpful {
		v.Helpful++
	} else {
		v.NotHelpful++
	}
	f.votes.Add(action, v)
	return nil
}

func (f *MemFeedback) Counts(context.Context) (map[string]Votes, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]Votes, f.votes.Len())
	for _, k := range f.votes.Keys() {
		out[k], _ = f.votes.Peek(k)
	}
	return out, nil
}

// Ballots is how many ballots are held.
func (f *MemFeedback) Ballots() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ballots.Len()
}

// voterHash is how a store keeps a voter: HMAC-SHA-256 with the store's
// secret salt, cut to 16 bytes. Without the salt the hash of a web
// client's address cannot be undone by trying every address.
func voterHash(salt []byte, voter string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(voter))
	return m.Sum(nil)[:16]
}
