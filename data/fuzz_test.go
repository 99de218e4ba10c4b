package data

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"
)

// checkParsed is what every parse must give: a plan whose every action
// has text and a department, or a *ParseError and no plan.
func checkParsed(t *testing.T, p *Plan, err error) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *ParseError", err)
		}
		if p != nil {
			t.Fatal("plan returned with error")
		}
		return
	}
	if p == nil || len(p.Items) == 0 {
		t.Fatal("nil error with no items")
	}
	for _, it := range p.Items {
		if strings.TrimSpace(it.Content) == "" || it.ID == "" || len(it.Departments) == 0 {
			t.Fatalf("item without text, ID or department: %+v", it)
		}
		for _, d := range it.Departments {
			if strings.TrimSpace(d) == "" {
				t.Fatalf("empty department in %+v", it)
			}
		}
	}
}

// timed fails a parse that takes long: every parser is linear.
func timed(t *testing.T, n int, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > 2*time.Second+time.Duration(n)*50*time.Microsecond {
		t.Fatalf("%d bytes took %v", n, d)
	}
}

func FuzzParseHTML(f *testing.F) {
	for _, name := range []string{"soma-plan.html", "soma-plan-variant.html", "soma-plan-sjis.html"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(page(planHead + "<h4>取組</h4><table><tr><th>実施内容</th><th>担当課</th></tr><tr><td>A。</td><td rowspan=2>総務課<br>財政課</td></tr><tr><td>B。</td></tr></table>")))
	f.Add([]byte("<table><tr><th>実施内容<th>担当課<tr><td rowspan=0><td colspan=99>課</table>"))
	f.Add([]byte("<h2>1 方針</h2><h3>(1)施策</h3><p><b>取組</b><table><caption>取組</caption><thead><tr><td>実施内容</td><td>担当課</td></tr></thead><tr><td>&nbsp;</td><td>－</td></tr></table><h2>この記事に関するお問い合わせ先</h2><p>課<br>〒976-8601<p>更新日：令和元年5月1日</html>"))
	f.Add([]byte("<!DOCTYPE html><form><h1>T</h1><svg><title><table><tr><th>実施内容</th><th>担当課</th></tr></table></title></svg></form>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p *Plan
		var err error
		timed(t, len(b), func() { p, err = ParseSource(b, "text/html") })
		checkParsed(t, p, err)
	})
}

// FuzzParseSource: any bytes, no Content-Type: the charset and the kind
// of source are guessed.
func FuzzParseSource(f *testing.F) {
	f.Add(DefaultText())
	sjis, _ := japanese.ShiftJIS.NewEncoder().Bytes(DefaultText())
	f.Add(sjis)
	euc, _ := japanese.EUCJP.NewEncoder().Bytes(DefaultText())
	f.Add(euc)
	f.Add(readFixture(f, "soma-plan-sjis.html"))
	f.Add([]byte("\xef\xbb\xbf<!-- x --><!DOCTYPE html><meta charset=euc-jp>\xa4\xa2"))
	f.Add([]byte("\xff\xfeT\x00\n\x001\x00 \x00"))
	f.Add([]byte("T\n1 方針\n(1)施策\n取組\n実施内容\n担当課\nA B。\n\n総務課・財政課\n- 3 -\nこの記事に関するお問い合わせ先\n課\n電話:1-1\n更新日:令和元年1月1日\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p *Plan
		var err error
		timed(t, len(b), func() { p, err = ParseSource(b, "") })
		checkParsed(t, p, err)
	})
}
