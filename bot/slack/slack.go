// Package slack is the Slack channel for city-hall staff: mentions, direct
// messages and the /plan command, over the Events API (HTTP) or Socket
// Mode, answered from the answer model in Block Kit.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"planbot/bot/chat"
	"planbot/index"
)

// Config configures the channel from the Slack app's settings.
type Config struct {
	BotToken      string // xoxb-…
	SigningSecret string // HTTP mode
	AppToken      string // xapp-…: Socket Mode
	APIURL        string // default https://slack.com/api/ (tests)
	AdminUsers    []string
	DedupTTL      time.Duration // default 15 minutes
	HTTPClient    *http.Client  // default: 10 s time-out
	Workers       int           // answers in progress at once; default 8
}

// Deps are the shared services the channel uses.
type Deps struct {
	Asker    chat.Asker
	Dedup    chat.Deduper
	Feedback chat.Feedback
	Metrics  chat.Metrics
	Logger   *slog.Logger
	// Reindex reloads the configured plan (file or page) and returns a
	// readable diff report; nil disables /plan reindex.
	Reindex func(ctx context.Context) (string, error)
}

const (
	maxBody      = 1 << 20
	maxRetries   = 3
	maxRetryWait = 30 * time.Second
)

// Bot serves Slack. Create it with New.
type Bot struct {
	cfg    Config
	deps   Deps
	api    *slack.Client
	self   string // the bot's user ID, from auth.test
	slots  chan struct{}
	drops  chat.DropLog
	wg     sync.WaitGroup
	ctx    context.Context // outlives requests
	cancel context.CancelFunc
}

// New checks the configuration and asks Slack who the bot is.
func New(cfg Config, deps Deps) (*Bot, error) {
	if cfg.BotToken == "" || (cfg.SigningSecret == "" && cfg.AppToken == "") {
		return nil, errors.New("slack: a bot token and a signing secret (HTTP) or app token (Socket Mode) are required")
	}
	if deps.Asker == nil {
		return nil, errors.New("slack: no Asker")
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = 15 * time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = chat.APIClient(10*time.Second, cfg.Workers)
	}
	if deps.Dedup == nil {
		deps.Dedup = chat.NewMemDeduper()
	}
	if deps.Feedback == nil {
		deps.Feedback = chat.NewMemFeedback()
	}
	if deps.Metrics == nil {
		deps.Metrics = chat.Nop{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	opts := []slack.Option{slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.APIURL, "/")+"/"))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	b := &Bot{cfg: cfg, deps: deps, api: slack.New(cfg.BotToken, opts...), slots: make(chan struct{}, cfg.Workers)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if auth, err := b.api.AuthTestContext(ctx); err != nil {
		deps.Logger.Warn("slack: auth.test failed; the bot's own messages are recognised by bot_id only", "err", err)
	} else {
		b.self = auth.UserID
	}
	return b, nil
}

// Close waits for answers in progress, until ctx ends.
func (b *Bot) Close(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	defer b.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slack: close: %w", ctx.Err())
	}
}

// async runs work after the request is acknowledged, within the worker
// limit; when all workers are busy the work is dropped with a log line.
func (b *Bot) async(what string, work func(ctx context.Context)) {
	select {
	case b.slots <- struct{}{}:
	default:
		b.deps.Metrics.Dropped("slack", "busy")
		b.drops.Drop(b.deps.Logger, "slack: all workers busy, work dropped", "what", what)
		return
	}
	b.wg.Add(1)
	go func() {
		defer func() { <-b.slots; b.wg.Done() }()
		work(b.ctx)
	}()
}

// verified reads the capped body and checks Slack's signature and
// timestamp over it before anything is parsed; it restores the body for
// the parsers. On failure it has answered the request.
func (b *Bot) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			b.fail(w, http.StatusRequestEntityTooLarge, "request body too large")
		} else {
			b.fail(w, http.StatusBadRequest, "cannot read body")
		}
		return nil, false
	}
	sv, err := slack.NewSecretsVerifier(r.Header, b.cfg.SigningSecret)
	if err == nil {
		sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		b.deps.Logger.Warn("slack: rejected request", "err", err, "remote", r.RemoteAddr)
		b.fail(w, http.StatusUnauthorized, "invalid signature")
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

func (b *Bot) fail(w http.ResponseWriter, status int, msg string) {
	b.deps.Metrics.Request("slack", strconv.Itoa(status))
	http.Error(w, msg, status)
}

func (b *Bot) ok(w http.ResponseWriter) {
	b.deps.Metrics.Request("slack", "200")
	w.WriteHeader(http.StatusOK)
}

// Events is the Events API endpoint (url_verification, app_mention,
// message.im).
func (b *Bot) Events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			b.fail(w, http.StatusBadRequest, "malformed event")
			return
		}
		if ev.Type == slackevents.URLVerification {
			var ch slackevents.ChallengeResponse
			json.Unmarshal(body, &ch)
			b.deps.Metrics.Request("slack", "200")
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(ch.Challenge))
			return
		}
		b.ok(w) // ack first; a retry (X-Slack-Retry-Num) is caught by the event_id below
		b.onEvent(ev)
	})
}

