package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"planbot/bot/slack"
	"planbot/data"
	"planbot/data/origin"
	"planbot/data/versions"
	"planbot/index"
)

// defaultDataDir is where accepted plan versions are kept unless
// PLANBOT_DATA_DIR or --data-dir says otherwise: beside the working
// directory, created on first use.
const defaultDataDir = "planbot-data"

func dataDir(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if d := getenv("PLANBOT_DATA_DIR"); d != "" {
		return d
	}
	return defaultDataDir
}

// openStore opens the version store with PLANBOT_KEEP_VERSIONS.
func openStore(dir string, getenv func(string) string) (*versions.Store, error) {
	keep := versions.DefaultKeep
	if v := getenv("PLANBOT_KEEP_VERSIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("PLANBOT_KEEP_VERSIONS: want how many plan versions to keep (1 or more), got %q", v)
		}
		keep = n
	}
	store, err := versions.Open(dir)
	if err != nil {
		return nil, err
	}
	store.Keep = keep
	return store, nil
}

// reloader opens the version store and builds a Reloader over an empty
// Live; callers Boot or Reindex it.
func (pf *planFlags) reloader(dir string, getenv func(string) string) (*index.Reloader, error) {
	store, err := openStore(dir, getenv)
	if err != nil {
		return nil, err
	}
	lex, err := pf.lexicon()
	if err != nil {
		return nil, err
	}
	return &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store, PlanSource: pf.plan}, nil
}

// offlineReloader works on the data dir of a stopped service: it takes
// the dir's lock (refused while a service or another command holds it),
// validates, compares and stores, and builds no index (the service builds
// it when it starts), so it loads no dictionaries either.
func offlineReloader(ctx context.Context, pf *planFlags, dir, command string, getenv func(string) string, log *slog.Logger) (*index.Reloader, func(), error) {
	lock, err := versions.Lock(dir, versions.Holder{Command: command})
	if err != nil {
		return nil, nil, err
	}
	store, err := openStore(dir, getenv)
	if err != nil {
		lock.Unlock()
		return nil, nil, err
	}
	english, err := pf.englishNames()
	if err != nil {
		lock.Unlock()
		return nil, nil, err
	}
	r := &index.Reloader{Live: &index.Live{}, Lexicon: &index.Lexicon{English: english}, Store: store, Offline: true,
		PlanSource: getenv("PLANBOT_PLAN"), Logger: log} // the service's plan, not a new one
	if _, err := r.Boot(ctx); err != nil {
		lock.Unlock()
		return nil, nil, err
	}
	return r, func() { lock.Unlock() }, nil
}

// englishNames reads the departments' English names (--departments or
// the embedded table).
func (pf *planFlags) englishNames() (map[string]string, error) {
	if pf.depts == "" {
		return data.DefaultDepartments()
	}
	f, err := os.Open(pf.depts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return data.ParseDepartments(f)
}

func cmdReindex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reindex", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	pf.plan = "" // a new plan is named on the command line, never taken from PLANBOT_PLAN
	fs.Lookup("plan").DefValue = ""
	dir := fs.String("data-dir", "", "version store `dir` (default $PLANBOT_DATA_DIR or ./planbot-data)")
	server := fs.String("server", "", "push to a running service at `URL` (uses $PLANBOT_ADMIN_TOKEN)")
	force := fs.Bool("force", false, "accept a plan that is empty or drops more than half of the actions")
	reload := fs.Bool("reload", false, "reload the configured plan (the service's --plan or PLANBOT_PLAN) instead of loading a new one")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	rest, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(rest) == 1 && pf.plan == "" && !*reload { // reindex FILE|URL
		pf.plan, rest = rest[0], nil
	}
	if err := noArgs("reindex", rest); err != nil {
		return err
	}
	switch {
	case *reload && pf.plan != "":
		return fmt.Errorf("%w: reindex takes --plan FILE|URL or --reload, not both", errUsage)
	case !*reload && pf.plan == "":
		return fmt.Errorf("%w: reindex needs a plan, FILE|URL (or --reload to reload the configured plan)", errUsage)
	}
	var in index.Input
	if !*reload {
		d, err := origin.Read(ctx, pf.plan, nil)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(versions.Normalize(d.Text))) == 0 {
			return fmt.Errorf("%s is empty: nothing to load (to reload the configured plan, use --reload)", pf.plan)
		}
		in = index.Input{Text: d.Text, ContentType: d.ContentType, Source: d.Source, Force: *force}
	}
	var rep index.Report
	if *server != "" {
		q := url.Values{}
		if *force {
			q.Set("force", "1")
		}
		if *reload {
			q.Set("reload", "1")
		}
		ct := in.ContentType
		if ct == "" {
			ct = "application/octet-stream" // a file: the service tells text from page by its content
		}
		headers := map[string]string{"Content-Type": ct, "X-Plan-Source": url.PathEscape(in.Source)}
		if err := adminCall(ctx, *server, "/admin/reindex?"+q.Encode(), in.Text, headers, getenv, &rep); err != nil {
			return err
		}
		return printReport(stdout, rep, *asJSON, false)
	}
	log := newLogger(stderr)
	r, unlock, err := offlineReloader(ctx, &pf, dataDir(*dir, getenv), "reindex", getenv, log)
	if err != nil {
		return err
	}
	defer unlock()
	if *reload {
		rep, err = r.Reload(ctx, *force)
	} else {
		rep, err = r.Load(ctx, in)
	}
	if err != nil {
		return err
	}
	announceOffline(ctx, rep, getenv, log)
	return printReport(stdout, rep, *asJSON, true)
}

