package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

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

// reloader opens the version store and builds a Reloader over an empty
// Live; callers Boot or Reindex it.
func (pf *planFlags) reloader(dir string) (*index.Reloader, error) {
	lex, err := pf.lexicon()
	if err != nil {
		return nil, err
	}
	store, err := versions.Open(dir)
	if err != nil {
		return nil, err
	}
	return &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store, PlanFile: pf.plan}, nil
}

func cmdReindex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reindex", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	dir := fs.String("data-dir", "", "version store `dir` (default $PLANBOT_DATA_DIR or ./planbot-data)")
	server := fs.String("server", "", "push to a running service at `URL` (uses $PLANBOT_ADMIN_TOKEN)")
	force := fs.Bool("force", false, "accept a plan that is empty or drops more than half of the actions")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if pf.plan == "" {
		return fmt.Errorf("%w: reindex needs --plan FILE", errUsage)
	}
	text, err := os.ReadFile(pf.plan)
	if err != nil {
		return err
	}
	var rep index.Report
	if *server != "" {
		q := url.Values{}
		if *force {
			q.Set("force", "1")
		}
		if err := adminCall(ctx, *server, "/admin/reindex?"+q.Encode(), text, getenv, &rep); err != nil {
			return err
		}
	} else {
		// Offline: validate against the current stored version and store
		// the new one; the service serves it from its next start.
		r, err := pf.reloader(dataDir(*dir, getenv))
		if err != nil {
			return err
		}
		r.PlanFile = getenv("PLANBOT_PLAN") // the service's plan, not the new one
		if _, err := r.Boot(ctx); err != nil {
			return err
		}
		if rep, err = r.Reindex(ctx, text, "file "+pf.plan, *force); err != nil {
			return err
		}
	}
	return printReport(stdout, rep, *asJSON)
}

func cmdRollback(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rollback", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	dir := fs.String("data-dir", "", "version store `dir`")
	server := fs.String("server", "", "roll back a running service at `URL` (uses $PLANBOT_ADMIN_TOKEN)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: rollback VERSION (see planbot versions)", errUsage)
	}
	id := fs.Arg(0)
	var rep index.Report
	if *server != "" {
		if err := adminCall(ctx, *server, "/admin/rollback?version="+url.QueryEscape(id), nil, getenv, &rep); err != nil {
			return err
		}
	} else {
		r, err := pf.reloader(dataDir(*dir, getenv))
		if err != nil {
			return err
		}
		if _, err := r.Boot(ctx); err != nil {
			return err
		}
		if rep, err = r.Rollback(ctx, id); err != nil {
			return err
		}
	}
	return printReport(stdout, rep, *asJSON)
}

func cmdVersions(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("versions", stderr)
	dir := fs.String("data-dir", "", "version store `dir`")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	store, err := versions.Open(dataDir(*dir, getenv))
	if err != nil {
		return err
	}
	vs, err := store.List()
	if err != nil {
		return err
	}
	cur, _, _ := store.Current()
	if *asJSON {
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
		if v.ID == cur.ID {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", mark, v.ID, v.Updated, v.Items, v.LoadedAt.Local().Format(time.DateTime), v.Source)
	}
	return tw.Flush()
}

func printReport(w io.Writer, rep index.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	fmt.Fprintf(w, "serving version %s (%s, 更新日 %s, %d actions)\n%s\n", rep.Version.ID, rep.Version.Title, rep.Version.Updated, rep.Version.Items, rep.Text)
	return nil
}

// adminCall posts to a running service's admin API and decodes the report.
func adminCall(ctx context.Context, server, path string, body []byte, getenv func(string) string, out any) error {
	token := getenv("PLANBOT_ADMIN_TOKEN")
	if token == "" {
		return errors.New("set PLANBOT_ADMIN_TOKEN to the service's admin token")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(server, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
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
