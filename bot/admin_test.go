package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/data"
	"planbot/data/versions"
	"planbot/index"
)

// footer is the seed plan's contact box and 更新日: a plan the city
// publishes always ends with them.
func footer() string {
	seed := string(data.DefaultText())
	return seed[strings.Index(seed, "この記事に関するお問い合わせ先"):]
}

func withFooter(text string) []byte { return []byte(text + footer()) }

// serviceAt is a real service on the version store in dir, as a restart
// would find it.
func serviceAt(t testing.TB, dir, token string) *service {
	t.Helper()
	lex, err := lexicon()
	if err != nil {
		t.Fatal(err)
	}
	store, err := versions.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store, Logger: slog.New(slog.DiscardHandler)}
	if _, err := r.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(bot.NewServer(bot.Deps{Live: r.Live, Reloader: r, AdminToken: token, TrustedProxies: loopback}))
	t.Cleanup(srv.Close)
	return &service{Server: srv, reloader: r}
}

func (s *service) post(t *testing.T, path string, body []byte, header ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (s *service) versions(t *testing.T) []versions.Version {
	t.Helper()
	code, b := s.do(t, "GET", "/admin/versions", "tok", nil)
	var vs []versions.Version
	if code != 200 || json.Unmarshal(b, &vs) != nil {
		t.Fatalf("versions: %d %s", code, b)
	}
	return vs
}

func (s *service) statusVersion(t *testing.T) string {
	t.Helper()
	code, b := s.do(t, "GET", "/admin/status", "tok", nil)
	var st struct{ Version versions.Version }
	if code != 200 || json.Unmarshal(b, &st) != nil {
		t.Fatalf("status: %d %s", code, b)
	}
	return st.Version.ID
}

func hazardDept(t *testing.T, s *service) string {
	t.Helper()
	a := s.ask(t, "ハザードマップの担当は？")
	if len(a.Answers) == 0 {
		t.Fatalf("no answer: %+v", a)
	}
	return a.Answers[0].Departments[0]
}

// TestAdminReindexAnswers: every answer of POST /admin/reindex, black-box.
func TestAdminReindexAnswers(t *testing.T) {
	s := serviceAt(t, t.TempDir(), "tok")
	for _, path := range []string{"/admin/reindex", "/admin/reindex?reload=1", "/admin/rollback?version=x"} {
		for _, tok := range []string{"", "wrong"} {
			if code, _ := s.do(t, "POST", path, tok, data.DefaultText()); code != http.StatusUnauthorized {
				t.Errorf("%s with token %q: %d", path, tok, code)
			}
		}
	}
	for _, path := range []string{"/admin/status", "/admin/versions", "/admin/feedback", "/admin/unanswered"} {
		if code, _ := s.do(t, "GET", path, "", nil); code != http.StatusUnauthorized {
			t.Errorf("%s without token: %d", path, code)
		}
	}
	// An empty body, however it looks, is refused and never reloads.
	for _, body := range []string{"", " \r\n\t\n", "\uFEFF\r\n"} {
		code, m := s.post(t, "/admin/reindex", []byte(body))
		if code != http.StatusUnprocessableEntity || !strings.Contains(m["error"].(string), "?reload=1") {
			t.Errorf("empty body %q: %d %v", body, code, m)
		}
	}
	// A complete plan without actions: 409, not 422; force loads it.
	empty := withFooter("第6次行財政改革大綱に基づく実施計画\n\n")
	if code, m := s.post(t, "/admin/reindex", empty); code != http.StatusConflict || !strings.Contains(m["error"].(string), "force") {
		t.Errorf("empty plan: %d %v", code, m)
	}
	// Renamed department, from a file (octet-stream says nothing of the
	// text) with its name.
	renamed := bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1)
	code, m := s.post(t, "/admin/reindex", renamed, "Content-Type", "application/octet-stream", "X-Plan-Source", "file 新しい計画.txt")
	if code != 200 {
		t.Fatalf("reindex: %d %v", code, m)
	}
	var rep index.Report
	b, _ := json.Marshal(m)
	json.Unmarshal(b, &rep)
	if len(rep.Diff.Changed) != 1 || !rep.Diff.Changed[0].Departments || rep.Diff.Changed[0].Wording || rep.Version.Source != "admin upload: file 新しい計画.txt" ||
		!strings.Contains(rep.Text, "[地域防災対策室 → 危機管理課]") {
		t.Errorf("report: %+v", rep)
	}
	if d := hazardDept(t, s); d != "危機管理課" {
		t.Errorf("after reindex: %s", d)
	}
	// The same plan again, with Windows line ends: no new version.
	crlf := bytes.ReplaceAll(renamed, []byte("\n"), []byte("\r\n"))
	if code, m := s.post(t, "/admin/reindex", crlf, "Content-Type", "text/plain; charset=utf-8"); code != 200 || m["unchanged"] != true {
		t.Errorf("same plan: %d %v", code, m)
	}
	if vs := s.versions(t); len(vs) != 2 {
		t.Errorf("%d versions after the same plan again, want 2", len(vs))
	}
	// Shrunk by more than half: 409; with force: loaded.
	half := withFooter("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n道路を直す。 土木課\n")
	if code, _ := s.post(t, "/admin/reindex", half); code != http.StatusConflict {
		t.Errorf("shrunk plan: %d", code)
	}
	if d := hazardDept(t, s); d != "危機管理課" {
		t.Errorf("refused reindexes changed answers: %s", d)
	}
	if code, m := s.post(t, "/admin/reindex?force=1", empty); code != 200 || m["version"].(map[string]any)["items"] != 0.0 {
		t.Errorf("empty plan with force: %d %v", code, m)
	}
	// Too large.
	if code, _ := s.post(t, "/admin/reindex", bytes.Repeat([]byte("あ"), 6<<20)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("17 MiB plan: %d", code)
	}
	// Status names the version served, the list marks nothing damaged.
	vs := s.versions(t)
	if got := s.statusVersion(t); got != vs[len(vs)-1].ID {
		t.Errorf("status names %s, newest is %s", got, vs[len(vs)-1].ID)
	}
}

