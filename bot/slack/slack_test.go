package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"planbot/bot/chat"
	"planbot/data"
	"planbot/index"
)

const secret = "test-signing-secret"

// hangFor is how long a hanging fake API takes to answer.
const hangFor = time.Second

var live = sync.OnceValues(func() (*index.Live, error) {
	lex, err := index.DefaultLexicon()
	if err != nil {
		return nil, err
	}
	ix, err := index.New(data.Default(), lex)
	if err != nil {
		return nil, err
	}
	return index.NewLive(ix), nil
})

// posted is a chat.postMessage the fake Slack received.
type posted struct {
	channel, threadTS, text, blocks string
}

// env is a bot wired to slacktest (the Web API) and a fake response_url.
type env struct {
	bot        *Bot
	slack      *slacktest.Server
	posts      chan posted
	ephemerals chan posted // chat.postEphemeral; text holds the user
	responses  chan map[string]any
	respURL    string
	feedback   *chat.MemFeedback
	metrics    *metrics
	asked      *asked
	logs       *syncBuffer
	reindexed  atomic.Int32
	// postStatus, when set, answers chat.postMessage with these statuses
	// in turn before succeeding; 0 hangs for hangFor.
	postStatus []int
	postCalls  atomic.Int32
	// postDelay is how long a successful chat.postMessage takes.
	postDelay time.Duration
}

// metrics counts what the bot reports.
type metrics struct {
	mu      sync.Mutex
	dropped map[string]int // by reason
}

func (m *metrics) Request(string, string)                       {}
func (m *metrics) Answered(string, index.Answer, time.Duration) {}
func (m *metrics) Dropped(_, reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropped[reason]++
}

func (m *metrics) drops(reason string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dropped[reason]
}

// asked records the questions the bot asks, as the answering gets them.
type asked struct {
	chat.Asker
	mu sync.Mutex
	qs []string
}

func (a *asked) Ask(q string) (index.Answer, error) {
	a.mu.Lock()
	a.qs = append(a.qs, q)
	a.mu.Unlock()
	return a.Asker.Ask(q)
}

// Current lets the bot tell the plan served, as the service's Asker does.
func (a *asked) Current() *index.Index { return a.Asker.(chat.Served).Current() }

func (a *asked) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.qs) == 0 {
		return ""
	}
	return a.qs[len(a.qs)-1]
}

// waitIdle waits until the bot has no work queued or in progress.
func (e *env) waitIdle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.bot.pending.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("work still pending after 10 s; logs:\n%s", e.logs.String())
		}
		time.Sleep(time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newEnv(t testing.TB, cfg Config, extra ...slacktest.Binder) *env {
	t.Helper()
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{posts: make(chan posted, 100), ephemerals: make(chan posted, 100), responses: make(chan map[string]any, 100),
		feedback: chat.NewMemFeedback(), metrics: &metrics{dropped: map[string]int{}}, asked: &asked{Asker: lv}, logs: &syncBuffer{}}
	binders := append([]slacktest.Binder{func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			n := int(e.postCalls.Add(1))
			if n <= len(e.postStatus) {
				if e.postStatus[n-1] == 0 {
					// Hang past the client's time-out (slacktest's handler
					// context does not end when the client goes).
					time.Sleep(hangFor)
					return
				}
				if e.postStatus[n-1] == http.StatusTooManyRequests {
					w.Header().Set("Retry-After", "1")
				}
				w.WriteHeader(e.postStatus[n-1])
				return
			}
			select {
			case <-time.After(e.postDelay):
			case <-r.Context().Done():
				return // the client went
			}
			r.ParseForm()
			e.posts <- posted{r.Form.Get("channel"), r.Form.Get("thread_ts"), r.Form.Get("text"), r.Form.Get("blocks")}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.0"}`, r.Form.Get("channel"))
		})
		c.Handle("/chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			e.ephemerals <- posted{r.Form.Get("channel"), r.Form.Get("thread_ts"), r.Form.Get("user") + ": " + r.Form.Get("text"), r.Form.Get("blocks")}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true,"message_ts":"1.0"}`))
		})
	}}, extra...)
	e.slack = slacktest.NewTestServer(binders...)
	e.slack.Start()
	t.Cleanup(e.slack.Stop)
	resp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		e.responses <- m
		w.Write([]byte("ok"))
	}))
	t.Cleanup(resp.Close)
	e.respURL = resp.URL + "/response"
	cfg.BotToken, cfg.APIURL = "xoxb-test", e.slack.GetAPIURL()
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		cfg.SigningSecret = secret
	}
	e.bot, err = New(cfg, Deps{Asker: e.asked, Feedback: e.feedback, Metrics: e.metrics, Logger: slog.New(slog.NewJSONHandler(e.logs, nil)),
		Reindex: func(context.Context) (string, error) { e.reindexed.Add(1); return "変更なし (no changes)", nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.bot.Close(context.Background()) })
	return e
}

