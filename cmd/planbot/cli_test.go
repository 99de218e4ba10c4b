package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"planbot/data"
)

// TestFlagsAnywhere: flags after the arguments count as before them.
func TestFlagsAnywhere(t *testing.T) {
	out, _, err := runCmd(t, "", env(), "ask", "ハザードマップの担当は？", "--json")
	var a struct{ Intent, Query string }
	if err != nil || json.Unmarshal([]byte(out), &a) != nil || a.Query != "ハザードマップの担当は？" || a.Intent != "who" {
		t.Errorf("ask Q --json: %q %v", out, err)
	}
	// "--" ends the flags: what follows is the question, dashes and all.
	out, _, err = runCmd(t, "", env(), "ask", "--json", "--", "--plan")
	if err != nil || !strings.Contains(out, `"query":"--plan"`) {
		t.Errorf("ask -- --plan: %q %v", out, err)
	}

	// rollback VERSION --server URL reaches the server with that version.
	var mu sync.Mutex
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"version":{"id":"0001-abcdef12","items":50},"rollback":true,"text":""}`))
	}))
	defer srv.Close()
	e := env("PLANBOT_ADMIN_TOKEN", adminToken, "PLANBOT_DATA_DIR", t.TempDir())
	out, _, err = runCmd(t, "", e, "rollback", "0001-abcdef12", "--server", srv.URL)
	if err != nil || !strings.Contains(out, "0001-abcdef12") {
		t.Errorf("rollback VERSION --server URL: %q %v", out, err)
	}
	// reindex FILE --server URL --force: the file is the plan.
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, data.DefaultText(), 0o644)
	if _, _, err := runCmd(t, "", e, "reindex", file, "--server", srv.URL, "--force"); err != nil {
		t.Errorf("reindex FILE --server URL --force: %v", err)
	}
	mu.Lock()
	want := []string{"POST /admin/rollback?version=0001-abcdef12 Bearer " + adminToken, "POST /admin/reindex?force=1 Bearer " + adminToken}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("server calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	mu.Unlock()

	// Too many or too few arguments are refused, not half-used.
	for _, args := range [][]string{
		{"rollback", "0001-abcdef12", "0002-abcdef12", "--server", srv.URL},
		{"rollback", "--server", srv.URL},
		{"versions", "extra"},
		{"serve", "extra", "--addr", "127.0.0.1:0"},
		{"ask", "q", "--no-such-flag"},
	} {
		if _, _, err := runCmd(t, "", e, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want bad usage", args, err)
		}
	}
}

// TestHelp: --help and -h on every command print its usage to stdout and
// succeed (exit 0), before anything is loaded or started.
func TestHelp(t *testing.T) {
	for _, cmd := range []string{"ask", "plan", "serve", "reindex", "versions", "rollback"} {
		for _, flag := range []string{"--help", "-h"} {
			out, errOut, err := runCmd(t, "", env("PLANBOT_ADDR", "127.0.0.1:0"), cmd, flag)
			if err != nil || !strings.Contains(out, "usage: planbot "+cmd) || !strings.Contains(out, "flags") || errOut != "" {
				t.Errorf("%s %s: err %v, stdout %q, stderr %q", cmd, flag, err, out, errOut)
			}
		}
	}
	out, _, err := runCmd(t, "", env(), "rollback", "0001-x", "--help")
	if err != nil || !strings.Contains(out, "--server") {
		t.Errorf("rollback V --help: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", env(), "help", "serve")
	if err != nil || !strings.Contains(out, "usage: planbot serve") {
		t.Errorf("help serve: %q %v", out, err)
	}
	// A bad flag prints the usage to stderr and is bad usage (exit 2).
	out, errOut, err := runCmd(t, "", env(), "plan", "--frobnicate")
	if !errors.Is(err, errUsage) || out != "" || !strings.Contains(errOut, "usage: planbot plan") {
		t.Errorf("bad flag: %v %q %q", err, out, errOut)
	}
}

// TestServeStalePlan: serve --plan FILE on a data dir that serves
// another version says which version it serves and how to load the file;
// --reload loads it.
func TestServeStalePlan(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, data.DefaultText(), 0o644)
	e := env("PLANBOT_DATA_DIR", dir, "PLANBOT_ADMIN_TOKEN", adminToken, "PLANBOT_ADDR", "127.0.0.1:0")
	s := startServe(t, e, "--plan", file)
	first, _ := statusOf(t, s.base)
	if first == "" {
		t.Fatal("no version served")
	}
	s.stop()
	if strings.Contains(s.logs.String(), "differs") {
		t.Error("notice on the first start, where the file is the version served")
	}

	os.WriteFile(file, renamedPlan, 0o644)
	out := &syncBuffer{}
	s = startServeOut(t, e, out, "--plan", file)
	waitFor(t, "the notice", func() bool { return strings.Contains(out.String(), "differs") })
	for _, want := range []string{"serving stored version " + first, file, "--reload", "planbot reindex --reload --server " + s.base} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("notice lacks %q:\n%s", want, out)
		}
	}
	if v, _ := statusOf(t, s.base); v != first {
		t.Errorf("serving %s, want the stored %s", v, first)
	}
	s.stop()

	s = startServe(t, e, "--plan", file, "--reload")
	if v, items := statusOf(t, s.base); v == first || items != 50 {
		t.Errorf("--reload: serving %s (%d actions), want a new version", v, items)
	}
	s.stop()
	// A plan --reload cannot accept stops the start, naming why.
	os.WriteFile(file, []byte("T\n1 方針\n壊れた行\n"), 0o644)
	if _, _, err := runCmd(t, "", e, "serve", "--plan", file, "--reload"); err == nil || !strings.Contains(err.Error(), "--reload") {
		t.Errorf("--reload of a broken plan: %v", err)
	}
}

// startServeOut is startServe with the service's stdout after its first
// line copied to out.
func startServeOut(t *testing.T, getenv func(string) string, out io.Writer, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), getenv, strings.NewReader(""), pw, logs)
		pw.Close()
	}()
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve did not start: %v\n%s", <-done, logs.String())
	}
	go io.Copy(out, br)
	var once sync.Once
	var result error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				result = errors.New("serve did not shut down")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return &running{base: strings.TrimSuffix(strings.TrimSpace(line[strings.Index(line, "http://"):]), "/"), logs: logs, stop: stop}
}

// statusOf is the version and action count /admin/status reports.
func statusOf(t *testing.T, base string) (version string, items int) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/admin/status", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
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
