package bot

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"planbot/bot/chat"
	"planbot/index"
)

// Deps is everything the HTTP service needs. Nil channel handlers leave
// those routes off; an empty AdminToken turns the admin routes off (404).
type Deps struct {
	Logger     *slog.Logger
	Live       *index.Live
	Reloader   *index.Reloader
	Metrics    *Metrics
	Feedback   chat.Feedback
	Unanswered Unanswered
	Limiter    Limiter // per-client limit on public endpoints; nil: unlimited
	AdminToken string

	LINE  http.Handler // POST /line/webhook
	Slack *SlackHandlers
}

// SlackHandlers are the three Slack endpoints.
type SlackHandlers struct {
	Events, Commands, Interactive http.Handler
}

// maxQuestion bounds a question from the web, in runes. The index reads
// the beginning of a longer message (its first 500 runes) and says so in
// the answer (Truncated), so the web accepts a pasted message well beyond
// that and refuses only what is clearly not a question.
const maxQuestion = 2000

// NewServer returns the service's HTTP handler: every route is here.
func NewServer(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	if d.Unanswered == nil {
		d.Unanswered = &MemUnanswered{Cap: 200}
	}
	if d.Feedback == nil {
		d.Feedback = chat.NewMemFeedback()
	}
	// Votes name actions by ID; they are counted by the actions' stable keys.
	d.Feedback = chat.ByKey(d.Feedback, d.Asker())
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", handleWebChat())
	mux.Handle("GET /static/", handleStatic())
	mux.Handle("GET /api/ask", d.instrument("web", d.limit(handleAsk(d))))
	mux.Handle("POST /api/feedback", d.instrument("web", d.limit(handleFeedback(d))))
	mux.Handle("GET /healthz", handleHealth())
	mux.Handle("GET /readyz", handleReady(d.Live))
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{}))
	if d.LINE != nil {
		mux.Handle("POST /line/webhook", d.LINE)
	}
	if d.Slack != nil {
		mux.Handle("POST /slack/events", d.Slack.Events)
		mux.Handle("POST /slack/commands", d.Slack.Commands)
		mux.Handle("POST /slack/interactive", d.Slack.Interactive)
	}
	if d.AdminToken != "" {
		mux.Handle("GET /admin", handleAdminPage())
		admin := func(h http.Handler) http.Handler { return d.instrument("admin", d.limit(d.requireAdmin(h))) }
		mux.Handle("GET /admin/status", admin(handleStatus(d)))
		mux.Handle("GET /admin/versions", admin(handleVersions(d)))
		mux.Handle("POST /admin/reindex", admin(handleReindex(d)))
		mux.Handle("POST /admin/rollback", admin(handleRollback(d)))
		mux.Handle("GET /admin/unanswered", admin(handleUnanswered(d)))
		mux.Handle("GET /admin/feedback", admin(handleFeedbackCounts(d)))
	}
	return mux
}

// Asker is the question answerer the channels get: the live index, with
// not-covered questions logged for the admin page.
func (d Deps) Asker() chat.Asker { return recorder{live: d.Live, unanswered: d.Unanswered} }

func handleAsk(d Deps) http.Handler {
	ask := d.Asker()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if q == "" {
			writeError(w, http.StatusBadRequest, "missing question: /api/ask?q=…")
			return
		}
		if len([]rune(q)) > maxQuestion {
			writeError(w, http.StatusRequestEntityTooLarge, "question too long")
			return
		}
		start := time.Now()
		a, err := ask.Ask(q)
		if err != nil {
			d.Logger.Error("ask", "err", err)
			writeError(w, http.StatusServiceUnavailable, "the index is not ready; try again shortly")
			return
		}
		d.Metrics.Answered("web", a, time.Since(start))
		writeJSON(w, http.StatusOK, a)
	})
}

func handleFeedback(d Deps) http.Handler {
	ask := d.Asker()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ID      string `json:"id"`
			Helpful bool   `json:"helpful"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.ID == "" || len(in.ID) > 64 {
			writeError(w, http.StatusBadRequest, `want {"id": "1.1.1.1", "helpful": true}`)
			return
		}
		// Only actions of the plan being served are rated: never the
		// contact desk of a contact answer ("contact"), nor made-up IDs.
		if !chat.Votable(ask, in.ID) {
			writeError(w, http.StatusBadRequest, "no such action in the current plan")
			return
		}
		if err := d.Feedback.Vote(r.Context(), in.ID, in.Helpful); err != nil {
			d.Logger.Error("feedback", "err", err)
			writeError(w, http.StatusInternalServerError, "feedback not recorded")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}

func handleReady(live *index.Live) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if live == nil || live.Current() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("loading\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
}

// requireAdmin checks the bearer token in constant time.
func (d Deps) requireAdmin(h http.Handler) http.Handler {
	want := []byte("Bearer " + d.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="planbot admin"`)
			writeError(w, http.StatusUnauthorized, "admin token required")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// limit answers 429 to a client over its rate.
func (d Deps) limit(h http.Handler) http.Handler {
	if d.Limiter == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.Limiter.Allow(r.Context(), clientIP(r)) {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, "too many requests; slow down")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// instrument counts requests by channel and status.
func (d Deps) instrument(channel string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		d.Metrics.Request(channel, strconv.Itoa(sw.status))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
