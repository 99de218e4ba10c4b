// Package line is the LINE official account channel: a webhook that
// verifies LINE's signature, answers residents' questions from the answer
// model and replies through the Messaging API, within LINE's limits.
package line

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

	"planbot/bot/budget"
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
	// Followups answers messages with the chat's last answer as the
	// context of follow-ups; nil: in-process, over Asker.
	Followups *chat.Followups
}

// maxBody caps a webhook request; LINE's deliveries are a few KiB.
const maxBody = 1 << 20

// maxQuestion bounds the question asked, in runes. LINE allows 5,000
// characters in a message; the index reads the first 500 of a question
// and says so in its answer (index.Answer.Truncated), so a longer message
// is cut here first, where it costs nothing, and answered from its
// beginning with that note.
const maxQuestion = 2000

// fallbackWindow is how long an event without a webhookEventId is
// remembered by its message ID or, for other events, by a hash of what
// identifies it (see dedupKey): LINE redelivers within minutes.
const fallbackWindow = 10 * time.Minute

// abandonWait is how long Close waits, once it has given up, for the
// workers to notice; a worker stuck longer is abandoned (its events
// counted as not sent).
const abandonWait = time.Second

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
	sigDrops  chat.DropLog  // requests with a missing or bad signature
	refusals  chat.DropLog  // signed events refused (over-long postback data)
	wg        sync.WaitGroup
	ctx       context.Context // outlives requests; cancelled when Close gives up
	cancel    context.CancelFunc
	tally     tally

	closeOnce sync.Once
	closeErr  error

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
	if deps.Followups == nil {
		f, err := chat.NewFollowups(deps.Asker, chat.FollowupConfig{Logger: deps.Logger})
		if err != nil {
			return nil, fmt.Errorf("line: %w", err)
		}
		deps.Followups = f
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
	b := &Bot{cfg: cfg, deps: deps, jobs: make(chan []byte, cfg.Queue), replies: replies,
		limit: apiLimiter(cfg.APIRate, cfg.Workers)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	// Every API call ends when Close gives up (set once, before any call).
	b.api = api.WithContext(b.ctx)
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
	body, err := budget.Read(w, r, maxBody)
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
		b.sigDrops.Drop(b.deps.Logger, "line: rejected requests with a missing or bad signature", "remote", r.RemoteAddr)
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

// Close stops accepting deliveries and answers the queued ones until ctx
// ends, or abandonWait before its deadline. Then it gives up: calls in
// flight are cancelled and the events left are counted, not asked or
// sent; a worker stuck even so is abandoned abandonWait later, so Close
// returns by ctx's deadline (or abandonWait after its cancellation)
// whatever a worker does. It logs what the drain did (events replied,
// failed at the API, not sent) and returns an error only if queued events
// were not sent: after a clean drain it returns nil. Later calls return
// the first call's result.
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
	before := b.tally.get()
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
		b.cancel()
		select {
		case <-done:
		case <-time.After(abandonWait):
		}
	}
	b.cancel()
	// Deliveries no worker took (every worker stuck) are not sent either.
	left := 0
	for body := range b.jobs {
		left += len(b.events(body))
	}
	for _, d := range []*chat.DropLog{&b.drops, &b.rateDrops, &b.sigDrops, &b.refusals} {
		d.Flush() // counts not yet logged
	}
	after := b.tally.get()
	unsent := after.unsent - before.unsent + after.pending + left
	args := []any{"deliveries_queued", queued, "replied", after.replied - before.replied,
		"failed", after.failed - before.failed, "unsent", unsent, "elapsed", time.Since(start).Round(time.Millisecond)}
	if unsent > 0 {
		b.deps.Logger.Warn("line: stopped before every queued event was answered", args...)
		return fmt.Errorf("line: %d queued replies not sent within the shutdown limit", unsent)
	}
	b.deps.Logger.Info("line: stopped; every queued event answered", args...)
	return nil
}

// tally counts what became of the events taken from the queue.
type tally struct {
	mu sync.Mutex
	n  counts
}

type counts struct {
	replied, failed, unsent int
	pending                 int // taken by a worker and not yet settled
}

func (t *tally) take(n int) {
	t.mu.Lock()
	t.n.pending += n
	t.mu.Unlock()
}

// settle records the outcome of one taken event.
func (t *tally) settle(o outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n.pending--
	switch o {
	case replied:
		t.n.replied++
	case failed:
		t.n.failed++
	case unsent:
		t.n.unsent++
	}
}

func (t *tally) get() counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// outcome is what became of one event that asked for a reply.
type outcome int

const (
	skipped outcome = iota // a duplicate: answered before
	replied
	failed // the API refused or failed the call
	unsent // never sent: its turn did not come, or the service stopped
)

func (b *Bot) work() {
	defer b.wg.Done()
	for body := range b.jobs {
		evs := b.events(body)
		b.tally.take(len(evs))
		for _, e := range evs {
			b.tally.settle(b.handle(b.ctx, e))
		}
	}
}

// job is one event that asks for a reply.
type job struct {
	ev webhook.EventInterface
	event
}

