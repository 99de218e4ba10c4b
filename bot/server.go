package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"planbot/bot/budget"
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
	Shared     Shared  // Redis shared with other replicas; nil: none
	AdminToken string
	// Followups keeps the web chat's follow-up context; nil: in-process.
	Followups *chat.Followups

	// AdminLimiter is the per-client limit of requests with the admin
	// token, which the public Limiter does not count; nil: a MemLimiter
	// of AdminRate a second (burst twice that) when Limiter is set.
	AdminLimiter Limiter
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// Forwarded headers name the client (ParseProxies); from any other
	// peer they are ignored.
	TrustedProxies []netip.Prefix

	LINE  http.Handler // POST /line/webhook
	Slack *SlackHandlers
	// Unverified bounds the webhook bodies read before their signature is
	// checked; nil: a budget of budget.DefaultTotal.
	Unverified *budget.Budget

	clients      *clients      // set by NewServer
	failedLogins *chat.DropLog // set by NewServer
}

// AdminRate is the default admin limit, requests a second per client.
const AdminRate = 20

// MinAdminToken is the shortest admin token the service accepts, in
// characters: shorter ones could be guessed.
const MinAdminToken = 16

// maxWebhookBody caps a LINE or Slack request body, as the channels do.
const maxWebhookBody = 1 << 20

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
		d.Unanswered = &MemUnanswered{}
	}
	if d.AdminLimiter == nil && d.Limiter != nil {
		d.AdminLimiter = &MemLimiter{Rate: AdminRate, Burst: 2 * AdminRate}
	}
	d.clients = newClients(d.TrustedProxies)
	d.failedLogins = &chat.DropLog{}
	if d.Feedback == nil {
		d.Feedback = chat.NewMemFeedback()
	}
	// Votes name actions by ID; they are counted by the actions' stable keys.
	d.Feedback = chat.ByKey(d.Feedback, d.Asker())
	if d.Followups == nil {
		f, err := d.NewFollowups(nil, nil)
		if err != nil {
			d.Logger.Error("web chat without follow-ups", "err", err)
		}
		d.Followups = f
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", handleWebChat())
	mux.Handle("GET /static/", handleStatic())
	mux.Handle("GET /api/ask", d.instrument("web", d.limit(handleAsk(d))))
	mux.Handle("POST /api/feedback", d.instrument("web", d.limit(handleFeedback(d))))
	mux.Handle("GET /api/plan", d.instrument("web", d.limit(handlePlan(d))))
	mux.Handle("GET /healthz", handleHealth())
	mux.Handle("GET /readyz", handleReady(d))
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{}))
	// The webhooks read whole bodies before they can check a signature:
	// one budget bounds what they hold at once.
	if d.Unverified == nil {
		d.Unverified = budget.New(budget.DefaultTotal)
	}
	d.Unverified.Logger = d.Logger
	d.Unverified.Refused = func(r *http.Request, status int) {
		d.Metrics.Request(strings.Split(r.URL.Path, "/")[1], strconv.Itoa(status)) // "line", "slack"
	}
	unverified := func(h http.Handler) http.Handler { return d.Unverified.Limit(maxWebhookBody, h) }
	if d.LINE != nil {
		mux.Handle("POST /line/webhook", unverified(d.LINE))
	}
	if d.Slack != nil {
		mux.Handle("POST /slack/events", unverified(d.Slack.Events))
		mux.Handle("POST /slack/commands", unverified(d.Slack.Commands))
		mux.Handle("POST /slack/interactive", unverified(d.Slack.Interactive))
	}
	if d.AdminToken != "" {
		mux.Handle("GET /admin", handleAdminPage())
		admin := func(h http.Handler) http.Handler {
			return d.instrument("admin", d.requireAdmin(d.limitWith(d.AdminLimiter, h)))
		}
		mux.Handle("GET /admin/status", admin(handleStatus(d)))
		mux.Handle("GET /admin/versions", admin(handleVersions(d)))
		mux.Handle("POST /admin/reindex", admin(d.needShared(handleReindex(d))))
		mux.Handle("POST /admin/rollback", admin(d.needShared(handleRollback(d))))
		mux.Handle("GET /admin/unanswered", admin(handleUnanswered(d)))
		mux.Handle("GET /admin/feedback", admin(handleFeedbackCounts(d)))
		mux.Handle("GET /admin/stats", admin(handleStats(d)))
		mux.Handle("GET /admin/charts/{name}", admin(handleChart(d)))
	}
	return secure(mux)
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
		chatID := r.Header.Get(ChatHeader)
		if chatID != "" && !validChat(chatID) {
			writeError(w, http.StatusBadRequest, ChatHeader+": want 16 to 64 letters, digits, - or _")
			return
		}
		start := time.Now()
		var a webAnswer
		var err error
		if d.Followups != nil && chatID != "" {
			var rep chat.Reply
			rep, err = d.Followups.Ask(r.Context(), "web:"+chatID, q, 0)
			a = webAnswer{rep.Page(), rep.Followup}
		} else {
			a.Answer, err = ask.Ask(q)
		}
		if err != nil {
			d.Logger.Error("ask", "err", err)
			writeError(w, http.StatusServiceUnavailable, "the index is not ready; try again shortly")
			return
		}
		d.Metrics.Answered("web", a.Answer, time.Since(start))
		writeJSON(w, http.StatusOK, a)
	})
}