// onEvent answers mentions and direct messages once each.
func (b *Bot) onEvent(ev slackevents.EventsAPIEvent) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return
	}
	ctx := b.ctx
	if cb.EventID != "" && b.deps.Dedup.Seen(ctx, "slack:event:"+cb.EventID, b.cfg.DedupTTL) {
		b.deps.Metrics.Dropped("slack", "duplicate")
		return
	}
	var user, text, channel, ts, thread, botID, subtype string
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		user, text, channel, ts, thread, botID = e.User, e.Text, e.Channel, e.TimeStamp, e.ThreadTimeStamp, e.BotID
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" {
			return
		}
		user, text, channel, ts, thread, botID, subtype = e.User, e.Text, e.Channel, e.TimeStamp, e.ThreadTimeStamp, e.BotID, e.SubType
	default:
		return
	}
	if botID != "" || subtype != "" || user == "" || user == b.self {
		return // bots, edits, joins and our own messages
	}
	// A mention in a DM also arrives as a message: answer the message once.
	if b.deps.Dedup.Seen(ctx, "slack:msg:"+channel+":"+ts, b.cfg.DedupTTL) {
		return
	}
	if thread == "" {
		thread = ts
	}
	q := strings.TrimSpace(mentionRe.ReplaceAllString(text, ""))
	b.async("event", func(ctx context.Context) {
		if strings.EqualFold(q, "reindex") {
			b.post(ctx, channel, thread, nil, b.reindex(ctx, user))
			return
		}
		a := b.ask(q)
		b.post(ctx, channel, thread, blocks(a, 0, false), fallback(a))
	})
}

var mentionRe = regexp.MustCompile(`<@[A-Z0-9]+(\|[^>]*)?>`)

func (b *Bot) ask(q string) index.Answer {
	if q == "" {
		q = "help"
	}
	start := time.Now()
	a, err := b.deps.Asker.Ask(q)
	if err != nil {
		b.deps.Logger.Error("slack: ask", "err", err)
	}
	b.deps.Metrics.Answered("slack", a, time.Since(start))
	return a
}

func fallback(a index.Answer) string { return clip(a.Text, 3000) }

// reindex runs the admin reload for allowed users and returns the report.
func (b *Bot) reindex(ctx context.Context, user string) string {
	if !slices.Contains(b.cfg.AdminUsers, user) {
		return "再インデックスは管理者のみ実行できます。(Only admins listed in SLACK_ADMIN_USERS may reindex.)"
	}
	if b.deps.Reindex == nil {
		return "再インデックスはこのサービスでは無効です。(Reindex is not available here.)"
	}
	report, err := b.deps.Reindex(ctx)
	if err != nil {
		b.deps.Logger.Error("slack: reindex", "user", user, "err", err)
		return "再インデックスに失敗しました。現在の計画のまま回答を続けます。\n" + err.Error()
	}
	b.deps.Logger.Info("slack: reindexed", "user", user)
	return "再インデックスしました。(Reindexed.)\n" + report
}

// post sends a message (in a thread when ts is set), honouring 429
// Retry-After a few times.
func (b *Bot) post(ctx context.Context, channel, thread string, bs []slack.Block, text string) {
	opts := []slack.MsgOption{slack.MsgOptionText(clip(text, 3000), false)}
	if len(bs) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(bs...))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	b.withRetry(ctx, "chat.postMessage", func() error {
		_, _, err := b.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

// respond posts to a slash command's or button's response_url.
func (b *Bot) respond(ctx context.Context, url string, msg *slack.WebhookMessage) {
	b.withRetry(ctx, "response_url", func() error {
		return slack.PostWebhookCustomHTTPContext(ctx, url, b.cfg.HTTPClient, msg)
	})
}

func (b *Bot) withRetry(ctx context.Context, what string, call func() error) {
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil {
			return
		}
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && attempt < maxRetries {
			wait := min(max(rl.RetryAfter, 100*time.Millisecond), maxRetryWait)
			b.deps.Logger.Warn("slack: rate limited", "call", what, "retry_after", rl.RetryAfter)
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
			}
		}
		b.deps.Metrics.Dropped("slack", "api_error")
		b.deps.Logger.Error("slack: API call failed", "call", what, "attempt", attempt, "err", err)
		return
	}
}

// Commands is the /plan slash command: "/plan <question>", "/plan help",
// "/plan reindex" (admins). Answers are ephemeral, with a share button.
func (b *Bot) Commands() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := b.verified(w, r); !ok {
			return
		}
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			b.fail(w, http.StatusBadRequest, "malformed command")
			return
		}
		b.ok(w)
		b.onCommand(cmd)
	})
}

