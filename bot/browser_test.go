package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"planbot/bot"
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

// The two widths every page is checked at: a phone and a laptop.
var widths = []int64{390, 1280}

// overflow is how far the page is wider than its viewport (0: no
// horizontal scrolling).
func overflow(t *testing.T, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// japaneseOutsideQuotes lists the visible texts and labels of the page in
// Japanese script that are not inside an element marked lang="ja" (what
// the page quotes from the plan), and the texts it marks Japanese.
const japaneseOutsideQuotes = `(() => {
  const JP = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
  const out = { bad: [], quoted: [] };
  const shown = (e) => e.getClientRects().length > 0;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()); ) {
    const p = n.parentElement;
    if (!JP.test(n.data) || !shown(p)) continue;
    if (p.closest("[lang]").lang === "ja") out.quoted.push(n.data);
    else out.bad.push(n.data);
  }
  for (const e of document.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
    for (const a of ["placeholder", "aria-label", "title", "alt"]) {
      const v = e.getAttribute(a);
      if (v && JP.test(v) && e.closest("[lang]").lang !== "ja") out.bad.push(a + "=" + v);
    }
  }
  if (JP.test(document.title)) out.bad.push("<title>" + document.title);
  return out;
})()`

// checkEnglish asserts that the page is framed in English: <html
// lang="en">, no Japanese label, and nothing marked Japanese that is not
// quoted from the plan or the answer (quotable holds what they say).
func checkEnglish(t *testing.T, ctx context.Context, what string, quotable ...string) {
	t.Helper()
	var got struct{ Bad, Quoted []string }
	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Bad, Quoted []string }](japaneseOutsideQuotes))
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); l != "en" {
		t.Errorf("%s: <html lang=%q>", what, l)
	}
	if len(got.Bad) > 0 {
		t.Errorf("%s: Japanese outside quoted plan text: %q", what, got.Bad)
	}
	all := strings.Join(quotable, "\n") + "\n日本語" // the language button names Japanese in Japanese
	var unquoted []string
	for _, q := range got.Quoted {
		for _, part := range strings.FieldsFunc(q, func(r rune) bool { return strings.ContainsRune(" \n›…“”\"()（）", r) }) {
			if !strings.Contains(all, part) {
				unquoted = append(unquoted, part)
			}
		}
	}
	if len(unquoted) > 0 {
		t.Errorf("%s: marked as quoted but neither the plan nor the answer says it: %q", what, unquoted)
	}
}

// answerJSON is what an answer and the plan say, for checkEnglish.
func (s *service) answerJSON(t *testing.T, q string) (index.Answer, string) {
	t.Helper()
	code, b := s.do(t, "GET", "/api/ask?q="+url.QueryEscape(q), "", nil)
	_, p := s.do(t, "GET", "/api/plan", "", nil)
	if code != 200 {
		t.Fatalf("%q: %d", q, code)
	}
	var a index.Answer
	json.Unmarshal(b, &a)
	return a, string(b) + string(p)
}

