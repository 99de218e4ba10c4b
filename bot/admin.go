package bot

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"planbot/data"
	"planbot/data/versions"
	"planbot/index"
)

// maxPlan bounds an uploaded plan text.
const maxPlan = 10 << 20

// status is what the admin page shows first.
type status struct {
	Title   string            `json:"title"`
	Updated string            `json:"updated"`
	Items   int               `json:"items"`
	Version *versions.Version `json:"version,omitempty"`
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
		if d.Reloader != nil && d.Reloader.Store != nil {
			if v, _, err := d.Reloader.Store.Current(); err == nil {
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
		writeJSON(w, http.StatusOK, vs)
	})
}

// handleReindex loads the request body as the new plan (an empty body
// reloads the configured plan file). ?force=1 accepts a plan that drops
// more than half of the actions.
func handleReindex(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPlan))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "plan text too large")
			return
		}
		var text []byte
		source := "admin upload"
		if len(strings.TrimSpace(string(body))) > 0 {
			text = body
		}
		force, _ := strconv.ParseBool(r.URL.Query().Get("force"))
		rep, err := d.Reloader.Reindex(r.Context(), text, source, force)
		d.reindexResult(w, rep, err)
	})
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
		rep, err := d.Reloader.Rollback(r.Context(), id)
		d.reindexResult(w, rep, err)
	})
}

// reindexResult maps a reload outcome to HTTP: 422 with the line for a
// broken plan, 409 when force is needed, 404 for an unknown version.
func (d Deps) reindexResult(w http.ResponseWriter, rep index.Report, err error) {
	var pe *data.ParseError
	switch {
	case err == nil:
		d.Metrics.Reindexed("ok")
		d.Logger.Info("reindexed", "version", rep.Version.ID, "items", rep.Version.Items,
			"added", len(rep.Diff.Added), "removed", len(rep.Diff.Removed), "changed", len(rep.Diff.Changed))
		writeJSON(w, http.StatusOK, rep)
	case errors.As(err, &pe):
		d.Metrics.Reindexed("invalid")
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error(), "line": pe.Line})
	case errors.Is(err, index.ErrNeedsForce):
		d.Metrics.Reindexed("refused")
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, versions.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	default:
		d.Metrics.Reindexed("error")
		d.Logger.Error("reindex", "err", err)
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

func handleUnanswered(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		qs, err := d.Unanswered.Recent(r.Context(), 100)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, qs)
	})
}

func handleFeedbackCounts(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		counts, err := d.Feedback.Counts(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, counts)
	})
}