// webAnswer is what /api/ask sends: the answer, and for a follow-up what
// it asked of the tab's last answer (chat.Kind).
type webAnswer struct {
	index.Answer
	Followup chat.Kind `json:"followup,omitempty"`
}

// ChatHeader names the web chat's conversation on /api/ask: a random ID
// the page makes for each tab, so that follow-ups ("電話番号は？",
// "ほかには？") are answered about the tab's last answer. No cookie, and
// nothing that names the asker; the service keeps it only hashed.
const ChatHeader = "X-Planbot-Chat"

// validChat reports whether id is a chat ID the page could have made.
func validChat(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewFollowups returns what answers the channels' messages with their
// chat's last answer as the context of follow-ups: over the live index,
// logging the questions the plan does not cover that were no follow-ups,
// with the contexts in store (nil: in process) under salt (nil: random).
// Unanswered must be set.
func (d Deps) NewFollowups(store chat.Contexts, salt []byte) (*chat.Followups, error) {
	logged := d.Unanswered
	return chat.NewFollowups(recorder{live: d.Live}, chat.FollowupConfig{Store: store, Salt: salt, Logger: d.Logger,
		NotCovered: func(q string) { logged.Add(context.Background(), Logged(q, time.Now())) }})
}

// maxFeedbackBody bounds a vote's body: a vote with an ID that long is
// answered 404 (no such action) like any other unknown ID.
const maxFeedbackBody = 16 << 10

// handleFeedback counts a vote on an action of the plan being served (404
// for any other ID), one per client and action: the client is its address
// (an IPv6 /64), the same as the rate limit's, so a household or a
// carrier's shared address counts once and a vote cannot be repeated by
// opening another tab. A client's later vote on an action replaces its
// earlier one.
func handleFeedback(d Deps) http.Handler {
	ask := d.Asker()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ID      string `json:"id"`
			Helpful bool   `json:"helpful"`
		}
		var tooLarge *http.MaxBytesError
		switch err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFeedbackBody)).Decode(&in); {
		case errors.As(err, &tooLarge):
			writeError(w, http.StatusRequestEntityTooLarge, "feedback larger than 16 KiB")
			return
		case err != nil || in.ID == "":
			writeError(w, http.StatusBadRequest, `want {"id": "1.1.1.1", "helpful": true}`)
			return
		}
		// Only actions of the plan being served are rated: never the
		// contact desk of a contact answer ("contact"), nor made-up IDs.
		if !chat.Votable(ask, in.ID) {
			writeError(w, http.StatusNotFound, "no such action in the current plan")
			return
		}
		switch err := d.Feedback.Vote(r.Context(), "web:"+d.clients.key(r), in.ID, in.Helpful); {
		case errors.Is(err, chat.ErrNotAction):
			writeError(w, http.StatusNotFound, "no such action in the current plan")
			return
		case err != nil:
			d.Logger.Error("feedback", "err", err)
			writeError(w, http.StatusServiceUnavailable, "feedback not recorded; try again later")
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

// handleReady is 503 until the index is loaded, then 200: "ready", or
// "ready, degraded: …" while Redis is down (the service answers on).
func handleReady(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if d.Live == nil || d.Live.Current() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("loading\n"))
			return
		}
		w.Write([]byte(d.readiness()))
	})
}

// isAdmin reports whether r carries the admin token: "Bearer TOKEN", the
// scheme in any case (RFC 9110), the token compared in constant time.
func (d Deps) isAdmin(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return ok && d.AdminToken != "" && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(d.AdminToken)) == 1
}

// requireAdmin lets through requests with the admin token. The others
// count against the client's public bucket, so a token cannot be guessed
// faster than the public rate, and a wrong token is logged: one line a
// second at most, with the number of failures since the last line.
func (d Deps) requireAdmin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.isAdmin(r) {
			h.ServeHTTP(w, r)
			return
		}
		client := d.clients.key(r)
		if r.Header.Get("Authorization") != "" {
			d.failedLogins.Drop(d.Logger, "admin: failed logins (wrong token)", "client", client, "path", r.URL.Path)
		}
		if d.Limiter != nil && !d.Limiter.Allow(r.Context(), client) {
			tooMany(w)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="planbot admin"`)
		writeError(w, http.StatusUnauthorized, "admin token required")
	})
}

// limit answers 429 to a client over its rate: requests with the admin
// token are counted in the admin bucket, all others in the public one.
func (d Deps) limit(h http.Handler) http.Handler {
	if d.Limiter == nil && d.AdminLimiter == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket := d.Limiter
		if d.isAdmin(r) {
			bucket = d.AdminLimiter
		}
		if bucket != nil && !bucket.Allow(r.Context(), d.clients.key(r)) {
			tooMany(w)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// limitWith answers 429 to a client over its rate in bucket.
func (d Deps) limitWith(bucket Limiter, h http.Handler) http.Handler {
	if bucket == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !bucket.Allow(r.Context(), d.clients.key(r)) {
			tooMany(w)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusTooManyRequests, "too many requests; slow down")
}

// contentPolicy is every response's Content-Security-Policy: the pages
// run and style only with their own files (/static/), and no other site
// may frame them (clickjacking).
const contentPolicy = "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// secure sets the security headers of every response, pages, /static/
// files and JSON alike; a handler may narrow the policy further (an
// image's "default-src 'none'").
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentPolicy)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
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
