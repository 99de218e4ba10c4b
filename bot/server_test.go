package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"planbot/bot"
	"planbot/data"
	"planbot/data/versions"
	"planbot/index"
)

var lexicon = sync.OnceValues(index.DefaultLexicon)

// service is a real planbot HTTP service on the embedded plan with its
// own version store.
type service struct {
	*httptest.Server
	reloader *index.Reloader
}

func newService(t testing.TB, token string, limiter bot.Limiter) *service {
	t.Helper()
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
	srv := httptest.NewServer(bot.NewServer(bot.Deps{Live: r.Live, Reloader: r, AdminToken: token, Limiter: limiter, TrustedProxies: loopback}))
	t.Cleanup(srv.Close)
	return &service{Server: srv, reloader: r}
}

// loopback is the trusted proxy of the test services: a request may name
// its client in X-Forwarded-For, as behind a reverse proxy.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// vote posts a vote on id from client (in X-Forwarded-For).
func (s *service) vote(t *testing.T, client, id string, helpful bool) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"id": id, "helpful": helpful})
	req, _ := http.NewRequest("POST", s.URL+"/api/feedback", bytes.NewReader(b))
	req.Header.Set("X-Forwarded-For", client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func (s *service) do(t *testing.T, method, path, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s *service) ask(t *testing.T, q string) index.Answer {
	t.Helper()
	code, b := s.do(t, "GET", "/api/ask?q="+url.QueryEscape(q), "", nil)
	if code != http.StatusOK {
		t.Fatalf("ask %q: %d %s", q, code, b)
	}
	var a index.Answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAskAPI(t *testing.T) {
	s := newService(t, "", nil)
	if a := s.ask(t, "ハザードマップの担当は？"); a.Intent != index.IntentWho || a.Answers[0].Departments[0] != "地域防災対策室" || a.Plan.Updated != "2023-10-17" {
		t.Errorf("ja: %+v", a)
	}
	if a := s.ask(t, "who handles hazard maps?"); a.Lang != "en" || !strings.HasPrefix(a.Text, "Community Disaster Prevention Office") {
		t.Errorf("en: %+v", a)
	}
	if a := s.ask(t, "今日の天気は？"); a.Intent != index.IntentNotCovered || len(a.Answers) != 0 {
		t.Errorf("not covered: %+v", a)
	}
	if code, _ := s.do(t, "GET", "/api/ask", "", nil); code != http.StatusBadRequest {
		t.Errorf("missing q: %d", code)
	}
	if code, _ := s.do(t, "GET", "/api/ask?q="+strings.Repeat("あ", 2001), "", nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("long q: %d", code)
	}
	for path, want := range map[string]string{"/": "text/html", "/static/app.js": "javascript", "/static/style.css": "text/css", "/healthz": "text/plain"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	code, body := s.do(t, "GET", "/metrics", "", nil)
	if code != 200 || !strings.Contains(string(body), `planbot_requests_total{channel="web",status="200"}`) ||
		!strings.Contains(string(body), "planbot_not_covered_total 1") {
		t.Errorf("metrics: %d\n%s", code, body)
	}
}

func TestReady(t *testing.T) {
	live := &index.Live{}
	srv := httptest.NewServer(bot.NewServer(bot.Deps{Live: live}))
	defer srv.Close()
	resp, _ := http.Get(srv.URL + "/readyz")
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz before load: %d", resp.StatusCode)
	}
	lex, _ := lexicon()
	ix, _ := index.New(data.Default(), lex)
	live.Swap(ix)
	resp, _ = http.Get(srv.URL + "/readyz")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz after load: %d", resp.StatusCode)
	}
}

func TestRateLimit(t *testing.T) {
	s := newService(t, "", &bot.MemLimiter{Rate: 1, Burst: 2})
	codes := []int{}
	for range 3 {
		code, _ := s.do(t, "GET", "/api/ask?q=x", "", nil)
		codes = append(codes, code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Errorf("codes = %v", codes)
	}
}

func TestFeedbackAndUnanswered(t *testing.T) {
	s := newService(t, "tok", nil)
	for i, helpful := range []bool{true, true, false} {
		if code, _ := s.vote(t, fmt.Sprint("198.51.100.", i), "1.1.1.1", helpful); code != http.StatusNoContent {
			t.Fatalf("feedback: %d", code)
		}
	}
	if code, _ := s.do(t, "POST", "/api/feedback", "", []byte(`{"helpful":true}`)); code != http.StatusBadRequest {
		t.Errorf("feedback without id: %d", code)
	}
	_, b := s.do(t, "GET", "/admin/feedback", "tok", nil)
	if !strings.Contains(string(b), `"id":"1.1.1.1","key":"`+data.Default().Items[0].Key()+`"`) || !strings.Contains(string(b), `"helpful":2,"not_helpful":1}`) {
		t.Errorf("feedback counts: %s", b)
	}
	s.ask(t, "おすすめのラーメン屋")
	_, b = s.do(t, "GET", "/admin/unanswered", "tok", nil)
	var qs []bot.Question
	if json.Unmarshal(b, &qs); len(qs) != 1 || qs[0].Text != "おすすめのラーメン屋" || qs[0].At.IsZero() {
		t.Errorf("unanswered: %s", b)
	}
}

func TestAdmin(t *testing.T) {
	off := newService(t, "", nil)
	for _, p := range []string{"/admin", "/admin/status"} {
		if code, _ := off.do(t, "GET", p, "", nil); code != http.StatusNotFound {
			t.Errorf("admin off: %s → %d", p, code)
		}
	}
	s := newService(t, "tok", nil)
	renamed := bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1)
	for _, tok := range []string{"", "wrong"} {
		if code, _ := s.do(t, "POST", "/admin/reindex", tok, renamed); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d", tok, code)
		}
	}
	if a := s.ask(t, "ハザードマップ"); a.Answers[0].Departments[0] != "地域防災対策室" {
		t.Fatalf("unauthorised reindex changed answers: %v", a.Answers[0].Departments)
	}
	code, b := s.do(t, "POST", "/admin/reindex", "tok", renamed)
	var rep index.Report
	if code != 200 || json.Unmarshal(b, &rep) != nil || len(rep.Diff.Changed) != 1 || !strings.Contains(rep.Text, "危機管理課") {
		t.Fatalf("reindex: %d %s", code, b)
	}
	if a := s.ask(t, "ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("after reindex: %v", a.Answers[0].Departments)
	}
	code, b = s.do(t, "POST", "/admin/reindex", "tok", []byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"line":5`) {
		t.Errorf("broken plan: %d %s", code, b)
	}
	tiny := withFooter("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n道路を直す。 土木課\n")
	if code, _ := s.do(t, "POST", "/admin/reindex", "tok", tiny); code != http.StatusConflict {
		t.Errorf("tiny without force: %d", code)
	}
	if a := s.ask(t, "ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("refused reindexes changed answers: %v", a.Answers[0].Departments)
	}
	if code, _ := s.do(t, "POST", "/admin/reindex?force=1", "tok", tiny); code != http.StatusOK {
		t.Errorf("tiny with force: %d", code)
	}
	code, b = s.do(t, "GET", "/admin/versions", "tok", nil)
	var vs []versions.Version
	if code != 200 || json.Unmarshal(b, &vs) != nil || len(vs) != 3 {
		t.Fatalf("versions: %d %s", code, b)
	}
	if code, b := s.do(t, "POST", "/admin/rollback?version="+vs[0].ID, "tok", nil); code != 200 {
		t.Fatalf("rollback: %d %s", code, b)
	}
	if a := s.ask(t, "ハザードマップ"); a.Answers[0].Departments[0] != "地域防災対策室" {
		t.Errorf("after rollback: %v", a.Answers[0].Departments)
	}
	if code, _ := s.do(t, "POST", "/admin/rollback?version=0099-00000000", "tok", nil); code != http.StatusNotFound {
		t.Errorf("unknown version: %d", code)
	}
	// An empty body is refused; ?reload=1 reloads the configured plan file.
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, renamed, 0o644)
	s.reloader.PlanSource = file
	if code, b := s.do(t, "POST", "/admin/reindex", "tok", nil); code != http.StatusUnprocessableEntity || !strings.Contains(string(b), "reload=1") {
		t.Fatalf("empty body: %d %s", code, b)
	}
	if code, b := s.do(t, "POST", "/admin/reindex?reload=1", "tok", nil); code != 200 {
		t.Fatalf("reload file: %d %s", code, b)
	}
	if a := s.ask(t, "ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("after reloading the file: %v", a.Answers[0].Departments)
	}
	code, b = s.do(t, "GET", "/admin/status", "tok", nil)
	if code != 200 || !strings.Contains(string(b), `"updated":"2023-10-17"`) {
		t.Errorf("status: %d %s", code, b)
	}
}

// askFor asks the service the questions in turn and returns the first
// answer that has the shape wanted: which question yields which intent may
// change with the engine, the way the web shows an intent may not.
func (s *service) askFor(t *testing.T, want func(index.Answer) bool, what string, qs ...string) index.Answer {
	t.Helper()
	for _, q := range qs {
		if a := s.ask(t, q); want(a) {
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
	topicsJA     = []string{"ごみ出しのことと、通学路の交通安全のこと、どっちもどこさ聞けばいいの", "ハザードマップの担当と、地方債の担当を教えて", "ごみの分別の担当は？それと、ハザードマップの担当は？"}
	longJA       = "ハザードマップの担当は？" + strings.Repeat("今日はいい天気ですね。", 60)
)

func isSuggest(a index.Answer) bool { return a.Intent == index.IntentSuggest && len(a.Suggestions) > 0 }
func isDepartment(a index.Answer) bool {
	return a.Intent == index.IntentDepartment && len(a.Answers) > 1
}
func isContact(a index.Answer) bool {
	return a.Intent == index.IntentContact && len(a.Answers) == 1 && a.Answers[0].ID == index.ContactID
}
func isTwoTopics(a index.Answer) bool {
	return a.Intent == index.IntentWho && a.Topics == 2 && len(a.Answers) >= 2
}

// TestAskAPIShapes: the JSON API carries what the web chat needs for every
// intent, a long message is answered from its beginning with the note, and
// feedback is taken only on actions of the plan being served.
func TestAskAPIShapes(t *testing.T) {
	s := newService(t, "tok", nil)
	if a := s.askFor(t, isSuggest, "a did-you-mean answer", suggestJA...); len(a.Answers) != 0 || a.Suggestions[0].Content == "" || a.Suggestions[0].Path() == " ›  › " {
		t.Errorf("suggest: %+v", a)
	}
	if a := s.askFor(t, isDepartment, "a department answer", departmentJA...); !strings.HasPrefix(a.Text, a.Department+"の担当は") {
		t.Errorf("department: %q", a.Text)
	}
	s.askFor(t, isTwoTopics, "a two-topic answer", topicsJA...)
	a := s.askFor(t, isContact, "a contact answer", "この計画の問い合わせ先は？")
	if c := a.Answers[0].Content; !strings.Contains(c, "〒976-8601") || !strings.Contains(c, "0244-37-2120") {
		t.Errorf("contact: %q", c)
	}
	long := s.askFor(t, func(a index.Answer) bool { return a.Truncated }, "a truncated answer", longJA)
	if !strings.HasPrefix(long.Text, "（長いメッセージ") || long.Intent != index.IntentWho {
		t.Errorf("long message: %+v", long)
	}
	for id, want := range map[string]int{"contact": http.StatusNotFound, "9.9.9.9": http.StatusNotFound, "1.1.1.1": http.StatusNoContent} {
		b, _ := json.Marshal(map[string]any{"id": id, "helpful": true})
		if code, _ := s.do(t, "POST", "/api/feedback", "", b); code != want {
			t.Errorf("feedback on %s: %d, want %d", id, code, want)
		}
	}
	_, b := s.do(t, "GET", "/admin/feedback", "tok", nil)
	if strings.Contains(string(b), "contact") || strings.Contains(string(b), "9.9.9.9") {
		t.Errorf("feedback counted on no action: %s", b)
	}
}
