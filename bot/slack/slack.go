// Package slack is the Slack channel for city-hall staff: mentions, direct
// messages and the /plan command, over the Events API (HTTP) or Socket
// Mode, answered from the answer model in Block Kit.
package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	Workers       int           // answers worked on at once (SLACK_WORKERS); default 8
	Queue         int           // work waiting for a worker; default 1000
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
	// Followups answers messages with the chat's last answer as the
	// context of follow-ups; nil: in-process, over Asker.
	Followups *chat.Followups
}

const (
	maxBody      = 1 << 20
	maxRetries   = 3
	maxRetryWait = 30 * time.Second
	// replayTTL is how long a slash command or a button press is
	// remembered: a signature is accepted up to 5 minutes either side of
	// its timestamp, so a replay can come 10 minutes after the first.
	replayTTL = 10 * time.Minute
	// abandonWait is how long Close waits, once it has given up, for the
	// work in progress to notice that it is cancelled.
	abandonWait = time.Second
)

// Bot serves Slack. Create it with New.
type Bot struct {
	cfg  Config
	deps Deps
	api  *slack.Client
	self string // the bot's user ID, from auth.test

	mu        sync.RWMutex // guards closed and sends on jobs
	closed    bool
	jobs      chan job
	pending   atomic.Int64 // jobs queued or in progress
	unsent    atomic.Int64 // jobs dropped or cut short by Close giving up
	drops     chat.DropLog // work dropped for a full queue
	refused   chat.DropLog // work that came after Close
	rejects   chat.DropLog // requests with a bad or missing signature
	closeOnce sync.Once
	closeErr  error
	wg        sync.WaitGroup
	ctx       context.Context // outlives requests; cancelled when Close ends
	cancel    context.CancelFunc
}

// job is work done after its request was acknowledged.
type job func(ctx context.Context)

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
	if cfg.Queue <= 0 {
		// Slack is not waiting for the answers (each request was acked),
		// so a long queue only delays them: 1,000 is two minutes of
		// answers at 8 workers and 1 s of API latency, well within a
		// response_url's 30 minutes.
		cfg.Queue = 1000
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
	if deps.Followups == nil {
		f, err := chat.NewFollowups(deps.Asker, chat.FollowupConfig{Logger: deps.Logger})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		deps.Followups = f
	}
	opts := []slack.Option{slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.APIURL, "/")+"/"))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	b := &Bot{cfg: cfg, deps: deps, api: slack.New(cfg.BotToken, opts...), jobs: make(chan job, cfg.Queue)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if auth, err := b.api.AuthTestContext(ctx); err != nil {
		deps.Logger.Warn("slack: auth.test failed; the bot's own messages are recognised by bot_id only", "err", err)
	} else {
		b.self = auth.UserID
	}
	for range cfg.Workers {
		b.wg.Add(1)
		go b.work()
	}
	return b, nil
}

// Close stops taking work and does the queued work until ctx ends, or
// abandonWait before its deadline. Then it gives up: calls in flight are
// cancelled and the work left is dropped without calling Slack, counted;
// work stuck even so is abandoned abandonWait later, so Close returns by
// ctx's deadline (or abandonWait after its cancellation) whatever the
// work does. It logs what the drain did and returns an error only if
// queued work was dropped. Later calls return the first call's result.
func (b *Bot) Close(ctx context.Context) error {
	b.closeOnce.Do(func() { b.closeErr = b.close(ctx) })
	return b.closeErr
}

func (b *Bot) close(ctx context.Context) error {
	start := time.Now()
	b.mu.Lock()
	b.closed = true
	queued := len(b.jobs)
	close(b.jobs)
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	giveUp := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		giveUp, cancel = context.WithDeadline(ctx, dl.Add(-abandonWait))
		defer cancel()
	}
	select {
	case <-done:
	case <-giveUp.Done():
		b.cancel() // the workers now drop what is queued without calling Slack
		select {
		case <-done:
		case <-time.After(abandonWait):
			b.deps.Logger.Error("slack: work still in progress abandoned", "waited", abandonWait)
		}
	}
	b.cancel()
	// Work no worker took (every worker stuck) is dropped here; work still
	// in progress is not sent either, as far as this report can tell.
	for range b.jobs {
		b.shutdown()
		b.pending.Add(-1)
	}
	b.drops.Flush() // counts not yet logged
	b.rejects.Flush()
	n := b.unsent.Load() + b.pending.Load()
	args := []any{"queued", queued, "unsent", n, "elapsed", time.Since(start).Round(time.Millisecond)}
	if n > 0 {
		b.deps.Logger.Warn("slack: stopped before all queued work was done", args...)
		return fmt.Errorf("slack: %d answers not sent within the shutdown limit", n)
	}
	b.deps.Logger.Info("slack: stopped; all queued work done", args...)
	return nil
}