// TestAdminReload: ?reload=1 reloads the configured plan, a file or a
// page; with a body it is a mistake; a page that cannot be fetched is 502.
func TestAdminReload(t *testing.T) {
	s := serviceAt(t, t.TempDir(), "tok")
	if code, m := s.post(t, "/admin/reindex?reload=1", data.DefaultText()); code != http.StatusBadRequest {
		t.Errorf("reload with a body: %d %v", code, m)
	}
	// The embedded plan, reloaded, is the plan served: unchanged.
	if code, m := s.post(t, "/admin/reindex?reload=1", nil); code != 200 || m["unchanged"] != true {
		t.Errorf("reload embedded: %d %v", code, m)
	}
	renamed := bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(renamed)
	}))
	defer page.Close()
	s.reloader.PlanSource = page.URL + "/keikaku.html"
	code, m := s.post(t, "/admin/reindex?reload=1", nil)
	if code != 200 || m["version"].(map[string]any)["source"] != page.URL+"/keikaku.html" {
		t.Fatalf("reload URL: %d %v", code, m)
	}
	contentType, _ := m["version"].(map[string]any)["content_type"].(string)
	if contentType != "text/plain; charset=utf-8" || hazardDept(t, s) != "危機管理課" {
		t.Errorf("after reloading the page: %q %s", contentType, hazardDept(t, s))
	}
	page.Close()
	if code, m := s.post(t, "/admin/reindex?reload=1", nil); code != http.StatusBadGateway {
		t.Errorf("page gone: %d %v", code, m)
	}
	file := filepath.Join(t.TempDir(), "empty.txt")
	os.WriteFile(file, nil, 0o644)
	s.reloader.PlanSource = file
	if code, m := s.post(t, "/admin/reindex?reload=1&force=1", nil); code != http.StatusUnprocessableEntity {
		t.Errorf("reload of an empty file: %d %v", code, m)
	}
	if hazardDept(t, s) != "危機管理課" {
		t.Error("a refused reload changed answers")
	}
}

