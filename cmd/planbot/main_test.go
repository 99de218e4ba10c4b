package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"planbot/data"
)

// testToken is the admin token of the services the tests start (16
// characters at least, as serve requires).
const testToken = "test-admin-token-0123"

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, stdin string, getenv func(string) string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestAsk(t *testing.T) {
	out, _, err := runCmd(t, "", env(), "ask", "ハザードマップの担当は？")
	if err != nil || !strings.HasPrefix(out, "地域防災対策室") {
		t.Fatalf("ask: %q %v", out, err)
	}
	out, _, err = runCmd(t, "ハザードマップの担当は？\nwho handles hazard maps?\n今日の天気は？\n", env(), "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Query, Lang, Intent, Text string
		Answers                   []struct {
			ID, Content, Policy, Measure, Initiative string
			Departments                              []string
			Score                                    float64
		}
	}
	var answers []answer
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var a answer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		answers = append(answers, a)
	}
	if len(answers) != 3 {
		t.Fatalf("%d JSON lines, want 3", len(answers))
	}
	if a := answers[1]; a.Lang != "en" || a.Answers[0].Departments[0] != "地域防災対策室" || a.Answers[0].ID != "1.1.1.1" {
		t.Errorf("english: %+v", a)
	}
	if a := answers[2]; a.Intent != "not_covered" || a.Answers == nil || len(a.Answers) != 0 {
		t.Errorf("not covered: %+v", a)
	}
	if _, _, err := runCmd(t, "", env(), "ask"); !errors.Is(err, errUsage) {
		t.Errorf("ask without question: %v", err)
	}
}

func TestPlanCommand(t *testing.T) {
	out, _, err := runCmd(t, "", env(), "plan", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p data.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil || len(p.Items) != 50 || p.Contact.Phone != "0244-37-2120" {
		t.Fatalf("plan --json: %v %+v", err, p.Contact)
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n"), 0o644)
	_, _, err = runCmd(t, "", env(), "plan", "--plan", bad)
	if err == nil || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("broken --plan: %v", err)
	}
	if _, _, err := runCmd(t, "", env(), "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: %v", err)
	}
}

func TestReindexVersionsRollback(t *testing.T) {
	dir := t.TempDir()
	e := env("PLANBOT_DATA_DIR", filepath.Join(dir, "store"))
	renamed := filepath.Join(dir, "new.txt")
	os.WriteFile(renamed, bytes.Replace(data.DefaultText(), []byte(" 地域防災対策室\n"), []byte(" 危機管理課\n"), 1), 0o644)
	out, _, err := runCmd(t, "", e, "reindex", "--plan", renamed)
	if err != nil || !strings.Contains(out, "地域防災対策室 → 危機管理課") {
		t.Fatalf("reindex: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", e, "versions", "--json")
	var vs []struct{ ID string }
	if err != nil || json.Unmarshal([]byte(out), &vs) != nil || len(vs) != 2 {
		t.Fatalf("versions: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", e, "rollback", vs[0].ID)
	if err != nil || !strings.Contains(out, "危機管理課 → 地域防災対策室") {
		t.Fatalf("rollback: %q %v", out, err)
	}
}

// TestServe starts the real service, asks through the web API, reindexes
// through the admin API and shuts down on context cancel.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true,"user_id":"UBOT"}`)) // LINE and Slack APIs alike
	}))
	defer fake.Close()
	e := env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADMIN_TOKEN", testToken, "PLANBOT_ADDR", "127.0.0.1:0",
		"LINE_CHANNEL_SECRET", "s", "LINE_CHANNEL_ACCESS_TOKEN", "t", "LINE_API_BASE_URL", fake.URL,
		"SLACK_BOT_TOKEN", "xoxb-t", "SLACK_SIGNING_SECRET", "s", "SLACK_API_URL", fake.URL+"/")
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, e, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.TrimSuffix(strings.TrimSpace(line[strings.Index(line, "http://"):]), "/")
	resp, err := http.Get(base + "/api/ask?q=" + "%E5%9C%B0%E6%96%B9%E5%82%B5") // 地方債
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Answers []struct{ Departments []string }
	}
	json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if len(a.Answers) == 0 || a.Answers[0].Departments[0] != "財政課" {
		t.Errorf("api/ask: %+v", a)
	}
	// The channels are on: unsigned requests are refused, not 404.
	for path, want := range map[string]int{"/line/webhook": 400, "/slack/events": 401, "/slack/commands": 401} {
		resp, err := http.Post(base+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	req, _ := http.NewRequest("POST", base+"/admin/reindex", strings.NewReader("T\n1 方針\n壊れた行\n"))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("broken reindex: %v %v", resp.Status, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// TestBadSettings checks that serve refuses a setting it cannot use, naming
// it, instead of starting with a default.
func TestBadSettings(t *testing.T) {
	for name, value := range map[string]string{"PLANBOT_RATE_LIMIT": "fast", "LINE_WORKERS": "0", "LINE_API_RATE": "2k", "SLACK_WORKERS": "-1",
		"PLANBOT_KEEP_VERSIONS": "0", "PLANBOT_WATCH_INTERVAL": "often"} {
		e := env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADDR", "127.0.0.1:0",
			"LINE_CHANNEL_SECRET", "s", "LINE_CHANNEL_ACCESS_TOKEN", "t", name, value)
		_, _, err := runCmd(t, "", e, "serve")
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), strconv.Quote(value)) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
}
