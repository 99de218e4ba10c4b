package main

import (
	"context"
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
	"planbot/bot/slack"
	"planbot/data/origin"
	"planbot/data/versions"
	"planbot/index"
)

// shutdownGrace bounds the drain of in-flight work on SIGTERM.
const shutdownGrace = 25 * time.Second

func cmdServe(ctx context.Context, args []string, getenv func(string) string, loaded func(), stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "PLANBOT_ADDR", ":8080"), "listen `address`")
	dir := fs.String("data-dir", "", "version store `dir` (default $PLANBOT_DATA_DIR or ./planbot-data)")
	watch := fs.Bool("watch", false, "reindex automatically when the --plan file or page changes")
	every := fs.String("watch-interval", getenv("PLANBOT_WATCH_INTERVAL"), "how often --watch checks (default 1h for a URL, 2s for a file)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	interval, err := watchInterval(*every, pf.plan)
	if err != nil {
		return err
	}
	if *watch && pf.plan == "" {
		return fmt.Errorf("%w: --watch needs --plan FILE|URL (or PLANBOT_PLAN)", errUsage)
	}
	log := newLogger(stderr)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	// The data dir is this service's for as long as it runs: offline
	// reindexes and rollbacks are refused and told to use --server.
	base := "http://" + displayAddr(ln.Addr())
	lock, err := versions.Lock(dataDir(*dir, getenv), versions.Holder{Command: "serve", Addr: base})
	if err != nil {
		return err
	}
	defer lock.Unlock()

	app, err := setup(ctx, &pf, dataDir(*dir, getenv), getenv, log)
	if err != nil {
		return err
	}
	defer app.close()
	loaded()

	srv := &http.Server{
		Handler:           bot.NewServer(app.deps),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       time.Minute,     // plan uploads of up to 16 MiB
		WriteTimeout:      5 * time.Minute, // reindexes of large plans
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if *watch {
		go watchPlan(ctx, &origin.Watcher{Location: pf.plan}, interval, app.deps.Reloader, log)
	}
	fmt.Fprintf(stdout, "planbot: web chat at %s/\n", base)
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
	announceTo := getenv("SLACK_ANNOUNCE_CHANNEL")
	if announceTo != "" && getenv("SLACK_BOT_TOKEN") == "" {
		return nil, errors.New("SLACK_ANNOUNCE_CHANNEL: set SLACK_BOT_TOKEN too (the bot posts the announcements)")
	}
	r, err := pf.reloader(dir, getenv)
	if err != nil {
		return nil, err
	}
	r.Logger = log
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
			if _, err := r.Adopt(ctx, v, text); err != nil {
				return nil, fmt.Errorf("shared plan %s: %w", v.ID, err)
			}
		} else if !errors.Is(err, redisstore.ErrNoPlan) {
			return nil, err
		}
		go rs.Follow(ctx, func() string { return r.Current().Hash }, func(ctx context.Context, v versions.Version, text []byte) error {
			_, err := r.Adopt(ctx, v, text)
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
	// Votes name actions by ID; they are counted by the actions' stable keys.
	d.Feedback = chat.ByKey(d.Feedback, d.Asker())
	if err := setupChannels(ctx, a, &d, dedup, lineCfg, getenv, log); err != nil {
		return nil, err
	}
	if announceTo != "" {
		an, err := slack.NewAnnouncer(slack.AnnounceConfig{BotToken: getenv("SLACK_BOT_TOKEN"), Channel: announceTo,
			APIURL: getenv("SLACK_API_URL"), Logger: log})
		if err != nil {
			return nil, err
		}
		r.Reindexed = func(rep index.Report) { an.Announce(announcement(rep, "")) }
		a.closers = append(a.closers, an.Close)
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

// watchInterval is how often --watch checks the plan: the setting, else
// an hour for a page (a conditional GET each time) and 2 seconds for a
// file (a hash of it each time).
func watchInterval(setting, plan string) (time.Duration, error) {
	if setting == "" {
		if origin.IsURL(plan) {
			return time.Hour, nil
		}
		return 2 * time.Second, nil
	}
	d, err := time.ParseDuration(setting)
	if n, nerr := strconv.Atoi(setting); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("PLANBOT_WATCH_INTERVAL: want a duration such as 1h, 15m or 30s, got %q", setting)
	}
	return d, nil
}

// watchPlan reindexes whenever the watched plan changes, through the same
// validation as any reindex (a broken or shrunken plan is refused and
// logged, and the service keeps its plan). Its first check is at once: a
// plan that changed while the service was down, or that differs from the
// stored version it started on, is loaded then.
func watchPlan(ctx context.Context, w *origin.Watcher, every time.Duration, r *index.Reloader, log *slog.Logger) {
	check := func(first bool) {
		d, err := w.Poll(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("watch: cannot read the plan", "source", w.Location, "err", err)
			}
			return
		}
		if d == nil {
			return
		}
		if first && versions.Hash(versions.Normalize(d.Text)) == r.Current().Hash {
			return // the version being served
		}
		rep, err := r.Load(ctx, index.Input{Text: d.Text, ContentType: d.ContentType, Source: d.Source})
		switch {
		case err != nil:
			log.Error("watch: reindex refused; still serving the current plan", "source", w.Location, "version", r.Current().ID, "err", err)
		case rep.Unchanged:
			log.Info("watch: the plan changed in form only; no new version", "source", w.Location, "version", rep.Version.ID)
		default:
			log.Info("watch: reindexed", "source", w.Location, "version", rep.Version.ID, "items", rep.Version.Items,
				"added", len(rep.Diff.Added), "removed", len(rep.Diff.Removed), "changed", len(rep.Diff.Changed))
		}
	}
	check(true)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check(false)
		}
	}
}