// shutdown counts work dropped or cut short because Close gave up.
func (b *Bot) shutdown() {
	b.unsent.Add(1)
	b.deps.Metrics.Dropped("slack", "shutdown")
}

// async queues work to do after the request is acknowledged. When the
// queue is full, or the bot is closing, the work is dropped: counted in
// the metrics and logged (a line a second at most, with the true count).
func (b *Bot) async(work job) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		b.deps.Metrics.Dropped("slack", "shutdown")
		b.refused.Drop(b.deps.Logger, "slack: stopped, work refused")
		return
	}
	b.pending.Add(1)
	select {
	case b.jobs <- work:
	default:
		b.pending.Add(-1)
		b.deps.Metrics.Dropped("slack", "queue_full")
		b.drops.Drop(b.deps.Logger, "slack: work queue full, work dropped", "queue", cap(b.jobs), "workers", b.cfg.Workers)
	}
}

func (b *Bot) work() {
	defer b.wg.Done()
	for w := range b.jobs {
		if b.ctx.Err() != nil {
			b.shutdown()
		} else {
			w(b.ctx)
		}
		b.pending.Add(-1)
	}
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
		b.rejects.Drop(b.deps.Logger, "slack: requests rejected for a bad or missing signature", "err", err, "remote", r.RemoteAddr)
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
	q := question(text)
	b.async(func(ctx context.Context) {
		if strings.EqualFold(q, "reindex") {
			// The report for the channel; a refusal for the asker alone.
			if report, ok := b.reindex(ctx, user); ok {
				b.post(ctx, channel, thread, nil, report)
			} else {
				b.postEphemeral(ctx, channel, user, thread, report)
			}
			return
		}
		r := b.converse(ctx, chatOf(cb.TeamID, channel, user), q, nil, 0)
		bs, text := render(r.Answer, r.From, false)
		b.post(ctx, channel, thread, bs, text)
	})
}

// converse answers a message, or a "more results" button (from > 0), of
// user in channel, with their last answer there as the context of a
// follow-up ("電話番号は？", "ほかには？"). The button of a page of further
// results carries the page's actions (ids): they go on whatever the chat
// asked since.
func (b *Bot) converse(ctx context.Context, chatID, q string, ids []string, from int) chat.Reply {
	if q == "" {
		q = "help"
	}
	start := time.Now()
	var r chat.Reply
	var err error
	if ids != nil {
		r, err = b.deps.Followups.More(ctx, chatID, q, ids, from)
	} else {
		r, err = b.deps.Followups.Ask(ctx, chatID, q, from)
	}
	if err != nil {
		b.deps.Logger.Error("slack: ask", "err", err)
	}
	b.deps.Metrics.Answered("slack", r.Answer, time.Since(start))
	return r
}

// chatOf names a user's conversation with the bot in a channel (a DM, or
// mentions and /plan in a channel, threads included) for follow-ups.
// Followups keeps it only as a salted hash.
func chatOf(team, channel, user string) string {
	return "slack:" + team + ":" + channel + ":" + user
}

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