// TestWebChatEnglishInBrowser: an English answer of every shape is framed
// in English at a phone's and a laptop's width, with no Japanese label
// outside what is quoted from the plan; the plan's desk is named in
// English and said to be the desk for questions about the plan; a
// Japanese question turns the page back to Japanese.
func TestWebChatEnglishInBrowser(t *testing.T) {
	s := newService(t, "", nil)
	ctx := browser(t)
	for _, w := range widths {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844), chromedp.Navigate(s.URL+"/")); err != nil {
			t.Fatal(err)
		}
		// The page starts in the browser's language (headless Chromium:
		// English) before any question.
		_, plan := s.do(t, "GET", "/api/plan", "", nil)
		checkEnglish(t, ctx, fmt.Sprint(w, " start"), string(plan))

		a, quotable := s.answerJSON(t, "who handles hazard maps?")
		if err := askPage(ctx, a.Query, "#results .answer-card .feedback"); err != nil {
			t.Fatal(err)
		}
		checkEnglish(t, ctx, fmt.Sprint(w, " who"), quotable)
		contact := textOf(t, ctx, "#results .contact")
		if !strings.Contains(contact, "General Affairs Division, Administrative Management Section (総務課 行政管理係)") ||
			!strings.Contains(contact, "questions about the plan") || !strings.Contains(contact, "0244-37-2120") {
			t.Errorf("English contact line: %q", contact)
		}
		if b := textOf(t, ctx, "#ask"); b != "Ask" {
			t.Errorf("ask button %q", b)
		}
		if n := count(t, ctx, "#chips .chip"); n == 0 {
			t.Error("no chips")
		}

		for _, c := range []struct{ q, sel, open string }{
			{"what does the General Affairs Division do?", "#results .dept-list", "#results .dept-list li:nth-child(2) .item"},
			{"book lending", "#results .suggestion", "#results .suggestion"},
			{"what's the weather today?", "#results .contact", ""},
			{"who do I contact about the plan?", "#results .desk", ""},
			{"hello", "#results .message", ""},
		} {
			a, quotable := s.answerJSON(t, c.q)
			if err := askPage(ctx, c.q, c.sel); err != nil {
				t.Fatalf("%q (%s): %v", c.q, a.Intent, err)
			}
			checkEnglish(t, ctx, fmt.Sprint(w, " ", a.Intent), quotable)
			if c.open != "" {
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(c.open)), chromedp.WaitVisible(chromedp.CSS("#results .slot .answer-card"))); err != nil {
					t.Fatal(err)
				}
				checkEnglish(t, ctx, fmt.Sprint(w, " ", a.Intent, " card"), quotable)
			}
			if n := overflow(t, ctx); n > 0 {
				t.Errorf("%d px: %s answer overflows by %d px", w, a.Intent, n)
			}
		}
		// An English page asks about a related topic in English.
		if err := askPage(ctx, "who handles hazard maps?", "#results .feedback"); err != nil {
			t.Fatal(err)
		}
		related := textOf(t, ctx, "#chips .chip")
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#results").replaceChildren()`),
			chromedp.Click(chromedp.CSS("#chips .chip")), chromedp.WaitVisible(chromedp.CSS("#results .answer-card"))); err != nil {
			t.Fatal(err)
		}
		if q, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#q"))); !strings.HasPrefix(related, "Who is in charge of") {
			t.Errorf("related chip %q asked %q", related, q)
		} else {
			a, quotable := s.answerJSON(t, q)
			if a.Lang != index.English {
				t.Errorf("the related chip's question %q is answered in %s", q, a.Lang)
			}
			checkEnglish(t, ctx, fmt.Sprint(w, " related"), quotable)
		}

		// Back to Japanese with a Japanese question.
		if err := askPage(ctx, "ハザードマップの担当は？", "#results .feedback"); err != nil {
			t.Fatal(err)
		}
		l, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if b := textOf(t, ctx, "#ask"); l != "ja" || b != "質問する" || !strings.Contains(textOf(t, ctx, "#results .contact"), "この計画についてのお問い合わせ先") {
			t.Errorf("Japanese answer: lang %q, button %q, contact %q", l, b, textOf(t, ctx, "#results .contact"))
		}
		// The language button frames the same answer in English.
		_, quotable = s.answerJSON(t, "ハザードマップの担当は？")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#lang")), chromedp.WaitVisible(chromedp.Search(`//button[@id="ask"][.="Ask"]`))); err != nil {
			t.Fatal(err)
		}
		checkEnglish(t, ctx, fmt.Sprint(w, " switched"), quotable)
		if d := textOf(t, ctx, "#results .dept"); d != "Community Disaster Prevention Office (地域防災対策室)" {
			t.Errorf("switched to English: %q", d)
		}
	}
}

// TestWebChatLayoutInBrowser: at a phone's and a laptop's width nothing is
// wider than the page; the extra results of "ほかの候補" come above the
// plan's desk, which stays last; a department's actions are a short list
// whose items open their cards.
func TestWebChatLayoutInBrowser(t *testing.T) {
	s := newService(t, "", nil)
	ctx := browser(t)
	many := s.askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentWho && a.Topics < 2 && len(a.Answers) > 2 },
		"an answer with more results", "研修関係ぜんぶ", "staff training", "デジタル系の施策")
	dept := s.askFor(t, isDepartment, "a department answer", departmentJA...)
	for _, w := range widths {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844), chromedp.Navigate(s.URL+"/")); err != nil {
			t.Fatal(err)
		}
		if err := askPage(ctx, many.Query, "#results .more"); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#results .more")),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelectorAll("#results .answer-card").length === %d`, len(many.Answers)), chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, ctx, "#results .answer-card"); n != len(many.Answers) {
			t.Errorf("%d cards for %d results", n, len(many.Answers))
		}
		// Every card ends above the desk's line, which is the last thing.
		below, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
			const c = document.querySelector("#results .contact");
			if (c !== document.querySelector("#results").lastElementChild) return -1;
			const top = c.getBoundingClientRect().top;
			return [...document.querySelectorAll("#results .answer-card")].filter((e) => e.getBoundingClientRect().bottom > top).length;
		})()`))
		if err != nil || below != 0 {
			t.Errorf("%d px: %d cards below the desk's line (-1: it is not last)", w, below)
		}
		if n := overflow(t, ctx); n > 0 {
			t.Errorf("%d px: more results overflow by %d px", w, n)
		}

		if err := askPage(ctx, dept.Query, "#results .dept-list"); err != nil {
			t.Fatal(err)
		}
		h, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("#results").getBoundingClientRect().height`))
		if n := count(t, ctx, "#results .feedback"); n != 0 || h > 1400 {
			t.Errorf("%d px: department answer is %d px high with %d cards open", w, h, n)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#results .dept-list li:nth-child(3) .item")),
			chromedp.WaitVisible(chromedp.CSS("#results .dept-list li:nth-child(3) .answer-card .feedback"))); err != nil {
			t.Fatal(err)
		}
		if card := textOf(t, ctx, "#results .dept-list li:nth-child(3) .answer-card"); !strings.Contains(card, dept.Answers[2].Content) {
			t.Errorf("the third item opened %q", card)
		}
		if n := overflow(t, ctx); n > 0 {
			t.Errorf("%d px: department answer overflows by %d px", w, n)
		}
		if err := askPage(ctx, longJA, "#results .answer-card"); err != nil {
			t.Fatal(err)
		}
		if n := overflow(t, ctx); n > 0 {
			t.Errorf("%d px: long message overflows by %d px", w, n)
		}
	}
}