func cmdRollback(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rollback", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	dir := fs.String("data-dir", "", "version store `dir`")
	server := fs.String("server", "", "roll back a running service at `URL` (uses $PLANBOT_ADMIN_TOKEN)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	rest, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] == "" {
		return fmt.Errorf("%w: rollback takes one VERSION (see planbot versions), got %d arguments", errUsage, len(rest))
	}
	id := rest[0]
	var rep index.Report
	if *server != "" {
		if err := adminCall(ctx, *server, "/admin/rollback?version="+url.QueryEscape(id), nil, nil, getenv, &rep); err != nil {
			return err
		}
		return printReport(stdout, rep, *asJSON, false)
	}
	log := newLogger(stderr)
	r, unlock, err := offlineReloader(ctx, &pf, dataDir(*dir, getenv), "rollback", getenv, log)
	if err != nil {
		return err
	}
	defer unlock()
	if rep, err = r.Rollback(ctx, id); err != nil {
		return err
	}
	announceOffline(ctx, rep, getenv, log)
	return printReport(stdout, rep, *asJSON, true)
}

// announceOffline posts an offline reindex or rollback to
// SLACK_ANNOUNCE_CHANNEL when it and SLACK_BOT_TOKEN are set, as the
// service does for its own.
func announceOffline(ctx context.Context, rep index.Report, getenv func(string) string, log *slog.Logger) {
	channel, token := getenv("SLACK_ANNOUNCE_CHANNEL"), getenv("SLACK_BOT_TOKEN")
	if channel == "" || token == "" || rep.Unchanged {
		return
	}
	a, err := slack.NewAnnouncer(slack.AnnounceConfig{BotToken: token, Channel: channel, APIURL: getenv("SLACK_API_URL"), Logger: log})
	if err != nil {
		log.Error("slack announcement", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := a.Post(ctx, announcement(rep, "(offline; served from the service's next start)")); err != nil {
		log.Error("slack: announcement not posted", "channel", channel, "err", err)
	}
}

// announcementLines bounds the actions an announcement lists.
const announcementLines = 40

// announcement is the Slack message for a reindex or rollback.
func announcement(rep index.Report, note string) string {
	head := "📋 planbot: 計画を更新しました (plan updated)"
	if rep.Rollback {
		head = "📋 planbot: 以前の版に戻しました (rolled back)"
	}
	if note != "" {
		head += " " + note
	}
	return head + "\n" + rep.Summary(announcementLines)
}

func cmdVersions(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("versions", stderr)
	dir := fs.String("data-dir", "", "version store `dir`")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := noArgs("versions", rest); err != nil {
		return err
	}
	store, err := versions.Open(dataDir(*dir, getenv))
	if err != nil {
		return err
	}
	vs, err := store.List()
	if err != nil {
		return err
	}
	cur, _ := store.CurrentID()
	if *asJSON {
		if vs == nil {
			vs = []versions.Version{}
		}
		return json.NewEncoder(stdout).Encode(vs)
	}
	if len(vs) == 0 {
		fmt.Fprintf(stdout, "no versions in %s yet (one is stored when the service first starts or on reindex)\n", store.Dir())
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tVERSION\t更新日\tACTIONS\tLOADED\tSOURCE")
	for _, v := range vs {
		mark := ""
		if v.ID == cur {
			mark = "*"
		}
		src := v.Source
		if v.Damaged != "" {
			src = "DAMAGED (" + v.Damaged + ") " + src
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", mark, v.ID, v.Updated, v.Items, v.LoadedAt.Local().Format(time.DateTime), src)
	}
	return tw.Flush()
}

func printReport(w io.Writer, rep index.Report, asJSON, offline bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	v := rep.Version
	switch {
	case rep.Unchanged:
		fmt.Fprintln(w, rep.Summary(0))
	case offline:
		fmt.Fprintf(w, "stored version %s (%s, 更新日 %s, %d actions); the service serves it from its next start\n%s\n", v.ID, v.Title, v.Updated, v.Items, rep.Text)
	default:
		fmt.Fprintf(w, "serving version %s (%s, 更新日 %s, %d actions)\n%s\n", v.ID, v.Title, v.Updated, v.Items, rep.Text)
	}
	return nil
}

// adminCall posts to a running service's admin API and decodes the report.
func adminCall(ctx context.Context, server, path string, body []byte, headers map[string]string, getenv func(string) string, out any) error {
	token := getenv("PLANBOT_ADMIN_TOKEN")
	if token == "" {
		return errors.New("set PLANBOT_ADMIN_TOKEN to the service's admin token")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(server, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(b, &e)
		return fmt.Errorf("%s: %s %s", server, resp.Status, e.Error)
	}
	return json.Unmarshal(b, out)
}