// reindex runs the admin reload for allowed users and returns the report;
// ok is false for a refusal or a failure, which only the asker should see.
func (b *Bot) reindex(ctx context.Context, user string) (text string, ok bool) {
	if !slices.Contains(b.cfg.AdminUsers, user) {
		return "再インデックスは管理者のみ実行できます。(Only admins listed in SLACK_ADMIN_USERS may reindex.)", false
	}
	if b.deps.Reindex == nil {
		return "再インデックスはこのサービスでは無効です。(Reindex is not available here.)", false
	}
	report, err := b.deps.Reindex(ctx)
	if err != nil {
		b.deps.Logger.Error("slack: reindex", "user", user, "err", err)
		return "再インデックスに失敗しました。現在の計画のまま回答を続けます。(Reindex failed; answering from the current plan.)\n" + err.Error(), false
	}
	b.deps.Logger.Info("slack: reindexed", "user", user)
	return "再インデックスしました。(Reindexed.)\n" + report, true
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

// postEphemeral shows text to user alone, in the thread when it is set.
func (b *Bot) postEphemeral(ctx context.Context, channel, user, thread, text string) {
	opts := []slack.MsgOption{slack.MsgOptionText(clip(text, 3000), false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	b.withRetry(ctx, "chat.postEphemeral", func() error {
		_, err := b.api.PostEphemeralContext(ctx, channel, user, opts...)
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
		if ctx.Err() != nil { // Close gave up waiting for it
			b.shutdown()
			return
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
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			b.fail(w, http.StatusBadRequest, "malformed command")
			return
		}
		b.ok(w)
		b.onCommand(cmd, body)
	})
}

// onCommand answers a slash command once; raw is its payload as received,
// which names it when it has no trigger_id.
func (b *Bot) onCommand(cmd slack.SlashCommand, raw []byte) {
	if b.replayed(cmd.TriggerID, raw) {
		return
	}
	q := question(cmd.Text)
	b.async(func(ctx context.Context) {
		if strings.EqualFold(q, "reindex") {
			// The report for the channel; a refusal for the asker alone.
			text, ok := b.reindex(ctx, cmd.UserID)
			typ := slack.ResponseTypeInChannel
			if !ok {
				typ = slack.ResponseTypeEphemeral
			}
			b.respond(ctx, cmd.ResponseURL, &slack.WebhookMessage{ResponseType: typ, Text: text})
			return
		}
		// A follow-up's answer is about an earlier one: not for sharing.
		r := b.converse(ctx, chatOf(cmd.TeamID, cmd.ChannelID, cmd.UserID), q, nil, 0)
		b.respond(ctx, cmd.ResponseURL, message(slack.ResponseTypeEphemeral, r.Answer, r.From, r.Followup == ""))
	})
}

// message is the response_url message of an answer from match from on.
func message(typ string, a index.Answer, from int, share bool) *slack.WebhookMessage {
	bs, text := render(a, from, share)
	return &slack.WebhookMessage{ResponseType: typ, Text: text, Blocks: &slack.Blocks{BlockSet: bs}}
}

// replayed reports whether a slash command or button press was handled
// already: Slack sends each once, so a second is a replay of the signed
// request (within its 5 minutes) or a Socket Mode redelivery. It is known
// by its trigger_id, else by a hash of its payload.
func (b *Bot) replayed(trigger string, raw []byte) bool {
	key := "slack:trigger:" + trigger
	if trigger == "" {
		sum := sha256.Sum256(raw)
		key = "slack:payload:" + hex.EncodeToString(sum[:16])
	}
	if !b.deps.Dedup.Seen(b.ctx, key, replayTTL) {
		return false
	}
	b.deps.Metrics.Dropped("slack", "duplicate")
	return true
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
		b.onInteraction(cb, []byte(r.PostForm.Get("payload")))
	})
}

// onInteraction handles a button press once; raw is its payload as
// received, which names it when it has no trigger_id.
func (b *Bot) onInteraction(cb slack.InteractionCallback, raw []byte) {
	if cb.Type != slack.InteractionTypeBlockActions || b.replayed(cb.TriggerID, raw) {
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		b.async(func(ctx context.Context) {
			switch act.ActionID {
			case actionUp, actionDown:
				if !chat.Votable(b.deps.Asker, act.Value) {
					b.deps.Logger.Info("slack: feedback on an unknown action ignored", "id", clip(act.Value, 40))
					b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: "この項目は現在の計画にないため、評価を記録できませんでした。(That item is not in the current plan; feedback not recorded.)"})
					return
				}
				// One vote per user and action; the store keeps the user hashed.
				err := b.deps.Feedback.Vote(ctx, "slack:"+cb.Team.ID+":"+cb.User.ID, act.Value, act.ActionID == actionUp)
				if errors.Is(err, chat.ErrNotAction) {
					b.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: "この項目は現在の計画にないため、評価を記録できませんでした。(That item is not in the current plan; feedback not recorded.)"})
					return
				} else if err != nil {
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
				card := chat.Card(a, m)
				b.deps.Followups.Remember(ctx, chatOf(cb.Team.ID, cb.Channel.ID, cb.User.ID), card, 1)
				b.respond(ctx, cb.ResponseURL, message(slack.ResponseTypeEphemeral, card, 0, false))
			case actionMore:
				n, q, _ := strings.Cut(act.Value, "|")
				n, list, paged := strings.Cut(n, "@") // "4@1.2.2.2,2.3.2.1|ほかには？": a page's button
				var ids []string
				if paged {
					ids = strings.Split(list, ",")
				}
				from, _ := strconv.Atoi(n)
				r := b.converse(ctx, chatOf(cb.Team.ID, cb.Channel.ID, cb.User.ID), q, ids, max(from, 1))
				b.respond(ctx, cb.ResponseURL, message(slack.ResponseTypeEphemeral, r.Answer, r.From, false))
			case actionShare:
				b.respond(ctx, cb.ResponseURL, message(slack.ResponseTypeInChannel, b.ask(act.Value), 0, false))
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
			var raw []byte
			if evt.Request != nil {
				client.Ack(*evt.Request)
				raw = evt.Request.Payload
			}
			switch evt.Type {
			case socketmode.EventTypeEventsAPI:
				if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
					b.onEvent(ev)
				}
			case socketmode.EventTypeSlashCommand:
				if cmd, ok := evt.Data.(slack.SlashCommand); ok {
					b.onCommand(cmd, raw)
				}
			case socketmode.EventTypeInteractive:
				if cb, ok := evt.Data.(slack.InteractionCallback); ok {
					b.onInteraction(cb, raw)
				}
			}
		}
	}
}
