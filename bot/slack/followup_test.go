package slack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"planbot/bot/chat"
)

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

// buttonPress is a block_actions payload as Slack sends it for a button
// on a message in channel, pressed by user.
func buttonPress(channel, user, actionID, value, responseURL string) []byte {
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": fmt.Sprint("trig-", time.Now().UnixNano()),
		"team": map[string]any{"id": "T1", "domain": "city"}, "user": map[string]any{"id": user, "team_id": "T1"},
		"channel": map[string]any{"id": channel}, "container": map[string]any{"type": "message", "channel_id": channel},
		"response_url": responseURL,
		"actions":      []map[string]any{{"action_id": actionID, "block_id": "planbot_actions", "value": value, "type": "button"}},
	})
	return []byte(url.Values{"payload": {string(p)}}.Encode())
}

// headers returns the card headers of blocks.
func headers(bs []block) []string {
	var out []string
	for _, b := range bs {
		if b["type"] == "header" {
			out = append(out, blockText(b))
		}
	}
	return out
}

// TestFollowups: through the Events API, a staff member's "電話番号は？"
// in a DM after an answer gets the desk for that answer, "ほかには？" and
// its more button page through the results not shown yet, another user
// has no context, /plan follow-ups work too, and ten minutes later the
// chat starts afresh.
func TestFollowups(t *testing.T) {
	e := newEnv(t, Config{})
	lv, _ := live()
	clk := &testClock{t: time.Now()}
	f, err := chat.NewFollowups(lv, chat.FollowupConfig{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	e.bot.deps.Followups = f // before any request

	n := 0
	say := func(user, text string) (posted, []block) {
		t.Helper()
		n++
		ts := fmt.Sprintf("%d.000100", 1700000000+n)
		inner := strings.Replace(dm(text, ts, ""), `"user":"U123"`, `"user":"`+user+`"`, 1)
		if rec := serve(e.bot.Events(), signed("POST", "/slack/events", eventBody(fmt.Sprint("EvF", n), inner), time.Now())); rec.Code != 200 {
			t.Fatal(rec.Code)
		}
		p := e.nextPost(t)
		return p, decodeBlocks(t, p.blocks)
	}
	first, _ := lv.Ask("研修関係ぜんぶ")
	all := first.Answers
	if len(all) < 6 {
		t.Fatalf("want a question with 6 results, got %d", len(all))
	}
	dept := func(i int) string { return strings.Join(all[i].Departments, "・") }
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

	if _, bs := say("U123", "研修関係ぜんぶ"); !shows(headers(bs), 0, 1) {
		t.Fatalf("first answer: %v", headers(bs))
	}
	p, _ := say("U123", "電話番号は？")
	for _, want := range []string{"先ほどの取り組みは" + dept(0) + "の担当です", "計画についてのお問い合わせ先: 総務課 行政管理係", "0244-37-2120"} {
		if !strings.Contains(p.blocks, want) || !strings.Contains(p.text, want) {
			t.Errorf("contact follow-up lacks %q: %+v", want, p)
		}
	}
	p, bs := say("U123", "ほかには？")
	if !shows(headers(bs), 1, 4) {
		t.Fatalf("ほかには？ shows %v, want results 2 to 4", headers(bs))
	}
	if !strings.Contains(p.text, all[1].Content) || strings.Contains(p.text, all[0].Content) {
		t.Errorf("notification text is not what the blocks show: %s", p.text)
	}
	var ids []string
	for _, m := range all {
		ids = append(ids, m.ID)
	}
	value := "4@" + strings.Join(ids, ",") + "|ほかには？" // the page's actions go on
	more := buttonsOf(bs, actionMore)
	if len(more) != 1 || more[0]["value"] != value {
		t.Fatalf("more button: %v, want %s", more, value)
	}
	rec := serve(e.bot.Interactive(), signed("POST", "/slack/interactive", buttonPress("D1", "U123", actionMore, value, e.respURL), time.Now()))
	if rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	if got := headers(responseBlocks(t, e.nextResponse(t))); !shows(got, 4, 6) {
		t.Errorf("the more button shows %v, want results 5 and 6", got)
	}

	// Another user in the same DM channel has no context.
	if p, bs := say("U999", "ほかには？"); len(headers(bs)) != 0 || !strings.Contains(p.text, "載っていません") {
		t.Errorf("another user's ほかには？: %+v", p)
	}

	// /plan in a channel: the answer, then a follow-up without a share button.
	cmd := func(text string) map[string]any {
		t.Helper()
		serve(e.bot.Commands(), signed("POST", "/slack/commands", command(text, "U1", e.respURL), time.Now()))
		return e.nextResponse(t)
	}
	cmd("ハザードマップの担当は？")
	m := cmd("それはいつから？")
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), "計画に書かれていません") || !strings.Contains(string(b), "地域防災対策室") || strings.Contains(string(b), actionShare) {
		t.Errorf("/plan detail follow-up: %s", b)
	}

	clk.add(chat.ContextTTL)
	if p, bs := say("U123", "ほかには？"); len(headers(bs)) != 0 || !strings.Contains(p.text, "載っていません") {
		t.Errorf("ほかには？ after the window: %+v", p)
	}
}

// TestFollowupMoreButtonKeepsItsResults: the "more results" button of a
// follow-up's page ("ほかには？") goes on with that page's results whoever
// presses it and whatever its chat asked since: in a channel thread
// another member presses it, and its asker has asked something else.
func TestFollowupMoreButtonKeepsItsResults(t *testing.T) {
	e := newEnv(t, Config{})
	lv, _ := live()
	first, _ := lv.Ask("研修関係ぜんぶ")
	all := first.Answers
	if len(all) < 6 {
		t.Fatalf("want a question with 6 results, got %d", len(all))
	}
	e.mentionAnswer(t, "EvKeep1", "研修関係ぜんぶ")
	_, bs := e.mentionAnswer(t, "EvKeep2", "ほかには？")
	more := buttonsOf(bs, actionMore)
	if len(more) != 1 {
		t.Fatalf("no more button on the follow-up's page: %v", headers(bs))
	}
	value, _ := more[0]["value"].(string)
	e.mentionAnswer(t, "EvKeep3", "ハザードマップの担当は？") // the asker's chat moves on
	for _, user := range []string{"U123", "U777"} {
		rec := serve(e.bot.Interactive(), signed("POST", "/slack/interactive", buttonPress("C1", user, actionMore, value, e.respURL), time.Now()))
		if rec.Code != 200 {
			t.Fatal(rec.Code)
		}
		got := headers(responseBlocks(t, e.nextResponse(t)))
		if len(got) != 2 || !strings.Contains(got[0], strings.Join(all[4].Departments, "・")) || !strings.Contains(got[1], strings.Join(all[5].Departments, "・")) {
			t.Errorf("%s pressed the follow-up page's more button (%q): %v, want results 5 and 6", user, value, got)
		}
	}
	// The presser's chat goes on from what the button showed.
	p, _ := e.mentionAnswer(t, "EvKeep4", "電話番号は？")
	if !strings.Contains(p.text, strings.Join(all[5].Departments, "・")) {
		t.Errorf("contact after the button: %s", p.text)
	}
	// A page's button whose actions a reindex removed.
	if m := e.click(t, actionMore, "4@9.9.9.9,9.9.9.8|ほかには？"); m["text"] != "これ以上の候補はありません。" {
		t.Errorf("button of removed actions: %v", m)
	}
}
