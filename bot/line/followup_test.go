package line

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"planbot/bot/chat"
)

// sampleEvents returns the SDK sample's first text message and first
// postback from a user, to build follow-up conversations from LINE's own
// payloads.
func sampleEvents(t *testing.T) (text, postback map[string]any) {
	t.Helper()
	raw, err := os.ReadFile("testdata/sdk-webhook-sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, ev := range doc.Events {
		src, _ := ev["source"].(map[string]any)
		if ev["mode"] != "active" || src["type"] != "user" {
			continue
		}
		if msg, _ := ev["message"].(map[string]any); text == nil && ev["type"] == "message" && msg["type"] == "text" {
			text = ev
		}
		if postback == nil && ev["type"] == "postback" {
			postback = ev
		}
	}
	if text == nil || postback == nil {
		t.Fatal("the SDK sample has no user text message or postback")
	}
	return text, postback
}

// convo sends signed webhooks from LINE users, one event at a time, and
// returns each reply.
type convo struct {
	t              *testing.T
	bot            *Bot
	api            *fakeAPI
	text, postback map[string]any
	n              int
}

// clone copies a sample event through JSON.
func clone(ev map[string]any) map[string]any {
	b, _ := json.Marshal(ev)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func (c *convo) send(user string, ev map[string]any) reply {
	c.t.Helper()
	c.n++
	ev["webhookEventId"] = fmt.Sprintf("01FOLLOWUP%06d", c.n)
	ev["replyToken"] = fmt.Sprintf("token-%d", c.n)
	ev["source"] = map[string]any{"type": "user", "userId": user}
	b, _ := json.Marshal(map[string]any{"destination": "Ubot", "events": []any{ev}})
	if rec := post(c.bot, b, sign(b)); rec.Code != 200 {
		c.t.Fatalf("webhook status %d", rec.Code)
	}
	select {
	case r := <-c.api.replies:
		if r.Token != ev["replyToken"] {
			c.t.Fatalf("reply to %s, want %s", r.Token, ev["replyToken"])
		}
		checkLimits(c.t, r)
		return r
	case <-time.After(10 * time.Second):
		c.t.Fatal("no reply")
	}
	return reply{}
}

func (c *convo) say(user, text string) reply {
	ev := clone(c.text)
	msg := ev["message"].(map[string]any)
	msg["text"], msg["id"] = text, fmt.Sprint(1000+c.n)
	return c.send(user, ev)
}

func (c *convo) tap(user, data string) reply {
	ev := clone(c.postback)
	ev["postback"] = map[string]any{"data": data}
	return c.send(user, ev)
}

// cards returns the departments heading the Flex bubbles of r.
func cards(r reply) []string {
	var out []string
	for _, m := range r.Messages {
		if m["type"] != "flex" {
			continue
		}
		c := m["contents"].(map[string]any)
		bubbles := []any{c}
		if c["type"] == "carousel" {
			bubbles = c["contents"].([]any)
		}
		for _, b := range bubbles {
			h := b.(map[string]any)["header"].(map[string]any)["contents"].([]any)[0].(map[string]any)
			out = append(out, h["text"].(string))
		}
	}
	return out
}

// quick returns the last message's quick-reply actions.
func quick(r reply) []map[string]any {
	var out []map[string]any
	qr, _ := r.Messages[len(r.Messages)-1]["quickReply"].(map[string]any)
	items, _ := qr["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["action"].(map[string]any))
	}
	return out
}

func textOf(r reply) string {
	var b strings.Builder
	for _, m := range r.Messages {
		if s, ok := m["text"].(string); ok {
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestFollowups: through the webhook, a resident's "電話番号は？" after an
// answer gets the desk for that answer, "ほかには？" and the "ほかの候補"
// button page through the results not shown yet, another resident's chat
// has no context, and ten minutes later the chat starts afresh.
func TestFollowups(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Now()}
	f, err := chat.NewFollowups(lv, chat.FollowupConfig{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	api := newFakeAPI(t, 200)
	b, err := New(Config{ChannelSecret: secret, AccessToken: "test-token", APIBaseURL: api.URL},
		Deps{Asker: lv, Followups: f})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	text, postback := sampleEvents(t)
	c := &convo{t: t, bot: b, api: api, text: text, postback: postback}
	const u1, u2 = "U4af4980629aaaaaaaaaaaaaaaaaaaaaa", "U4af4980629bbbbbbbbbbbbbbbbbbbbbb"

	first, _ := lv.Ask("研修関係ぜんぶ")
	all := first.Answers
	if len(all) < 6 {
		t.Fatalf("want a question with 6 results, got %d", len(all))
	}
	dept := func(i int) string { return strings.Join(all[i].Departments, "・") }
	// shows reports whether the cards name the departments of results
	// from..to, in order.
	shows := func(got []string, from, to int) bool {
		if len(got) != to-from {
			return false
		}
		for i, h := range got {
			if !strings.Contains(h, dept(from+i)) {
				return false
			}
		}
		return true
	}
	if got := cards(c.say(u1, "研修関係ぜんぶ")); !shows(got, 0, 1) {
		t.Fatalf("first answer's cards %v", got)
	}

	r := c.say(u1, "電話番号は？")
	for _, want := range []string{"先ほどの取り組みは" + dept(0) + "の担当です", "計画についてのお問い合わせ先: 総務課 行政管理係", "電話番号: 0244-37-2120"} {
		if !strings.Contains(textOf(r), want) {
			t.Errorf("contact follow-up lacks %q:\n%s", want, textOf(r))
		}
	}
	if q := quick(r); len(q) == 0 || q[len(q)-1]["uri"] != "tel:0244-37-2120" && q[0]["uri"] != "tel:0244-37-2120" {
		t.Errorf("contact follow-up without the call button: %v", q)
	}

	r = c.say(u1, "ほかには？")
	if got := cards(r); !shows(got, 1, 4) {
		t.Fatalf("ほかには？ shows %v, want results 2 to 4", got)
	}
	var more string
	for _, a := range quick(r) {
		if a["label"] == "ほかの候補" {
			more = a["data"].(string)
		}
	}
	v, _ := url.ParseQuery(more)
	if v.Get("a") != "more" || v.Get("n") != "4" {
		t.Fatalf("more button after the follow-up: %q", more)
	}
	if got := cards(c.tap(u1, more)); !shows(got, 4, 6) {
		t.Errorf("the more button shows %v, want results 5 and 6", got)
	}
	if r = c.say(u1, "他の候補"); !strings.Contains(textOf(r), "これ以上の候補はありません") {
		t.Errorf("after the last result: %s", textOf(r))
	}

	// Another resident has no context: as today.
	if r = c.say(u2, "ほかには？"); len(cards(r)) != 0 || !strings.Contains(textOf(r), "載っていません") {
		t.Errorf("another chat's ほかには？: %s %v", textOf(r), cards(r))
	}

	// A detail the plan does not give, then the window closes.
	c.say(u1, "ハザードマップの担当は？")
	r = c.say(u1, "それはいつから？")
	for _, want := range []string{"計画に書かれていません", "地域防災対策室", "総務課 行政管理係 0244-37-2120"} {
		if !strings.Contains(textOf(r), want) {
			t.Errorf("detail follow-up lacks %q:\n%s", want, textOf(r))
		}
	}
	clk.add(chat.ContextTTL)
	if r = c.say(u1, "電話番号は？"); strings.Contains(textOf(r), "先ほど") || !strings.Contains(textOf(r), "計画についてのお問い合わせ先") {
		t.Errorf("contact question after the window: %s", textOf(r))
	}
}

// TestFollowupMoreButtonKeepsItsResults: the "ほかの候補" quick reply of a
// follow-up's page ("ほかには？") goes on with that page's results for
// whoever taps it (in a group every member sees it): another user's tap
// shows them, not the results of that user's own context.
func TestFollowupMoreButtonKeepsItsResults(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	api := newFakeAPI(t, 200)
	b, err := New(Config{ChannelSecret: secret, AccessToken: "test-token", APIBaseURL: api.URL}, Deps{Asker: lv})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	text, postback := sampleEvents(t)
	c := &convo{t: t, bot: b, api: api, text: text, postback: postback}
	const u1, u2 = "U4af4980629aaaaaaaaaaaaaaaaaaaaaa", "U4af4980629bbbbbbbbbbbbbbbbbbbbbb"
	first, _ := lv.Ask("研修関係ぜんぶ")
	all := first.Answers
	if len(all) < 6 {
		t.Fatalf("want a question with 6 results, got %d", len(all))
	}
	c.say(u1, "研修関係ぜんぶ")
	var more string
	for _, a := range quick(c.say(u1, "ほかには？")) {
		if a["label"] == "ほかの候補" {
			more = a["data"].(string)
		}
	}
	if more == "" {
		t.Fatal("no more button on the follow-up's page")
	}
	c.say(u2, "ハザードマップの担当は？") // the tapper has a context of their own
	got := cards(c.tap(u2, more))
	if len(got) != 2 || !strings.Contains(got[0], strings.Join(all[4].Departments, "・")) || !strings.Contains(got[1], strings.Join(all[5].Departments, "・")) {
		t.Errorf("another member tapped the page's more button (%q): %v, want results 5 and 6", more, got)
	}
}
