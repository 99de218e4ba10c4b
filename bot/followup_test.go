package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/data/versions"
	"planbot/index"
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

// TestAskFollowups: /api/ask with the page's per-tab chat ID answers
// "電話番号は？" and "ほかには？" about the tab's last answer, for ten
// minutes; another tab, or a request without the ID, is answered as
// before; a malformed ID is refused.
func TestAskFollowups(t *testing.T) {
	lex, err := lexicon()
	if err != nil {
		t.Fatal(err)
	}
	store, err := versions.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store}
	if _, err := r.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Now()}
	d := bot.Deps{Live: r.Live, Reloader: r}
	f, err := chat.NewFollowups(d.Asker(), chat.FollowupConfig{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	d.Followups = f
	srv := httptest.NewServer(bot.NewServer(d))
	t.Cleanup(srv.Close)

	var kind string // the last answer's followup
	ask := func(tab, q string) (int, index.Answer) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/api/ask?q="+url.QueryEscape(q), nil)
		if tab != "" {
			req.Header.Set(bot.ChatHeader, tab)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a struct {
			index.Answer
			Followup string `json:"followup"`
		}
		json.NewDecoder(resp.Body).Decode(&a)
		kind = a.Followup
		return resp.StatusCode, a.Answer
	}
	ids := func(ms []index.Match) string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return strings.Join(out, " ")
	}
	const tab, other = "3f9a1c0e7b2d4a6f8e1c3b5d7f9a2c4e", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

	_, first := ask(tab, "研修関係ぜんぶ")
	all := first.Answers
	if len(all) < 6 {
		t.Fatalf("want a question with 6 results, got %d", len(all))
	}
	_, a := ask(tab, "電話番号は？")
	if a.Intent != index.IntentContact || kind != "contact" || len(a.Answers) != 1 || a.Answers[0].ID != index.ContactID ||
		!strings.Contains(a.Text, "先ほどの取り組みは"+strings.Join(all[0].Departments, "・")+"の担当です") {
		t.Errorf("contact follow-up: %+v", a)
	}
	for _, page := range [][]index.Match{all[1:4], all[4:6]} {
		if _, a = ask(tab, "ほかには？"); a.Intent != index.IntentWho || kind != "more" || ids(a.Answers) != ids(page) {
			t.Fatalf("ほかには？: %s %q, want %q", a.Intent, ids(a.Answers), ids(page))
		}
	}
	if _, a = ask(tab, "more"); len(a.Answers) != 0 || a.Text != "There are no more results." {
		t.Errorf("more after the last result: %+v", a)
	}

	for _, id := range []string{other, ""} {
		if _, a = ask(id, "ほかには？"); a.Intent != index.IntentNotCovered || kind != "" {
			t.Errorf("ほかには？ in chat %q: %+v", id, a)
		}
	}
	for _, bad := range []string{"short", strings.Repeat("x", 65), "3f9a1c0e7b2d4a6f<script>"} {
		if status, _ := ask(bad, "ほかには？"); status != http.StatusBadRequest {
			t.Errorf("chat ID %q: status %d, want 400", bad, status)
		}
	}

	ask(tab, "who handles hazard maps?")
	if _, a = ask(tab, "how much does it cost?"); a.Intent != index.IntentNotCovered || !strings.HasPrefix(a.Text, "The plan does not say.") ||
		!strings.Contains(a.Text, "Community Disaster Prevention Office (地域防災対策室)") {
		t.Errorf("English detail follow-up: %+v", a)
	}
	clk.add(chat.ContextTTL)
	if _, a = ask(tab, "what's their number?"); strings.Contains(a.Text, "above") {
		t.Errorf("follow-up after the window: %+v", a)
	}
}