func signed(method, path string, body []byte, ts time.Time) *http.Request {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + stamp + ":"))
	mac.Write(body)
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	if strings.HasPrefix(string(body), "{") {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func eventBody(eventID, inner string) []byte {
	return []byte(fmt.Sprintf(`{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":%q,"event_time":1,"event":%s}`, eventID, inner))
}

func mention(text, ts string) string {
	return fmt.Sprintf(`{"type":"app_mention","user":"U123","text":%q,"ts":%q,"channel":"C1","event_ts":%q}`, text, ts, ts)
}

func dm(text, ts string, extra string) string {
	return fmt.Sprintf(`{"type":"message","channel_type":"im","user":"U123","text":%q,"ts":%q,"channel":"D1","event_ts":%q%s}`, text, ts, ts, extra)
}

func (e *env) nextPost(t *testing.T) posted {
	t.Helper()
	select {
	case p := <-e.posts:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("no chat.postMessage; logs:\n%s", e.logs.String())
	}
	return posted{}
}

func (e *env) noPost(t *testing.T) {
	t.Helper()
	select {
	case p := <-e.posts:
		t.Errorf("unexpected post %+v", p)
	case <-time.After(300 * time.Millisecond):
	}
}

func (e *env) nextResponse(t *testing.T) map[string]any {
	t.Helper()
	select {
	case m := <-e.responses:
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing posted to response_url; logs:\n%s", e.logs.String())
	}
	return nil
}

func TestURLVerification(t *testing.T) {
	e := newEnv(t, Config{})
	body := []byte(`{"token":"x","challenge":"c-123","type":"url_verification"}`)
	rec := serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now()))
	if rec.Code != 200 || rec.Body.String() != "c-123" {
		t.Errorf("challenge: %d %q", rec.Code, rec.Body.String())
	}
}

func TestMentionAnsweredInThread(t *testing.T) {
	e := newEnv(t, Config{})
	body := eventBody("Ev1", mention("<@UBOT> ハザードマップの担当は？", "111.222"))
	if rec := serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now())); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	p := e.nextPost(t)
	if p.channel != "C1" || p.threadTS != "111.222" || !strings.Contains(p.blocks, `"type":"header"`) ||
		!strings.Contains(p.blocks, "地域防災対策室") || !strings.Contains(p.blocks, "更新日 2023-10-17") || !strings.Contains(p.blocks, actionUp) {
		t.Errorf("post: %+v", p)
	}
	var bs []map[string]any
	if err := json.Unmarshal([]byte(p.blocks), &bs); err != nil || len(bs) > maxBlocks {
		t.Errorf("blocks: %d, %v", len(bs), err)
	}
	// English framing.
	body = eventBody("Ev2", mention("<@UBOT> who handles hazard maps?", "111.333"))
	serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now()))
	if p := e.nextPost(t); !strings.Contains(p.blocks, "Community Disaster Prevention Office (地域防災対策室)") || !strings.Contains(p.blocks, "Helpful") {
		t.Errorf("english post: %s", p.blocks)
	}
}

