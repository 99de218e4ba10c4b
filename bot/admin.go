package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"planbot/bot/chat"
	"planbot/data"
	"planbot/data/origin"
	"planbot/data/versions"
	"planbot/index"
)

// maxPlan bounds an uploaded plan, as a fetched one is bounded.
const maxPlan = origin.MaxBytes

// status is what the admin page shows first.
type status struct {
	Title   string            `json:"title"`
	Updated string            `json:"updated"`
	Items   int               `json:"items"`
	Version *versions.Version `json:"version,omitempty"` // the version being served
}

func handleStatus(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ix := d.Live.Current()
		if ix == nil {
			writeError(w, http.StatusServiceUnavailable, "no plan loaded yet")
			return
		}
		p := ix.Plan()
		st := status{Title: p.Title, Updated: p.Updated, Items: len(p.Items)}
		if d.Reloader != nil {
			if v := d.Reloader.Current(); v.ID != "" {
				st.Version = &v
			}
		}
		writeJSON(w, http.StatusOK, st)
	})
}

func handleVersions(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.Reloader == nil || d.Reloader.Store == nil {
			writeJSON(w, http.StatusOK, []versions.Version{})
			return
		}
		vs, err := d.Reloader.Store.List()
		if err != nil {
			d.Logger.Error("versions", "err", err)
			writeError(w, http.StatusInternalServerError, "cannot list versions")
			return
		}
		if vs == nil {
			vs = []versions.Version{}
		}
		writeJSON(w, http.StatusOK, vs)
	})
}

// handleReindex loads the request body as the new plan, a text or the
// city's page (told apart by its Content-Type or its content). An empty
// body is refused (422): ?reload=1, with no body, reloads the configured
// plan (file or URL). ?force=1 accepts a plan that is empty or drops more
// than half of the actions. X-Plan-Source may say where the text came
// from (percent-encoded), for the version list.
func handleReindex(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		force, _ := strconv.ParseBool(q.Get("force"))
		reload, _ := strconv.ParseBool(q.Get("reload"))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPlan))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, "plan larger than "+strconv.Itoa(maxPlan>>20)+" MiB")
			} else {
				writeError(w, http.StatusBadRequest, "cannot read the plan: "+err.Error())
			}
			return
		}
		empty := len(bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\uFEFF")))) == 0
		var rep index.Report
		switch {
		case reload && !empty:
			writeError(w, http.StatusBadRequest, "either send a plan in the body or ask to reload the configured one (?reload=1), not both")
			return
		case reload:
			rep, err = d.Reloader.Reload(r.Context(), force)
		case empty:
			d.Metrics.Reindexed("invalid")
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "empty plan: the request has no plan text. " +
				"Send the plan (text or the city's page) as the body; to reload the configured plan, POST /admin/reindex?reload=1 with no body " +
				"(planbot reindex --reload).", "line": 0})
			return
		default:
			source := "admin upload"
			if s := cleanSource(r.Header.Get("X-Plan-Source")); s != "" {
				source += ": " + s
			}
			rep, err = d.Reloader.Load(r.Context(), index.Input{Text: body, ContentType: bodyContentType(r.Header.Get("Content-Type")),
				Source: source, Force: force})
		}
		d.reindexResult(w, rep, err)
	})
}

// bodyContentType is the Content-Type of an uploaded plan worth telling
// the parser: not what curl --data-binary, forms or unknown files send,
// which says nothing of the text.
func bodyContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data", "application/octet-stream":
		return ""
	}
	return ct
}

// cleanSource keeps a client's description of a plan's origin (percent-
// encoded, as browsers must send it) printable and short.
func cleanSource(s string) string {
	if u, err := url.PathUnescape(s); err == nil && utf8.ValidString(u) {
		s = u
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(strings.TrimSpace(s)); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return strings.TrimSpace(s)
}

func handleRollback(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("version")
		if id == "" {
			var in struct {
				Version string `json:"version"`
			}
			json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in)
			id = in.Version
		}
		if id == "" {
			writeError(w, http.StatusBadRequest, "which version? ?version=0001-abcdef12")
			return
		}
		// Only an ID as the store makes them reaches it: nothing else can
		// name a file, and the refusal does not repeat what was sent.
		if !versionID.MatchString(id) {
			writeError(w, http.StatusBadRequest, "not a version ID: want the form 0001-abcdef12, as GET /admin/versions lists them")
			return
		}
		rep, err := d.Reloader.Rollback(r.Context(), id)
		d.reindexResult(w, rep, err)
	})
}

