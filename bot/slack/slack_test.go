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

	"github.com/gorilla/websocket"
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
	bot       *Bot
	slack     *slacktest.Server
	posts     chan posted
	responses chan map[string]any
	respURL   string
	feedback  *chat.MemFeedback
	logs      *syncBuffer
	reindexed atomic.Int32
	// postStatus, when set, answers chat.postMessage with these statuses
	// in turn before succeeding; 0 hangs for hangFor.
	postStatus []int
	postCalls  atomic.Int32
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
	e := &env{posts: make(chan posted, 100), responses: make(chan map[string]any, 100), feedback: chat.NewMemFeedback(), logs: &syncBuffer{}}
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
			r.ParseForm()
			e.posts <- posted{r.Form.Get("channel"), r.Form.Get("thread_ts"), r.Form.Get("text"), r.Form.Get("blocks")}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.0"}`, r.Form.Get("channel"))
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
	e.bot, err = New(cfg, Deps{Asker: lv, Feedback: e.feedback, Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
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

func command(text, user, responseURL string) []byte {
	return []byte(url.Values{"command": {"/plan"}, "text": {text}, "user_id": {user}, "channel_id": {"C1"},
		"response_url": {responseURL}, "team_id": {"T1"}}.Encode())
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
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1"}, "response_url": responseURL,
		"actions": []map[string]any{{"action_id": actionID, "block_id": "planbot_actions", "value": value, "type": "button"}},
	})
	return []byte(url.Values{"payload": {string(p)}}.Encode())
}

func TestButtons(t *testing.T) {
	e := newEnv(t, Config{})
	for _, a := range []string{actionUp, actionUp, actionDown} {
		serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interaction(a, "1.1.1.1", e.respURL), time.Now()))
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

// TestSocketMode delivers an events_api envelope over a fake Socket Mode
// websocket and reads the bot's ack.
func TestSocketMode(t *testing.T) {
	acks := make(chan string, 4)
	envelope := fmt.Sprintf(`{"envelope_id":"env-1","type":"events_api","accepts_response_payload":false,"payload":%s}`,
		eventBody("EvS", mention("<@UBOT> 地方債", "10.1")))
	ws := func(c slacktest.Customize) {
		c.Handle("/ws", slacktest.Websocket(func(conn *websocket.Conn) {
			conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1}`))
			conn.WriteMessage(websocket.TextMessage, []byte(envelope))
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return
				}
				var ack struct {
					EnvelopeID string `json:"envelope_id"`
				}
				if json.Unmarshal(msg, &ack) == nil && ack.EnvelopeID != "" {
					acks <- ack.EnvelopeID
				}
			}
		}))
	}
	e := newEnv(t, Config{AppToken: "xapp-test", SigningSecret: ""}, ws)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx) }()
	select {
	case id := <-acks:
		if id != "env-1" {
			t.Errorf("ack %q", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no ack; logs:\n%s", e.logs.String())
	}
	if p := e.nextPost(t); p.threadTS != "10.1" || !strings.Contains(p.blocks, "財政課") {
		t.Errorf("socket mode post: %+v", p)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("RunSocketMode did not return after cancel")
	}
}

func TestBlockLimits(t *testing.T) {
	a := index.Answer{Intent: index.IntentDepartment, Text: "x\n", Lang: "ja"}
	for i := range 60 {
		a.Answers = append(a.Answers, index.Match{ID: fmt.Sprint(i), Departments: []string{strings.Repeat("課", 200)}, Content: strings.Repeat("長", 4000)})
	}
	bs := blocks(a, 0, true)
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