// TestAdminRollbackDamaged: a rollback to a damaged version is refused
// (409, damaged) and the service keeps its plan; a restart whose current
// version is damaged serves the newest intact one.
func TestAdminRollbackDamaged(t *testing.T) {
	dir := t.TempDir()
	s := serviceAt(t, dir, "tok")
	renamed := bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1)
	other := bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 防災課\n"), 1)
	for _, text := range [][]byte{renamed, other} {
		if code, m := s.post(t, "/admin/reindex", text); code != 200 {
			t.Fatalf("reindex: %d %v", code, m)
		}
	}
	vs := s.versions(t)
	if len(vs) != 3 {
		t.Fatalf("%d versions", len(vs))
	}
	// v2's text is changed behind the service's back.
	b, _ := os.ReadFile(filepath.Join(dir, vs[1].ID+".txt"))
	os.WriteFile(filepath.Join(dir, vs[1].ID+".txt"), bytes.Replace(b, []byte("危機管理課"), []byte("総務課"), 1), 0o644)
	code, m := s.post(t, "/admin/rollback?version="+vs[1].ID, nil)
	if code != http.StatusConflict || m["damaged"] != true || !strings.Contains(m["error"].(string), "damaged") {
		t.Errorf("rollback to a damaged version: %d %v", code, m)
	}
	if hazardDept(t, s) != "防災課" || s.statusVersion(t) != vs[2].ID {
		t.Errorf("a refused rollback changed the plan")
	}
	if code, m := s.post(t, "/admin/rollback?version="+vs[0].ID, nil); code != 200 || m["rollback"] != true {
		t.Errorf("rollback to v1: %d %v", code, m)
	}
	if hazardDept(t, s) != "地域防災対策室" {
		t.Error("rollback not served")
	}
	// v3 becomes current again and is cut short: a restart serves v1,
	// the newest intact version, and says so in status.
	if code, _ := s.post(t, "/admin/rollback?version="+vs[2].ID, nil); code != 200 {
		t.Fatal("rollback to v3")
	}
	os.Truncate(filepath.Join(dir, vs[2].ID+".txt"), 1000)
	s.Close()
	s2 := serviceAt(t, dir, "tok")
	if got := s2.statusVersion(t); got != vs[0].ID {
		t.Errorf("restart serves %s, want the newest intact %s", got, vs[0].ID)
	}
	if hazardDept(t, s2) != "地域防災対策室" {
		t.Error("restart answers from a damaged version")
	}
	damaged := map[string]string{}
	for _, v := range s2.versions(t) {
		damaged[v.ID] = v.Damaged
	}
	if damaged[vs[2].ID] == "" || damaged[vs[0].ID] != "" {
		t.Errorf("versions list damage: %v", damaged)
	}
}