// versionID is the form of a version's ID: a sequence number and the
// start of its hash (versions.Version.ID).
var versionID = regexp.MustCompile(`^[0-9]{4,9}-[0-9a-f]{8}$`)

// reindexResult maps a reload outcome to HTTP: 409 when force is needed
// (an empty plan or one that drops more than half of the actions) or for
// a damaged stored version, 422 with the line for a broken plan or an
// empty text, 404 for an unknown version, 502 when the configured page
// cannot be fetched.
func (d Deps) reindexResult(w http.ResponseWriter, rep index.Report, err error) {
	var pe *data.ParseError
	switch {
	case err == nil:
		d.Metrics.Reindexed("ok")
		d.Logger.Info("reindexed", "version", rep.Version.ID, "items", rep.Version.Items, "unchanged", rep.Unchanged,
			"added", len(rep.Diff.Added), "removed", len(rep.Diff.Removed), "changed", len(rep.Diff.Changed))
		writeJSON(w, http.StatusOK, rep)
	case errors.Is(err, index.ErrNeedsForce):
		d.Metrics.Reindexed("refused")
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, versions.ErrDamaged):
		d.Metrics.Reindexed("refused")
		writeJSON(w, http.StatusConflict, map[string]any{"error": d.public(err), "damaged": true})
	case errors.Is(err, index.ErrNoText):
		d.Metrics.Reindexed("invalid")
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error(), "line": 0})
	case errors.As(err, &pe):
		d.Metrics.Reindexed("invalid")
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error(), "line": pe.Line})
	case errors.Is(err, versions.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, origin.ErrFetch):
		d.Metrics.Reindexed("error")
		d.Logger.Error("reindex: cannot fetch the plan", "err", err)
		writeError(w, http.StatusBadGateway, err.Error())
	default:
		d.Metrics.Reindexed("error")
		d.Logger.Error("reindex", "err", err)
		writeError(w, http.StatusInternalServerError, d.public(err))
	}
}

// public is err as the admin API tells it: an error from the file system
// names a path of the data dir, which the service log has and a response
// does not.
func (d Deps) public(err error) string {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	d.Logger.Error("admin: data dir", "err", err)
	msg := "the version store cannot be read or written (the service log says which file)"
	if errors.Is(err, versions.ErrDamaged) {
		msg = "stored version is damaged: its files cannot be read (the service log says which)"
	}
	return msg
}

func handleUnanswered(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		qs, err := d.Unanswered.Recent(r.Context(), 100)
		if err != nil {
			storeDown(w, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, qs)
	})
}

// storeDown answers 503 when a store cannot be read: its only failure is
// its backing service (Redis) being down, which passes.
func storeDown(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", "10")
	writeError(w, http.StatusServiceUnavailable, msg)
}

// actionVotes are the feedback counts of one action of the plan served.
type actionVotes struct {
	ID          string   `json:"id"`
	Key         string   `json:"key"` // data.Item.Key: the counts are stored under it
	Departments []string `json:"departments"`
	Content     string   `json:"content"`
	chat.Votes
}

// feedbackCounts is GET /admin/feedback: the counts of the actions of the
// plan being served, in plan order. Counts of actions a reindex removed
// stay stored under their keys (they return with the action) and are
// only counted here.
type feedbackCounts struct {
	Actions   []actionVotes `json:"actions"`
	OtherKeys int           `json:"other_keys"` // stored keys of actions not in the plan served
}

func handleFeedbackCounts(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := d.feedback(r.Context())
		if err != nil {
			storeDown(w, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// feedback is the counts of the actions of the plan served (the
// feedback list and chart).
func (d Deps) feedback(ctx context.Context) (feedbackCounts, error) {
	counts, err := d.Feedback.Counts(ctx)
	if err != nil {
		return feedbackCounts{}, err
	}
	out := feedbackCounts{Actions: []actionVotes{}}
	shown := map[string]bool{}
	if ix := d.Live.Current(); ix != nil {
		for _, it := range ix.Plan().Items {
			k := it.Key()
			if v, ok := counts[k]; ok {
				shown[k] = true
				out.Actions = append(out.Actions, actionVotes{ID: it.ID, Key: k, Departments: it.Departments, Content: it.Content, Votes: v})
			}
		}
	}
	out.OtherKeys = len(counts) - len(shown)
	return out, nil
}
