package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"planbot/data"
	"planbot/data/versions"
)

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

// running is a planbot serve started by a test.
type running struct {
	base string
	logs *syncBuffer
	stop func() error
}

// startServe runs "planbot serve args…" with getenv until the test ends
// (or stop), and returns its base URL once it listens.
func startServe(t *testing.T, getenv func(string) string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), getenv, strings.NewReader(""), pw, logs)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve did not start: %v\n%s", <-done, logs.String())
	}
	go io.Copy(io.Discard, pr)
	var once sync.Once
	var result error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				result = fmt.Errorf("serve did not shut down")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return &running{base: strings.TrimSuffix(strings.TrimSpace(line[strings.Index(line, "http://"):]), "/"), logs: logs, stop: stop}
}

func (s *running) status(t *testing.T) (version string, items int) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/admin/status", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Items   int
		Version struct{ ID string }
	}
	json.NewDecoder(resp.Body).Decode(&st)
	return st.Version.ID, st.Items
}

// waitFor polls cond for up to 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fakeSlack is Slack's Web API as far as announcements go: auth.test and
// chat.postMessage, whose texts it collects.
type fakeSlack struct {
	*httptest.Server
	mu    sync.Mutex
	posts []string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			r.ParseForm()
			f.mu.Lock()
			f.posts = append(f.posts, r.Form.Get("channel")+"|"+r.Form.Get("text"))
			f.mu.Unlock()
		}
		w.Write([]byte(`{"ok":true,"user_id":"UBOT","channel":"C0PLAN","ts":"1.0"}`))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posts...)
}

var (
	renamedPlan = bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1)
	otherPlan   = bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 防災課\n"), 1)
)

// TestOfflineRefusedWhileServing: an offline reindex or rollback on the
// data dir of a running service is refused and names the service and
// how to reach it; through --server the same reindex reaches it, and
// versions then names the version served.
func TestOfflineRefusedWhileServing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	e := env("PLANBOT_DATA_DIR", dir, "PLANBOT_ADMIN_TOKEN", testToken, "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_RATE_LIMIT", "0")
	s := startServe(t, e)
	served, _ := s.status(t)
	file := filepath.Join(t.TempDir(), "new.txt")
	os.WriteFile(file, renamedPlan, 0o644)
	_, _, err := runCmd(t, "", e, "reindex", "--plan", file)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("a service (pid %d", os.Getpid())) || !strings.Contains(err.Error(), "--server "+s.base) {
		t.Fatalf("offline reindex on a served dir: %v", err)
	}
	if _, _, err := runCmd(t, "", e, "rollback", served); err == nil || !strings.Contains(err.Error(), "--server "+s.base) {
		t.Errorf("offline rollback on a served dir: %v", err)
	}
	if vs, _ := versions.Open(dir); vs != nil {
		if all, _ := vs.List(); len(all) != 1 {
			t.Errorf("%d versions after refused offline commands", len(all))
		}
	}
	// Through the service: served, and versions says so.
	out, _, err := runCmd(t, "", e, "reindex", "--plan", file, "--server", s.base)
	if err != nil || !strings.Contains(out, "serving version") || !strings.Contains(out, "地域防災対策室 → 危機管理課") {
		t.Fatalf("reindex --server: %q %v", out, err)
	}
	now, _ := s.status(t)
	out, _, _ = runCmd(t, "", e, "versions")
	if !strings.Contains(out, "*  "+now) || now == served {
		t.Errorf("versions after reindex (serving %s):\n%s", now, out)
	}
	// A second service on the same dir is refused too.
	if _, _, err := runCmd(t, "", e, "serve"); err == nil || !strings.Contains(err.Error(), "a service (pid") {
		t.Errorf("second service on the dir: %v", err)
	}
	// Stopped, the dir is free for offline commands.
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCmd(t, "", e, "rollback", served)
	if err != nil || !strings.Contains(out, "stored version "+served) {
		t.Errorf("offline rollback after stop: %q %v", out, err)
	}
}