func (b *Bot) onCommand(cmd slack.SlashCommand) {
	q := strings.TrimSpace(cmd.Text)
	b.async("command", func(ctx context.Context) {
		if strings.EqualFold(q, "reindex") {
			b.respond(ctx, cmd.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeInChannel, Text: b.reindex(ctx, cmd.UserID)})
			return
		}
		a := b.ask(q)
		bs := slack.Blocks{BlockSet: blocks(a, 0, true)}
		b.respond(ctx, cmd.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(a), Blocks: &bs})
	})
}

// Interactive handles the buttons: more results, the card of a choice or
// listed action, feedback and share.
func (b *Bot) Interactive() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := b.verified(w, r); !ok {
			return
		}
		var cb slack.InteractionCallback
		if err := r.ParseForm(); err != nil || json.Unmarshal([]byte(r.PostForm.Get("payload")), &cb) != nil {
			b.fail(w, http.StatusBadRequest, "malformed payload")
			return
		}
		b.ok(w)
		b.onInteraction(cb)
	})
}

func (b *Bot) onInteraction(cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		b.async("action", func(ctx context.Context) {
			switch act.ActionID {
			case actionUp, actionDown:
				if !chat.Votable(b.deps.Asker, act.Value) {
					b.deps.Logger.Info("slack: feedback on an unknown action ignored", "id", clip(act.Value, 40))
					b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: "この項目は現在の計画にないため、評価を記録できませんでした。(That item is not in the current plan; feedback not recorded.)"})
					return
				}
				if err := b.deps.Feedback.Vote(ctx, act.Value, act.ActionID == actionUp); err != nil {
					b.deps.Logger.Error("slack: feedback", "err", err)
				}
				b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: "ご意見ありがとうございました。(Thank you for your feedback.)"})
			case actionPick:
				// The card of a did-you-mean choice or a department's action,
				// privately like more results. The question is asked again for
				// its language and plan; the id must be an action of the plan
				// being served.
				id, q, _ := strings.Cut(act.Value, "|")
				a := b.ask(q)
				m, ok := chat.Pick(b.deps.Asker, a, id)
				if !ok {
					b.deps.Logger.Info("slack: card asked for an unknown action", "id", clip(id, 40))
					text := "その取り組みは現在の計画に見つかりませんでした（計画が更新された可能性があります）。もう一度質問してください。"
					if a.Lang == index.English {
						text = "That action is not in the current plan (it may have been updated). Please ask again."
					}
					b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text})
					return
				}
				c := chat.Card(a, m)
				bs := slack.Blocks{BlockSet: blocks(c, 0, false)}
				b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(c), Blocks: &bs})
			case actionMore:
				n, q, _ := strings.Cut(act.Value, "|")
				from, _ := strconv.Atoi(n)
				a := b.ask(q)
				bs := slack.Blocks{BlockSet: blocks(a, max(from, 1), false)}
				b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(a), Blocks: &bs})
			case actionShare:
				a := b.ask(act.Value)
				bs := slack.Blocks{BlockSet: blocks(a, 0, false)}
				b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeInChannel, Text: fallback(a), Blocks: &bs})
			}
		})
	}
}

// RunSocketMode connects to Slack over a websocket (no public URL
// needed) and serves the same events, commands and buttons, acking each
// envelope first. After a fatal return it reconnects with backoff until
// ctx ends.
func (b *Bot) RunSocketMode(ctx context.Context) error {
	if b.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs an app-level token (SLACK_APP_TOKEN)")
	}
	backoff := time.Second
	for {
		client := socketmode.New(b.api)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); b.socketEvents(runCtx, client) }()
		err := client.RunContext(runCtx)
		stop()
		<-done
		if ctx.Err() != nil {
			return nil
		}
		b.deps.Logger.Error("slack: socket mode stopped; reconnecting", "err", err, "in", backoff)
		select {
		case <-time.After(backoff):
			backoff = min(backoff*2, time.Minute)
		case <-ctx.Done():
			return nil
		}
	}
}

func (b *Bot) socketEvents(ctx context.Context, client *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt, ok := <-client.Events:
			if !ok {
				return
			}
			if evt.Request != nil {
				client.Ack(*evt.Request)
			}
			switch evt.Type {
			case socketmode.EventTypeEventsAPI:
				if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
					b.onEvent(ev)
				}
			case socketmode.EventTypeSlashCommand:
				if cmd, ok := evt.Data.(slack.SlashCommand); ok {
					b.onCommand(cmd)
				}
			case socketmode.EventTypeInteractive:
				if cb, ok := evt.Data.(slack.InteractionCallback); ok {
					b.onInteraction(cb)
				}
			}
		}
	}
}