// TestWebChatFollowupsInBrowser: the page sends its tab's chat ID, so a
// follow-up in the same tab is answered about the tab's last answer, and
// one in another tab is not.
func TestWebChatFollowupsInBrowser(t *testing.T) {
	s := newService(t, "", nil)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	const card = "#results .answer-card"
	if err := askPage(ctx, "ハザードマップの担当は？", card); err != nil {
		t.Fatal(err)
	}
	if err := askPage(ctx, "電話番号は？", card); err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, ctx, "#results"); !strings.Contains(got, "先ほどの取り組みは地域防災対策室の担当です") || !strings.Contains(got, "0244-37-2120") {
		t.Errorf("follow-up in the same tab: %q", got)
	}
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if err := askPage(tab, "電話番号は？", card); err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, tab, "#results"); strings.Contains(got, "先ほど") || !strings.Contains(got, "0244-37-2120") {
		t.Errorf("follow-up in another tab: %q", got)
	}
}

// TestFollowupsNotCoveredLog: a follow-up answered from its chat's last
// answer is no gap in the plan: only questions the plan does not cover
// reach the admin page's log, once each.
func TestFollowupsNotCoveredLog(t *testing.T) {
	lex, err := lexicon()
	if err != nil {
		t.Fatal(err)
	}
	store, err := versions.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store}
	if _, err := r.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	logged := &bot.MemUnanswered{}
	srv := httptest.NewServer(bot.NewServer(bot.Deps{Live: r.Live, Reloader: r, Unanswered: logged}))
	t.Cleanup(srv.Close)
	for _, c := range []struct{ tab, q string }{
		{"3f9a1c0e7b2d4a6f8e1c3b5d7f9a2c4e", "研修関係ぜんぶ"},
		{"3f9a1c0e7b2d4a6f8e1c3b5d7f9a2c4e", "ほかには？"}, // a follow-up
		{"0a1b2c3d4e5f60718293a4b5c6d7e8f9", "ほかには？"}, // no context: not covered
		{"", "今日の天気は？"},
		{"0a1b2c3d4e5f60718293a4b5c6d7e8f9", "今日の天気は？"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/ask?q="+url.QueryEscape(c.q), nil)
		if c.tab != "" {
			req.Header.Set(bot.ChatHeader, c.tab)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	qs, _ := logged.Recent(context.Background(), 10)
	var got []string
	for _, q := range qs {
		got = append(got, q.Text)
	}
	if strings.Join(got, "|") != "今日の天気は？|今日の天気は？|ほかには？" {
		t.Errorf("not-covered log %q", got)
	}
}

// TestWebChatMoreFollowupInBrowser: "ほかには？" in the page shows the next
// results, three at a time as on every channel, each as a card above the
// plan's desk, and says which of how many they are.
func TestWebChatMoreFollowupInBrowser(t *testing.T) {
	s := newService(t, "", nil)
	all, _ := s.answerJSON(t, "研修関係ぜんぶ")
	if len(all.Answers) < 6 {
		t.Fatalf("want a question with 6 results, got %d", len(all.Answers))
	}
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if err := askPage(ctx, all.Query, "#results .answer-card"); err != nil {
		t.Fatal(err)
	}
	if err := askPage(ctx, "ほかには？", "#results .answer-card"); err != nil {
		t.Fatal(err)
	}
	got := textOf(t, ctx, "#results")
	if n := count(t, ctx, "#results .answer-card"); n != chat.MorePage {
		t.Errorf("ほかには？ shows %d cards, want %d: %q", n, chat.MorePage, got)
	}
	for _, m := range all.Answers[1:4] {
		if !strings.Contains(got, m.Content) {
			t.Errorf("ほかには？ does not show %s: %q", m.ID, got)
		}
	}
	if !strings.Contains(got, "2〜4件目／全6件") || count(t, ctx, "#results .more") != 0 {
		t.Errorf("ほかには？ does not say which results these are, or offers more on the page: %q", got)
	}
	below, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#results .contact") === document.querySelector("#results").lastElementChild`))
	if err != nil || !below {
		t.Errorf("the desk's line is not last: %q", got)
	}
}
