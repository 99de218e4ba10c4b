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
	"unicode/utf8"

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

// shutdownLimit is how long stopping on SIGTERM may take, unless
// PLANBOT_SHUTDOWN_TIMEOUT says otherwise. LINE's reply tokens last about
// a minute, so the events queued when it starts are answered within their
// tokens' life; it fits systemd's TimeoutStopSec=30 (deploy/planbot.service)
// and Kubernetes' default 30 s grace period.
const shutdownLimit = 25 * time.Second

// httpShare is the part of the limit given to in-flight HTTP requests
// (10 s of 25): webhooks are acknowledged in milliseconds, the rest is
// for a reindex or a plan upload.
const httpShare = 0.4

func cmdServe(ctx context.Context, args []string, getenv func(string) string, loaded func(), stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "PLANBOT_ADDR", ":8080"), "listen `address`")
	dir := fs.String("data-dir", "", "version store `dir` (default $PLANBOT_DATA_DIR or ./planbot-data)")
	watch := fs.Bool("watch", false, "reindex automatically when the --plan file or page changes")
	every := fs.String("watch-interval", getenv("PLANBOT_WATCH_INTERVAL"), "how often --watch checks (default 1h for a URL, 2s for a file)")
	reload := fs.Bool("reload", false, "load the --plan file or page at start as a new version (validated like any reindex), when it differs from the stored one")
	rest, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := noArgs("serve", rest); err != nil {
		return err
	}
	interval, err := watchInterval(*every, pf.plan)
	if err != nil {
		return err
	}
	stopLimit, err := stopTimeout(getenv("PLANBOT_SHUTDOWN_TIMEOUT"))
	if err != nil {
		return err
	}
	if *watch && pf.plan == "" {
		return fmt.Errorf("%w: --watch needs --plan FILE|URL (or PLANBOT_PLAN)", errUsage)
	}
	if *reload && pf.plan == "" {
		return fmt.Errorf("%w: --reload needs --plan FILE|URL (or PLANBOT_PLAN)", errUsage)
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
	if *reload {
		if err := reloadAtStart(ctx, app.deps, log); err != nil {
			return err
		}
	}
	if *watch {
		go watchPlan(ctx, &origin.Watcher{Location: pf.plan}, interval, app.deps.Reloader, app.deps.Shared, log)
	}
	fmt.Fprintf(stdout, "planbot: web chat at %s/\n", base)
	if !*reload && !*watch {
		staleNotice(ctx, pf.plan, app.deps.Reloader, base, stdout, log)
	}
	log.Info("serving", "addr", ln.Addr().String(), "version", app.deps.Reloader.Current().ID,
		"channels", append([]string{"web"}, app.channels...), "admin", app.deps.AdminToken != "", "redis", app.redis != nil)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(srv, app, stopLimit, log)
}

// shutdown stops the service within limit. Intake stops at once: the
// listener closes and the LINE and Slack channels refuse new deliveries
// (503, which the platforms retry) and answer their queues for the whole
// limit, whatever HTTP does; a channel that cannot finish counts and logs
// what it did not send. In-flight HTTP requests get httpShare of the
// limit; those still running then are cut off, with a log line. The error
// is nil after a clean drain and names the lost work otherwise.
func shutdown(srv *http.Server, a *app, limit time.Duration, log *slog.Logger) error {
	start := time.Now()
	log.Info("shutting down: draining in-flight requests and queued LINE/Slack work", "limit", limit.String())
	dctx, cancel := context.WithDeadline(context.Background(), start.Add(limit))
	defer cancel()
	drained := make(chan error, 1)
	go func() { drained <- a.drain(dctx) }()
	hctx, cancel := context.WithTimeout(context.Background(), time.Duration(float64(limit)*httpShare))
	defer cancel()
	if err := srv.Shutdown(hctx); err != nil {
		log.Warn("shutdown: HTTP requests still running were cut off", "after", time.Since(start).Round(time.Millisecond).String(), "err", err)
		srv.Close()
	}
	err := <-drained
	log.Info("stopped", "elapsed", time.Since(start).Round(time.Millisecond).String(), "clean", err == nil)
	return err
}

// app is the wired service: its handler dependencies and what to stop.
type app struct {
	deps     bot.Deps
	redis    *redisstore.Store
	channels []string // enabled chat channels besides the web chat
	closers  []func(context.Context) error
}

