package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/bot/line"
	"planbot/bot/redisstore"
	"planbot/data/versions"
)

// shutdownGrace bounds the drain of in-flight work on SIGTERM.
const shutdownGrace = 25 * time.Second

func cmdServe(ctx context.Context, args []string, getenv func(string) string, loaded func(), stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "PLANBOT_ADDR", ":8080"), "listen `address`")
	dir := fs.String("data-dir", "", "version store `dir` (default $PLANBOT_DATA_DIR or ./planbot-data)")
	watch := fs.Bool("watch", false, "reindex automatically when the --plan file changes")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	log := newLogger(stderr)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()

	app, err := setup(ctx, &pf, dataDir(*dir, getenv), getenv, log)
	if err != nil {
		return err
	}
	defer app.close()
	loaded()

	srv := &http.Server{
		Handler:           bot.NewServer(app.deps),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // reindexes of large plans
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if *watch && pf.plan != "" {
		go watchFile(ctx, pf.plan, 2*time.Second, func() {
			if _, err := app.deps.Reloader.Reindex(ctx, nil, "", false); err != nil {
				log.Error("watch: reindex refused", "file", pf.plan, "err", err)
			} else {
				log.Info("watch: reindexed", "file", pf.plan, "version", app.deps.Reloader.Current().ID)
			}
		})
	}
	fmt.Fprintf(stdout, "planbot: web chat at http://%s/\n", displayAddr(ln.Addr()))
	log.Info("serving", "addr", ln.Addr().String(), "version", app.deps.Reloader.Current().ID,
		"channels", append([]string{"web"}, app.channels...), "admin", app.deps.AdminToken != "", "redis", app.redis != nil)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return app.drain(sctx)
}

// app is the wired service: its handler dependencies and what to stop.
type app struct {
	deps     bot.Deps
	redis    *redisstore.Store
	channels []string // enabled chat channels besides the web chat
	closers  []func(context.Context) error
}

func (a *app) drain(ctx context.Context) error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c(ctx))
	}
	return errors.Join(errs...)
}

func (a *app) close() {
	if a.redis != nil {
		a.redis.Close()
	}
}

// setup loads the plan and wires state, channels and admin from the
// environment.
func setup(ctx context.Context, pf *planFlags, dir string, getenv func(string) string, log *slog.Logger) (*app, error) {
	// Settings first: a bad one is reported before the dictionaries load.
	perSecond, err := strconv.Atoi(envOr(getenv, "PLANBOT_RATE_LIMIT", "5"))
	if err != nil || perSecond < 0 {
		return nil, fmt.Errorf("PLANBOT_RATE_LIMIT: want requests per second per client (0 = off), got %q", getenv("PLANBOT_RATE_LIMIT"))
	}
	var lineCfg line.Config // unset settings keep line's defaults
	if lineCfg.Workers, err = positive(getenv, "LINE_WORKERS", "the number of replies sent at once"); err != nil {
		return nil, err
	}
	if lineCfg.APIRate, err = positive(getenv, "LINE_API_RATE", "LINE API calls per second"); err != nil {
		return nil, err
	}
	r, err := pf.reloader(dir)
	if err != nil {
		return nil, err
	}
	a := &app{}
	d := bot.Deps{
		Logger: log, Live: r.Live, Reloader: r, Metrics: bot.NewMetrics(),
		AdminToken: getenv("PLANBOT_ADMIN_TOKEN"),
	}
	var dedup chat.Deduper = chat.NewMemDeduper()
	if url := getenv("PLANBOT_REDIS_URL"); url != "" {
		rs, err := redisstore.Open(ctx, url, log)
		if err != nil {
			return nil, err
		}
		a.redis = rs
		rs.RatePerSecond, rs.Burst = perSecond, 2*perSecond
		dedup, d.Feedback, d.Unanswered = rs, rs, rs
		if perSecond > 0 {
			d.Limiter = rs
		}
		r.Announce = rs.Announce
		// Start from the replicas' shared version when there is one.
		if v, text, err := rs.Current(ctx); err == nil {
			if _, err := r.Adopt(ctx, text, v.Source); err != nil {
				return nil, fmt.Errorf("shared plan %s: %w", v.ID, err)
			}
		} else if !errors.Is(err, redisstore.ErrNoPlan) {
			return nil, err
		}
		go rs.Follow(ctx, func() string { return r.Current().Hash }, func(ctx context.Context, v versions.Version, text []byte) error {
			_, err := r.Adopt(ctx, text, v.Source)
			if err == nil {
				log.Info("adopted plan from another replica", "version", v.ID)
			}
			return err
		})
	} else {
		d.Feedback = chat.NewMemFeedback()
		d.Unanswered = &bot.MemUnanswered{Cap: 200}
		if perSecond > 0 {
			d.Limiter = &bot.MemLimiter{Rate: rate.Limit(perSecond), Burst: 2 * perSecond}
		}
	}
	if r.Live.Current() == nil {
		if _, err := r.Boot(ctx); err != nil {
			return nil, err
		}
	}
	if err := setupChannels(ctx, a, &d, dedup, lineCfg, getenv, log); err != nil {
		return nil, err
	}
	a.deps = d
	// Loading the dictionaries leaves tens of MiB of garbage (kagome's
	// feature table, the parsed tables); give it back to the OS now rather
	// than over the next minutes, so the resident size starts small.
	debug.FreeOSMemory()
	return a, nil
}

// positive reads a setting that must be 1 or more; unset is 0.
func positive(getenv func(string) string, key, want string) (int, error) {
	v := getenv(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s: want %s (1 or more), got %q", key, want, v)
	}
	return n, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// newLogger logs JSON unless stderr is a terminal.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, nil))
		}
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// watchFile calls changed whenever the file's content changes. It polls,
// which also catches editors that replace the file instead of writing it.
func watchFile(ctx context.Context, path string, every time.Duration, changed func()) {
	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			return [32]byte{}
		}
		return sha256.Sum256(b)
	}
	last := sum()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s := sum(); s != last && s != ([32]byte{}) {
				last = s
				changed()
			}
		}
	}
}
