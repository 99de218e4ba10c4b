package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"planbot/bot"
	"planbot/data/versions"
	"planbot/index"
)

// adminToken is the admin token of the services these tests start.
const adminToken = "admin-token-0123456789"

// serviceWith is a real service on the embedded plan with d's limits,
// proxies and logger (Live, Reloader and AdminToken are filled in).
func serviceWith(t testing.TB, d bot.Deps) (*service, http.Handler) {
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
	d.Live, d.Reloader, d.AdminToken = r.Live, r, adminToken
	h := bot.NewServer(d)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &service{Server: srv, reloader: r}, h
}

// from is an HTTP client whose connections come from the loopback
// address ip (127.0.0.2, …: every 127/8 address is the local host).
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, u string, header ...string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBehindReverseProxy: behind a reverse proxy (httputil.ReverseProxy,
// which appends the peer to X-Forwarded-For as nginx's
// $proxy_add_x_forwarded_for does), a noisy client is limited and
// another client behind the same proxy is not, whatever the noisy one
// writes into X-Forwarded-For itself.
func TestBehindReverseProxy(t *testing.T) {
	s, _ := serviceWith(t, bot.Deps{Limiter: &bot.MemLimiter{Rate: 1, Burst: 3},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	target, _ := url.Parse(s.URL)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target)) // on 127.0.0.1
	t.Cleanup(proxy.Close)
	noisy, quiet := from("127.0.0.2"), from("127.0.0.3")
	ask := proxy.URL + "/api/ask?q=" + url.QueryEscape("ハザードマップの担当は？")
	limited := 0
	for i := range 10 {
		// Forged addresses to the left of the proxy's own entry change nothing.
		if get(t, noisy, ask, "X-Forwarded-For", fmt.Sprint("203.0.113.", i)) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 5 {
		t.Errorf("noisy client limited %d times of 10", limited)
	}
	if code := get(t, quiet, ask); code != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d", code)
	}
	// The noisy client straight to the service is not a trusted proxy: its
	// X-Forwarded-For is ignored and it is the same client.
	if code := get(t, noisy, s.URL+"/api/ask?q=x", "X-Forwarded-For", "198.51.100.7"); code != http.StatusTooManyRequests {
		t.Errorf("spoofed X-Forwarded-For from an untrusted peer: %d", code)
	}
}

// keys records the client names a limiter is asked about.
type keys struct {
	mu   sync.Mutex
	seen []string
}

func (k *keys) Allow(_ context.Context, client string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seen = append(k.seen, client)
	return true
}

func (k *keys) last() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.seen) == 0 {
		return ""
	}
	return k.seen[len(k.seen)-1]
}

