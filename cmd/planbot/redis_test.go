package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"planbot/data"
	"planbot/data/versions"
)

// adminToken is long enough for the service's minimum.
const adminToken = "test-admin-token-0123456789"

// answerBound is the generous bound on one answer while Redis is away or
// hung (calls to Redis time out after 50 ms; the breaker refuses at once).
const answerBound = 500 * time.Millisecond

// redisAt starts redis-server on port (0: a free one) until the test ends
// and returns its URL and process; the test stops only this process, by PID.
func redisAt(t *testing.T, port int) (string, *os.Process) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server not installed (CI must install it: see .ci/run)")
		}
		t.Skip("redis-server not installed: apt-get install redis-server")
	}
	if port == 0 {
		port = freePort(t)
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, "redis-server to listen", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return "redis://" + addr + "/0", cmd.Process
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// get returns the status and body of GET base+path.
func get(t *testing.T, base, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// admin posts to an admin route with the token.
func admin(t *testing.T, base, path string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// askFast asks through the web API and fails the test beyond answerBound.
func askFast(t *testing.T, base, q string) {
	t.Helper()
	start := time.Now()
	code, body := get(t, base, "/api/ask?q="+url.QueryEscape(q))
	if d := time.Since(start); d > answerBound {
		t.Errorf("ask %q took %v (bound %v)", q, d, answerBound)
	}
	if code != 200 || !strings.Contains(body, `"answers"`) {
		t.Errorf("ask %q: %d %s", q, code, body)
	}
}

func redisEnv(dir, redisURL string, kv ...string) func(string) string {
	return env(append([]string{"PLANBOT_DATA_DIR", dir, "PLANBOT_ADMIN_TOKEN", adminToken, "PLANBOT_ADDR", "127.0.0.1:0",
		"PLANBOT_REDIS_URL", redisURL}, kv...)...)
}

// TestServeWithoutRedis: the service starts with Redis stopped, answers,
// reports itself degraded and refuses plan changes (503, nothing applied);
// when redis-server starts it reconnects, is ready, and a reindex reaches
// another replica.
func TestServeWithoutRedis(t *testing.T) {
	port := freePort(t)
	redisURL := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	s := startServe(t, redisEnv(filepath.Join(t.TempDir(), "a"), redisURL))
	for _, q := range []string{"ハザードマップの担当は？", "地方債", "今日の天気は？"} {
		askFast(t, s.base, q)
	}
	if code, body := get(t, s.base, "/readyz"); code != 200 || !strings.Contains(body, "degraded") {
		t.Errorf("readyz with Redis down: %d %q", code, body)
	}
	if _, body := get(t, s.base, "/metrics"); !strings.Contains(body, "planbot_redis_up 0") {
		t.Error("metrics lack planbot_redis_up 0")
	}
	before, _ := statusOf(t, s.base)
	if before == "" {
		t.Fatal("no version served")
	}
	code, body := admin(t, s.base, "/admin/reindex", renamedPlan)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "Redis") || !strings.Contains(body, "not changed") {
		t.Errorf("reindex with Redis down: %d %s", code, body)
	}
	if code, _ := admin(t, s.base, "/admin/rollback?version="+before, nil); code != http.StatusServiceUnavailable {
		t.Errorf("rollback with Redis down: %d", code)
	}
	if v, _ := statusOf(t, s.base); v != before {
		t.Errorf("a refused reindex changed the version: %s → %s", before, v)
	}

	redisAt(t, port)
	waitFor(t, "readyz without degraded", func() bool { _, body := get(t, s.base, "/readyz"); return body == "ready\n" })
	if _, body := get(t, s.base, "/metrics"); !strings.Contains(body, "planbot_redis_up 1") {
		t.Error("metrics lack planbot_redis_up 1 after reconnecting")
	}
	if code, body := admin(t, s.base, "/admin/reindex", renamedPlan); code != 200 {
		t.Fatalf("reindex after reconnecting: %d %s", code, body)
	}
	// A replica started now serves the shared version.
	s2 := startServe(t, redisEnv(filepath.Join(t.TempDir(), "b"), redisURL))
	waitFor(t, "the second replica to serve the shared version", func() bool {
		var st struct{ Version struct{ Hash string } }
		req, _ := http.NewRequest("GET", s2.base+"/admin/status", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		return st.Version.Hash == versions.Hash(versions.Normalize(renamedPlan))
	})
	logs := s.logs.String()
	for _, want := range []string{"REDIS UNREACHABLE at start", "redis reachable", `"component":"go-redis"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
}

// lineAPI is LINE's Messaging API as far as replies go: it collects the
// reply tokens it is sent.
func lineAPI(t *testing.T) (*httptest.Server, chan string) {
	replies := make(chan string, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v2/bot/message/reply" {
			var body struct {
				ReplyToken string `json:"replyToken"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			replies <- body.ReplyToken
		}
		w.Write([]byte(`{"userId":"UBOT","ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, replies
}

// lineEvent is a signed LINE webhook delivery of one text message.
func lineEvent(t *testing.T, base, secret string, i int) {
	t.Helper()
	body := fmt.Sprintf(`{"destination":"UBOT","events":[{"type":"message","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":"U%032d"},"webhookEventId":"01HHUNG%019d","deliveryContext":{"isRedelivery":false},`+
		`"replyToken":"token-%d","message":{"id":"%d","type":"text","quoteToken":"q","text":"ハザードマップの担当は？"}}]}`,
		time.Now().UnixMilli(), i, i, i, i)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest("POST", base+"/line/webhook", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-line-signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}
}

// TestServeRedisHung: with redis-server stopped by SIGSTOP, answers on
// the web stay within the bound and LINE events are answered, not stuck;
// /readyz says degraded; when it continues, the service is ready again.
func TestServeRedisHung(t *testing.T) {
	redisURL, proc := redisAt(t, 0)
	api, replies := lineAPI(t)
	const secret = "line-channel-secret"
	s := startServe(t, redisEnv(t.TempDir(), redisURL, "LINE_CHANNEL_SECRET", secret, "LINE_CHANNEL_ACCESS_TOKEN", "tok",
		"LINE_API_BASE_URL", api.URL, "PLANBOT_RATE_LIMIT", "1000"))
	askFast(t, s.base, "地方債") // connections to Redis in the pool
	if _, body := get(t, s.base, "/readyz"); body != "ready\n" {
		t.Fatalf("readyz with Redis up: %q", body)
	}
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const events = 50
	start := time.Now()
	for i := range events {
		lineEvent(t, s.base, secret, i)
	}
	for i := range 10 {
		askFast(t, s.base, fmt.Sprintf("ハザードマップ %d", i))
	}
	got := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for len(got) < events {
		select {
		case tok := <-replies:
			got[tok] = true
		case <-timeout:
			t.Fatalf("%d of %d LINE events answered in 10 s with Redis hung", len(got), events)
		}
	}
	// Each event waits at most one Redis time-out before the breaker opens.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("%d LINE events took %v with Redis hung", events, d)
	}
	waitFor(t, "readyz degraded", func() bool { _, body := get(t, s.base, "/readyz"); return strings.Contains(body, "degraded") })
	if code, body := admin(t, s.base, "/admin/reindex", renamedPlan); code != http.StatusServiceUnavailable {
		t.Errorf("reindex with Redis hung: %d %s", code, body)
	}
	proc.Signal(syscall.SIGCONT)
	waitFor(t, "readyz ready", func() bool { _, body := get(t, s.base, "/readyz"); return body == "ready\n" })
	if code, body := admin(t, s.base, "/admin/reindex", renamedPlan); code != 200 {
		t.Errorf("reindex after Redis continued: %d %s", code, body)
	}
}

// TestPlanChangesWaitForRedis: with Redis down, /plan reindex in Slack is
// refused with the reason, and --watch does not load a changed file; once
// Redis is back, the watch loads it.
func TestPlanChangesWaitForRedis(t *testing.T) {
	port := freePort(t)
	slack := newFakeSlack(t)
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, data.DefaultText(), 0o644)
	const secret = "signing-secret"
	s := startServe(t, redisEnv(t.TempDir(), fmt.Sprintf("redis://127.0.0.1:%d/0", port), "PLANBOT_PLAN", file,
		"PLANBOT_WATCH_INTERVAL", "200ms", "SLACK_BOT_TOKEN", "xoxb-t", "SLACK_SIGNING_SECRET", secret,
		"SLACK_ADMIN_USERS", "UADMIN", "SLACK_API_URL", slack.URL+"/"), "--watch")
	before, _ := statusOf(t, s.base)
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
	waitFor(t, "the Slack reindex to be refused", func() bool {
		l := s.logs.String()
		return strings.Contains(l, "slack: reindex") && strings.Contains(l, "the plan was not changed: Redis")
	})
	waitFor(t, "the watch to wait for Redis", func() bool {
		return strings.Contains(s.logs.String(), "watch: not checking the plan while Redis is unreachable")
	})
	time.Sleep(time.Second) // five watch intervals
	if v, _ := statusOf(t, s.base); v != before {
		t.Fatalf("plan changed with Redis down: %s → %s", before, v)
	}

	redisAt(t, port)
	waitFor(t, "the watch to load the file once Redis is back", func() bool { v, _ := statusOf(t, s.base); return v != before })
}