func TestDuplicatesAndEchoes(t *testing.T) {
	e := newEnv(t, Config{})
	first := eventBody("EvD", dm("地方債", "5.1", ""))
	serve(e.bot.Events(), signed("POST", "/slack/events", first, time.Now()))
	e.nextPost(t)
	retry := signed("POST", "/slack/events", first, time.Now())
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	if rec := serve(e.bot.Events(), retry); rec.Code != 200 {
		t.Errorf("retry status %d", rec.Code)
	}
	// The same message as an app_mention (another event ID, same channel+ts).
	sameMsg := eventBody("EvD2", `{"type":"app_mention","user":"U123","text":"<@UBOT> 地方債","ts":"5.1","channel":"D1","event_ts":"5.1"}`)
	serve(e.bot.Events(), signed("POST", "/slack/events", sameMsg, time.Now()))
	for i, inner := range []string{
		dm("地方債", "6.1", `,"bot_id":"B1"`),
		dm("地方債", "6.2", `,"subtype":"message_changed"`),
		strings.Replace(dm("地方債", "6.3", ""), `"user":"U123"`, `"user":"`+e.bot.self+`"`, 1),
		`{"type":"message","channel_type":"channel","user":"U1","text":"地方債","ts":"6.4","channel":"C9"}`,
	} {
		b := eventBody(fmt.Sprint("EvX", i), inner)
		serve(e.bot.Events(), signed("POST", "/slack/events", b, time.Now()))
	}
	e.noPost(t)
}

func TestRejectedRequests(t *testing.T) {
	e := newEnv(t, Config{})
	body := eventBody("EvR", mention("<@UBOT> 地方債", "7.1"))
	forged := signed("POST", "/slack/events", body, time.Now())
	forged.Header.Set("X-Slack-Signature", "v0=deadbeef")
	stale := signed("POST", "/slack/events", body, time.Now().Add(-6*time.Minute))
	missing := httptest.NewRequest("POST", "/slack/events", bytes.NewReader(body))
	for name, r := range map[string]*http.Request{"forged": forged, "stale": stale, "missing": missing} {
		if rec := serve(e.bot.Events(), r); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d", name, rec.Code)
		}
	}
	if rec := serve(e.bot.Events(), signed("POST", "/slack/events", []byte(`{"type":`), time.Now())); rec.Code != 400 {
		t.Errorf("malformed: %d", rec.Code)
	}
	big := bytes.Repeat([]byte("a"), maxBody+1)
	if rec := serve(e.bot.Events(), signed("POST", "/slack/events", big, time.Now())); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d", rec.Code)
	}
	if rec := serve(e.bot.Interactive(), signed("POST", "/slack/interactive", []byte("payload=%7Bnot-json"), time.Now())); rec.Code != 400 {
		t.Errorf("malformed payload: %d", rec.Code)
	}
	e.noPost(t)
}

// triggers numbers the trigger_id of each command and button press, as
// Slack gives each its own.
var triggers atomic.Int64

func trigger() string { return fmt.Sprintf("%d.98765.abcdef", triggers.Add(1)) }

func command(text, user, responseURL string) []byte {
	return []byte(url.Values{"command": {"/plan"}, "text": {text}, "user_id": {user}, "channel_id": {"C1"},
		"response_url": {responseURL}, "team_id": {"T1"}, "trigger_id": {trigger()}}.Encode())
}

func TestSlashCommand(t *testing.T) {
	e := newEnv(t, Config{AdminUsers: []string{"UADMIN"}})
	rec := serve(e.bot.Commands(), signed("POST", "/slack/commands", command("ごみの分別", "U1", e.respURL), time.Now()))
	if rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	m := e.nextResponse(t)
	b, _ := json.Marshal(m)
	if m["response_type"] != "ephemeral" || !strings.Contains(string(b), "生活環境課") || !strings.Contains(string(b), actionShare) {
		t.Errorf("answer: %s", b)
	}
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("help", "U1", e.respURL), time.Now()))
	if b, _ := json.Marshal(e.nextResponse(t)); !strings.Contains(string(b), "hazard maps") {
		t.Errorf("help: %s", b)
	}
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("reindex", "U1", e.respURL), time.Now()))
	if m := e.nextResponse(t); !strings.Contains(m["text"].(string), "管理者のみ") || e.reindexed.Load() != 0 {
		t.Errorf("non-admin reindex: %v (reindexed %d)", m, e.reindexed.Load())
	}
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("reindex", "UADMIN", e.respURL), time.Now()))
	if m := e.nextResponse(t); !strings.Contains(m["text"].(string), "変更なし") || m["response_type"] != "in_channel" || e.reindexed.Load() != 1 {
		t.Errorf("admin reindex: %v (reindexed %d)", m, e.reindexed.Load())
	}
}