// TestClientAddress: whom a request counts for, by peer and headers.
func TestClientAddress(t *testing.T) {
	k := &keys{}
	proxies, err := bot.ParseProxies(" 10.0.0.0/8, 2001:db8:ffff::/48,192.0.2.1 ")
	if err != nil {
		t.Fatal(err)
	}
	_, h := serviceWith(t, bot.Deps{Limiter: k, TrustedProxies: proxies})
	for _, c := range []struct {
		peer, xff, fwd, want string
	}{
		{"203.0.113.9:5000", "", "", "203.0.113.9"},
		{"203.0.113.9:5000", "198.51.100.1", "for=198.51.100.2", "203.0.113.9"}, // untrusted peer: headers ignored
		{"10.1.2.3:5000", "", "", "10.1.2.3"},                                   // the proxy's own request
		{"10.1.2.3:5000", "198.51.100.1, 203.0.113.5", "", "203.0.113.5"},       // rightmost
		{"10.1.2.3:5000", "198.51.100.1, 203.0.113.5, 10.9.9.9", "", "203.0.113.5"},
		{"192.0.2.1:5000", "203.0.113.5, 192.0.2.1", "", "203.0.113.5"},
		{"10.1.2.3:5000", "", `for=192.0.2.60;proto=https;by=10.0.0.1, for="10.0.0.7"`, "192.0.2.60"},
		{"10.1.2.3:5000", "", `For="[2001:db8:1:2::5]:4711"`, "2001:db8:1:2::/64"},
		{"10.1.2.3:5000", "", `for=unknown`, "10.1.2.3"},
		{"10.1.2.3:5000", "198.51.100.1", `for=198.51.100.1`, "198.51.100.1"},
		{"10.1.2.3:5000", "198.51.100.1", `for=6.6.6.6`, "10.1.2.3"}, // they disagree: neither is believed
		{"[::ffff:10.1.2.3]:5000", "198.51.100.4", "", "198.51.100.4"},
		{"[2001:db8:ffff:1::1]:5000", "2001:db8:aa:bb::1", "", "2001:db8:aa:bb::/64"},
		// IPv6 clients count by their /64.
		{"[2001:db8:1:2::5]:5000", "", "", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:5000", "", "", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::5]:5000", "", "", "2001:db8:1:3::/64"},
	} {
		req := httptest.NewRequest("GET", "/api/ask?q=x", nil)
		req.RemoteAddr = c.peer
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.fwd != "" {
			req.Header.Set("Forwarded", c.fwd)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got := k.last(); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q, Forwarded %q: client %q, want %q", c.peer, c.xff, c.fwd, got, c.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "not-an-address", "10.0.0.0/8,,x", "fe80::1%eth0"} {
		if _, err := bot.ParseProxies(bad); err == nil || !strings.Contains(err.Error(), "PLANBOT_TRUSTED_PROXIES") {
			t.Errorf("ParseProxies(%q): %v", bad, err)
		}
	}
}

// TestMappedProxies: proxies written in IPv4-mapped form (::ffff:10.0.0.0/104,
// as some tools print IPv4 peers) are the IPv4 proxies they name.
func TestMappedProxies(t *testing.T) {
	k := &keys{}
	proxies, err := bot.ParseProxies("::ffff:10.0.0.0/104, ::ffff:192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	_, h := serviceWith(t, bot.Deps{Limiter: k, TrustedProxies: proxies})
	for _, c := range []struct{ peer, xff, want string }{
		{"10.1.2.3:5000", "203.0.113.5", "203.0.113.5"},
		{"[::ffff:10.1.2.3]:5000", "203.0.113.5", "203.0.113.5"},
		{"192.0.2.1:5000", "203.0.113.5, 10.9.9.9", "203.0.113.5"},
		{"192.0.2.2:5000", "203.0.113.5", "192.0.2.2"},
	} {
		req := httptest.NewRequest("GET", "/api/ask?q=x", nil)
		req.RemoteAddr = c.peer
		req.Header.Set("X-Forwarded-For", c.xff)
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got := k.last(); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %q, want %q", c.peer, c.xff, got, c.want)
		}
	}
}

// TestIPv6Grouped: two addresses of one /64 share a bucket; another /64
// has its own.
func TestIPv6Grouped(t *testing.T) {
	_, h := serviceWith(t, bot.Deps{Limiter: &bot.MemLimiter{Rate: 0.001, Burst: 2}})
	code := func(peer string) int {
		req := httptest.NewRequest("GET", "/api/ask?q=x", nil)
		req.RemoteAddr = peer
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	got := []int{code("[2001:db8:1:2::1]:1"), code("[2001:db8:1:2::2]:1"), code("[2001:db8:1:2:abcd::9]:1"), code("[2001:db8:1:3::1]:1")}
	if got[0] != 200 || got[1] != 200 || got[2] != http.StatusTooManyRequests || got[3] != 200 {
		t.Errorf("codes %v, want [200 200 429 200]", got)
	}
}

// TestLimiterBounded: the table holds at most Max clients, and new clients
// beyond that push out the least recently seen, never everyone at once: a
// client that is limited stays limited while others come and go.
func TestLimiterBounded(t *testing.T) {
	ctx := context.Background()
	l := &bot.MemLimiter{Rate: 0.001, Burst: 1, Max: 1000}
	l.Allow(ctx, "noisy")
	for i := range 5000 {
		if i%100 == 0 && l.Allow(ctx, "noisy") {
			t.Fatalf("the noisy client was let through after %d others", i)
		}
		l.Allow(ctx, fmt.Sprint("client-", i))
		if l.Len() > 1000 {
			t.Fatalf("%d clients held", l.Len())
		}
	}
	if l.Len() != 1000 {
		t.Errorf("%d clients held, want 1000", l.Len())
	}
}

// TestAdminOwnBucket: requests with the admin token are not counted in
// the public bucket, and the public rate does not stop the admin; a wrong
// token is counted there.
func TestAdminOwnBucket(t *testing.T) {
	s, _ := serviceWith(t, bot.Deps{Limiter: &bot.MemLimiter{Rate: 0.001, Burst: 2}})
	bearer := "Bearer " + adminToken
	for i := range 10 {
		if code := get(t, http.DefaultClient, s.URL+"/admin/status", "Authorization", bearer); code != 200 {
			t.Fatalf("admin request %d: %d", i, code)
		}
	}
	if code := get(t, http.DefaultClient, s.URL+"/api/ask?q=x"); code != 200 {
		t.Errorf("public request after admin requests: %d", code)
	}
	get(t, http.DefaultClient, s.URL+"/api/ask?q=x")
	if code := get(t, http.DefaultClient, s.URL+"/api/ask?q=x"); code != http.StatusTooManyRequests {
		t.Errorf("third public request: %d", code)
	}
	for _, p := range []string{"/admin/status", "/admin/versions", "/api/ask?q=x"} {
		if code := get(t, http.DefaultClient, s.URL+p, "Authorization", bearer); code != 200 {
			t.Errorf("%s with the token, public bucket empty: %d", p, code)
		}
	}
	if code := get(t, http.DefaultClient, s.URL+"/admin/status", "Authorization", "Bearer wrong-token-0123456789"); code != http.StatusTooManyRequests {
		t.Errorf("wrong token, public bucket empty: %d", code)
	}
}

// logLines is a slog JSON log in memory.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) lines(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && strings.Contains(fmt.Sprint(m["msg"]), msg) {
			out = append(out, m)
		}
	}
	return out
}