// TestFeedbackByKey: votes are counted by the action's stable key, so
// they follow it when a reindex renumbers it, leave the list (but stay
// stored) when a reindex removes it, and come back with it.
func TestFeedbackByKey(t *testing.T) {
	s := serviceAt(t, t.TempDir(), "tok")
	hazard := data.Default().Items[0]
	voters := 0
	vote := func(id string, helpful bool) {
		t.Helper()
		voters++ // each vote from another resident
		if code, b := s.vote(t, fmt.Sprint("198.51.100.", voters), id, helpful); code != http.StatusNoContent {
			t.Fatalf("vote %s: %d %s", id, code, b)
		}
	}
	type counts struct {
		Actions []struct {
			ID, Key, Content string
			Helpful          int
			NotHelpful       int `json:"not_helpful"`
		}
		OtherKeys int `json:"other_keys"`
	}
	get := func() counts {
		t.Helper()
		_, b := s.do(t, "GET", "/admin/feedback", "tok", nil)
		var c counts
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("feedback: %s", b)
		}
		return c
	}
	vote("1.1.1.1", true)
	vote("1.1.1.1", true)
	vote("1.1.1.1", false)
	// A new first action: the hazard map action becomes 1.1.1.2.
	seed := string(data.DefaultText())
	inserted := strings.Replace(seed, hazard.Content, "市の公式アプリで防災情報を配信する。 情報政策課\n"+hazard.Content, 1)
	if code, m := s.post(t, "/admin/reindex", []byte(inserted)); code != 200 {
		t.Fatalf("reindex: %d %v", code, m)
	}
	c := get()
	if len(c.Actions) != 1 || c.Actions[0].ID != "1.1.1.2" || c.Actions[0].Key != hazard.Key() || c.Actions[0].Helpful != 2 || c.Actions[0].NotHelpful != 1 {
		t.Fatalf("after renumbering: %+v", c)
	}
	// A vote for 1.1.1.1 now counts for the new action.
	vote("1.1.1.1", true)
	if c := get(); len(c.Actions) != 2 || c.Actions[0].ID != "1.1.1.1" || c.Actions[0].Helpful != 1 || c.Actions[1].Helpful != 2 {
		t.Errorf("vote after renumbering: %+v", c)
	}
	// The hazard map action removed: it leaves the list, its counts stay.
	removed := strings.Replace(inserted, hazard.Content+" 地域防災対策室\n", "", 1)
	if code, m := s.post(t, "/admin/reindex", []byte(removed)); code != 200 {
		t.Fatalf("reindex: %d %v", code, m)
	}
	if c := get(); len(c.Actions) != 1 || c.OtherKeys != 1 || c.Actions[0].Content == hazard.Content {
		t.Errorf("after removal: %+v", c)
	}
	if code, _ := s.post(t, "/admin/reindex", data.DefaultText()); code != 200 {
		t.Fatal("reindex back")
	}
	if c := get(); len(c.Actions) != 1 || c.Actions[0].ID != "1.1.1.1" || c.Actions[0].Helpful != 2 || c.OtherKeys != 1 {
		t.Errorf("after the action returned: %+v", c)
	}
}

// TestAdminPageReloadAndFeedback: the admin page sends the file as it is
// (its name goes to the version list), reloads the configured plan with
// its button, and lists feedback per action of the plan served.
func TestAdminPageReloadAndFeedback(t *testing.T) {
	s := serviceAt(t, t.TempDir(), "tok")
	b, _ := json.Marshal(map[string]any{"id": "1.1.1.2", "helpful": true})
	if code, _ := s.do(t, "POST", "/api/feedback", "", b); code != http.StatusNoContent {
		t.Fatal("vote")
	}
	file := filepath.Join(t.TempDir(), "新しい計画.txt")
	os.WriteFile(file, bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1), 0o644)
	configured := filepath.Join(t.TempDir(), "configured.txt")
	os.WriteFile(configured, bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 防災課\n"), 1), 0o644)
	s.reloader.PlanSource = configured
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin"),
		chromedp.SetValue(chromedp.CSS("#token"), "tok"),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#panel")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#reindex button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="versions"][contains(., "admin page: 新しい計画.txt")]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if hazardDept(t, s) != "危機管理課" {
		t.Error("upload not served")
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#reload")),
		chromedp.WaitVisible(chromedp.Search(`//pre[@id="report"][contains(., "危機管理課 → 防災課")]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#feedback")))
	if err != nil || !strings.Contains(fb, "1.1.1.2 [秘書課]") || !strings.Contains(fb, "👍 1 / 👎 0") {
		t.Errorf("feedback list: %q %v", fb, err)
	}
}

// downStore is a feedback and not-covered store whose backing service is
// down.
type downStore struct{}

var errDown = errors.New("redis unavailable: circuit open")

func (downStore) Vote(context.Context, string, string, bool) error      { return errDown }
func (downStore) Counts(context.Context) (map[string]chat.Votes, error) { return nil, errDown }
func (downStore) Add(context.Context, bot.Question) error               { return errDown }
func (downStore) Recent(context.Context, int) ([]bot.Question, error)   { return nil, errDown }

// TestAdminStoreDown: the admin lists and charts answer 503 with Retry-After, as
// votes do, while their store is down.
func TestAdminStoreDown(t *testing.T) {
	s, _ := serviceWith(t, bot.Deps{Feedback: downStore{}, Unanswered: downStore{}})
	for _, path := range []string{"/admin/feedback", "/admin/unanswered", "/admin/stats", "/admin/charts/feedback.svg", "/admin/charts/words.svg"} {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q", path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
}
