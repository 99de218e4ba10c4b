package chat

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"planbot/data"
	"planbot/index"
)

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

// clock is a settable time for the follow-ups' window.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFollowups(t *testing.T, store Contexts) (*Followups, *clock) {
	t.Helper()
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	f, err := NewFollowups(lv, FollowupConfig{Store: store, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return f, clk
}

// TestFollowupKinds: the index tells what a message with no topic of its
// own asks of the last answer, in the phrasings residents and staff use.
func TestFollowupKinds(t *testing.T) {
	lv, _ := live()
	for q, want := range map[string]Kind{
		"電話番号は？": KindContact, "連絡先は？": KindContact, "what's their number?": KindContact,
		"how do I contact them?": KindContact, "その担当課の電話は？": KindContact, "窓口はどこ？": KindContact,
		"ほかには？": KindMore, "他の候補": KindMore, "more": KindMore, "others?": KindMore, "what else?": KindMore,
		"any others?": KindMore, "もっと見せて": KindMore, "show me more": KindMore,
		"それはいつから？": KindDetail, "いくらかかる？": KindDetail, "when does it start?": KindDetail,
		"how much does it cost?": KindDetail, "費用は？": KindDetail, "詳しく教えて": KindDetail,
		// A topic of its own, or no follow-up: answered as it stands.
		"ハザードマップの担当は？": "", "税務課": "", "tax division": "", "税務課の電話番号は？": "",
		"近くのコンビニはいつから開いてる？": "", "ありがとう": "", "こんにちは": "", "help": "", "?": "",
		"who handles hazard maps?": "", strings.Repeat("ほかには", 20): "",
	} {
		a, err := lv.Ask(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Followup; got != want {
			t.Errorf("%q (answered %s): kind %q, want %q", q, a.Intent, got, want)
		}
	}
}

func ask(t *testing.T, f *Followups, chat, q string) Reply {
	t.Helper()
	r, err := f.Ask(context.Background(), chat, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(ms []index.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestFollowupConversation(t *testing.T) {
	store := NewMemContexts(100, ContextTTL)
	f, clk := newFollowups(t, store)
	first := ask(t, f, "line:user:U1", "研修関係ぜんぶ")
	if first.Followup != "" || first.Answer.Intent != index.IntentWho || len(first.Answer.Answers) < 5 {
		t.Fatalf("first answer: %+v", first)
	}
	all := ids(first.Answer.Answers)

	r := ask(t, f, "line:user:U1", "電話番号は？")
	if r.Followup != KindContact || r.Answer.Intent != index.IntentContact || len(r.Answer.Answers) != 1 || r.Answer.Answers[0].ID != index.ContactID {
		t.Fatalf("contact follow-up: %+v", r)
	}
	dept := first.Answer.Answers[0].Departments[0]
	for _, want := range []string{dept + "の担当", "計画についてのお問い合わせ先: 総務課 行政管理係", "0244-37-2120"} {
		if !strings.Contains(r.Answer.Text, want) {
			t.Errorf("contact follow-up lacks %q:\n%s", want, r.Answer.Text)
		}
	}

	// ほかには？ pages through the results not shown yet.
	for _, from := range []int{1, 4} {
		r = ask(t, f, "line:user:U1", "ほかには？")
		if r.Followup != KindMore || r.From != from || strings.Join(ids(r.Answer.Answers), " ") != strings.Join(all, " ") {
			t.Fatalf("more follow-up: from %d, want %d; %v, want %v", r.From, from, ids(r.Answer.Answers), all)
		}
		page := r.Page()
		if want := all[from:min(from+MorePage, len(all))]; strings.Join(ids(page.Answers), " ") != strings.Join(want, " ") {
			t.Errorf("page from %d: %v, want %v", from, ids(page.Answers), want)
		}
		if !strings.HasPrefix(r.Answer.Text, "ほかの候補") || !strings.Contains(r.Answer.Text, page.Answers[0].Content) {
			t.Errorf("more text: %s", r.Answer.Text)
		}
	}
	// The contact names the departments of the results seen last.
	r = ask(t, f, "line:user:U1", "連絡先は？")
	if want := first.Answer.Answers[4].Departments[0]; r.Followup != KindContact || !strings.Contains(r.Answer.Text, want) {
		t.Errorf("contact after more results does not name %s: %+v", want, r)
	}
	r = ask(t, f, "line:user:U1", "more")
	if r.Followup != KindMore || r.From != len(all) || len(r.Page().Answers) != 0 || r.Answer.Text != "There are no more results." {
		t.Fatalf("more after the last result: %+v", r)
	}

	// A "more results" button for the question counts as shown.
	if r, _ = f.Ask(context.Background(), "line:user:U3", "研修関係ぜんぶ", 1); r.From != 1 || r.Followup != "" {
		t.Fatalf("more button: %+v", r)
	}
	if r = ask(t, f, "line:user:U3", "ほかには？"); r.Followup != KindMore || r.From != 4 {
		t.Errorf("ほかには？ after the more button: from %d, want 4", r.From)
	}

	// Another chat has no context: as today.
	r = ask(t, f, "line:user:U2", "ほかには？")
	if r.Followup != "" || r.Answer.Intent != index.IntentNotCovered {
		t.Errorf("another chat's follow-up used the context: %+v", r)
	}

	// The window runs from the last answer: 9 minutes later it holds,
	// 10 minutes after that it is closed.
	clk.add(9 * time.Minute)
	if r = ask(t, f, "line:user:U1", "連絡先は？"); r.Followup != KindContact {
		t.Fatalf("follow-up within the window: %+v", r)
	}
	clk.add(ContextTTL)
	if r = ask(t, f, "line:user:U1", "ほかには？"); r.Followup != "" || r.Answer.Intent != index.IntentNotCovered {
		t.Errorf("follow-up after the window: %+v", r)
	}
	if r = ask(t, f, "line:user:U1", "電話番号は？"); r.Followup != "" || r.Answer.Intent != index.IntentContact || strings.Contains(r.Answer.Text, "先ほど") {
		t.Errorf("contact question after the window is not the plain desk: %+v", r)
	}

	// Nothing of the asker's is stored, under a key that is no chat ID.
	for _, k := range store.lru.Keys() {
		if strings.Contains(k, "U1") || len(k) != 64 {
			t.Errorf("store key %q", k)
		}
	}
}

func TestFollowupDetailEnglishDepartment(t *testing.T) {
	f, _ := newFollowups(t, nil)
	ask(t, f, "c", "ハザードマップの担当は？")
	r := ask(t, f, "c", "それはいつから？")
	if r.Followup != KindDetail || r.Answer.Intent != index.IntentNotCovered {
		t.Fatalf("detail follow-up: %+v", r)
	}
	for _, want := range []string{"計画に書かれていません", "地域防災対策室", "総務課 行政管理係 0244-37-2120"} {
		if !strings.Contains(r.Answer.Text, want) {
			t.Errorf("detail follow-up lacks %q:\n%s", want, r.Answer.Text)
		}
	}

	ask(t, f, "e", "who handles hazard maps?")
	r = ask(t, f, "e", "what's their number?")
	if r.Followup != KindContact || r.Answer.Lang != index.English {
		t.Fatalf("English contact follow-up: %+v", r)
	}
	for _, want := range []string{"(地域防災対策室)", "desk for questions about the plan", "Enquiries about the plan: General Affairs Division, Administrative Management Section (総務課 行政管理係)", "Phone: 0244-37-2120"} {
		if !strings.Contains(r.Answer.Text, want) {
			t.Errorf("English contact follow-up lacks %q:\n%s", want, r.Answer.Text)
		}
	}
	if r = ask(t, f, "e", "when does it start?"); r.Followup != KindDetail || !strings.HasPrefix(r.Answer.Text, "The plan does not say.") {
		t.Errorf("English detail follow-up: %+v", r)
	}

	// A department alone is answered as it stands, and becomes the context.
	r = ask(t, f, "c", "税務課")
	if r.Followup != "" || r.Answer.Intent != index.IntentDepartment {
		t.Fatalf("department alone: %+v", r)
	}
	if r = ask(t, f, "c", "電話番号は？"); r.Followup != KindContact || !strings.Contains(r.Answer.Text, "税務課の担当") {
		t.Errorf("contact after a department: %+v", r)
	}
	if r = ask(t, f, "c", "ほかには？"); r.Followup != KindMore || r.Answer.Text != "これ以上の候補はありません。" {
		t.Errorf("more after a department's whole list: %+v", r)
	}
	// A department's list, one of whose actions it shares, is that
	// department's alone.
	ask(t, f, "c", "総務課")
	if r = ask(t, f, "c", "電話番号は？"); !strings.Contains(r.Answer.Text, "総務課の担当") || strings.Contains(r.Answer.Text, "保健福祉部") {
		t.Errorf("contact after a department sharing an action: %s", r.Answer.Text)
	}

	// A question the plan does not cover ends the context.
	ask(t, f, "c", "近くのコンビニはどこ？")
	if r = ask(t, f, "c", "電話番号は？"); r.Followup != "" {
		t.Errorf("follow-up after a question the plan does not cover: %+v", r)
	}
	// No chat: as today.
	if r = ask(t, f, "", "ほかには？"); r.Followup != "" || r.Answer.Intent != index.IntentNotCovered {
		t.Errorf("no chat: %+v", r)
	}
}

func TestFollowupKeys(t *testing.T) {
	lv, _ := live()
	a, _ := NewFollowups(lv, FollowupConfig{Salt: []byte("salt-of-replicas-0123456789")})
	b, _ := NewFollowups(lv, FollowupConfig{Salt: []byte("salt-of-replicas-0123456789")})
	c, _ := NewFollowups(lv, FollowupConfig{})
	if a.Key("line:user:U1") != b.Key("line:user:U1") {
		t.Error("replicas with one salt disagree on a chat's key")
	}
	if a.Key("line:user:U1") == c.Key("line:user:U1") || a.Key("line:user:U1") == a.Key("line:user:U2") {
		t.Error("keys collide")
	}
	ctx := context.Background()
	m := NewMemContexts(2, 50*time.Millisecond)
	for _, k := range []string{"a", "b", "c"} {
		m.Put(ctx, k, Context{IDs: []string{"1.1.1.1"}, Shown: 1, At: time.Now()})
	}
	if _, ok, _ := m.Get(ctx, "c"); m.Len() != 2 || !ok {
		t.Errorf("MemContexts holds %d chats, cap 2", m.Len())
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok, _ := m.Get(ctx, "c"); ok {
		t.Error("MemContexts kept a context past its TTL")
	}
}

// TestFollowupOddContext: a context naming actions a reindex removed, or
// out of range, is answered without a panic.
func TestFollowupOddContext(t *testing.T) {
	store := NewMemContexts(10, ContextTTL)
	f, clk := newFollowups(t, store)
	for _, c := range []Context{
		{IDs: []string{"9.9.9.9"}, Shown: 1},
		{IDs: []string{"1.1.1.1", "9.9.9.9", "1.1.1.2"}, From: -3, Shown: 99},
		{IDs: []string{"1.1.1.1", "1.1.1.2"}, From: 7, Shown: -1},
	} {
		for _, q := range []string{"ほかには？", "電話番号は？", "いくらかかる？", "ほかには？"} {
			c.At = clk.now()
			store.Put(context.Background(), f.Key("c"), c)
			r := ask(t, f, "c", q)
			if p := r.Page(); len(p.Answers) > MorePage || r.From < 0 {
				t.Errorf("%v, %q: %+v", c, q, r)
			}
		}
	}
}

// TestFollowupMoreTextOne: a page of further results holding one result
// names it alone ("2件目／全2件", "2 of 2"), not as a range of one.
func TestFollowupMoreTextOne(t *testing.T) {
	f, _ := newFollowups(t, nil)
	for _, c := range []struct{ q, more, want string }{
		{"ハザードマップと地方債の担当は？", "ほかには？", "ほかの候補（2件目／全2件）:"},
		{"who handles the city council?", "more", "More results (2 of 2):"},
	} {
		if first := ask(t, f, c.q, c.q); len(first.Answer.Answers) != 2 || Shown(first.Answer) != 1 {
			t.Fatalf("%s: want one result shown of 2, got %d of %d", c.q, Shown(first.Answer), len(first.Answer.Answers))
		}
		r := ask(t, f, c.q, c.more)
		if line, _, _ := strings.Cut(r.Answer.Text, "\n"); r.Followup != KindMore || line != c.want {
			t.Errorf("%s, %s: %q, want %q", c.q, c.more, line, c.want)
		}
	}
}

// TestFollowupMore: a page's "more results" button goes on with the
// actions it carries, whatever the chat's context; it becomes the chat's
// context, and without a chat nothing is kept.
func TestFollowupMore(t *testing.T) {
	store := NewMemContexts(10, ContextTTL)
	f, _ := newFollowups(t, store)
	all := ids(ask(t, f, "line:user:U1", "研修関係ぜんぶ").Answer.Answers)
	ask(t, f, "line:user:U1", "ハザードマップの担当は？")
	r, err := f.More(context.Background(), "line:user:U1", "ほかには？", all, 4)
	if err != nil || r.Followup != KindMore || r.From != 4 || strings.Join(ids(r.Page().Answers), " ") != strings.Join(all[4:6], " ") {
		t.Fatalf("More: %v %+v", err, r)
	}
	if r = ask(t, f, "line:user:U1", "ほかには？"); r.From != 6 || len(r.Page().Answers) != 0 {
		t.Errorf("ほかには？ after More: %+v", r)
	}
	n := store.Len()
	if _, err := f.More(context.Background(), "", "ほかには？", all, 1); err != nil || store.Len() != n {
		t.Errorf("More without a chat kept a context (%d, was %d): %v", store.Len(), n, err)
	}
	if r, _ := f.More(context.Background(), "line:user:U2", "more", []string{"9.9.9.9"}, 1); r.Answer.Text != "There are no more results." || store.Len() != n {
		t.Errorf("More of actions no longer in the plan: %+v", r)
	}
}
