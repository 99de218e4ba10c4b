package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Defaults of Options.
const (
	// DefaultTimeout bounds a call to Redis: on a LAN Redis answers in a
	// millisecond, so a call that takes longer is a sick Redis, and a
	// question is not kept waiting for it.
	DefaultTimeout = 50 * time.Millisecond
	// DefaultPlanTimeout bounds a call that carries a plan text (up to
	// 16 MiB); those are never on a question's path.
	DefaultPlanTimeout = 5 * time.Second
	// DefaultProbe is how often the health check pings Redis.
	DefaultProbe = time.Second
	// checkTimeout bounds the health check, the first contact and the
	// check before a plan change: none is on a question's path, and a
	// busy machine should not read as an outage.
	checkTimeout = time.Second
	// tripAfter consecutive failed calls open the breaker; it stays open
	// for openFor, then lets one call through to test Redis again.
	tripAfter = 3
	openFor   = time.Second
)

// ErrUnavailable means Redis did not answer in time or the breaker is
// open: the caller uses its in-process state instead.
var ErrUnavailable = errors.New("redis unavailable")

// errOpen is a call the open breaker refused, without trying Redis.
var errOpen = fmt.Errorf("%w: circuit open after failed calls", ErrUnavailable)

// Options configure a Store; zero values take the defaults.
type Options struct {
	Logger      *slog.Logger
	Timeout     time.Duration // each call (DefaultTimeout)
	PlanTimeout time.Duration // calls that carry a plan text (DefaultPlanTimeout)
	Probe       time.Duration // health check interval (DefaultProbe)
}

// guard is a go-redis hook: every command and pipeline of the client,
// whoever issues it, runs with the Store's time-out and through its
// circuit breaker, so no caller waits on a hung or absent Redis longer
// than one time-out, and none at all while the breaker is open.
type guard struct{ s *Store }

func (g guard) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g guard) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return g.s.guarded(ctx, func(ctx context.Context) error { return next(ctx, cmd) })
	}
}

func (g guard) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := g.s.guarded(ctx, func(ctx context.Context) error { return next(ctx, cmds) })
		if errors.Is(err, ErrUnavailable) {
			for _, c := range cmds {
				if c.Err() == nil {
					c.SetErr(err)
				}
			}
		}
		return err
	}
}

// timeoutKey marks a context whose calls take another time-out than
// Options.Timeout.
type timeoutKey struct{}

func withTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, timeoutKey{}, d)
}

// inGuard marks a call already guarded: go-redis runs a new connection's
// handshake through the hooks too, within the call that needed it.
type inGuard struct{}

// guarded runs call with a time-out, through the breaker.
func (s *Store) guarded(ctx context.Context, call func(context.Context) error) error {
	if ctx.Value(inGuard{}) != nil {
		return call(ctx)
	}
	ctx = context.WithValue(ctx, inGuard{}, true)
	timeout := s.opt.Timeout
	if d, ok := ctx.Value(timeoutKey{}).(time.Duration); ok {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := s.breaker.Execute(func() (struct{}, error) { return struct{}{}, call(ctx) })
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return errOpen
	case err != nil && !answered(err) && !errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// answered reports whether err is Redis's own answer (a missing key, a
// command error) rather than a failure to reach it.
func answered(err error) bool {
	var re redis.Error
	return err == nil || errors.Is(err, redis.Nil) || (errors.As(err, &re) && !errors.Is(err, context.DeadlineExceeded))
}

func (s *Store) newBreaker() *gobreaker.CircuitBreaker[struct{}] {
	return gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1,
		Timeout:     openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= tripAfter },
		IsSuccessful: func(err error) bool {
			return answered(err)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, _, to gobreaker.State) {
			switch to {
			case gobreaker.StateOpen:
				s.setUp(false, errors.New("circuit open after failed calls"))
			case gobreaker.StateClosed:
				s.setUp(true, nil)
			}
		},
	})
}

// Up reports whether Redis answered the last health check and the
// breaker lets calls through. It does no I/O.
func (s *Store) Up() bool {
	return s.up.Load() && s.breaker.State() != gobreaker.StateOpen
}

// Check pings Redis now (within a second): nil when it answers.
func (s *Store) Check(ctx context.Context) error {
	err := s.rdb.Ping(withTimeout(ctx, checkTimeout)).Err()
	if err == nil {
		s.setUp(true, nil)
	} else if !errors.Is(err, context.Canceled) {
		s.setUp(false, err)
	}
	return err
}

// setUp records a health transition, logs it once, and on recovery wakes
// Follow to reconcile the shared plan.
func (s *Store) setUp(up bool, err error) {
	if s.up.Swap(up) == up {
		return
	}
	if up {
		s.log.Info("redis reachable: sharing state with the other replicas", "addr", s.addr)
		select {
		case s.recovered <- struct{}{}:
		default:
		}
		return
	}
	s.log.Warn("REDIS UNREACHABLE: answering from in-process state; plan changes are refused until it returns; reconnecting in the background",
		"addr", s.addr, "err", err)
}

// probe pings Redis every opt.Probe until Close.
func (s *Store) probe() {
	t := time.NewTicker(s.opt.Probe)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.Check(context.Background())
		}
	}
}

// Collector is the planbot_redis_up gauge: 1 while Redis answers, 0
// while the service runs on in-process state.
func (s *Store) Collector() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "planbot_redis_up",
		Help: "1 while Redis (PLANBOT_REDIS_URL) answers, 0 while the service runs on in-process state.",
	}, func() float64 {
		if s.Up() {
			return 1
		}
		return 0
	})
}

// slogLogger passes go-redis's own log lines to slog, so the service's log
// stays one JSON object per line.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "), "component", "go-redis")
}
