// Package line is the LINE official account channel: a webhook that
// verifies LINE's signature, answers residents' questions from the answer
// model and replies through the Messaging API, within LINE's limits.
package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"golang.org/x/time/rate"

	"planbot/bot/chat"
	"planbot/index"
)

// Config configures the channel; ChannelSecret and AccessToken come from
// the LINE Developers console.
type Config struct {
	ChannelSecret string
	AccessToken   string
	APIBaseURL    string        // default https://api.line.me (tests, proxies)
	Workers       int           // replies sent at once; default 8
	APIRate       int           // Messaging API calls per second at most; default APIRateLimit
	Queue         int           // webhook deliveries waiting for a worker; default APIRate/2
	DedupTTL      time.Duration // default 15 minutes
	APITimeout    time.Duration // default 10 seconds
}

// Deps are the shared services the channel uses.
type Deps struct {
	Asker    chat.Asker
	Dedup    chat.Deduper
	Feedback chat.Feedback
	Metrics  chat.Metrics
	Logger   *slog.Logger
}

// maxBody caps a webhook request.
const maxBody = 1 << 20

// APIRateLimit is LINE's limit on Messaging API calls per channel, the
// reply endpoint's included: 2,000 a second. LINE answers 429 above it, and
// its development guidelines forbid exceeding it for any purpose.
const APIRateLimit = 2000

// Bot handles LINE webhooks. Create it with New.
type Bot struct {
	cfg  Config
	deps Deps
	api  *messaging_api.MessagingApiAPI

	mu        sync.RWMutex // guards closed and sends on jobs
	closed    bool
	jobs      chan []byte // verified webhook bodies
	drops     chat.DropLog
	limit     *rate.Limiter // Messaging API calls, within APIRate
	rateDrops chat.DropLog  // replies dropped waiting for their turn
	wg        sync.WaitGroup
	ctx       context.Context // outlives requests; cancelled when Close gives up
	cancel    context.CancelFunc

	replies *lru.Cache[renderKey, cachedReply] // encoded replies, see answerMessages
}

// New checks the configuration and starts the workers.
func New(cfg Config, deps Deps) (*Bot, error) {
	if cfg.ChannelSecret == "" || cfg.AccessToken == "" {
		return nil, errors.New("line: channel secret and access token are required")
	}
	if deps.Asker == nil {
		return nil, errors.New("line: no Asker")
	}
	cfg.Workers = defaultInt(cfg.Workers, 8)
	cfg.APIRate = defaultInt(cfg.APIRate, APIRateLimit)
	// Half a second of calls at the API rate: a stall that short (a GC, a
	// busy neighbour, a slow API call) loses no delivery, and a queued one
	// waits far less than its reply token lasts (about a minute).
	cfg.Queue = defaultInt(cfg.Queue, max(cfg.APIRate/2, 64))
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = 15 * time.Minute
	}
	if cfg.APITimeout <= 0 {
		cfg.APITimeout = 10 * time.Second
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
	opts := []messaging_api.MessagingApiAPIOption{messaging_api.WithHTTPClient(chat.APIClient(cfg.APITimeout, cfg.Workers))}
	if cfg.APIBaseURL != "" {
		opts = append(opts, messaging_api.WithEndpoint(cfg.APIBaseURL))
	}
	api, err := messaging_api.NewMessagingApiAPI(cfg.AccessToken, opts...)
	if err != nil {
		return nil, fmt.Errorf("line: %w", err)
	}
	replies, _ := lru.New[renderKey, cachedReply](cachedReplies) // errors only for a size ≤ 0
	b := &Bot{cfg: cfg, deps: deps, api: api, jobs: make(chan []byte, cfg.Queue), replies: replies,
		limit: apiLimiter(cfg.APIRate, cfg.Workers)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	for range cfg.Workers {
		b.wg.Add(1)
		go b.work()
	}
	return b, nil
}

// apiLimiter spaces Messaging API calls so that no second holds more than
// perSecond of them. Its bucket holds a call per worker (at most half the
// second's), so a worker that wakes late keeps its turn. It refills at 95 %
// of perSecond less that: LINE counts calls as they arrive, and calls
// delayed on the way (a stall, a slow connection) arrive bunched.
func apiLimiter(perSecond, workers int) *rate.Limiter {
	burst := max(1, min(workers, perSecond/2))
	return rate.NewLimiter(rate.Limit(max(perSecond*95/100-burst, 1)), burst)
}

func defaultInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// ServeHTTP is the webhook: it verifies the signature over the raw body
// before anything else, queues the body and answers 200 at once, well
// within LINE's two seconds. The workers decode the events: under a flood
// the deliveries that find the queue full are dropped before any decoding,
// so shedding load stays cheap.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := b.serve(w, r)
	b.deps.Metrics.Request("line", strconv.Itoa(status))
}

