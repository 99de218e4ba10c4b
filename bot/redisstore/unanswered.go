package redisstore

import (
	"context"
	"encoding/json"
	"time"

	"planbot/bot"
)

// The not-covered log in Redis is a list, newest first, of at most
// unansweredCap questions; expireUnanswered and kept hold it to
// bot.UnansweredKeep as well, as the in-process log is held.

// expireUnanswered removes the questions past bot.UnansweredKeep from the
// list's old end, and lets the whole list expire with its newest question.
// Each removal names the element removed (LREM), so replicas expiring at
// once never remove a newer one.
func (s *Store) expireUnanswered(ctx context.Context) {
	key := s.prefix + keyUnanswered
	s.rdb.Expire(ctx, key, bot.UnansweredKeep)
	cut := time.Now().Add(-bot.UnansweredKeep)
	for range unansweredCap {
		last, err := s.rdb.LIndex(ctx, key, -1).Result()
		if err != nil {
			return
		}
		var q bot.Question
		if json.Unmarshal([]byte(last), &q) == nil && !q.At.Before(cut) {
			return
		}
		if s.rdb.LRem(ctx, key, -1, last).Err() != nil {
			return
		}
	}
}

// kept is qs as the admin page may see them: within bot.UnansweredKeep,
// and masked (questions stored before the log was masked are masked when
// read).
func kept(qs []bot.Question) []bot.Question {
	cut := time.Now().Add(-bot.UnansweredKeep)
	out := qs[:0]
	for _, q := range qs {
		if !q.At.Before(cut) {
			q.Text = bot.Mask(q.Text)
			out = append(out, q)
		}
	}
	return out
}
