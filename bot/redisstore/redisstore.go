// Package redisstore shares state between planbot replicas through Redis:
// webhook de-duplication keys, rate limits, feedback counts, the
// not-covered log, and the current plan version, announced by pub/sub so
// that a reindex on one replica reaches all of them.
//
// Redis is a helper, never a dependency of answering. Every call runs
// with a time-out of tens of milliseconds and through a circuit breaker
// (health.go); while Redis is unreachable the Store answers from
// in-process state (de-duplication, rate limits and the not-covered log
// of this replica), reports itself down (Up, planbot_redis_up) and
// reconnects in the background. The shared plan stays consistent: plan
// changes are refused while Redis is down (the service checks Check
// first), and a version accepted here whose announcement fails anyway is
// kept and shared when Redis returns, never reverted by the older shared
// one.
package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

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
	unansweredCap = bot.UnansweredCap
)

// Store implements chat.Deduper, chat.Feedback, bot.Unanswered and
// bot.Limiter on Redis, with in-process fallbacks.
type Store struct {
	rdb     *redis.Client
	prefix  string
	log     *slog.Logger
	addr    string
	opt     Options
	breaker *gobreaker.CircuitBreaker[struct{}]
	up      atomic.Bool
	// recovered wakes Follow when Redis answers again after an outage.
	recovered chan struct{}
	done      chan struct{}
	// pending is a plan version accepted here whose announcement failed:
	// it is announced when Redis returns.
	pending atomic.Pointer[sharedPlan]
	// local is this replica's own state, used while Redis is away; the
	// de-duplication keys are kept in both, so redeliveries of events
	// this replica saw are still caught during an outage.
	local struct {
		dedup      *chat.MemDeduper
		unanswered *bot.MemUnanswered
		limiter    bot.Limiter
		once       sync.Once
	}
	// RatePerSecond and Burst bound each client: at most
	// RatePerSecond+Burst requests in a one-second window.
	RatePerSecond, Burst int
}

// Open connects to the Redis at url (redis://host:port/db) with the
// default Options. An unreachable Redis is no error: the Store starts
// down, logs it, and reconnects in the background; ctx bounds the first
// contact.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	return OpenWith(ctx, url, Options{Logger: log})
}

// OpenWith is Open with Options. Only a malformed URL is an error.
func OpenWith(ctx context.Context, url string, o Options) (*Store, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("PLANBOT_REDIS_URL: %w", err)
	}
	if o.Logger != nil {
		// go-redis's own lines go to the service's log (its logger is
		// process-wide: the service opens one Store).
		redis.SetLogger(slogLogger{o.Logger})
	} else {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Timeout, o.PlanTimeout, o.Probe = cmp.Or(o.Timeout, DefaultTimeout), cmp.Or(o.PlanTimeout, DefaultPlanTimeout), cmp.Or(o.Probe, DefaultProbe)
	// The hook bounds each call by its context; these bound the pub/sub
	// connection's dial, and no call retries within its time-out.
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, o.PlanTimeout, o.PlanTimeout
	opt.PoolTimeout = o.Timeout
	opt.MaxRetries, opt.DialerRetries = -1, 1
	s := &Store{rdb: redis.NewClient(opt), prefix: "planbot:", log: o.Logger, addr: opt.Addr, opt: o,
		recovered: make(chan struct{}, 1), done: make(chan struct{}), RatePerSecond: 5, Burst: 10}
	s.breaker = s.newBreaker()
	s.rdb.AddHook(guard{s})
	s.local.dedup = chat.NewMemDeduper()
	s.local.unanswered = &bot.MemUnanswered{Cap: unansweredCap}
	if err := s.Check(ctx); err != nil {
		s.log.Warn("REDIS UNREACHABLE at start: answering from in-process state; reconnecting in the background",
			"addr", s.addr, "err", err)
	}
	go s.probe()
	return s, nil
}

// failed logs a failed call, unless the breaker refused it (the outage
// itself is logged once, when it begins).
func (s *Store) failed(op string, err error) {
	if errors.Is(err, errOpen) {
		return
	}
	s.log.Warn("redis "+op+": using in-process state", "err", err)
}

// limiter is the in-process limit used while Redis is away.
func (s *Store) limiter() bot.Limiter {
	s.local.once.Do(func() {
		s.local.limiter = &bot.MemLimiter{Rate: rate.Limit(s.RatePerSecond), Burst: max(s.Burst, 1)}
	})
	return s.local.limiter
}