func (b *Bot) serve(w http.ResponseWriter, r *http.Request) int {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return http.StatusRequestEntityTooLarge
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	if !webhook.ValidateSignature(b.cfg.ChannelSecret, r.Header.Get("x-line-signature"), body) {
		b.deps.Logger.Warn("line: rejected request with a missing or bad signature", "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	if !json.Valid(body) {
		b.deps.Logger.Warn("line: webhook body is not JSON", "body", clip(string(body), 200))
		http.Error(w, "malformed body", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return http.StatusServiceUnavailable
	}
	select {
	case b.jobs <- body:
	default:
		b.deps.Metrics.Dropped("line", "queue_full")
		b.drops.Drop(b.deps.Logger, "line: worker queue full, webhook deliveries dropped")
	}
	w.WriteHeader(http.StatusOK)
	return http.StatusOK
}

// Close stops accepting events and waits for the queued ones, until ctx
// ends; then it abandons the rest.
func (b *Bot) Close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.jobs)
	}
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		b.cancel()
		return nil
	case <-ctx.Done():
		b.cancel()
		<-done
		return fmt.Errorf("line: close: %w", ctx.Err())
	}
}

func (b *Bot) work() {
	defer b.wg.Done()
	for body := range b.jobs {
		// The SDK's own decoding, as webhook.ParseRequest does it.
		var cb webhook.CallbackRequest
		if err := json.Unmarshal(body, &cb); err != nil {
			b.deps.Logger.Warn("line: malformed webhook body", "err", clip(err.Error(), 200))
			continue
		}
		for _, ev := range cb.Events {
			b.handle(b.ctx, ev)
		}
	}
}

// event is what every handled event shares.
type event struct {
	id, replyToken string
	mode           webhook.EventMode
	redelivery     bool
	source         webhook.SourceInterface
}

func common(ev webhook.EventInterface) (event, bool) {
	switch e := ev.(type) {
	case webhook.MessageEvent:
		return event{e.WebhookEventId, e.ReplyToken, e.Mode, redelivered(e.DeliveryContext), e.Source}, true
	case webhook.PostbackEvent:
		return event{e.WebhookEventId, e.ReplyToken, e.Mode, redelivered(e.DeliveryContext), e.Source}, true
	case webhook.FollowEvent:
		return event{e.WebhookEventId, e.ReplyToken, e.Mode, redelivered(e.DeliveryContext), e.Source}, true
	}
	return event{}, false
}

func redelivered(dc *webhook.DeliveryContext) bool { return dc != nil && dc.IsRedelivery }

// handle answers one event. It never panics on LINE's input: unknown
// events are ignored.
func (b *Bot) handle(ctx context.Context, ev webhook.EventInterface) {
	c, ok := common(ev)
	if !ok || c.mode == webhook.EventMode_STANDBY || c.replyToken == "" {
		return
	}
	if c.id != "" && b.deps.Dedup.Seen(ctx, "line:"+c.id, b.cfg.DedupTTL) {
		b.deps.Metrics.Dropped("line", "duplicate")
		b.deps.Logger.Info("line: duplicate event ignored", "event", c.id, "redelivery", c.redelivery)
		return
	}
	var msgs []messaging_api.MessageInterface
	switch e := ev.(type) {
	case webhook.MessageEvent:
		msgs = b.onMessage(e, c)
	case webhook.PostbackEvent:
		msgs = b.onPostback(ctx, e)
	case webhook.FollowEvent:
		msgs = b.answerMessages(b.ask("help"), 0)
	}
	if len(msgs) > 0 {
		b.reply(c.replyToken, msgs)
	}
}

func (b *Bot) onMessage(e webhook.MessageEvent, c event) []messaging_api.MessageInterface {
	text, ok := e.Message.(webhook.TextMessageContent)
	if !inConversation(c.source) {
		// In groups and rooms the bot speaks only when mentioned.
		if !ok || !mentionsSelf(text.Mention) {
			return nil
		}
		text.Text = stripMentions(text.Text, text.Mention)
	}
	if !ok {
		return []messaging_api.MessageInterface{guide()}
	}
	return b.answerMessages(b.ask(text.Text), 0)
}

func (b *Bot) ask(q string) index.Answer {
	start := time.Now()
	a, err := b.deps.Asker.Ask(q)
	if err != nil {
		b.deps.Logger.Error("line: ask", "err", err)
	}
	b.deps.Metrics.Answered("line", a, time.Since(start))
	return a
}

