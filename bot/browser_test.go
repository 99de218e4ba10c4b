package bot_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"planbot/data"
	"planbot/index"
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

// askPage clears the results, asks q in the web chat and waits for sel.
func askPage(ctx context.Context, q, sel string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#results").replaceChildren()`),
		chromedp.SetValue(chromedp.CSS("#q"), q),
		chromedp.Click(chromedp.CSS("#ask")),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return s
}

// TestWebChatShapesInBrowser: did-you-mean chips that open their cards,
// the contact desk without action things, a department's summary and list
// whose items open their cards, both cards of a two-topic question, and the
// note on a long message.
func TestWebChatShapesInBrowser(t *testing.T) {
	s := newService(t, "", nil)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}

	t.Run("suggest", func(t *testing.T) {
		for _, a := range []index.Answer{s.askFor(t, isSuggest, "a did-you-mean answer", suggestJA...), s.askFor(t, isSuggest, "an English one", suggestEN...)} {
			if err := askPage(ctx, a.Query, "#results .suggestion"); err != nil {
				t.Fatal(err)
			}
			if n := count(t, ctx, "#results .suggestion"); n != len(a.Suggestions) || count(t, ctx, "#results .feedback") != 0 {
				t.Errorf("%q: %d chips for %d suggestions", a.Query, n, len(a.Suggestions))
			}
			if !strings.Contains(textOf(t, ctx, "#results .message"), strings.SplitN(a.Text, "\n", 2)[0]) {
				t.Errorf("%q: the message is not shown", a.Query)
			}
			last := len(a.Suggestions)
			m := a.Suggestions[last-1]
			chip := textOf(t, ctx, fmt.Sprintf("#results .suggestion:nth-child(%d)", last))
			if dept := m.Departments[0]; a.Lang == index.English && len(m.DepartmentsEN) > 0 {
				if !strings.Contains(chip, m.DepartmentsEN[0]) {
					t.Errorf("English chip %q", chip)
				}
			} else if !strings.Contains(chip, dept) {
				t.Errorf("chip %q lacks %s", chip, dept)
			}
			err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#results .suggestion:nth-child(%d)", last))),
				chromedp.WaitVisible(chromedp.CSS("#results .slot .answer-card .feedback")))
			if err != nil {
				t.Fatal(err)
			}
			if card := textOf(t, ctx, "#results .slot"); !strings.Contains(card, m.Content) || !strings.Contains(card, "›") {
				t.Errorf("%q: the choice's card: %q", a.Query, card)
			}
			if a.Lang == index.English && !strings.Contains(textOf(t, ctx, "#results .slot"), "Helpful") {
				t.Errorf("English card without English labels")
			}
		}
	})

	t.Run("contact", func(t *testing.T) {
		a := s.askFor(t, isContact, "a contact answer", "この計画の問い合わせ先は？")
		if err := askPage(ctx, a.Query, "#results .answer-card"); err != nil {
			t.Fatal(err)
		}
		text := textOf(t, ctx, "#results")
		for _, want := range []string{"行政管理係", "〒976-8601", "0244-37-2120"} {
			if !strings.Contains(text, want) {
				t.Errorf("contact answer lacks %s: %q", want, text)
			}
		}
		if count(t, ctx, "#results .feedback") != 0 || count(t, ctx, "#results .path") != 0 || count(t, ctx, "#results .more") != 0 || count(t, ctx, `#results a[href^="tel:"]`) == 0 {
			t.Errorf("contact answer shown as an action: %q", text)
		}
	})

	t.Run("department", func(t *testing.T) {
		a := s.askFor(t, isDepartment, "a department answer", departmentJA...)
		if err := askPage(ctx, a.Query, "#results .dept-list"); err != nil {
			t.Fatal(err)
		}
		summary := strings.SplitN(a.Text, "\n", 2)[0]
		if got := textOf(t, ctx, "#results .lead"); got != summary {
			t.Errorf("summary %q, want %q", got, summary)
		}
		if n := count(t, ctx, "#results .dept-list li"); n != len(a.Answers) || count(t, ctx, "#results .feedback") != 0 {
			t.Errorf("%d lines for %d actions, %d cards open", n, len(a.Answers), count(t, ctx, "#results .feedback"))
		}
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#results .dept-list li:nth-child(2) .item")),
			chromedp.WaitVisible(chromedp.CSS("#results .dept-list li:nth-child(2) .answer-card")))
		if err != nil {
			t.Fatal(err)
		}
		if card := textOf(t, ctx, "#results .dept-list li:nth-child(2) .answer-card"); !strings.Contains(card, a.Answers[1].Content) || count(t, ctx, "#results .feedback") != 1 {
			t.Errorf("listed action's card: %q", card)
		}
	})

	t.Run("two topics", func(t *testing.T) {
		a := s.askFor(t, isTwoTopics, "a two-topic answer", topicsJA...)
		if err := askPage(ctx, a.Query, "#results > p.lead"); err != nil {
			t.Fatal(err)
		}
		text := textOf(t, ctx, "#results")
		if n := count(t, ctx, "#results > article.answer-card"); n != 2 || !strings.Contains(textOf(t, ctx, "#results > p.lead"), "2") ||
			!strings.Contains(text, a.Answers[0].Content) || !strings.Contains(text, a.Answers[1].Content) {
			t.Errorf("two topics: %d cards: %q", n, text)
		}
	})

	t.Run("long message", func(t *testing.T) {
		a := s.askFor(t, func(a index.Answer) bool { return a.Truncated }, "a truncated answer", longJA)
		if err := askPage(ctx, a.Query, "#results > p.lead"); err != nil {
			t.Fatal(err)
		}
		if note := textOf(t, ctx, "#results > p.lead"); note != strings.SplitN(a.Text, "\n", 2)[0] || count(t, ctx, "#results > article.answer-card") != 1 {
			t.Errorf("note %q", note)
		}
	})
}