func interaction(actionID, value, responseURL string) []byte {
	return interactionWith(trigger(), "U1", actionID, value, responseURL)
}

// interactionWith is a button press by user with the trigger_id given (""
// for none).
func interactionWith(triggerID, user, actionID, value, responseURL string) []byte {
	p := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": "T1"}, "response_url": responseURL,
		"actions": []map[string]any{{"action_id": actionID, "block_id": "planbot_actions", "value": value, "type": "button"}},
	}
	if triggerID != "" {
		p["trigger_id"] = triggerID
	}
	raw, _ := json.Marshal(p)
	return []byte(url.Values{"payload": {string(raw)}}.Encode())
}

func TestButtons(t *testing.T) {
	e := newEnv(t, Config{})
	for i, a := range []string{actionUp, actionUp, actionDown} {
		serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interactionWith(trigger(), fmt.Sprint("U", i), a, "1.1.1.1", e.respURL), time.Now()))
		e.nextResponse(t)
	}
	counts, _ := e.feedback.Counts(context.Background())
	if counts["1.1.1.1"] != (chat.Votes{Helpful: 2, NotHelpful: 1}) {
		t.Errorf("votes %+v", counts)
	}
	serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interaction(actionMore, "1|防災", e.respURL), time.Now()))
	if b, _ := json.Marshal(e.nextResponse(t)); !strings.Contains(string(b), `"header"`) {
		t.Errorf("more: %s", b)
	}
	serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interaction(actionShare, "地方債", e.respURL), time.Now()))
	if m := e.nextResponse(t); m["response_type"] != "in_channel" {
		t.Errorf("share: %v", m)
	}
}

func TestRateLimitedAndFailingAPI(t *testing.T) {
	e := newEnv(t, Config{})
	e.postStatus = []int{http.StatusTooManyRequests}
	body := eventBody("Ev429", mention("<@UBOT> 地方債", "8.1"))
	serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now()))
	if p := e.nextPost(t); !strings.Contains(p.blocks, "財政課") {
		t.Errorf("post after 429: %+v", p)
	}
	if n := e.postCalls.Load(); n != 2 {
		t.Errorf("postMessage called %d times, want 2 (429, then success)", n)
	}
	f := newEnv(t, Config{})
	f.postStatus = []int{500, 500, 500, 500}
	serve(f.bot.Events(), signed("POST", "/slack/events", eventBody("Ev500", mention("<@UBOT> 地方債", "9.1")), time.Now()))
	waitLog(t, f, "API call failed")
	if n := f.postCalls.Load(); n != 1 {
		t.Errorf("500: postMessage called %d times, want 1 (no retry)", n)
	}
}

func TestBlockLimits(t *testing.T) {
	a := index.Answer{Intent: index.IntentDepartment, Text: "x\n", Lang: "ja"}
	for i := range 60 {
		a.Answers = append(a.Answers, index.Match{ID: fmt.Sprint(i), Departments: []string{strings.Repeat("課", 200)}, Content: strings.Repeat("長", 4000)})
	}
	bs, _ := render(a, 0, true)
	if len(bs) > maxBlocks {
		t.Errorf("%d blocks", len(bs))
	}
	raw, _ := json.Marshal(bs)
	var decoded []map[string]any
	json.Unmarshal(raw, &decoded)
	for _, b := range decoded {
		if txt, ok := b["text"].(map[string]any); ok {
			limit := maxSectionText
			if b["type"] == "header" {
				limit = maxHeaderText
			}
			if n := len([]rune(txt["text"].(string))); n > limit {
				t.Errorf("%s text of %d runes", b["type"], n)
			}
		}
	}
}

// BenchmarkEvent is one signed event end to end: verify, answer, and
// chat.postMessage to the fake Slack API.
func BenchmarkEvent(b *testing.B) {
	e := newEnv(b, Config{Workers: 64})
	qs := []string{"ハザードマップの担当は？", "who handles hazard maps?", "ごみの分別", "今日の天気は？"}
	i := 0
	for b.Loop() {
		body := eventBody(fmt.Sprint("EvB", i), mention("<@UBOT> "+qs[i%len(qs)], fmt.Sprintf("%d.1", i)))
		if rec := serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now())); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		<-e.posts
		i++
	}
}

