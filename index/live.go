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
	for {
		a, err := ix.Ask(q)
		if !errors.Is(err, ErrClosed) {
			return a, err
		}
		// A reindex closed ix after storing its successor: ask that.
		if next := l.cur.Load(); next != ix {
			ix = next
			continue
		}
		return a, err
	}
}

// Current returns the index being served, or nil before one is loaded.
func (l *Live) Current() *Index { return l.cur.Load() }

// Swap serves ix from now on and returns the index it replaces, for the
// caller to Close: Close waits for the questions still running on it, and
// questions that reach it afterwards move on to ix.
func (l *Live) Swap(ix *Index) *Index { return l.cur.Swap(ix) }
