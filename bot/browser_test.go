package bot_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"planbot/data"
)

// browser starts headless Chromium for the test. Without Chromium the test
// is skipped on a developer machine and fails in CI, which installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed (CI must install it: see .ci/run)")
		}
		t.Skip("chromium not installed: apt-get install chromium")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844), // a phone
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// askInPage types a question into the web chat and returns the text of
// the first answer card.
func askInPage(ctx context.Context, q string) (string, error) {
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#q"), q),
		chromedp.Click(chromedp.CSS("#ask")),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="results"]/article[contains(@class, "answer-card")]`)),
	)
	if err != nil {
		return "", err
	}
	return chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#results")))
}

func TestWebChatInBrowser(t *testing.T) {
	s := newService(t, "", nil)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ q, want string }{
		{"ハザードマップの担当は？", "地域防災対策室"},
		{"who handles hazard maps?", "Community Disaster Prevention Office (地域防災対策室)"},
		{"今日の天気は？", "0244-37-2120"},
	} {
		text, err := askInPage(ctx, tc.q)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%q: page shows %q, want %q", tc.q, text, tc.want)
		}
		if tc.q == "ハザードマップの担当は？" && (!strings.Contains(text, "更新日 2023-10-17") || !strings.Contains(text, "›")) {
			t.Errorf("answer card lacks the plan date or path: %q", text)
		}
	}
	if shot := os.Getenv("PLANBOT_SCREENSHOT"); shot != "" {
		askInPage(ctx, "ハザードマップの担当は？")
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(shot, png, 0o644)
		}
	}
}

func TestAdminPageInBrowser(t *testing.T) {
	s := newService(t, "tok", nil)
	file := filepath.Join(t.TempDir(), "new-plan.txt")
	renamed := strings.Replace(string(data.DefaultText()), " 地域防災対策室\n", " 危機管理課\n", 1)
	if err := os.WriteFile(file, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin"),
		chromedp.SetValue(chromedp.CSS("#token"), "tok"),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#panel")),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status")))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#reindex button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//pre[@id="report"][contains(., "version")]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	report, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#report")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, "2023-10-17") {
		t.Errorf("status: %q", status)
	}
	if !strings.Contains(report, "地域防災対策室 → 危機管理課") {
		t.Errorf("report: %q", report)
	}
	if a := s.ask(t, "ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("upload did not reindex: %v", a.Answers[0].Departments)
	}
}