// askFor asks the seed index the questions in turn and returns the first
// answer that has the shape wanted: which question yields which intent may
// change with the engine, the way a channel shows an intent may not.
func askFor(t *testing.T, want func(index.Answer) bool, what string, qs ...string) index.Answer {
	t.Helper()
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if a, _ := lv.Ask(q); want(a) {
			return a
		}
	}
	t.Fatalf("no question gives %s any more: %q", what, qs)
	return index.Answer{}
}

var (
	suggestJA    = []string{"研修の予約", "市の施設の予約", "予防接種の予約", "本の貸し出し", "情報の発信"}
	suggestEN    = []string{"book lending", "vaccination booking"}
	departmentJA = []string{"総務課は何をしていますか", "財政課は何をしていますか", "税務課は何をしていますか"}
	departmentEN = []string{"what does the finance division do?", "what does the general affairs division do?"}
	topicsJA     = []string{"ごみ出しのことと、通学路の交通安全のこと、どっちもどこさ聞けばいいの", "ハザードマップの担当と、地方債の担当を教えて", "ごみの分別の担当は？それと、ハザードマップの担当は？"}
	topicsEN     = []string{"hazard maps, and also garbage sorting", "who handles hazard maps and garbage sorting?"}
)

// block is a decoded Block Kit block.
type block = map[string]any

func decodeBlocks(t *testing.T, raw string) []block {
	t.Helper()
	var bs []block
	if err := json.Unmarshal([]byte(raw), &bs); err != nil {
		t.Fatalf("blocks %q: %v", raw, err)
	}
	if len(bs) > maxBlocks {
		t.Errorf("%d blocks", len(bs))
	}
	return bs
}

func responseBlocks(t *testing.T, m map[string]any) []block {
	t.Helper()
	raw, _ := json.Marshal(m["blocks"])
	return decodeBlocks(t, string(raw))
}

func blockText(b block) string {
	txt, _ := b["text"].(map[string]any)
	s, _ := txt["text"].(string)
	return s
}

// buttonsOf returns the buttons of the blocks (in actions blocks and as
// section accessories) with the action ID given.
func buttonsOf(bs []block, actionID string) []map[string]any {
	var out []map[string]any
	for _, b := range bs {
		els, _ := b["elements"].([]any)
		if acc, ok := b["accessory"]; ok {
			els = append(els, acc)
		}
		for _, e := range els {
			if el, _ := e.(map[string]any); el["type"] == "button" && el["action_id"] == actionID {
				out = append(out, el)
			}
		}
	}
	return out
}

func countType(bs []block, typ string) int {
	n := 0
	for _, b := range bs {
		if b["type"] == typ {
			n++
		}
	}
	return n
}

// mentionAnswer asks q in a channel mention and returns the post's blocks.
func (e *env) mentionAnswer(t *testing.T, id, q string) (posted, []block) {
	t.Helper()
	body := eventBody(id, mention("<@UBOT> "+q, id+".1"))
	if rec := serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now())); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	p := e.nextPost(t)
	return p, decodeBlocks(t, p.blocks)
}

func (e *env) click(t *testing.T, actionID, value string) map[string]any {
	t.Helper()
	if rec := serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interaction(actionID, value, e.respURL), time.Now())); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	return e.nextResponse(t)
}

