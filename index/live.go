package index

import (
	"errors"
	"sync/atomic"
)

// Live serves questions from the current index and lets a reindex swap in
// a new one atomically: questions in flight finish on the index they
// started with, and the next ones see the new index.
type Live struct {
	cur atomic.Pointer[Index]
}

// NewLive serves ix.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.cur.Store(ix)
	return l
}

// ErrNotReady is returned by Ask before an index is loaded.
var ErrNotReady = errors.New("index: not loaded yet")

// Ask answers q from the current index.
func (l *Live) Ask(q string) (Answer, error) {
	ix := l.cur.Load()
	if ix == nil {
		return Answer{Query: q, Answers: []Match{}}, ErrNotReady
	}
	return ix.Ask(q)
}

// Current returns the index being served, or nil before one is loaded.
func (l *Live) Current() *Index { return l.cur.Load() }

// Swap serves ix from now on and returns the index it replaces. The old
// index is left to the garbage collector rather than closed, because
// questions may still be running on it.
func (l *Live) Swap(ix *Index) *Index { return l.cur.Swap(ix) }