// gate is a Limiter that lets requests through only when open.
type gate struct{ open atomic.Bool }

func (g *gate) Allow(context.Context, string) bool { return g.open.Load() }

// TestWebChatErrorsInBrowser: a rate-limited question, a service still
// loading and a service out of reach each get a styled message in the
// language of the page, and a button to ask again, which works once the
// service answers.
func TestWebChatErrorsInBrowser(t *testing.T) {
	g := &gate{}
	s := newService(t, "", g)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, want, lang, retry string }{
		{"ハザードマップの担当は？", "質問が続いたため", "ja", "もう一度"},
		{"who handles hazard maps?", "Too many questions at once", "en", "Try again"},
	} {
		if err := askPage(ctx, c.q, "#results .answer-card.error[role=alert]"); err != nil {
			t.Fatal(err)
		}
		msg := textOf(t, ctx, "#results .error .message")
		l, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if !strings.Contains(msg, c.want) || l != c.lang || textOf(t, ctx, "#results .error .retry") != c.retry || strings.Contains(msg, "too many requests") {
			t.Errorf("429 for %q: %q (page %s)", c.q, msg, l)
		}
		if c.lang == "en" {
			checkEnglish(t, ctx, "429", s.reloader.Live.Current().Plan().Title)
		}
		if color, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#results .error")).backgroundColor`)); color == "rgb(255, 255, 255)" || color == "rgba(0, 0, 0, 0)" {
			t.Errorf("error card not styled: background %s", color)
		}
	}
	// The service asked to wait (Retry-After): the button waits too, then
	// asks again.
	g.open.Store(true)
	err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#results .error .retry")), chromedp.Click(chromedp.CSS("#results .error .retry")),
		chromedp.WaitVisible(chromedp.CSS("#results .feedback")))
	if err != nil {
		t.Fatal(err)
	}

	// Still loading: 503.
	loading := httptest.NewServer(bot.NewServer(bot.Deps{Live: &index.Live{}}))
	defer loading.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(loading.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if err := askPage(ctx, "ハザードマップの担当は？", "#results .error"); err != nil {
		t.Fatal(err)
	}
	if msg := textOf(t, ctx, "#results .error .message"); !strings.Contains(msg, "準備中") {
		t.Errorf("503: %q", msg)
	}
	// Out of reach.
	loading.Close()
	if err := askPage(ctx, "who handles hazard maps?", "#results .error"); err != nil {
		t.Fatal(err)
	}
	if msg := textOf(t, ctx, "#results .error .message"); !strings.Contains(msg, "Could not reach the service") {
		t.Errorf("network error: %q", msg)
	}
	if n := overflow(t, ctx); n > 0 {
		t.Errorf("error overflows by %d px", n)
	}
}