// Postback data are URL queries: a=more&q=…&n=1 (more results),
// a=pick&q=…&id=… (the card of a did-you-mean choice or of a department's
// action) or a=fb&id=…&v=1 (feedback).
func (b *Bot) onPostback(ctx context.Context, e webhook.PostbackEvent) []messaging_api.MessageInterface {
	if e.Postback == nil {
		return nil
	}
	v, err := url.ParseQuery(e.Postback.Data)
	if err != nil {
		return nil
	}
	switch v.Get("a") {
	case "more":
		n, _ := strconv.Atoi(v.Get("n"))
		return b.answerMessages(b.ask(v.Get("q")), max(n, 1))
	case "pick":
		// The question is asked again (a cached lookup) for its language,
		// the plan and the match; the id must be an action of the plan
		// being served.
		a := b.ask(v.Get("q"))
		m, ok := chat.Pick(b.deps.Asker, a, v.Get("id"))
		if !ok {
			b.deps.Logger.Info("line: card asked for an unknown action", "id", clip(v.Get("id"), 40))
			return []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: unknownAction(a),
				QuickReply: quickReplies(index.Answer{Lang: a.Lang, Plan: a.Plan}, 0, 0)}}
		}
		return render(chat.Card(a, m), 0)
	case "fb":
		id := v.Get("id")
		if !chat.Votable(b.deps.Asker, id) {
			b.deps.Logger.Info("line: feedback on an unknown action ignored", "id", clip(id, 40))
			return []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: notVotable(v.Get("l"))}}
		}
		helpful := v.Get("v") == "1"
		if err := b.deps.Feedback.Vote(ctx, id, helpful); err != nil {
			b.deps.Logger.Error("line: feedback", "err", err)
		}
		return []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: thanksFor(v.Get("l"))}}
	}
	return nil
}

func thanksFor(lang string) string {
	if lang == index.English {
		return "Thank you for your feedback."
	}
	return "ご意見ありがとうございました。今後の改善に役立てます。"
}

func notVotable(lang string) string {
	if lang == index.English {
		return "That item is not in the current plan, so your feedback was not recorded."
	}
	return "この項目は現在の計画にないため、ご意見を記録できませんでした。"
}

// unknownAction answers a button for an action the plan no longer has
// (it changed since the button was sent) or never had.
func unknownAction(a index.Answer) string {
	if a.Lang == index.English {
		return "That action is not in the current plan (it may have been updated). Please ask again."
	}
	return "その取り組みは現在の計画に見つかりませんでした（計画が更新された可能性があります）。もう一度質問してください。"
}

func guide() messaging_api.MessageInterface {
	return &messaging_api.TextMessage{Text: "文字で質問してください。例:「ハザードマップの担当は？」\nPlease type your question, e.g. \"who handles hazard maps?\""}
}

// inConversation reports a one-to-one chat; groups and rooms are not.
func inConversation(s webhook.SourceInterface) bool {
	switch s.(type) {
	case webhook.GroupSource, webhook.RoomSource:
		return false
	}
	return true
}

func mentionsSelf(m *webhook.Mention) bool {
	if m == nil {
		return false
	}
	for _, me := range m.Mentionees {
		if u, ok := me.(webhook.UserMentionee); ok && u.IsSelf {
			return true
		}
	}
	return false
}

// stripMentions removes the mention spans; LINE counts their index and
// length in UTF-16 code units.
func stripMentions(text string, m *webhook.Mention) string {
	if m == nil {
		return text
	}
	u := utf16.Encode([]rune(text))
	cut := make([]bool, len(u))
	for _, me := range m.Mentionees {
		var idx, n int32
		switch x := me.(type) {
		case webhook.UserMentionee:
			idx, n = x.Index, x.Length
		case webhook.AllMentionee:
			idx, n = x.Index, x.Length
		default:
			continue
		}
		for i := idx; i < idx+n && int(i) < len(u) && i >= 0; i++ {
			cut[i] = true
		}
	}
	var keep []uint16
	for i, c := range u {
		if !cut[i] {
			keep = append(keep, c)
		}
	}
	return string(utf16.Decode(keep))
}

// reply sends the messages, waiting its turn within the API rate limit;
// API errors are logged with the status and LINE's request ID, never
// retried (a reply token is single-use).
func (b *Bot) reply(token string, msgs []messaging_api.MessageInterface) {
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.APITimeout)
	err := b.limit.Wait(ctx)
	cancel()
	if err != nil {
		b.deps.Metrics.Dropped("line", "rate_limit")
		b.rateDrops.Drop(b.deps.Logger, "line: replies dropped waiting for the API rate limit", "per_second", b.cfg.APIRate, "err", err)
		return
	}
	res, _, err := b.api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: msgs})
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err == nil {
		return
	}
	status, requestID := 0, ""
	if res != nil {
		status, requestID = res.StatusCode, res.Header.Get("X-Line-Request-Id")
	}
	b.deps.Metrics.Dropped("line", "reply_failed")
	b.deps.Logger.Error("line: reply failed", "status", status, "request_id", requestID, "err", clip(err.Error(), 300))
}

// clip shortens s to at most n bytes for a log line.
func clip(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