// events decodes a verified body and returns the events that ask for a
// reply: the others (other modes, kinds and other apps' postbacks, group
// messages not meant for the bot) are dropped here.
func (b *Bot) events(body []byte) []job {
	// The SDK's own decoding, as webhook.ParseRequest does it.
	var cb webhook.CallbackRequest
	if err := json.Unmarshal(body, &cb); err != nil {
		b.deps.Logger.Warn("line: malformed webhook body", "err", clip(err.Error(), 200))
		return nil
	}
	var out []job
	for _, ev := range cb.Events {
		if c, ok := b.answerable(ev); ok {
			out = append(out, job{ev, c})
		}
	}
	return out
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

// answerable reports whether ev asks the bot for a reply. It never panics
// on LINE's input: unknown events are not answered.
func (b *Bot) answerable(ev webhook.EventInterface) (event, bool) {
	c, ok := common(ev)
	if !ok || c.mode == webhook.EventMode_STANDBY || c.replyToken == "" {
		return c, false
	}
	switch e := ev.(type) {
	case webhook.MessageEvent:
		if !inConversation(c.source) {
			// In groups and rooms the bot speaks only when mentioned.
			text, ok := e.Message.(webhook.TextMessageContent)
			return c, ok && mentionsSelf(text.Mention)
		}
	case webhook.PostbackEvent:
		if e.Postback == nil {
			return c, false
		}
		if len(e.Postback.Data) > maxPostback {
			// LINE sends at most maxPostback characters, as our buttons
			// do: longer data is no tap on them, and is not worth parsing.
			b.deps.Metrics.Dropped("line", "postback_too_long")
			b.refusals.Drop(b.deps.Logger, "line: postbacks with over-long data ignored", "bytes", len(e.Postback.Data))
			return c, false
		}
		v, err := url.ParseQuery(e.Postback.Data)
		switch a := v.Get("a"); {
		case err != nil:
			return c, false
		case a == "more", a == "pick", a == "fb":
		default:
			return c, false // another app's buttons
		}
	}
	return c, true
}

// dedupKey identifies an event across LINE's deliveries of it: its
// webhookEventId. An event without one is known by its message ID or,
// for postbacks and follows, by its kind, time, source and data; that key
// is hashed (no user ID is kept) and remembered for fallbackWindow.
func dedupKey(j job) (string, time.Duration) {
	if j.id != "" {
		return "line:" + j.id, 0
	}
	h := sha256.New()
	switch e := j.ev.(type) {
	case webhook.MessageEvent:
		if id := messageID(e.Message); id != "" {
			fmt.Fprintf(h, "message\x00%s", id)
			break
		}
		fmt.Fprintf(h, "message\x00%d\x00%s", e.Timestamp, sourceKey(e.Source))
	case webhook.PostbackEvent:
		fmt.Fprintf(h, "postback\x00%d\x00%s\x00%s", e.Timestamp, sourceKey(e.Source), e.Postback.Data)
	case webhook.FollowEvent:
		fmt.Fprintf(h, "follow\x00%d\x00%s", e.Timestamp, sourceKey(e.Source))
	}
	return "line:h:" + hex.EncodeToString(h.Sum(nil)[:16]), fallbackWindow
}

func messageID(m webhook.MessageContentInterface) string {
	switch m := m.(type) {
	case webhook.TextMessageContent:
		return m.Id
	case webhook.ImageMessageContent:
		return m.Id
	case webhook.VideoMessageContent:
		return m.Id
	case webhook.AudioMessageContent:
		return m.Id
	case webhook.FileMessageContent:
		return m.Id
	case webhook.LocationMessageContent:
		return m.Id
	case webhook.StickerMessageContent:
		return m.Id
	}
	return ""
}

func sourceKey(s webhook.SourceInterface) string {
	switch s := s.(type) {
	case webhook.UserSource:
		return "u" + s.UserId
	case webhook.GroupSource:
		return "g" + s.GroupId + "/" + s.UserId
	case webhook.RoomSource:
		return "r" + s.RoomId + "/" + s.UserId
	}
	return ""
}

// handle answers one event that asks for a reply. Once ctx has ended
// (Close gave up) it only counts the event as not sent.
func (b *Bot) handle(ctx context.Context, j job) outcome {
	if ctx.Err() != nil {
		return unsent
	}
	key, ttl := dedupKey(j)
	if ttl == 0 {
		ttl = b.cfg.DedupTTL
	}
	if b.deps.Dedup.Seen(ctx, key, ttl) {
		b.deps.Metrics.Dropped("line", "duplicate")
		b.deps.Logger.Info("line: duplicate event ignored", "event", j.id, "redelivery", j.redelivery)
		return skipped
	}
	var msgs []messaging_api.MessageInterface
	switch e := j.ev.(type) {
	case webhook.MessageEvent:
		msgs = b.onMessage(ctx, e, j.event)
	case webhook.PostbackEvent:
		msgs = b.onPostback(ctx, e)
	case webhook.FollowEvent:
		msgs = b.answerMessages(b.ask("help"), 0)
	}
	if ctx.Err() != nil {
		return unsent
	}
	if len(msgs) == 0 {
		return skipped
	}
	return b.reply(j.replyToken, msgs)
}

func (b *Bot) onMessage(ctx context.Context, e webhook.MessageEvent, c event) []messaging_api.MessageInterface {
	text, ok := e.Message.(webhook.TextMessageContent)
	if !ok {
		return []messaging_api.MessageInterface{guide()}
	}
	if !inConversation(c.source) {
		text.Text = stripMentions(text.Text, text.Mention)
	}
	r := b.converse(ctx, c.source, cutRunes(text.Text, maxQuestion), nil, 0)
	return b.answerMessages(r.Answer, r.From)
}

// converse answers a message, or a "more results" button (from > 0),
// in the chat of src, with the chat's last answer as the context of a
// follow-up ("電話番号は？", "ほかには？"). The button of a page of further
// results carries the page's actions (ids): they go on for whoever taps it.
func (b *Bot) converse(ctx context.Context, src webhook.SourceInterface, q string, ids []string, from int) chat.Reply {
	start := time.Now()
	var r chat.Reply
	var err error
	if ids != nil {
		r, err = b.deps.Followups.More(ctx, chatOf(src), q, ids, from)
	} else {
		r, err = b.deps.Followups.Ask(ctx, chatOf(src), q, from)
	}
	if err != nil {
		b.deps.Logger.Error("line: ask", "err", err)
	}
	b.deps.Metrics.Answered("line", r.Answer, time.Since(start))
	return r
}

// chatOf names the conversation of src for follow-ups: the user's chat
// with the account, or a user in a group or room. Followups keeps it only
// as a salted hash.
func chatOf(s webhook.SourceInterface) string {
	switch s := s.(type) {
	case webhook.UserSource:
		return "line:user:" + s.UserId
	case webhook.GroupSource:
		return "line:group:" + s.GroupId + ":" + s.UserId
	case webhook.RoomSource:
		return "line:room:" + s.RoomId + ":" + s.UserId
	}
	return ""
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

// Postback data are URL queries: a=more&q=…&n=1 (more results; a page's
// button adds ids=…, its actions),
// a=pick&q=…&id=… (the card of a did-you-mean choice or of a department's
// action) or a=fb&id=…&v=1 (feedback); answerable has checked the data's
// size and kind.
func (b *Bot) onPostback(ctx context.Context, e webhook.PostbackEvent) []messaging_api.MessageInterface {
	v, _ := url.ParseQuery(e.Postback.Data)
	switch v.Get("a") {
	case "more":
		n, _ := strconv.Atoi(v.Get("n"))
		var ids []string
		if s := v.Get("ids"); s != "" {
			ids = strings.Fields(s)
		}
		r := b.converse(ctx, e.Source, v.Get("q"), ids, max(n, 1))
		return b.answerMessages(r.Answer, r.From)
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
		card := chat.Card(a, m)
		b.deps.Followups.Remember(ctx, chatOf(e.Source), card, 1)
		return render(card, 0)
	case "fb":
		id := v.Get("id")
		if !chat.Votable(b.deps.Asker, id) {
			b.deps.Logger.Info("line: feedback on an unknown action ignored", "id", clip(id, 40))
			return []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: notVotable(v.Get("l"))}}
		}
		helpful := v.Get("v") == "1"
		// One vote per chat and action; the store keeps the chat hashed.
		if err := b.deps.Feedback.Vote(ctx, voter(e.Source), id, helpful); errors.Is(err, chat.ErrNotAction) {
			return []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: notVotable(v.Get("l"))}}
		} else if err != nil {
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

// voter names who votes, for one vote per chat and action: the LINE
// user, else the group or room.
func voter(s webhook.SourceInterface) string {
	switch s := s.(type) {
	case webhook.UserSource:
		return "line:" + s.UserId
	case webhook.GroupSource:
		return "line:" + cmp.Or(s.UserId, "group:"+s.GroupId)
	case webhook.RoomSource:
		return "line:" + cmp.Or(s.UserId, "room:"+s.RoomId)
	}
	return "line:"
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
func (b *Bot) reply(token string, msgs []messaging_api.MessageInterface) outcome {
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.APITimeout)
	err := b.limit.Wait(ctx)
	cancel()
	if err != nil {
		if b.ctx.Err() != nil {
			return unsent // Close gave up; it counts and logs
		}
		b.deps.Metrics.Dropped("line", "rate_limit")
		b.rateDrops.Drop(b.deps.Logger, "line: replies dropped waiting for the API rate limit", "per_second", b.cfg.APIRate, "err", err)
		return unsent
	}
	res, _, err := b.api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: msgs})
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err == nil {
		return replied
	}
	if b.ctx.Err() != nil {
		return unsent // cancelled in flight by Close
	}
	status, requestID := 0, ""
	if res != nil {
		status, requestID = res.StatusCode, res.Header.Get("X-Line-Request-Id")
	}
	b.deps.Metrics.Dropped("line", "reply_failed")
	b.deps.Logger.Error("line: reply failed", "status", status, "request_id", requestID, "err", clip(err.Error(), 300))
	return failed
}

// cutRunes returns the first n runes of s.
func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// clip shortens s to at most n bytes for a log line.
func clip(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