// TestAdminAuth: the Bearer scheme in any case; failed logins logged as
// at most a line a second with their true count.
func TestAdminAuth(t *testing.T) {
	logs := &logLines{}
	s, _ := serviceWith(t, bot.Deps{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	for auth, want := range map[string]int{
		"Bearer " + adminToken: 200, "bearer " + adminToken: 200, "BEARER " + adminToken: 200, "BeArEr  " + adminToken + " ": 200,
		"Basic " + adminToken: 401, "Bearer": 401, adminToken: 401, "Bearer " + adminToken + "x": 401, "": 401,
	} {
		if code := get(t, http.DefaultClient, s.URL+"/admin/status", "Authorization", auth); code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, code, want)
		}
	}
	// 4 failures with a wrong token above (no Authorization at all is no
	// login), 50 more now.
	for i := range 50 {
		get(t, http.DefaultClient, s.URL+"/admin/versions", "Authorization", fmt.Sprint("Bearer guess-", i))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		lines, total := logs.lines("admin: failed logins"), 0.0
		for _, l := range lines {
			total += l["dropped"].(float64)
		}
		if total == 54 {
			if len(lines) > 3 {
				t.Errorf("%d log lines for 54 failed logins", len(lines))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("failed logins logged: %v (%.0f counted, want 54)", lines, total)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSecurityHeaders: every page, /static/ file, JSON answer and chart
// forbids framing and sniffing and carries the CSP (a chart's narrower one
// still with frame-ancestors 'none').
func TestSecurityHeaders(t *testing.T) {
	s, _ := serviceWith(t, bot.Deps{})
	for _, p := range []string{"/", "/admin", "/static/app.js", "/static/style.css", "/static/admin.js", "/api/ask?q=x", "/api/ask", "/admin/status", "/healthz", "/static/nothing",
		"/admin/charts/channels.svg"} {
		req, _ := http.NewRequest("GET", s.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") && !strings.Contains(csp, "default-src 'none'") ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): CSP %q, X-Frame-Options %q, X-Content-Type-Options %q", p, resp.StatusCode,
				h.Get("Content-Security-Policy"), h.Get("X-Frame-Options"), h.Get("X-Content-Type-Options"))
		}
	}
}

// TestRollbackVersionValidated: a version ID not of the store's form is
// 400 and the answer repeats neither it nor any path.
func TestRollbackVersionValidated(t *testing.T) {
	s, _ := serviceWith(t, bot.Deps{})
	dir := os.TempDir() // the data dir is under it
	for _, q := range []string{"%00", "../", "..%2F..%2Fetc%2Fpasswd", "0001-abcdef12%00", "0001-ABCDEF12", "0001-abcdef12/../x", "%2Fetc%2Fpasswd"} {
		req, _ := http.NewRequest("POST", s.URL+"/admin/rollback?version="+q, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(body.String(), dir) || strings.Contains(body.String(), "..") || strings.Contains(body.String(), "passwd") {
			t.Errorf("version=%s: %d %s", q, resp.StatusCode, body.String())
		}
	}
	req, _ := http.NewRequest("POST", s.URL+"/admin/rollback", strings.NewReader(`{"version":"../../etc/passwd"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("version in the body: %v %v", resp.StatusCode, err)
	}
	if code, _ := s.do(t, "POST", "/admin/rollback?version=0099-00000000", adminToken, nil); code != http.StatusNotFound {
		t.Errorf("well-formed unknown version: %d", code)
	}
}