// Close stops the health check and closes the connection pool.
func (s *Store) Close() error {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	return s.rdb.Close()
}

var (
	_ chat.Deduper   = (*Store)(nil)
	_ chat.Feedback  = (*Store)(nil)
	_ bot.Unanswered = (*Store)(nil)
	_ bot.Limiter    = (*Store)(nil)
)

// Seen sets the key only if absent, in Redis and in process; when Redis
// fails the in-process answer stands, so an event may be answered twice
// (by two replicas) rather than not at all.
func (s *Store) Seen(ctx context.Context, key string, ttl time.Duration) bool {
	local := s.local.dedup.Seen(ctx, key, ttl)
	ok, err := s.rdb.SetNX(ctx, s.prefix+keyDedup+key, 1, ttl).Result()
	if err != nil {
		s.failed("dedup", err)
		return local
	}
	return local || !ok
}

// Allow counts the client's requests in the current second; while Redis
// is away the replica limits on its own.
func (s *Store) Allow(ctx context.Context, client string) bool {
	key := s.prefix + keyRate + client + ":" + strconv.FormatInt(time.Now().Unix(), 10)
	pipe := s.rdb.TxPipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*time.Second)
	if _, err := pipe.Exec(ctx); err != nil {
		s.failed("rate limit", err)
		return s.limiter().Allow(ctx, client)
	}
	return n.Val() <= int64(s.RatePerSecond+s.Burst)
}

// Vote and Counts are in feedback.go.

func (s *Store) Add(ctx context.Context, q bot.Question) error {
	b, err := json.Marshal(q)
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, s.prefix+keyUnanswered, b)
	pipe.LTrim(ctx, s.prefix+keyUnanswered, 0, unansweredCap-1)
	if _, err = pipe.Exec(ctx); err != nil {
		s.failed("not-covered log", err)
		return s.local.unanswered.Add(ctx, q)
	}
	s.expireUnanswered(ctx) // unanswered.go
	return nil
}

func (s *Store) Recent(ctx context.Context, n int) ([]bot.Question, error) {
	// Questions logged here while Redis was away are listed with the
	// shared ones.
	out, _ := s.local.unanswered.Recent(ctx, n)
	raw, err := s.rdb.LRange(ctx, s.prefix+keyUnanswered, 0, int64(n-1)).Result()
	if err != nil {
		s.failed("not-covered log", err)
		return out, nil
	}
	for _, r := range raw {
		var q bot.Question
		if json.Unmarshal([]byte(r), &q) == nil {
			out = append(out, q)
		}
	}
	out = kept(out) // unanswered.go: retention and masking
	slices.SortStableFunc(out, func(a, b bot.Question) int { return b.At.Compare(a.At) })
	return out[:min(n, len(out))], nil
}

// sharedPlan is the current plan as stored in Redis.
type sharedPlan struct {
	Version versions.Version `json:"version"`
	Text    string           `json:"text"`
}

// Announce stores an accepted plan as the shared current version and
// tells the other replicas (index.Reloader.Announce). The version is
// served here already: when Redis cannot take it, it is kept and
// announced as soon as Redis returns (Follow), so it is neither reported
// as failed nor reverted by the older shared version.
func (s *Store) Announce(ctx context.Context, v versions.Version, text []byte) error {
	sp := &sharedPlan{Version: v, Text: string(text)}
	s.pending.Store(sp)
	if err := s.announce(ctx, sp); err != nil {
		s.log.Error("plan version served here but not yet shared with the other replicas: Redis is unreachable; it is shared when Redis returns",
			"version", v.ID, "err", err)
		return nil
	}
	return nil
}

// announce stores sp as the shared plan and publishes it; on success it
// clears sp from pending (unless a newer version replaced it).
func (s *Store) announce(ctx context.Context, sp *sharedPlan) error {
	b, err := json.Marshal(sp)
	if err != nil {
		return err
	}
	ctx = withTimeout(ctx, s.opt.PlanTimeout)
	if err := s.rdb.Set(ctx, s.prefix+keyPlan, b, 0).Err(); err != nil {
		return fmt.Errorf("redis: store plan: %w", err)
	}
	if err := s.rdb.Publish(ctx, s.prefix+channelPlan, sp.Version.Hash).Err(); err != nil {
		return fmt.Errorf("redis: announce plan: %w", err)
	}
	s.pending.CompareAndSwap(sp, nil)
	return nil
}

