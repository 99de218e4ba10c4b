// Package redisstore shares state between planbot replicas through Redis:
// webhook de-duplication keys, rate limits, feedback counts, the
// not-covered log, and the current plan version, announced by pub/sub so
// that a reindex on one replica reaches all of them.
//
// When Redis is unreachable the store degrades instead of failing
// requests: de-duplication and rate limits let events through, and the
// errors are logged; go-redis reconnects by itself when Redis returns.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/data/versions"
)

// Key names, all under one prefix so that several deployments can share a
// Redis.
const (
	keyDedup      = "dedup:"
	keyRate       = "rate:"
	keyFeedback   = "feedback"
	keyUnanswered = "unanswered"
	keyPlan       = "plan:current"
	channelPlan   = "plan:announce"
	unansweredCap = 200
)

// Store implements chat.Deduper, chat.Feedback, bot.Unanswered and
// bot.Limiter on Redis.
type Store struct {
	rdb    *redis.Client
	prefix string
	log    *slog.Logger
	// RatePerSecond and Burst bound each client: at most
	// RatePerSecond+Burst requests in a one-second window.
	RatePerSecond, Burst int
}

// Open connects to the Redis at url (redis://host:port/db) and checks it.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 2*time.Second, time.Second, time.Second
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{rdb: rdb, prefix: "planbot:", log: log, RatePerSecond: 5, Burst: 10}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.rdb.Close() }

var (
	_ chat.Deduper   = (*Store)(nil)
	_ chat.Feedback  = (*Store)(nil)
	_ bot.Unanswered = (*Store)(nil)
	_ bot.Limiter    = (*Store)(nil)
)

// Seen sets the key only if absent; when Redis fails it reports unseen,
// so an event may be answered twice rather than not at all.
func (s *Store) Seen(ctx context.Context, key string, ttl time.Duration) bool {
	ok, err := s.rdb.SetNX(ctx, s.prefix+keyDedup+key, 1, ttl).Result()
	if err != nil {
		s.log.Warn("redis dedup", "err", err)
		return false
	}
	return !ok
}

// Allow counts the client's requests in the current second.
func (s *Store) Allow(ctx context.Context, client string) bool {
	key := s.prefix + keyRate + client + ":" + strconv.FormatInt(time.Now().Unix(), 10)
	pipe := s.rdb.TxPipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*time.Second)
	if _, err := pipe.Exec(ctx); err != nil {
		s.log.Warn("redis rate limit", "err", err)
		return true
	}
	return n.Val() <= int64(s.RatePerSecond+s.Burst)
}

func (s *Store) Vote(ctx context.Context, itemID string, helpful bool) error {
	field := itemID + ":not_helpful"
	if helpful {
		field = itemID + ":helpful"
	}
	return s.rdb.HIncrBy(ctx, s.prefix+keyFeedback, field, 1).Err()
}

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

func (s *Store) Add(ctx context.Context, q bot.Question) error {
	b, err := json.Marshal(q)
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, s.prefix+keyUnanswered, b)
	pipe.LTrim(ctx, s.prefix+keyUnanswered, 0, unansweredCap-1)
	_, err = pipe.Exec(ctx)
	return err
}

func (s *Store) Recent(ctx context.Context, n int) ([]bot.Question, error) {
	raw, err := s.rdb.LRange(ctx, s.prefix+keyUnanswered, 0, int64(n-1)).Result()
	if err != nil {
		return nil, err
	}
	out := make([]bot.Question, 0, len(raw))
	for _, r := range raw {
		var q bot.Question
		if json.Unmarshal([]byte(r), &q) == nil {
			out = append(out, q)
		}
	}
	return out, nil
}

// sharedPlan is the current plan as stored in Redis.
type sharedPlan struct {
	Version versions.Version `json:"version"`
	Text    string           `json:"text"`
}

// Announce stores an accepted plan as the shared current version and
// tells the other replicas (index.Reloader.Announce).
func (s *Store) Announce(ctx context.Context, v versions.Version, text []byte) error {
	b, err := json.Marshal(sharedPlan{Version: v, Text: string(text)})
	if err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.prefix+keyPlan, b, 0).Err(); err != nil {
		return fmt.Errorf("redis: store plan: %w", err)
	}
	return s.rdb.Publish(ctx, s.prefix+channelPlan, v.Hash).Err()
}

// ErrNoPlan means no replica has announced a plan yet.
var ErrNoPlan = errors.New("redis: no shared plan yet")

// Current returns the shared current plan.
func (s *Store) Current(ctx context.Context) (versions.Version, []byte, error) {
	b, err := s.rdb.Get(ctx, s.prefix+keyPlan).Bytes()
	if errors.Is(err, redis.Nil) {
		return versions.Version{}, nil, ErrNoPlan
	} else if err != nil {
		return versions.Version{}, nil, err
	}
	var sp sharedPlan
	if err := json.Unmarshal(b, &sp); err != nil {
		return versions.Version{}, nil, fmt.Errorf("redis: shared plan: %w", err)
	}
	return sp.Version, []byte(sp.Text), nil
}

// Follow calls adopt with every plan another replica announces, until ctx
// ends. go-redis resubscribes after a lost connection; after each
// (re)subscription the shared plan is checked, so an announcement missed
// while Redis was away is caught up.
func (s *Store) Follow(ctx context.Context, currentHash func() string, adopt func(ctx context.Context, v versions.Version, text []byte) error) {
	sub := s.rdb.Subscribe(ctx, s.prefix+channelPlan)
	defer sub.Close()
	check := func() {
		v, text, err := s.Current(ctx)
		if err != nil {
			if !errors.Is(err, ErrNoPlan) && ctx.Err() == nil {
				s.log.Warn("redis shared plan", "err", err)
			}
			return
		}
		if v.Hash == currentHash() {
			return
		}
		if err := adopt(ctx, v, text); err != nil {
			s.log.Error("adopt shared plan", "version", v.ID, "err", err)
		}
	}
	for {
		msg, err := sub.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			check() // (re)subscribed: catch up
		case *redis.Message:
			if m.Payload != currentHash() {
				check()
			}
		case nil:
		}
		if err != nil {
			s.log.Warn("redis subscription", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}