// drain closes every channel at once, each until ctx ends (they return
// by then); it waits a second more at most for one that does not.
func (a *app) drain(ctx context.Context) error {
	results := make(chan error, len(a.closers))
	for _, c := range a.closers {
		go func() { results <- c(ctx) }()
	}
	late := make(chan struct{})
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(time.Second, func() { close(late) }) })
	defer stop()
	var errs []error
	for range a.closers {
		select {
		case err := <-results:
			errs = append(errs, err)
		case <-late:
			return errors.Join(append(errs, errors.New("a channel did not stop within the shutdown limit"))...)
		}
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
	proxies, err := bot.ParseProxies(getenv("PLANBOT_TRUSTED_PROXIES"))
	if err != nil {
		return nil, err
	}
	adminToken := getenv("PLANBOT_ADMIN_TOKEN")
	if n := utf8.RuneCountInString(adminToken); n > 0 && n < bot.MinAdminToken {
		return nil, fmt.Errorf("PLANBOT_ADMIN_TOKEN: %d characters is too short to resist guessing; use at least %d (openssl rand -hex 24 makes one), or unset it to turn the admin routes off",
			n, bot.MinAdminToken)
	}
	var lineCfg line.Config // unset settings keep line's defaults
	if lineCfg.Workers, err = positive(getenv, "LINE_WORKERS", "the number of replies sent at once"); err != nil {
		return nil, err
	}
	if lineCfg.APIRate, err = positive(getenv, "LINE_API_RATE", "LINE API calls per second"); err != nil {
		return nil, err
	}
	var slackCfg slack.Config // unset settings keep slack's defaults
	if slackCfg.Workers, err = positive(getenv, "SLACK_WORKERS", "the number of Slack answers worked on at once"); err != nil {
		return nil, err
	}
	announceTo := getenv("SLACK_ANNOUNCE_CHANNEL")
	if announceTo != "" && getenv("SLACK_BOT_TOKEN") == "" {
		return nil, errors.New("SLACK_ANNOUNCE_CHANNEL: set SLACK_BOT_TOKEN too (the bot posts the announcements)")
	}
	// The follow-ups' chats are kept under HMAC-SHA256 of their IDs with
	// this salt; replicas sharing Redis need the same one.
	salt := []byte(getenv("PLANBOT_CONTEXT_SALT"))
	if n := len(salt); n > 0 && n < 16 {
		return nil, fmt.Errorf("PLANBOT_CONTEXT_SALT: %d bytes is too short; use a random secret of at least 16 (openssl rand -hex 24 makes one), the same on every replica", n)
	}
	r, err := pf.reloader(dir, getenv)
	if err != nil {
		return nil, err
	}
	r.Logger = log
	a := &app{}
	d := bot.Deps{
		Logger: log, Live: r.Live, Reloader: r, Metrics: bot.NewMetrics(),
		AdminToken: adminToken, TrustedProxies: proxies,
	}
	var dedup chat.Deduper = chat.NewMemDeduper()
	var contexts chat.Contexts // nil: in-process
	if url := getenv("PLANBOT_REDIS_URL"); url != "" {
		// Redis is a helper: down at start, the service starts on
		// in-process state and reconnects in the background.
		rs, err := redisstore.Open(ctx, url, log)
		if err != nil {
			return nil, err
		}
		a.redis = rs
		d.Shared = rs
		d.Metrics.Registry.MustRegister(rs.Collector())
		rs.RatePerSecond, rs.Burst = perSecond, 2*perSecond
		dedup, d.Feedback, d.Unanswered = rs, rs, rs
		d.Metrics.Daily = rs.Daily()
		if perSecond > 0 {
			d.Limiter = rs
		}
		r.Announce = rs.Announce
		contexts = rs.Contexts(chat.ContextTTL)
		if len(salt) == 0 {
			log.Warn("PLANBOT_CONTEXT_SALT unset: follow-up questions find their chat's last answer only on the replica that gave it; set the same secret on every replica")
		}
		// Start from the replicas' shared version when there is one; with
		// Redis away, from the stored one (Follow adopts the shared one
		// when Redis returns: no plan change is accepted meanwhile).
		if !rs.Up() {
			log.Warn("redis: starting from the stored plan version; the shared one is adopted when Redis returns")
		} else if v, text, err := rs.Current(ctx); err == nil {
			if _, err := r.Adopt(ctx, v, text); err != nil {
				return nil, fmt.Errorf("shared plan %s: %w", v.ID, err)
			}
		} else if !errors.Is(err, redisstore.ErrNoPlan) {
			log.Warn("redis: shared plan not read; starting from the stored version until Redis returns", "err", err)
		}
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
	if a.redis != nil {
		// Once a version is served: with no shared plan in Redis, Follow
		// shares it.
		go a.redis.Follow(ctx, r.Current, func(v versions.Version) ([]byte, error) {
			_, text, err := r.Store.Get(v.ID)
			return text, err
		}, func(ctx context.Context, v versions.Version, text []byte) error {
			_, err := r.Adopt(ctx, v, text)
			if err == nil {
				log.Info("adopted plan from another replica", "version", v.ID)
			}
			return err
		})
	}
	// Votes name actions by ID; they are counted by the actions' stable keys.
	d.Feedback = chat.ByKey(d.Feedback, d.Asker())
	if d.Followups, err = d.NewFollowups(contexts, salt); err != nil {
		return nil, err
	}
	if err := setupChannels(ctx, a, &d, dedup, lineCfg, slackCfg, getenv, log); err != nil {
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

// reloadAtStart is serve --reload: the configured plan goes through the
// same validation as any reindex; a refused one stops the start, since
// the admin asked for it.
func reloadAtStart(ctx context.Context, d bot.Deps, log *slog.Logger) error {
	if err := bot.CheckShared(ctx, d.Shared); err != nil {
		return fmt.Errorf("--reload: %w", err)
	}
	rep, err := d.Reloader.Reload(ctx, false)
	if err != nil {
		return fmt.Errorf("--reload: %w", err)
	}
	log.Info("--reload: loaded the configured plan", "version", rep.Version.ID, "unchanged", rep.Unchanged,
		"added", len(rep.Diff.Added), "removed", len(rep.Diff.Removed), "changed", len(rep.Diff.Changed))
	return nil
}

// staleNotice says so when serve --plan FILE names a file whose text is
// not the stored version being served (the service starts from the
// version it served last), and how to load it. Pages are not fetched for
// this: --watch and --reload do.
func staleNotice(ctx context.Context, plan string, r *index.Reloader, base string, stdout io.Writer, log *slog.Logger) {
	if plan == "" || origin.IsURL(plan) {
		return
	}
	d, err := origin.Read(ctx, plan, nil)
	if err != nil {
		log.Warn("--plan: cannot read the plan file; serving the stored version", "plan", plan, "version", r.Current().ID, "err", err)
		return
	}
	v := r.Current()
	if versions.Hash(versions.Normalize(d.Text)) == v.Hash {
		return
	}
	fmt.Fprintf(stdout, "planbot: serving stored version %s (loaded %s from %s), not %s, which differs from it. "+
		"To load %s: restart with --reload, or run planbot reindex --reload --server %s (or --watch to follow the file)\n",
		v.ID, v.LoadedAt.Local().Format(time.DateTime), v.Source, plan, plan, base)
	log.Warn("--plan differs from the stored version being served; it is not loaded", "plan", plan, "version", v.ID,
		"load_with", "serve --reload, or planbot reindex --reload --server "+base)
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

// stopTimeout reads PLANBOT_SHUTDOWN_TIMEOUT: a duration (20s) or seconds.
func stopTimeout(setting string) (time.Duration, error) {
	if setting == "" {
		return shutdownLimit, nil
	}
	d, err := time.ParseDuration(setting)
	if n, nerr := strconv.Atoi(setting); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < 2*time.Second {
		return 0, fmt.Errorf("PLANBOT_SHUTDOWN_TIMEOUT: want a duration of 2s or more, such as 25s, got %q", setting)
	}
	return d, nil
}

// watchPlan reindexes whenever the watched plan changes, through the same
// validation as any reindex (a broken or shrunken plan is refused and
// logged, and the service keeps its plan). Its first check is at once: a
// plan that changed while the service was down, or that differs from the
// stored version it started on, is loaded then. While Redis (shared) is
// down the plan is not even read, so a change is loaded once it is back.
func watchPlan(ctx context.Context, w *origin.Watcher, every time.Duration, r *index.Reloader, shared bot.Shared, log *slog.Logger) {
	waiting := false // for Redis, logged once
	first := true    // the first read of the plan, whenever it happens
	check := func() {
		if err := bot.CheckShared(ctx, shared); err != nil {
			if !waiting && ctx.Err() == nil {
				log.Warn("watch: not checking the plan while Redis is unreachable", "source", w.Location, "err", err)
			}
			waiting = true
			return
		}
		waiting = false
		d, err := w.Poll(ctx)
		wasFirst := first
		first = false
		if err != nil {
			if ctx.Err() == nil {
				log.Error("watch: cannot read the plan", "source", w.Location, "err", err)
			}
			return
		}
		if d == nil {
			return
		}
		if wasFirst && versions.Hash(versions.Normalize(d.Text)) == r.Current().Hash {
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
	check()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check()
		}
	}
}