// claim shares v, the version served here, as the shared plan when Redis
// holds none, and announces it; shared is false when another replica's
// plan is there, or none is served here yet.
func (s *Store) claim(ctx context.Context, v versions.Version, text func(versions.Version) ([]byte, error)) (shared bool, err error) {
	if v.ID == "" {
		return false, nil
	}
	t, err := text(v)
	if err != nil {
		return false, fmt.Errorf("plan %s: %w", v.ID, err)
	}
	b, err := json.Marshal(sharedPlan{Version: v, Text: string(t)})
	if err != nil {
		return false, err
	}
	ctx = withTimeout(ctx, s.opt.PlanTimeout)
	if shared, err = s.rdb.SetNX(ctx, s.prefix+keyPlan, b, 0).Result(); err != nil || !shared {
		if err != nil {
			err = fmt.Errorf("redis: store plan: %w", err)
		}
		return false, err
	}
	if err := s.rdb.Publish(ctx, s.prefix+channelPlan, v.Hash).Err(); err != nil {
		return true, fmt.Errorf("redis: announce plan: %w", err)
	}
	s.log.Info("redis held no shared plan: shared the version served here", "version", v.ID)
	return true, nil
}

// ErrNoPlan means no replica has announced a plan yet.
var ErrNoPlan = errors.New("redis: no shared plan yet")

// Current returns the shared current plan.
func (s *Store) Current(ctx context.Context) (versions.Version, []byte, error) {
	b, err := s.rdb.Get(withTimeout(ctx, s.opt.PlanTimeout), s.prefix+keyPlan).Bytes()
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
// ends. served is the version this replica serves, text reads a version's
// text. go-redis resubscribes after a lost connection; after each
// (re)subscription, and whenever the health check sees Redis again after
// an outage, the replica reconciles: a version accepted here but not yet
// announced is announced first, else a shared version other than the one
// served is adopted, so an announcement missed while Redis was away is
// caught up. When Redis holds no shared plan (none announced yet, or
// Redis restarted without its data) the replica shares the one it serves,
// unless another replica's came first (then it adopts that one): the
// replicas do not stay apart, and one started later begins on it.
func (s *Store) Follow(ctx context.Context, served func() versions.Version, text func(versions.Version) ([]byte, error),
	adopt func(ctx context.Context, v versions.Version, text []byte) error) {
	sub := s.rdb.Subscribe(ctx, s.prefix+channelPlan)
	defer sub.Close()
	var mu sync.Mutex // one reconciliation at a time
	check := func() {
		mu.Lock()
		defer mu.Unlock()
		if sp := s.pending.Load(); sp != nil {
			if err := s.announce(ctx, sp); err != nil {
				if ctx.Err() == nil {
					s.log.Warn("redis: plan version still not shared", "version", sp.Version.ID, "err", err)
				}
				return
			}
			s.log.Info("shared the plan version accepted while Redis was away", "version", sp.Version.ID)
			return
		}
		v, b, err := s.Current(ctx)
		if errors.Is(err, ErrNoPlan) {
			var shared bool
			if shared, err = s.claim(ctx, served(), text); shared || err != nil {
				if err != nil && ctx.Err() == nil {
					s.log.Warn("redis: no shared plan, and the one served here was not shared", "err", err)
				}
				return
			}
			v, b, err = s.Current(ctx) // another replica's came first
		}
		if err != nil {
			if !errors.Is(err, ErrNoPlan) && ctx.Err() == nil {
				s.log.Warn("redis shared plan", "err", err)
			}
			return
		}
		if v.Hash == served().Hash {
			return
		}
		if err := adopt(ctx, v, b); err != nil {
			s.log.Error("adopt shared plan", "version", v.ID, "err", err)
		}
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.done:
				return
			case <-s.recovered:
				check()
			}
		}
	}()
	for {
		msg, err := sub.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			check() // (re)subscribed: catch up
		case *redis.Message:
			if m.Payload != served().Hash {
				check()
			}
		case nil:
		}
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-s.done:
				return
			case <-time.After(time.Second):
			}
		}
	}
}