// TestReindexCommand: --plan or --reload, never an empty file; a URL.
func TestReindexCommand(t *testing.T) {
	dir := t.TempDir()
	e := env("PLANBOT_DATA_DIR", filepath.Join(dir, "store"), "PLANBOT_PLAN", filepath.Join(dir, "configured.txt"))
	os.WriteFile(filepath.Join(dir, "configured.txt"), otherPlan, 0o644)
	if _, _, err := runCmd(t, "", e, "reindex"); err == nil || !strings.Contains(err.Error(), "--reload") {
		t.Errorf("reindex without a plan (PLANBOT_PLAN set): %v", err)
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("\r\n"), 0o644)
	if _, _, err := runCmd(t, "", e, "reindex", "--plan", empty); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("reindex of an empty file: %v", err)
	}
	if _, _, err := runCmd(t, "", e, "reindex", "--plan", empty, "--reload"); err == nil {
		t.Error("--plan and --reload together accepted")
	}
	// The first use of the dir stores the configured plan; --reload then
	// finds it unchanged.
	out, _, err := runCmd(t, "", e, "reindex", "--reload")
	if err != nil || !strings.Contains(out, "変更なし") {
		t.Errorf("reindex --reload: %q %v", out, err)
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(renamedPlan)
	}))
	defer page.Close()
	out, _, err = runCmd(t, "", e, "reindex", "--plan", page.URL+"/plan.txt", "--json")
	var rep struct {
		Version versions.Version
		Diff    data.Diff
	}
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.Version.Source != page.URL+"/plan.txt" ||
		rep.Version.ContentType != "text/plain; charset=utf-8" || len(rep.Diff.Changed) != 1 {
		t.Errorf("reindex --plan URL: %q %v", out, err)
	}
	// plan --plan URL parses the page's text.
	out, _, err = runCmd(t, "", env(), "plan", "--plan", page.URL+"/plan.txt")
	if err != nil || !strings.Contains(out, "危機管理課") {
		t.Errorf("plan --plan URL: %v", err)
	}
	if _, _, err := runCmd(t, "", env(), "plan", "--plan", "http://127.0.0.1:1/plan"); err == nil {
		t.Error("plan from an unreachable URL accepted")
	}
}

// TestWatchURL: serve --plan URL --watch polls with conditional GETs,
// reindexes a changed page through the same validation (a broken one is
// refused and logged), and announces every reindex — watch, admin API,
// the command line through the service, rollback — to the Slack channel.
func TestWatchURL(t *testing.T) {
	var mu sync.Mutex
	body := data.DefaultText()
	var full, notModified atomic.Int32
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := body
		mu.Unlock()
		tag := fmt.Sprintf(`"%s"`, versions.Hash(b)[:12])
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(b)
	}))
	defer page.Close()
	setPage := func(b []byte) { mu.Lock(); body = b; mu.Unlock() }
	slack := newFakeSlack(t)
	dir := filepath.Join(t.TempDir(), "store")
	e := env("PLANBOT_DATA_DIR", dir, "PLANBOT_ADMIN_TOKEN", testToken, "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_RATE_LIMIT", "0",
		"PLANBOT_WATCH_INTERVAL", "50ms", "SLACK_BOT_TOKEN", "xoxb-t", "SLACK_API_URL", slack.URL+"/", "SLACK_ANNOUNCE_CHANNEL", "C0PLAN")
	s := startServe(t, e, "--plan", page.URL+"/keikaku.html", "--watch")
	first, _ := s.status(t)
	waitFor(t, "conditional GETs", func() bool { return notModified.Load() >= 3 })
	if full.Load() != 2 { // the boot's reload and the watch's first poll
		t.Errorf("%d full fetches of an unchanged page", full.Load())
	}
	setPage(renamedPlan)
	waitFor(t, "the watch to reindex", func() bool { v, _ := s.status(t); return v != first })
	// A broken page is refused; the service keeps its plan.
	watched, _ := s.status(t)
	setPage([]byte("第6次行財政改革大綱に基づく実施計画\n1 市民参画\n"))
	waitFor(t, "the refusal to be logged", func() bool { return strings.Contains(s.logs.String(), "watch: reindex refused") })
	if v, items := s.status(t); v != watched || items != 50 {
		t.Errorf("after a broken page: serving %s with %d actions", v, items)
	}
	// Through the service from the command line, and a rollback.
	file := filepath.Join(t.TempDir(), "other.txt")
	os.WriteFile(file, otherPlan, 0o644)
	if _, _, err := runCmd(t, "", e, "reindex", "--plan", file, "--server", s.base); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, "", e, "rollback", first, "--server", s.base); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three announcements", func() bool { return len(slack.all()) >= 3 })
	posts := slack.all()
	if len(posts) != 3 {
		t.Fatalf("announcements: %q", posts)
	}
	for i, want := range []string{"[地域防災対策室 → 危機管理課]", "[危機管理課 → 防災課]", "rolled back"} {
		if !strings.HasPrefix(posts[i], "C0PLAN|📋 planbot:") || !strings.Contains(posts[i], want) {
			t.Errorf("announcement %d lacks %q: %s", i, want, posts[i])
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// TestWatchAtStart: a watched file that changed while the service was
// down is loaded at start; without --watch the service starts on the
// version it served last.
func TestWatchAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, data.DefaultText(), 0o644)
	e := env("PLANBOT_DATA_DIR", dir, "PLANBOT_ADMIN_TOKEN", testToken, "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_RATE_LIMIT", "0")
	s := startServe(t, e, "--plan", file, "--watch")
	first, _ := s.status(t)
	s.stop()
	os.WriteFile(file, renamedPlan, 0o644)
	s = startServe(t, e, "--plan", file)
	if v, _ := s.status(t); v != first {
		t.Errorf("without --watch started on %s, want %s", v, first)
	}
	s.stop()
	s = startServe(t, e, "--plan", file, "--watch")
	waitFor(t, "the changed file to be loaded", func() bool { v, _ := s.status(t); return v != first })
	// An emptied file is refused (never a reload, never an empty plan).
	loaded, _ := s.status(t)
	os.WriteFile(file, nil, 0o644)
	waitFor(t, "the refusal", func() bool { return strings.Contains(s.logs.String(), "empty plan text") })
	if v, items := s.status(t); v != loaded || items != 50 {
		t.Errorf("after emptying the file: %s, %d actions", v, items)
	}
}