// TestAdminPageMobileInBrowser: the admin page at a phone's and a laptop's
// width: nothing wider than the page, the versions table with headers,
// the charts drawn from the counts, and a rollback only after it is
// confirmed.
func TestAdminPageMobileInBrowser(t *testing.T) {
	metrics := bot.NewMetrics()
	now := time.Now()
	for ago, n := range map[int]int{0: 3, 1: 2, 7: 5, 29: 1} {
		for range n {
			metrics.Daily.Count(context.Background(), bot.DayOf(now.AddDate(0, 0, -ago)), "line", bot.Answered)
		}
	}
	metrics.Daily.Count(context.Background(), bot.DayOf(now), "slack", bot.NotCovered)
	s := newServiceWith(t, "tok", nil, func(d *bot.Deps) { d.Metrics = metrics })
	for _, q := range []string{"今日の天気は？", "映画館はありますか"} {
		if a := s.ask(t, q); a.Intent != index.IntentNotCovered {
			t.Fatalf("%q: %s", q, a.Intent)
		}
	}
	b, _ := json.Marshal(map[string]any{"id": "1.1.1.1", "helpful": true})
	s.do(t, "POST", "/api/feedback", "", b)
	// A second version, so that there is one to roll back to.
	renamed := strings.Replace(string(data.DefaultText()), " 地域防災対策室\n", " 危機管理課\n", 1)
	if code, rep := s.post(t, "/admin/reindex", []byte(renamed)); code != 200 {
		t.Fatalf("reindex: %d %v", code, rep)
	}
	first := s.versions(t)[0].ID
	served := s.statusVersion(t)

	ctx := browser(t)
	for _, w := range widths {
		// Log in afresh: the token of the last round is forgotten first.
		err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844), chromedp.Navigate(s.URL+"/healthz"),
			chromedp.Evaluate[chromedp.Void](`sessionStorage.clear()`), chromedp.Navigate(s.URL+"/admin"),
			chromedp.SetValue(chromedp.CSS("#token"), "tok"), chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#panel")), chromedp.WaitReady(chromedp.CSS("#chart-feedback svg")),
			chromedp.WaitReady(chromedp.CSS("#chart-channels svg")), chromedp.WaitReady(chromedp.CSS("#chart-words svg")))
		if err != nil {
			t.Fatal(err)
		}
		if n := overflow(t, ctx); n > 0 {
			t.Errorf("%d px: admin page overflows by %d px", w, n)
		}
		if n := count(t, ctx, "#versions thead th"); n != 6 || count(t, ctx, "#versions tbody tr") != 2 {
			t.Errorf("%d px: versions table with %d headers, %d rows", w, n, count(t, ctx, "#versions tbody tr"))
		}
		if w == 390 {
			// On a phone each version is a card whose lines say what they are.
			if line := textOf(t, ctx, "#versions tbody tr:first-child td:nth-child(2)"); line == "" {
				t.Error("empty version line")
			}
			lbl, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#versions tbody td[data-label]"), "::before").content`))
			if !strings.Contains(lbl, "version") {
				t.Errorf("version lines are not labelled on a phone: %s", lbl)
			}
		}
		// The charts: 30 days of columns; LINE on 4 days and Slack and the
		// web today; 2 web questions not covered and 1 from Slack.
		if n := count(t, ctx, "#chart-channels svg .col"); n != 30 {
			t.Errorf("%d columns by channel", n)
		}
		if n := count(t, ctx, "#chart-channels svg .bar"); n != 6 {
			t.Errorf("%d bars by channel, want 6", n)
		}
		if n := count(t, ctx, "#chart-outcomes svg .bar"); n != 5 {
			t.Errorf("%d bars by outcome, want 5 (answered on 4 days, not covered today)", n)
		}
		if n := count(t, ctx, "#chart-feedback svg .row"); n != 1 {
			t.Errorf("%d feedback rows", n)
		}
		if words, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#chart-words svg"))); !strings.Contains(words, "天気") || !strings.Contains(words, "映画館") {
			t.Errorf("words chart: %q", words)
		}
		if sum := textOf(t, ctx, "#summary"); !strings.Contains(sum, "14 questions") {
			t.Errorf("summary %q", sum)
		}
		if wd, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("#chart-channels svg").getBoundingClientRect().width`)); wd < 300 || wd > 720 {
			t.Errorf("%d px: the chart is %d px wide", w, wd)
		}
	}

	// Rollback: cancelled, nothing happens; confirmed, the version is served.
	rollback := fmt.Sprintf(`#versions button.rollback[data-version=%q]`, first)
	err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(rollback)), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	if err != nil {
		t.Fatal(err)
	}
	if text := textOf(t, ctx, "#confirm-text"); !strings.Contains(text, first) {
		t.Errorf("confirmation %q", text)
	}
	if n := overflow(t, ctx); n > 0 {
		t.Errorf("confirmation overflows by %d px", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#confirm-cancel")), chromedp.WaitNotVisible(chromedp.CSS("#confirm"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if v := s.statusVersion(t); v != served {
		t.Fatalf("rolled back without confirmation: %s", v)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(rollback)), chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm-ok")), chromedp.WaitVisible(chromedp.Search(`//pre[@id="report"][contains(., "`+first+`")]`)))
	if err != nil {
		t.Fatal(err)
	}
	if v := s.statusVersion(t); v != first {
		t.Errorf("confirmed rollback: serving %s, want %s", v, first)
	}
}
