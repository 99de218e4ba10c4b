package line

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"planbot/bot/chat"
	"planbot/data"
	"planbot/index"
	"planbot/scripts/loadtest"
)

const secret = "test-channel-secret"

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

// reply is one call the fake LINE API received.
type reply struct {
	Token    string           `json:"replyToken"`
	Messages []map[string]any `json:"messages"`
	auth     string
	at       time.Time // when the call arrived
}

// fakeAPI is an httptest LINE Messaging API that records replies and
// answers with status; status 0 hangs until the client gives up. While
// stall is open, calls wait before they are recorded.
type fakeAPI struct {
	*httptest.Server
	replies chan reply
	status  int
	stall   chan struct{}

	mu     sync.Mutex
	script []int // statuses answered in turn before status
}

// next is the status for this call: the script's next one, else status.
func (f *fakeAPI) next() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) == 0 {
		return f.status
	}
	st := f.script[0]
	f.script = f.script[1:]
	return st
}

func newFakeAPI(t testing.TB, status int) *fakeAPI {
	f := &fakeAPI{replies: make(chan reply, 100), status: status}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/bot/message/reply" {
			http.NotFound(w, r)
			return
		}
		if f.stall != nil {
			select {
			case <-f.stall:
			case <-r.Context().Done():
				return
			}
		}
		rp := reply{at: time.Now()}
		json.NewDecoder(r.Body).Decode(&rp)
		rp.auth = r.Header.Get("Authorization")
		f.replies <- rp
		status := f.next()
		if status == 0 {
			<-r.Context().Done()
			return
		}
		w.Header().Set("X-Line-Request-Id", "req-123")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(status)
		if status == 200 {
			w.Write([]byte(`{"sentMessages":[]}`))
		} else {
			w.Write([]byte(`{"message":"fake failure"}`))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newBot(t testing.TB, api *fakeAPI, cfg Config) (*Bot, *chat.MemFeedback, *logBuffer) {
	t.Helper()
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	cfg.ChannelSecret, cfg.AccessToken, cfg.APIBaseURL = secret, "test-token", api.URL
	fb := chat.NewMemFeedback()
	logs := &logBuffer{}
	b, err := New(cfg, Deps{Asker: lv, Feedback: fb, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	return b, fb, logs
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func post(b *Bot, body []byte, signature string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/line/webhook", bytes.NewReader(body))
	if signature != "" {
		req.Header.Set("x-line-signature", signature)
	}
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, req)
	return rec
}

// collect waits for n replies, then makes sure no more arrive.
func collect(t *testing.T, api *fakeAPI, n int) map[string]reply {
	t.Helper()
	got := map[string]reply{}
	for len(got) < n {
		select {
		case r := <-api.replies:
			got[r.Token] = r
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d replies, want %d", len(got), n)
		}
	}
	select {
	case r := <-api.replies:
		t.Fatalf("unexpected extra reply %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
	return got
}

func textEvent(id, token, text string) string {
	return fmt.Sprintf(`{"type":"message","mode":"active","timestamp":1,"webhookEventId":%q,"deliveryContext":{"isRedelivery":false},
		"replyToken":%q,"source":{"type":"user","userId":"U1"},"message":{"type":"text","id":"1","text":%q,"quoteToken":"q"}}`, id, token, text)
}

func postbackEvent(id, token, data string) string {
	return fmt.Sprintf(`{"type":"postback","mode":"active","timestamp":1,"webhookEventId":%q,"replyToken":%q,"source":{"type":"user","userId":"U1"},"postback":{"data":%q}}`, id, token, data)
}

func body(events ...string) []byte {
	return []byte(`{"destination":"Ubot","events":[` + strings.Join(events, ",") + `]}`)
}

// TestSDKSample sends the SDK's own sample body of 36 events: once as
// published (events sharing a webhookEventId are answered once), and once
// with every event given its own ID (every event with a reply token in
// active mode is answered).
func TestSDKSample(t *testing.T) {
	sample, err := os.ReadFile("testdata/sdk-webhook-sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Destination string           `json:"destination"`
		Events      []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(sample, &doc); err != nil {
		t.Fatal(err)
	}
	// Which events should get a reply: message (text in a user chat or
	// mentioning the bot in a group; other content gets the guide), our
	// postbacks and follow, in active mode, with a reply token.
	want := map[string]string{} // reply token → expected first message type
	// As published, with one worker in order: the first handled event of
	// each webhookEventId claims it, later ones are duplicates.
	claimed := map[string]bool{}
	publishedReplies := 0
	for i, ev := range doc.Events {
		token, _ := ev["replyToken"].(string)
		id, _ := ev["webhookEventId"].(string)
		if token == "" || ev["mode"] != "active" {
			continue
		}
		handled := ev["type"] == "message" || ev["type"] == "postback" || ev["type"] == "follow"
		first := handled && !claimed[id]
		if handled {
			claimed[id] = true
		}
		kind := ""
		switch ev["type"] {
		case "message":
			msg := ev["message"].(map[string]any)
			src := ev["source"].(map[string]any)
			if src["type"] != "user" {
				mention, _ := msg["mention"].(map[string]any)
				mentionees, _ := mention["mentionees"].([]any)
				self := false
				for _, m := range mentionees {
					if mm := m.(map[string]any); mm["isSelf"] == true {
						self = true
					}
				}
				if !self {
					continue
				}
			}
			kind = "text"
			if msg["type"] == "text" {
				kind = "answer"
			}
		case "postback":
			// Postbacks of other apps' buttons (the sample's action=buyItem…)
			// are not ours to answer.
			if data, _ := ev["postback"].(map[string]any)["data"].(string); !strings.HasPrefix(data, "a=") {
				continue
			}
			kind = "postback"
		case "follow":
			kind = "text"
		default:
			continue
		}
		want[fmt.Sprintf("%s#%d", token, i)] = kind
		if first {
			publishedReplies++
		}
	}

	t.Run("as published", func(t *testing.T) {
		api := newFakeAPI(t, 200)
		b, _, _ := newBot(t, api, Config{Workers: 1})
		if rec := post(b, sample, sign(sample)); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		if publishedReplies == 0 {
			t.Fatal("the sample has no event to answer")
		}
		collect(t, api, publishedReplies)
	})

	t.Run("unique ids", func(t *testing.T) {
		for i, ev := range doc.Events {
			ev["webhookEventId"] = fmt.Sprintf("01UNIQUE%04d", i)
			if tok, ok := ev["replyToken"].(string); ok && tok != "" {
				ev["replyToken"] = fmt.Sprintf("%s#%d", tok, i)
			}
		}
		uniq, _ := json.Marshal(doc)
		api := newFakeAPI(t, 200)
		b, _, logs := newBot(t, api, Config{})
		if rec := post(b, uniq, sign(uniq)); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		got := collect(t, api, len(want))
		if len(want) < 10 {
			t.Fatalf("only %d answerable events in the sample", len(want))
		}
		for token, kind := range want {
			r, ok := got[token]
			if !ok {
				t.Errorf("no reply to %s (%s)", token, kind)
				continue
			}
			checkLimits(t, r)
			if r.auth != "Bearer test-token" {
				t.Errorf("authorization %q", r.auth)
			}
			if kind == "answer" && r.Messages[0]["type"] != "flex" && r.Messages[0]["type"] != "text" {
				t.Errorf("%s: answer type %v", token, r.Messages[0]["type"])
			}
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("errors logged:\n%s", logs.String())
		}
	})
}

// checkLimits asserts LINE's limits on a reply, and that every message,
// container, component and action in it names its type, as LINE requires.
func checkLimits(t *testing.T, r reply) {
	t.Helper()
	if len(r.Messages) == 0 || len(r.Messages) > maxMessages {
		t.Errorf("%s: %d messages", r.Token, len(r.Messages))
	}
	for _, m := range r.Messages {
		checkTypes(t, r.Token, "message", m)
		if m["type"] == "flex" {
			c, _ := m["contents"].(map[string]any)
			if c == nil || (c["type"] != "bubble" && c["type"] != "carousel") {
				t.Errorf("%s: flex contents %v", r.Token, c)
			}
		}
		if s, ok := m["text"].(string); ok && len(utf16.Encode([]rune(s))) > maxTextUnits {
			t.Errorf("%s: text of %d units", r.Token, len(utf16.Encode([]rune(s))))
		}
		if s, ok := m["altText"].(string); ok && (s == "" || len([]rune(s)) > maxAltText) {
			t.Errorf("%s: altText %q", r.Token, s)
		}
		qr, _ := m["quickReply"].(map[string]any)
		if qr == nil {
			continue
		}
		items := qr["items"].([]any)
		if len(items) > maxQuickReply {
			t.Errorf("%s: %d quick replies", r.Token, len(items))
		}
		for _, it := range items {
			item := it.(map[string]any)
			act := item["action"].(map[string]any)
			if item["type"] != "action" || len([]rune(act["label"].(string))) > maxLabel || act["type"] == nil {
				t.Errorf("%s: quick reply %v", r.Token, item)
			}
		}
	}
}

// checkTypes asserts that no object under v has an empty or missing type
// where LINE needs one: an object with a "type" key, or one that holds
// "contents", "action" or "layout".
func checkTypes(t *testing.T, token, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		_, typed := v["type"]
		for _, k := range []string{"contents", "action", "layout"} {
			_, has := v[k]
			typed = typed || has
		}
		if s, _ := v["type"].(string); typed && s == "" {
			t.Errorf("%s: %s has no type: %v", token, path, v)
		}
		for k, e := range v {
			checkTypes(t, token, path+"."+k, e)
		}
	case []any:
		for i, e := range v {
			checkTypes(t, token, fmt.Sprintf("%s[%d]", path, i), e)
		}
	}
}

func TestAnswerReply(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, fb, _ := newBot(t, api, Config{})
	post(b, body(textEvent("e1", "t1", "ハザードマップの担当は？"), textEvent("e2", "t2", "who handles hazard maps?"),
		textEvent("e3", "t3", "今日の天気は？")), "")
	if got := len(api.replies); got != 0 {
		t.Fatalf("unsigned request answered %d times", got)
	}
	bd := body(textEvent("e1", "t1", "ハザードマップの担当は？"), textEvent("e2", "t2", "who handles hazard maps?"),
		textEvent("e3", "t3", "今日の天気は？"))
	if rec := post(b, bd, sign(bd)); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	got := collect(t, api, 3)
	ja, _ := json.Marshal(got["t1"].Messages[0])
	for _, want := range []string{`"type":"flex"`, `地域防災対策室`, `ハザードマップ`, `更新日 2023-10-17`, ` › `, `tel:0244-37-2120`, `"type":"postback"`} {
		if !strings.Contains(string(ja), want) {
			t.Errorf("ja reply lacks %s: %s", want, ja)
		}
	}
	en, _ := json.Marshal(got["t2"].Messages[0])
	if !strings.Contains(string(en), "Community Disaster Prevention Office (地域防災対策室)") || !strings.Contains(string(en), "Helpful") {
		t.Errorf("en reply: %s", en)
	}
	nc := got["t3"].Messages[0]
	if nc["type"] != "text" || !strings.Contains(nc["text"].(string), "0244-37-2120") {
		t.Errorf("not covered reply: %v", nc)
	}
	for _, r := range got {
		checkLimits(t, r)
	}

	// Postbacks: feedback is counted (no user ID), more results shows the next matches.
	var fbData, moreData string
	for _, it := range got["t1"].Messages[0]["quickReply"].(map[string]any)["items"].([]any) {
		act := it.(map[string]any)["action"].(map[string]any)
		if d, _ := act["data"].(string); strings.Contains(d, "a=fb") && strings.Contains(d, "v=1") {
			fbData = d
		} else if strings.Contains(d, "a=more") {
			moreData = d
		}
	}
	events := []string{postbackEvent("p1", "t4", fbData)}
	if moreData != "" {
		events = append(events, postbackEvent("p2", "t5", moreData))
	}
	bd = body(events...)
	post(b, bd, sign(bd))
	got = collect(t, api, len(events))
	counts, _ := fb.Counts(context.Background())
	if counts["1.1.1.1"].Helpful != 1 {
		t.Errorf("feedback counts %+v", counts)
	}
	if moreData != "" {
		m, _ := json.Marshal(got["t5"].Messages[0])
		if !strings.Contains(string(m), `"type":"flex"`) {
			t.Errorf("more results: %s", m)
		}
	}
	for _, r := range got {
		checkLimits(t, r)
	}
}

// TestMoreResults: "more results" shows the next matches as a carousel
// that LINE accepts.
func TestMoreResults(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	data := "a=more&q=" + url.QueryEscape("職員研修") + "&n=1"
	bd := body(postbackEvent("m1", "tm1", data))
	if rec := post(b, bd, sign(bd)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	r := collect(t, api, 1)["tm1"]
	checkLimits(t, r)
	c, _ := r.Messages[0]["contents"].(map[string]any)
	if bubbles, _ := c["contents"].([]any); c["type"] != "carousel" || len(bubbles) < 2 {
		t.Errorf("more results: %v", r.Messages[0])
	}
}

func TestGroupsNeedMention(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	group := `{"type":"message","mode":"active","timestamp":1,"webhookEventId":"g1","replyToken":"tg1","source":{"type":"group","groupId":"G1","userId":"U1"},"message":{"type":"text","id":"1","text":"地方債","quoteToken":"q"}}`
	mentioned := `{"type":"message","mode":"active","timestamp":1,"webhookEventId":"g2","replyToken":"tg2","source":{"type":"group","groupId":"G1","userId":"U1"},"message":{"type":"text","id":"2","text":"@planbot 地方債","quoteToken":"q","mention":{"mentionees":[{"index":0,"length":8,"type":"user","userId":"Ubot","isSelf":true}]}}}`
	bd := body(group, mentioned)
	post(b, bd, sign(bd))
	got := collect(t, api, 1)
	m, _ := json.Marshal(got["tg2"].Messages[0])
	if !strings.Contains(string(m), "財政課") {
		t.Errorf("mention reply: %s", m)
	}
}

func TestRejects(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, logs := newBot(t, api, Config{})
	good := body(textEvent("r1", "tr1", "地方債"))
	for name, tc := range map[string]struct {
		body []byte
		sig  string
		code int
	}{
		"missing signature":         {good, "", 400},
		"forged signature":          {good, base64.StdEncoding.EncodeToString([]byte("forged")), 400},
		"signature of another body": {good, sign([]byte("{}")), 400},
		"malformed json":            {[]byte(`{"events":[`), sign([]byte(`{"events":[`)), 400},
		"oversized":                 {bytes.Repeat([]byte(" "), maxBody+1), "x", 413},
		"verify call":               {[]byte(`{"destination":"U","events":[]}`), sign([]byte(`{"destination":"U","events":[]}`)), 200},
		// JSON, but not a webhook: accepted, and the worker logs it.
		"events not a list": {[]byte(`{"events":"x"}`), sign([]byte(`{"events":"x"}`)), 200},
	} {
		if rec := post(b, tc.body, tc.sig); rec.Code != tc.code {
			t.Errorf("%s: %d, want %d", name, rec.Code, tc.code)
		}
	}
	select {
	case r := <-api.replies:
		t.Errorf("a rejected request was answered: %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
	b.Close(context.Background())
	if !strings.Contains(logs.String(), "malformed webhook body") {
		t.Errorf("the signed non-webhook body was not logged:\n%s", logs.String())
	}
}

func TestRedeliveryAndStandby(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	first := body(textEvent("same", "a1", "地方債"))
	post(b, first, sign(first))
	collect(t, api, 1)
	redelivered := body(strings.Replace(textEvent("same", "a2", "地方債"), `"isRedelivery":false`, `"isRedelivery":true`, 1))
	noContext := body(strings.Replace(textEvent("same", "a3", "地方債"), `"deliveryContext":{"isRedelivery":false},`, "", 1))
	standby := body(strings.Replace(textEvent("sb", "a4", "地方債"), `"mode":"active"`, `"mode":"standby"`, 1))
	noToken := body(strings.Replace(textEvent("nt", "", "地方債"), `"replyToken":"",`, "", 1))
	for _, bd := range [][]byte{redelivered, noContext, standby, noToken} {
		if rec := post(b, bd, sign(bd)); rec.Code != 200 {
			t.Errorf("status %d", rec.Code)
		}
	}
	select {
	case r := <-api.replies:
		t.Errorf("answered a redelivery, standby or tokenless event: %+v", r.Token)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestAPIFailures(t *testing.T) {
	for _, status := range []int{400, 500} {
		api := newFakeAPI(t, status)
		b, _, logs := newBot(t, api, Config{})
		bd := body(textEvent(fmt.Sprint("f", status), "tf", "地方債"))
		if rec := post(b, bd, sign(bd)); rec.Code != 200 {
			t.Errorf("status %d", rec.Code)
		}
		collect(t, api, 1)
		b.Close(context.Background())
		if l := logs.String(); !strings.Contains(l, fmt.Sprintf("status=%d", status)) || !strings.Contains(l, "request_id=req-123") {
			t.Errorf("API %d not logged with status and request ID:\n%s", status, l)
		}
	}
}

// TestHangingAPIAndFullQueue: with the API hanging, the webhook still
// answers at once, a full queue drops deliveries with a log line instead of
// blocking, and Close leaves no goroutine behind.
func TestHangingAPIAndFullQueue(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(t, 0)
	b, _, logs := newBot(t, api, Config{Workers: 1, Queue: 1, APITimeout: 500 * time.Millisecond})
	start := time.Now()
	for i := range 5 { // one for the worker, one for the queue, three dropped
		bd := body(textEvent(fmt.Sprint("h", i), fmt.Sprint("th", i), "地方債"))
		if rec := post(b, bd, sign(bd)); rec.Code != 200 {
			t.Fatalf("delivery %d: status %d with a hanging API", i, rec.Code)
		}
	}
	if time.Since(start) > time.Second {
		t.Fatalf("five deliveries took %v with a hanging API", time.Since(start))
	}
	if !strings.Contains(logs.String(), "queue full") {
		t.Errorf("no log line for dropped events:\n%s", logs.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestQueueRidesOutStall: with the default queue, deliveries that arrive
// while the API stalls for a moment are all answered once it recovers.
func TestQueueRidesOutStall(t *testing.T) {
	api := newFakeAPI(t, 200)
	api.stall = make(chan struct{})
	b, _, logs := newBot(t, api, Config{})
	const n = 500 // a quarter of a second at LINE's rate limit
	for i := range n {
		bd := body(textEvent(fmt.Sprint("s", i), fmt.Sprint("ts", i), "地方債"))
		if rec := post(b, bd, sign(bd)); rec.Code != 200 {
			t.Fatalf("delivery %d: status %d during a stall", i, rec.Code)
		}
	}
	close(api.stall)
	collect(t, api, n)
	if strings.Contains(logs.String(), "dropped") {
		t.Errorf("deliveries dropped during a stall:\n%s", logs)
	}
}

// TestAPIRate: however many workers are free, no second holds more than
// APIRate reply calls, and none is lost for waiting.
func TestAPIRate(t *testing.T) {
	api := newFakeAPI(t, 200)
	const perSecond, n = 20, 30
	b, _, logs := newBot(t, api, Config{Workers: 4, APIRate: perSecond})
	events := make([]string, n)
	for i := range events {
		events[i] = textEvent(fmt.Sprint("r", i), fmt.Sprint("tr", i), "地方債")
	}
	bd := body(events...)
	if rec := post(b, bd, sign(bd)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	var at []time.Time
	for _, r := range collect(t, api, n) {
		at = append(at, r.at)
	}
	slices.SortFunc(at, time.Time.Compare)
	// 50 ms less than a second: slack for the network between limiter and API.
	const window = 950 * time.Millisecond
	for i, start := range at {
		in := 0
		for _, u := range at[i:] {
			if u.Sub(start) <= window {
				in++
			}
		}
		if in > perSecond {
			t.Fatalf("%d reply calls within %v of call %d, want at most %d a second", in, window, i, perSecond)
		}
	}
	if strings.Contains(logs.String(), "dropped") {
		t.Errorf("replies dropped:\n%s", logs)
	}
}

// TestAPIRateDrops: a reply that would wait for its turn longer than the API
// time-out is dropped with a log line rather than held.
func TestAPIRateDrops(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, logs := newBot(t, api, Config{Workers: 1, APIRate: 1, APITimeout: 200 * time.Millisecond})
	bd := body(textEvent("d1", "td1", "地方債"), textEvent("d2", "td2", "地方債"))
	if rec := post(b, bd, sign(bd)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	collect(t, api, 1)
	if l := logs.String(); !strings.Contains(l, "waiting for the API rate limit") {
		t.Errorf("no log line for the dropped reply:\n%s", l)
	}
}

func TestClipUnits(t *testing.T) {
	s := strings.Repeat("𠮷", 3000) // 2 UTF-16 units each
	c := clipUnits(s, maxTextUnits)
	if n := len(utf16.Encode([]rune(c))); n > maxTextUnits || !strings.HasSuffix(c, "…") {
		t.Errorf("clipped to %d units", n)
	}
	if clipUnits("short", 10) != "short" || label(strings.Repeat("あ", 30)) != strings.Repeat("あ", 19)+"…" {
		t.Error("clip of short text changed it")
	}
	if d := morePostback(index.Answer{Query: strings.Repeat("長い質問", 200)}, 0, 1); len(d) > maxPostback {
		t.Errorf("postback data %d bytes", len(d))
	}
	// A page's button carries its actions, within the limit however many.
	page := index.Answer{Query: strings.Repeat("長い質問", 200)}
	for i := range 20 {
		page.Answers = append(page.Answers, index.Match{ID: fmt.Sprintf("%d.%d.1.1", i%9+1, i)})
	}
	if d := morePostback(page, 4, 7); len(d) > maxPostback {
		t.Errorf("page's postback data %d bytes", len(d))
	}
	page.Answers = page.Answers[:6]
	if v, _ := url.ParseQuery(morePostback(page, 4, 7)); len(strings.Fields(v.Get("ids"))) != 6 || v.Get("q") == "" {
		t.Errorf("page's postback data %v", v)
	}
	if d := pickPostback(strings.Repeat("長い質問", 200), "3.3.2.4"); len(d) > maxPostback || !strings.Contains(d, "id=3.3.2.4") {
		t.Errorf("pick postback data %q", d)
	}
}

// BenchmarkWebhook is one signed webhook request end to end: verify,
// answer, and reply to the fake LINE API, for the load test's questions in
// turn (so answers and encoded replies come from the caches).
func BenchmarkWebhook(b *testing.B) {
	qs := loadtest.Questions()
	benchWebhook(b, func(i int) string { return qs[i%len(qs)] })
}

// BenchmarkWebhookNewQuestion is the same with every question asked for the
// first time (numbered), so nothing comes from a cache.
func BenchmarkWebhookNewQuestion(b *testing.B) {
	qs := loadtest.Questions()
	benchWebhook(b, func(i int) string { return fmt.Sprintf("%s %d", qs[i%len(qs)], i) })
}

func benchWebhook(b *testing.B, question func(i int) string) {
	api := newFakeAPI(b, 200)
	// An API rate no benchmark reaches: this measures the work, not LINE's limit.
	bot, _, _ := newBot(b, api, Config{Queue: 1024, APIRate: 1 << 30})
	i := 0
	for b.Loop() {
		bd := body(textEvent(fmt.Sprint("bench", i), fmt.Sprint("tb", i), question(i)))
		if rec := post(bot, bd, sign(bd)); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		<-api.replies // the reply reached the fake LINE API
		i++
	}
	bot.Close(context.Background())
}

// TestRenderedReplies checks that a kept reply is the SDK's own encoding
// of the messages, is reused for the same answer and is not reused once
// the answer changes (as after a reindex).
func TestRenderedReplies(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := newBot(t, newFakeAPI(t, 200), Config{})
	sdk := func(msgs []messaging_api.MessageInterface) string {
		t.Helper()
		j, err := json.Marshal(&messaging_api.ReplyMessageRequest{ReplyToken: "t", Messages: msgs})
		if err != nil {
			t.Fatal(err)
		}
		return string(j)
	}
	qs := []string{"ハザードマップの担当は？", "who handles hazard maps?", "今日の天気は？", "総務課は何をしていますか", longJA}
	qs = append(append(append(qs, suggestJA...), contactJA...), topicsJA...)
	for _, q := range qs {
		a, _ := lv.Ask(q)
		for _, from := range []int{0, 1} {
			first := b.answerMessages(a, from)
			if got, want := sdk(first), sdk(render(a, from)); got != want {
				t.Errorf("%s from %d: kept reply differs from the SDK's encoding:\n%s\n%s", q, from, got, want)
			}
			again := b.answerMessages(a, from)
			if len(first) == 0 || &again[0] != &first[0] {
				t.Errorf("%s from %d: reply encoded again for the same answer", q, from)
			}
		}
	}
	a, _ := lv.Ask("ハザードマップの担当は？")
	old := sdk(b.answerMessages(a, 0))
	a.Plan.Updated = "2031-04-01"
	a.Answers = append([]index.Match(nil), a.Answers...)
	a.Answers[0].Departments = []string{"新設課"}
	got := sdk(b.answerMessages(a, 0))
	if got == old || !strings.Contains(got, "2031-04-01") || !strings.Contains(got, "新設課") {
		t.Errorf("changed answer got a stale reply: %s", got)
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

func isSuggest(a index.Answer) bool { return a.Intent == index.IntentSuggest && len(a.Suggestions) > 0 }
func isDepartment(a index.Answer) bool {
	return a.Intent == index.IntentDepartment && len(a.Answers) > 0
}
func isContact(a index.Answer) bool {
	return a.Intent == index.IntentContact && len(a.Answers) == 1 && a.Answers[0].ID == index.ContactID
}
func isTwoTopics(a index.Answer) bool {
	return a.Intent == index.IntentWho && a.Topics == 2 && len(a.Answers) >= 2
}

var (
	suggestJA    = []string{"研修の予約", "市の施設の予約", "予防接種の予約", "本の貸し出し", "情報の発信"}
	suggestEN    = []string{"book lending", "vaccination booking"}
	contactJA    = []string{"この計画の問い合わせ先は？"}
	contactEN    = []string{"who is the contact for this plan?"}
	departmentJA = []string{"総務課は何をしていますか", "財政課は何をしていますか", "税務課は何をしていますか"}
	departmentEN = []string{"what does the finance division do?", "what does the general affairs division do?"}
	topicsJA     = []string{"ごみ出しのことと、通学路の交通安全のこと、どっちもどこさ聞けばいいの", "ハザードマップの担当と、地方債の担当を教えて", "ごみの分別の担当は？それと、ハザードマップの担当は？"}
	topicsEN     = []string{"hazard maps, and also garbage sorting", "who handles hazard maps and garbage sorting?"}
	longJA       = "ハザードマップの担当は？" + strings.Repeat("今日はいい天気ですね。", 60)
)

// quickActions returns the actions of a message's quick replies.
func quickActions(m map[string]any) []map[string]any {
	qr, _ := m["quickReply"].(map[string]any)
	if qr == nil {
		return nil
	}
	var out []map[string]any
	for _, it := range qr["items"].([]any) {
		out = append(out, it.(map[string]any)["action"].(map[string]any))
	}
	return out
}

// postbacks returns the data of the quick replies' postbacks of kind a.
func postbacks(m map[string]any, a string) []url.Values {
	var out []url.Values
	for _, act := range quickActions(m) {
		d, _ := act["data"].(string)
		if v, err := url.ParseQuery(d); err == nil && act["type"] == "postback" && v.Get("a") == a {
			out = append(out, v)
		}
	}
	return out
}

func hasCall(m map[string]any) bool {
	for _, act := range quickActions(m) {
		if act["type"] == "uri" && act["uri"] == "tel:0244-37-2120" {
			return true
		}
	}
	return false
}

// send posts signed events and returns the replies by token.
func send(t *testing.T, b *Bot, api *fakeAPI, events ...string) map[string]reply {
	t.Helper()
	bd := body(events...)
	if rec := post(b, bd, sign(bd)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	got := collect(t, api, len(events))
	for _, r := range got {
		checkLimits(t, r)
	}
	return got
}

// TestSuggestions: a did-you-mean answer is its text with a quick reply per
// choice; tapping one replies with that action's card (with feedback on
// it), in the question's language; an unknown or contact id gets a polite
// text, not a card.
func TestSuggestions(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	ja := askFor(t, isSuggest, "a did-you-mean answer", suggestJA...)
	en := askFor(t, isSuggest, "an English did-you-mean answer", suggestEN...)
	got := send(t, b, api, textEvent("s1", "ts1", ja.Query), textEvent("s2", "ts2", en.Query))
	picks := map[string]url.Values{}
	for tok, a := range map[string]index.Answer{"ts1": ja, "ts2": en} {
		msgs := got[tok].Messages
		if len(msgs) != 1 || msgs[0]["type"] != "text" || msgs[0]["text"] != a.Text {
			t.Fatalf("%q: want the answer's text alone, got %v", a.Query, msgs)
		}
		ps := postbacks(msgs[0], "pick")
		if len(ps) != len(a.Suggestions) || len(postbacks(msgs[0], "fb")) != 0 || !hasCall(msgs[0]) {
			t.Errorf("%q: %d choices for %d suggestions, feedback %v, call %v: %v", a.Query, len(ps), len(a.Suggestions),
				postbacks(msgs[0], "fb"), hasCall(msgs[0]), quickActions(msgs[0]))
		}
		for i, p := range ps {
			if p.Get("id") != a.Suggestions[i].ID || p.Get("q") != a.Query {
				t.Errorf("%q: choice %d is %v, want %s", a.Query, i, p, a.Suggestions[i].ID)
			}
			if lbl := quickActions(msgs[0])[i]["label"].(string); !strings.HasPrefix(lbl, strings.TrimSuffix(clipRunes(shortDept(a, a.Suggestions[i]), 10), "…")) {
				t.Errorf("%q: choice label %q lacks the department", a.Query, lbl)
			}
		}
		if len(ps) > 0 {
			picks[tok] = ps[0]
		}
	}
	if len(en.Suggestions[0].DepartmentsEN) > 0 {
		if lbl := quickActions(got["ts2"].Messages[0])[0]["label"].(string); !strings.HasPrefix(lbl, string([]rune(en.Suggestions[0].DepartmentsEN[0])[:5])) {
			t.Errorf("English choice label %q", lbl)
		}
	}

	// Tapping a choice: its card.
	got = send(t, b, api, postbackEvent("p1", "tp1", picks["ts1"].Encode()), postbackEvent("p2", "tp2", picks["ts2"].Encode()),
		postbackEvent("p3", "tp3", "a=pick&id=9.9.9.9&q="+url.QueryEscape(ja.Query)),
		postbackEvent("p4", "tp4", "a=pick&id=contact&q="+url.QueryEscape(ja.Query)),
		postbackEvent("p5", "tp5", "a=pick&q="+url.QueryEscape(en.Query)))
	for tok, a := range map[string]index.Answer{"tp1": ja, "tp2": en} {
		m := a.Suggestions[0]
		msg := got[tok].Messages[0]
		j, _ := json.Marshal(msg)
		if len(got[tok].Messages) != 1 || msg["type"] != "flex" || !strings.Contains(string(j), m.Content) || !strings.Contains(string(j), " › ") {
			t.Errorf("%s: the choice's card: %s", tok, j)
		}
		fb := postbacks(msg, "fb")
		if len(fb) != 2 || fb[0].Get("id") != m.ID {
			t.Errorf("%s: feedback on the card: %v", tok, fb)
		}
	}
	j, _ := json.Marshal(got["tp2"].Messages[0])
	if m := en.Suggestions[0]; len(m.DepartmentsEN) > 0 && !strings.Contains(string(j), m.DepartmentsEN[0]+" ("+m.Departments[0]+")") || !strings.Contains(string(j), "Helpful") {
		t.Errorf("English card: %s", j)
	}
	for _, tok := range []string{"tp3", "tp4"} {
		msg := got[tok].Messages[0]
		if msg["type"] != "text" || !strings.Contains(msg["text"].(string), "見つかりませんでした") || len(postbacks(msg, "fb")) != 0 {
			t.Errorf("%s: unknown id: %v", tok, msg)
		}
	}
	if msg := got["tp5"].Messages[0]; msg["type"] != "text" || !strings.Contains(msg["text"].(string), "not in the current plan") {
		t.Errorf("pick without id: %v", msg)
	}
}

// TestContactAnswer: the enquiry desk is text with its address and phone
// and the call button, never an action card, and never rated.
func TestContactAnswer(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, fb, _ := newBot(t, api, Config{})
	ja := askFor(t, isContact, "a contact answer", contactJA...)
	en := askFor(t, isContact, "an English contact answer", contactEN...)
	got := send(t, b, api, textEvent("c1", "tc1", ja.Query), textEvent("c2", "tc2", en.Query),
		postbackEvent("c3", "tc3", "a=fb&id=contact&v=1&l=ja"), postbackEvent("c4", "tc4", "a=fb&id=9.9.9.9&v=0&l=en"))
	for tok, a := range map[string]index.Answer{"tc1": ja, "tc2": en} {
		msgs := got[tok].Messages
		j, _ := json.Marshal(msgs)
		if len(msgs) != 1 || msgs[0]["type"] != "text" || strings.Contains(string(j), "flex") || strings.Contains(string(j), " › ") {
			t.Errorf("%q: want one text message: %s", a.Query, j)
		}
		for _, want := range []string{"行政管理係", "〒976-8601", "0244-37-2120"} {
			if !strings.Contains(msgs[0]["text"].(string), want) {
				t.Errorf("%q: text lacks %s: %s", a.Query, want, msgs[0]["text"])
			}
		}
		if !hasCall(msgs[0]) || len(postbacks(msgs[0], "fb")) != 0 || len(postbacks(msgs[0], "more")) != 0 {
			t.Errorf("%q: quick replies %v", a.Query, quickActions(msgs[0]))
		}
	}
	if t2 := got["tc2"].Messages[0]; !strings.Contains(t2["text"].(string), "Phone") || quickActions(t2)[0]["label"] != "Call the city" {
		t.Errorf("English contact answer: %v", t2)
	}
	counts, _ := fb.Counts(context.Background())
	if len(counts) != 0 {
		t.Errorf("feedback counted for the contact desk or an unknown action: %v", counts)
	}
	if !strings.Contains(got["tc3"].Messages[0]["text"].(string), "記録できませんでした") || !strings.Contains(got["tc4"].Messages[0]["text"].(string), "not recorded") {
		t.Errorf("feedback on no action: %v %v", got["tc3"].Messages, got["tc4"].Messages)
	}
	// Even a contact match among a "who" answer's matches gets no feedback.
	a := ja
	a.Intent = index.IntentWho
	raw, err := json.Marshal(&messaging_api.ReplyMessageRequest{Messages: render(a, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var req reply
	json.Unmarshal(raw, &req)
	for _, msg := range req.Messages {
		if fbs := postbacks(msg, "fb"); len(fbs) != 0 {
			t.Errorf("feedback offered on the contact desk: %v", fbs)
		}
	}
}

// TestDepartmentAnswer: a department's actions are its summary and a line
// each in one text message, with a quick reply per action that shows its
// card; no wall of cards.
func TestDepartmentAnswer(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	ja := askFor(t, func(a index.Answer) bool { return isDepartment(a) && len(a.Answers) > 1 }, "a department answer", departmentJA...)
	en := askFor(t, isDepartment, "an English department answer", departmentEN...)
	got := send(t, b, api, textEvent("d1", "td1", ja.Query), textEvent("d2", "td2", en.Query))
	for tok, a := range map[string]index.Answer{"td1": ja, "td2": en} {
		msgs := got[tok].Messages
		if len(msgs) != 1 || msgs[0]["type"] != "text" || !strings.HasPrefix(msgs[0]["text"].(string), chat.Lead(a)) {
			t.Fatalf("%q: want the summary text: %v", a.Query, msgs)
		}
		ps := postbacks(msgs[0], "pick")
		if want := min(len(a.Answers), maxQuickReply-1); len(ps) != want || !hasCall(msgs[0]) || len(postbacks(msgs[0], "fb")) != 0 {
			t.Errorf("%q: %d card buttons for %d actions (want %d), call %v", a.Query, len(ps), len(a.Answers), want, hasCall(msgs[0]))
		}
		for i, p := range ps {
			if p.Get("id") != a.Answers[i].ID {
				t.Errorf("%q: button %d shows %s, want %s", a.Query, i, p.Get("id"), a.Answers[i].ID)
			}
		}
	}
	if !strings.HasPrefix(got["td2"].Messages[0]["text"].(string), en.Answers[0].DepartmentsEN[0]) {
		t.Errorf("English summary: %v", got["td2"].Messages[0]["text"])
	}
	last := postbacks(got["td1"].Messages[0], "pick")[1]
	got = send(t, b, api, postbackEvent("d3", "td3", last.Encode()))
	j, _ := json.Marshal(got["td3"].Messages)
	if msg := got["td3"].Messages[0]; msg["type"] != "flex" || !strings.Contains(string(j), ja.Answers[1].Content) || postbacks(msg, "fb")[0].Get("id") != ja.Answers[1].ID {
		t.Errorf("card of a listed action: %s", j)
	}
}

// TestTwoTopics: a question about two things gets the line saying so, then
// both answers' cards in a carousel, with feedback on each.
func TestTwoTopics(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	ja := askFor(t, isTwoTopics, "a two-topic answer", topicsJA...)
	en := askFor(t, isTwoTopics, "an English two-topic answer", topicsEN...)
	got := send(t, b, api, textEvent("w1", "tw1", ja.Query), textEvent("w2", "tw2", en.Query))
	for tok, a := range map[string]index.Answer{"tw1": ja, "tw2": en} {
		msgs := got[tok].Messages
		if len(msgs) != 2 || msgs[0]["type"] != "text" || msgs[0]["text"] != chat.Lead(a) || !strings.Contains(chat.Lead(a), "2") {
			t.Fatalf("%q: want the two-topics line first: %v", a.Query, msgs)
		}
		c, _ := msgs[1]["contents"].(map[string]any)
		bubbles, _ := c["contents"].([]any)
		j, _ := json.Marshal(msgs[1])
		if c["type"] != "carousel" || len(bubbles) != 2 || !strings.Contains(string(j), a.Answers[0].Content) || !strings.Contains(string(j), a.Answers[1].Content) {
			t.Errorf("%q: want both cards: %s", a.Query, j)
		}
		ids := map[string]int{}
		for _, v := range postbacks(msgs[1], "fb") {
			ids[v.Get("id")]++
		}
		if ids[a.Answers[0].ID] != 2 || ids[a.Answers[1].ID] != 2 || quickActions(msgs[0]) != nil {
			t.Errorf("%q: feedback on each topic: %v", a.Query, ids)
		}
		if more := postbacks(msgs[1], "more"); (len(a.Answers) > 2) != (len(more) == 1) || len(more) == 1 && more[0].Get("n") != "2" {
			t.Errorf("%q: more results %v for %d answers", a.Query, more, len(a.Answers))
		}
	}
	if lead := got["tw2"].Messages[0]["text"].(string); !strings.Contains(lead, "2 things") {
		t.Errorf("English two-topics line: %q", lead)
	}
}

// TestTruncatedNote: the note on a message too long to read whole is the
// reply's first message, before the card.
func TestTruncatedNote(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, _, _ := newBot(t, api, Config{})
	a := askFor(t, func(a index.Answer) bool { return a.Truncated && a.Intent == index.IntentWho }, "a truncated answer", longJA)
	nc := askFor(t, func(a index.Answer) bool { return a.Truncated && a.Intent != index.IntentWho }, "a truncated text answer",
		"今日の天気は？"+strings.Repeat("今日はいい天気ですね。", 60), "本の貸し出し"+strings.Repeat("今日はいい天気ですね。", 60))
	got := send(t, b, api, textEvent("l1", "tl1", a.Query), textEvent("l2", "tl2", nc.Query))
	note := strings.SplitN(a.Text, "\n", 2)[0]
	msgs := got["tl1"].Messages
	if len(msgs) != 2 || msgs[0]["type"] != "text" || msgs[0]["text"] != note || !strings.Contains(note, "長いメッセージ") || msgs[1]["type"] != "flex" || !hasCall(msgs[1]) {
		t.Errorf("truncated answer: %v", msgs)
	}
	if m := got["tl2"].Messages[0]; !strings.HasPrefix(m["text"].(string), note) {
		t.Errorf("truncated %s answer: %v", nc.Intent, m)
	}
}