// TestSlackReindexAnnounced: /plan reindex from an admin reloads the
// configured plan, answers with the report and announces it.
func TestSlackReindexAnnounced(t *testing.T) {
	slack := newFakeSlack(t)
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, data.DefaultText(), 0o644)
	const secret = "signing-secret"
	e := env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADMIN_TOKEN", testToken, "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_RATE_LIMIT", "0",
		"PLANBOT_PLAN", file, "SLACK_BOT_TOKEN", "xoxb-t", "SLACK_SIGNING_SECRET", secret, "SLACK_ADMIN_USERS", "UADMIN",
		"SLACK_API_URL", slack.URL+"/", "SLACK_ANNOUNCE_CHANNEL", "#plan-updates")
	s := startServe(t, e)
	os.WriteFile(file, renamedPlan, 0o644)
	form := "command=%2Fplan&text=reindex&user_id=UADMIN&response_url=" + slack.URL + "%2Fresponse"
	ts := fmt.Sprint(time.Now().Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	req, _ := http.NewRequest("POST", s.base+"/slack/commands", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("slash command: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	waitFor(t, "the announcement", func() bool { return len(slack.all()) > 0 })
	if p := slack.all()[0]; !strings.HasPrefix(p, "#plan-updates|") || !strings.Contains(p, "[地域防災対策室 → 危機管理課]") || !strings.Contains(p, "file "+file) {
		t.Errorf("announcement: %s", p)
	}
}

// TestPageByURL: the city's page (Shift_JIS, its charset in the
// Content-Type) by URL for plan and serve, and a saved copy of it (UTF-8)
// pushed to the service, which finds it the same plan.
func TestPageByURL(t *testing.T) {
	sjis, err := os.ReadFile("../../data/testdata/soma-plan-sjis.html")
	if err != nil {
		t.Skip("no fixture page:", err)
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=Shift_JIS")
		w.Write(sjis)
	}))
	defer page.Close()
	out, _, err := runCmd(t, "", env(), "plan", "--json", "--plan", page.URL+"/keikaku.html")
	var p data.Plan
	if err != nil || json.Unmarshal([]byte(out), &p) != nil || len(p.Items) != 50 {
		t.Fatalf("plan --plan URL: %v (%d actions)", err, len(p.Items))
	}
	dir := filepath.Join(t.TempDir(), "store")
	e := env("PLANBOT_DATA_DIR", dir, "PLANBOT_ADMIN_TOKEN", testToken, "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_RATE_LIMIT", "0",
		"PLANBOT_PLAN", page.URL+"/keikaku.html")
	s := startServe(t, e)
	if _, items := s.status(t); items != 50 {
		t.Errorf("serving %d actions from the page", items)
	}
	store, _ := versions.Open(dir)
	if v, _, err := store.Current(); err != nil || v.ContentType != "text/html; charset=Shift_JIS" || v.Source != page.URL+"/keikaku.html" {
		t.Errorf("stored version: %+v %v", v, err)
	}
	out, _, err = runCmd(t, "", e, "reindex", "--plan", "../../data/testdata/soma-plan.html", "--server", s.base)
	if err != nil || !strings.Contains(out, "変更なし") {
		t.Errorf("the same page saved as UTF-8: %q %v", out, err)
	}
}