// TestSuggestionButtons: a did-you-mean answer is its text and a button per
// choice; a button shows that action's card privately (like more results),
// with feedback on it; an unknown or contact id gets a polite text.
func TestSuggestionButtons(t *testing.T) {
	e := newEnv(t, Config{})
	ja := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentSuggest && len(a.Suggestions) > 0 }, "a did-you-mean answer", suggestJA...)
	en := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentSuggest && len(a.Suggestions) > 0 }, "an English one", suggestEN...)
	for i, a := range []index.Answer{ja, en} {
		p, bs := e.mentionAnswer(t, fmt.Sprint("EvSg", i), a.Query)
		if bs[0]["type"] != "section" || blockText(bs[0]) != a.Text || countType(bs, "header") != 0 || len(buttonsOf(bs, actionUp)) != 0 {
			t.Errorf("%q: want the text and no card: %s", a.Query, p.blocks)
		}
		picks := buttonsOf(bs, actionPick)
		if len(picks) != len(a.Suggestions) {
			t.Fatalf("%q: %d buttons for %d suggestions: %s", a.Query, len(picks), len(a.Suggestions), p.blocks)
		}
		for j, b := range picks {
			m := a.Suggestions[j]
			if b["value"] != m.ID+"|"+a.Query || !strings.Contains(blockText(map[string]any{"text": b["text"]}), m.Departments[0]) {
				t.Errorf("%q: button %d: %v", a.Query, j, b)
			}
		}
		m := a.Suggestions[len(a.Suggestions)-1]
		r := e.click(t, actionPick, picks[len(picks)-1]["value"].(string))
		card := responseBlocks(t, r)
		raw, _ := json.Marshal(card)
		up := buttonsOf(card, actionUp)
		if r["response_type"] != "ephemeral" || countType(card, "header") != 1 || !strings.Contains(string(raw), m.Content) ||
			len(up) != 1 || up[0]["value"] != m.ID || len(buttonsOf(card, actionPick)) != 0 {
			t.Errorf("%q: the choice's card: %v", a.Query, r)
		}
		if a.Lang == index.English && (!strings.Contains(string(raw), "Helpful") || len(m.DepartmentsEN) > 0 && !strings.Contains(string(raw), m.DepartmentsEN[0])) {
			t.Errorf("English card: %s", raw)
		}
	}
	for _, v := range []string{"9.9.9.9|" + ja.Query, "contact|" + ja.Query, "|"} {
		if r := e.click(t, actionPick, v); r["blocks"] != nil || !strings.Contains(r["text"].(string), "見つかりませんでした") && !strings.Contains(r["text"].(string), "not in the current plan") {
			t.Errorf("pick %q: %v", v, r)
		}
	}
}

// TestContactBlocks: the enquiry desk is text with its address and phone,
// never a card, with no feedback; feedback on "contact" is not counted.
func TestContactBlocks(t *testing.T) {
	e := newEnv(t, Config{})
	for i, q := range []string{"この計画の問い合わせ先は？", "who is the contact for this plan?"} {
		a := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentContact }, "a contact answer", q)
		p, bs := e.mentionAnswer(t, fmt.Sprint("EvC", i), q)
		if len(bs) != 1 || bs[0]["type"] != "section" || blockText(bs[0]) != a.Text || strings.Contains(p.blocks, actionUp) || strings.Contains(p.blocks, " › ") {
			t.Errorf("%q: %s", q, p.blocks)
		}
		for _, want := range []string{"行政管理係", "〒976-8601", "0244-37-2120"} {
			if !strings.Contains(blockText(bs[0]), want) {
				t.Errorf("%q lacks %s: %s", q, want, p.blocks)
			}
		}
	}
	for _, id := range []string{"contact", "9.9.9.9"} {
		if r := e.click(t, actionUp, id); !strings.Contains(r["text"].(string), "記録できませんでした") {
			t.Errorf("feedback on %s: %v", id, r)
		}
	}
	if counts, _ := e.feedback.Counts(context.Background()); len(counts) != 0 {
		t.Errorf("feedback counted: %v", counts)
	}
	// Even a contact match among a "who" answer's matches gets no feedback.
	a := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentContact }, "a contact answer", "この計画の問い合わせ先は？")
	a.Intent = index.IntentWho
	for _, share := range []bool{false, true} {
		bs, _ := render(a, 0, share)
		raw, _ := json.Marshal(bs)
		if strings.Contains(string(raw), actionUp) || strings.Contains(string(raw), actionDown) {
			t.Errorf("feedback offered on the contact desk: %s", raw)
		}
	}
}

