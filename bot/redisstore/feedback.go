package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"planbot/bot/chat"
)

// Feedback in Redis: the counts in the hash "feedback" (fields
// KEY:helpful and KEY:not_helpful), each voter's ballot on an action in
// the hash "feedback:ballot" (VOTER:KEY → 1 or 0, VOTER a salted hash),
// the ballots' and the actions' last votes in the sorted sets
// "feedback:ballots" and "feedback:keys" (to forget the oldest), and the
// salt, made by the first vote and shared by every replica, in
// "feedback:salt". The voter is sent to Redis with the vote and hashed
// there: it is never stored in clear.
const (
	keyBallot  = keyFeedback + ":ballot"
	keyBallots = keyFeedback + ":ballots"
	keyKeys    = keyFeedback + ":keys"
	keySalt    = keyFeedback + ":salt"
)

// feedbackBounds are the limits of the feedback kept (chat.MaxBallots and
// the others by default).
type feedbackBounds struct {
	keep          time.Duration
	ballots, keys int
}

var defaultBounds = feedbackBounds{keep: chat.BallotKeep, ballots: chat.MaxBallots, keys: chat.MaxKeys}

// voteScript records one vote atomically: a voter's vote on an action
// replaces its earlier one, then ballots past their time and beyond the
// cap, and the counts of the actions voted on least recently beyond their
// cap, are forgotten (a bounded number per vote).
var voteScript = redis.NewScript(`
local salt = redis.call('GET', KEYS[5])
if not salt then
  salt = ARGV[1]
  redis.call('SET', KEYS[5], salt)
end
local key, vote, now = ARGV[3], ARGV[4], tonumber(ARGV[5])
local member = string.sub(redis.sha1hex(salt .. ARGV[2]), 1, 32) .. ':' .. key
local function field(v)
  if v == '1' then return key .. ':helpful' end
  return key .. ':not_helpful'
end
local prev = redis.call('HGET', KEYS[2], member)
if prev ~= vote then
  if prev and tonumber(redis.call('HGET', KEYS[1], field(prev)) or '0') > 0 then
    redis.call('HINCRBY', KEYS[1], field(prev), -1)
  end
  redis.call('HINCRBY', KEYS[1], field(vote), 1)
  redis.call('HSET', KEYS[2], member, vote)
end
redis.call('ZADD', KEYS[3], now, member)
redis.call('ZADD', KEYS[4], now, key)
local function forget(members)
  if #members > 0 then
    redis.call('HDEL', KEYS[2], unpack(members))
    redis.call('ZREM', KEYS[3], unpack(members))
  end
end
forget(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]), 'LIMIT', 0, 100))
local over = math.min(redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[7]), 1000)
if over > 0 then forget(redis.call('ZRANGE', KEYS[3], 0, over - 1)) end
over = math.min(redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[8]), 1000)
if over > 0 then
  local keys = redis.call('ZRANGE', KEYS[4], 0, over - 1)
  for _, k in ipairs(keys) do
    redis.call('HDEL', KEYS[1], k .. ':helpful', k .. ':not_helpful')
  end
  redis.call('ZREM', KEYS[4], unpack(keys))
end
return 0
`)

// Vote records voter's vote on action, one per voter and action (a later
// vote replaces the earlier), within chat's bounds.
func (s *Store) Vote(ctx context.Context, voter, action string, helpful bool) error {
	return s.vote(ctx, voter, action, helpful, defaultBounds)
}

func (s *Store) vote(ctx context.Context, voter, action string, helpful bool, b feedbackBounds) error {
	salt := make([]byte, 32)
	rand.Read(salt)
	v := "0"
	if helpful {
		v = "1"
	}
	p := s.prefix + keyFeedback
	return voteScript.Run(ctx, s.rdb, []string{p, s.prefix + keyBallot, s.prefix + keyBallots, s.prefix + keyKeys, s.prefix + keySalt},
		hex.EncodeToString(salt), voter, action, v, time.Now().Unix(), int64(b.keep/time.Second), b.ballots, b.keys).Err()
}

// Counts returns the counts by action key.
func (s *Store) Counts(ctx context.Context) (map[string]chat.Votes, error) {
	all, err := s.rdb.HGetAll(ctx, s.prefix+keyFeedback).Result()
	if err != nil {
		return nil, err
	}
	out := map[string]chat.Votes{}
	for field, val := range all {
		id, kind, ok := strings.Cut(field, ":")
		n, err := strconv.Atoi(val)
		if !ok || err != nil {
			continue
		}
		v := out[id]
		if kind == "helpful" {
			v.Helpful = n
		} else {
			v.NotHelpful = n
		}
		out[id] = v
	}
	return out, nil
}