// TestDepartmentBlocks: a department's actions are its summary and a line
// each with a button for the card, not a wall of cards.
func TestDepartmentBlocks(t *testing.T) {
	e := newEnv(t, Config{})
	ja := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentDepartment && len(a.Answers) > 1 }, "a department answer", departmentJA...)
	en := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentDepartment && len(a.Answers) > 0 }, "an English one", departmentEN...)
	for i, a := range []index.Answer{ja, en} {
		p, bs := e.mentionAnswer(t, fmt.Sprint("EvDp", i), a.Query)
		if countType(bs, "header") != 0 || blockText(bs[0]) != chat.Lead(a) || strings.Contains(p.blocks, actionUp) {
			t.Errorf("%q: want the summary and no cards: %s", a.Query, p.blocks)
		}
		details := buttonsOf(bs, actionPick)
		if len(details) != len(a.Answers) {
			t.Fatalf("%q: %d detail buttons for %d actions", a.Query, len(details), len(a.Answers))
		}
		for j, m := range a.Answers {
			if line := blockText(bs[1+j]); !strings.HasPrefix(line, "・") || len([]rune(line)) > compactLine+2 || details[j]["value"] != m.ID+"|"+a.Query {
				t.Errorf("%q: line %d %q, button %v", a.Query, j, line, details[j])
			}
		}
		if a.Lang == index.English && (!strings.HasPrefix(blockText(bs[0]), a.Answers[0].DepartmentsEN[0]) || !strings.Contains(p.blocks, "Details")) {
			t.Errorf("English department answer: %s", p.blocks)
		}
		r := e.click(t, actionPick, details[len(details)-1]["value"].(string))
		raw, _ := json.Marshal(r)
		if countType(responseBlocks(t, r), "header") != 1 || !strings.Contains(string(raw), a.Answers[len(a.Answers)-1].Content) {
			t.Errorf("%q: card of a listed action: %s", a.Query, raw)
		}
	}
}

// TestTwoTopicsBlocks: a question about two things gets the line saying so
// and both cards, each with its feedback buttons.
func TestTwoTopicsBlocks(t *testing.T) {
	e := newEnv(t, Config{})
	two := func(a index.Answer) bool { return a.Intent == index.IntentWho && a.Topics == 2 && len(a.Answers) >= 2 }
	for i, a := range []index.Answer{askFor(t, two, "a two-topic answer", topicsJA...), askFor(t, two, "an English one", topicsEN...)} {
		p, bs := e.mentionAnswer(t, fmt.Sprint("EvT", i), a.Query)
		if blockText(bs[0]) != chat.Lead(a) || !strings.Contains(blockText(bs[0]), "2") || countType(bs, "header") != 2 {
			t.Errorf("%q: want the two-topics line and two cards: %s", a.Query, p.blocks)
		}
		ups := buttonsOf(bs, actionUp)
		if len(ups) != 2 || ups[0]["value"] != a.Answers[0].ID || ups[1]["value"] != a.Answers[1].ID ||
			!strings.Contains(p.blocks, a.Answers[0].Content) || !strings.Contains(p.blocks, a.Answers[1].Content) {
			t.Errorf("%q: feedback on each card: %v", a.Query, ups)
		}
		if more := buttonsOf(bs, actionMore); (len(a.Answers) > 2) != (len(more) == 1) || len(more) == 1 && !strings.HasPrefix(more[0]["value"].(string), "2|") {
			t.Errorf("%q: more results %v", a.Query, more)
		}
	}
}

// TestTruncatedBlocks: the note on a message too long to read whole heads
// the blocks, whatever the intent.
func TestTruncatedBlocks(t *testing.T) {
	e := newEnv(t, Config{})
	filler := strings.Repeat("今日はいい天気ですね。", 60)
	for i, q := range []string{"ハザードマップの担当は？" + filler, "今日の天気は？" + filler, "税務課は何をしていますか" + filler} {
		a := askFor(t, func(a index.Answer) bool { return a.Truncated }, "a truncated answer", q)
		note := strings.SplitN(a.Text, "\n", 2)[0]
		p, bs := e.mentionAnswer(t, fmt.Sprint("EvL", i), q)
		if !strings.HasPrefix(blockText(bs[0]), note) || !strings.Contains(note, "長いメッセージ") || !strings.HasPrefix(p.text, note) {
			t.Errorf("%q (%s): blocks start %q, text %q", q, a.Intent, blockText(bs[0]), p.text)
		}
	}
}
