package data

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPageFixtures: the city's page, as saved from two kinds of CMS and
// in Shift_JIS, gives the seed plan, whatever Content-Type comes with it.
func TestPageFixtures(t *testing.T) {
	for _, tc := range []struct{ file, contentType string }{
		{"soma-plan.html", ""},
		{"soma-plan.html", "text/html; charset=UTF-8"},
		{"soma-plan.html", "text/html"},
		{"soma-plan.html", "application/octet-stream"},
		{"soma-plan.html", "text/plain; charset=utf-8"}, // a server that knows no better: the markup decides
		{"soma-plan-variant.html", ""},
		{"soma-plan-variant.html", "application/xhtml+xml"},
		{"soma-plan-sjis.html", ""},                             // <meta http-equiv … charset=Shift_JIS>
		{"soma-plan-sjis.html", "text/html; charset=Shift_JIS"}, // as the server says
		{"soma-plan-sjis.html", `text/html; charset="shift_jis"`},
		{"soma-plan-sjis.html", "text/html; charset=UTF-8"}, // a wrong declaration: the bytes decide
		{"soma-plan-sjis.html", "text/html; charset=ISO-8859-1"},
	} {
		t.Run(tc.file+" "+tc.contentType, func(t *testing.T) {
			p, err := ParseSource(readFixture(t, tc.file), tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if d := sameItems(p, Default()); d != "" {
				t.Error(d)
			}
			if p.Title != Default().Title {
				t.Errorf("title %q", p.Title)
			}
		})
	}
}

// TestPageLines: an item's Line is the line of its row's <tr> in the
// page's source (the fixture has a <tr> on a line of its own).
func TestPageLines(t *testing.T) {
	for _, f := range []string{"soma-plan.html", "soma-plan-sjis.html", "soma-plan-variant.html"} {
		b := readFixture(t, f)
		p, err := ParseSource(b, "")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for _, it := range p.Items {
			if !strings.HasPrefix(lines[it.Line-1], "<tr") {
				t.Errorf("%s %s: line %d is %q", f, it.ID, it.Line, lines[it.Line-1])
			}
		}
	}
}

// TestPageChrome: the contact desk is the article's, never the site
// footer's switchboard; a page without its contact box or 更新日 is
// refused rather than completed from the chrome.
func TestPageChrome(t *testing.T) {
	page := string(readFixture(t, "soma-plan.html"))
	cut := func(from, to string) string {
		i, j := strings.Index(page, from), strings.Index(page, to)
		if i < 0 || j < i {
			t.Fatalf("fixture lacks %q…%q", from, to)
		}
		return page[:i] + page[j:]
	}
	for _, tc := range []struct{ name, page, want string }{
		{"no contact box", cut(`<div id="tmp_contact">`, `<div id="tmp_hyouka">`), "contact box"},
		{"no 更新日", strings.Replace(page, "<p class=\"update\">更新日：2023年10月17日</p>", "", 1), "更新日"},
		{"no </html>", strings.TrimSuffix(page, "</html>\n"), "</html>"},
		{"contact box without desk and phone", strings.Replace(page, "総務課&nbsp;行政管理係<br>\n<br>\n〒976-8601<br>\n福島県相馬市中村字北町63-3　市役所庁舎3階<br>\n電話番号：0244-37-2120<br>\n", "", 1), "contact box"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseSource([]byte(tc.page), "text/html")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line == 0 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, plan %+v; want a *ParseError about %s", err, p, tc.want)
			}
		})
	}
	p, err := ParseSource([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Contact.Phone != "0244-37-2120" || strings.Contains(p.Contact.Desk, "相馬市役所") {
		t.Errorf("contact = %+v", p.Contact)
	}
}

// page wraps a plan body in a minimal page with the contact box and
// 更新日.
func page(body string) string {
	return "<!DOCTYPE html>\n<html><head><title>テスト計画 | 相馬市</title></head><body>\n" + body +
		"\n<div class=\"contact\"><h2>この記事に関するお問い合わせ先</h2><p>総務課 行政管理係<br>電話番号：0244-37-2120</p></div>\n" +
		"<p>更新日：2024年4月1日</p>\n</body></html>\n"
}

const planHead = "<h1>テスト計画</h1>\n<h2>1　方針</h2>\n<h3>（1）施策</h3>\n"

// TestPageMarkup: markup other CMSs and editors produce.
func TestPageMarkup(t *testing.T) {
	type item struct{ initiative, content, depts string }
	table := func(rows string) string {
		return "<table><tr><th>実施内容</th><th>担当課</th></tr>\n" + rows + "</table>"
	}
	for _, tc := range []struct {
		name, body string
		want       []item
	}{
		{"h4 and th header", planHead + "<h4>取組</h4>" + table("<tr><td>道路を直す。</td><td>土木課</td></tr>"),
			[]item{{"取組", "道路を直す。", "土木課"}}},
		{"thead with td, p strong headings",
			"<h1>テスト計画</h1><p class=\"hd2\"><strong>1　方針</strong></p><p><strong>(1)施策</strong></p><p><strong>取組</strong></p>" +
				"<table><thead><tr><td>実施内容</td><td>担当課</td></tr></thead><tbody><tr><td><p>道路を</p><p>直す。</p></td><td><p>土木課</p><p>建設部</p></td></tr></tbody></table>",
			[]item{{"取組", "道路を直す。", "土木課・建設部"}}},
		{"departments split on ・ 、 spaces and <br>", planHead + "<h4>取組</h4>" + table(
			"<tr><td>A。</td><td>総務課・保健福祉部</td></tr><tr><td>B。</td><td>総務課、DX推進チーム</td></tr>"+
				"<tr><td>C。</td><td>総務課&nbsp;財政課</td></tr><tr><td>D。</td><td>商工・観光チーム</td></tr><tr><td>E。</td><td>総務課<br>\n教育委員会</td></tr>"),
			[]item{{"取組", "A。", "総務課・保健福祉部"}, {"取組", "B。", "総務課・DX推進チーム"}, {"取組", "C。", "総務課・財政課"}, {"取組", "D。", "商工・観光チーム"}, {"取組", "E。", "総務課・教育委員会"}}},
		{"rowspan: one department for two actions, one action for two departments", planHead + "<h4>取組</h4>" + table(
			"<tr><td>A。</td><td rowspan=\"2\">地域防災対策室</td></tr><tr><td>B。</td></tr><tr><td rowspan=2>C。</td><td>総務課</td></tr><tr><td>財政課</td></tr>"),
			[]item{{"取組", "A。", "地域防災対策室"}, {"取組", "B。", "地域防災対策室"}, {"取組", "C。", "総務課・財政課"}}},
		{"caption and a title row", planHead +
			"<table><caption>取組一</caption><tr><th>実施内容</th><th>担当課</th></tr><tr><td>A。</td><td>総務課</td></tr></table>" +
			"<table><tr><th colspan=\"2\">取組二</th></tr><tr><th>実施内容</th><th>担当課</th></tr><tr><td>B。</td><td>財政課</td></tr></table>",
			[]item{{"取組一", "A。", "総務課"}, {"取組二", "B。", "財政課"}}},
		{"one table for the whole plan", "<h1>テスト計画</h1><table border=1><tr><th colspan=2>1　方針</th></tr><tr><th colspan=2>（1）施策</th></tr>" +
			"<tr><td colspan=2><strong>取組一</strong></td></tr><tr><th>実 施 内 容</th><th>担当課</th></tr><tr><td>A。</td><td>総務課（行政管理係）</td></tr>" +
			"<tr><td colspan=2>取組二</td></tr><tr><th>実施内容</th><th>担当課</th></tr><tr><td>B。</td><td>財政課</td></tr></table>",
			[]item{{"取組一", "A。", "総務課(行政管理係)"}, {"取組二", "B。", "財政課"}}},
		{"extra columns", planHead + "<h4>取組</h4><table><tr><th>No.</th><th>実施内容</th><th>担当課</th><th>備考</th></tr>" +
			"<tr><td>1</td><td>A。</td><td>総務課</td><td>新規</td></tr></table>",
			[]item{{"取組", "A。", "総務課"}}},
		{"empty spacer rows", planHead + "<h4>取組</h4>" + table("<tr><td>&nbsp;</td><td>&nbsp;</td></tr><tr><td>A。</td><td>総務課</td></tr><tr><td></td><td></td></tr>"),
			[]item{{"取組", "A。", "総務課"}}},
		{"omitted end tags, upper case", "<H1>テスト計画</H1><H2>1　方針</H2><H3>（1）施策</H3><P><B>取組</B>\n<TABLE><TR><TH>実施内容<TH>担当課\n<TR><TD>A。<TD>総務課\n<TR><TD>B。<TD>財政課</TABLE>",
			[]item{{"取組", "A。", "総務課"}, {"取組", "B。", "財政課"}}},
		{"a layout table around the page", "<table><tr><td class=\"side\">メニュー</td><td>" + planHead + "<h4>取組</h4>" + table("<tr><td>A。</td><td>総務課</td></tr>") + "</td></tr></table>",
			[]item{{"取組", "A。", "総務課"}}},
		{"a form around the page (ASP.NET)", "<form id=\"aspnetForm\" action=\"/\">" + planHead + "<h4>取組</h4>" + table("<tr><td>A。</td><td>総務課</td></tr>") + "</form>",
			[]item{{"取組", "A。", "総務課"}}},
		{"a logo h1, a table of contents, notes", "<header><h1>相馬市</h1></header><main>" + planHead +
			"<ul><li><a href=\"#a\">1　方針</a></li><li><a href=\"#b\">（1）施策</a></li></ul><p>本計画は次のとおりです。</p><h4>取組</h4>" +
			table("<tr><td>A。</td><td>総務課</td></tr>") + "<p>※担当課は4月1日現在です。</p></main>",
			[]item{{"取組", "A。", "総務課"}}},
		{"a table split in two", planHead + "<h4>取組</h4>" + table("<tr><td>A。</td><td>総務課</td></tr>") + table("<tr><td>B。</td><td>財政課</td></tr>"),
			[]item{{"取組", "A。", "総務課"}, {"取組", "B。", "財政課"}}},
		{"hidden and scripted text", planHead + "<h4>取組</h4><div hidden><h4>隠れた取組</h4></div><script>document.write('<h4>x</h4>')</script>" +
			"<div style=\"display: none\">1 偽の方針</div>" + table("<tr><td>A。<span aria-hidden=\"true\">★</span></td><td>総務課</td></tr>"),
			[]item{{"取組", "A。", "総務課"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseSource([]byte(page(tc.body)), "")
			if err != nil {
				t.Fatal(err)
			}
			var got []item
			for _, it := range p.Items {
				if it.Policy != "1 方針" || it.Measure != "(1)施策" {
					t.Errorf("%s: %s › %s", it.ID, it.Policy, it.Measure)
				}
				got = append(got, item{it.Initiative, it.Content, strings.Join(it.Departments, "・")})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("item %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
			if p.Title != "テスト計画" || p.Updated != "2024-04-01" || p.Contact.Desk != "総務課 行政管理係" {
				t.Errorf("title %q updated %q contact %+v", p.Title, p.Updated, p.Contact)
			}
		})
	}
	// The contact box first in the source (a sidebar floated left).
	p, err := ParseSource([]byte("<!DOCTYPE html><html><body><div id=\"side\"><div class=\"contact\"><h2>この記事に関するお問い合わせ先</h2><p>総務課 行政管理係<br>電話番号：0244-37-2120</p></div></div>\n"+
		"<div id=\"main\">"+planHead+"<h4>取組</h4>"+table("<tr><td>A。</td><td>総務課</td></tr>")+"<p>更新日：2024年4月1日</p></div></body></html>"), "")
	if err != nil || len(p.Items) != 1 || p.Contact.Phone != "0244-37-2120" || p.Updated != "2024-04-01" {
		t.Errorf("contact box first: %+v %v", p, err)
	}
	// Without an <h1>, or with only the site's logo in one, the <title>
	// without the site's name.
	rest := planHead[len("<h1>テスト計画</h1>\n"):] + "<h4>取組</h4>" + table("<tr><td>A。</td><td>総務課</td></tr>")
	for _, body := range []string{rest, "<div id=\"tmp_header\"><h1><a href=\"/\">相馬市</a></h1></div>" + rest} {
		p, err := ParseSource([]byte(page(body)), "")
		if err != nil || p.Title != "テスト計画" {
			t.Errorf("title from <title>: %v %v", p, err)
		}
	}
}

// TestPageErrors: a page that is broken is refused with the line.
func TestPageErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		line       int // in page(body): the body starts on line 3
	}{
		{"a row without a department", planHead + "<h4>取組</h4>\n<table><tr><th>実施内容</th><th>担当課</th></tr>\n<tr><td>A。</td><td>総務課</td></tr>\n<tr><td>B。</td><td>－</td></tr></table>", 9},
		{"a department without an action", planHead + "<h4>取組</h4>\n<table><tr><th>実施内容</th><th>担当課</th></tr>\n<tr><td>&nbsp;</td><td>総務課</td></tr></table>", 8},
		{"a table without an initiative title", planHead + "<table><tr><th>実施内容</th><th>担当課</th></tr>\n<tr><td>A。</td><td>総務課</td></tr></table>", 6},
		{"a header without rows", planHead + "<h4>取組</h4>\n<table><tr><th>実施内容</th><th>担当課</th></tr></table><h4>次</h4><table><tr><th>実施内容</th><th>担当課</th></tr><tr><td>A。</td><td>総務課</td></tr></table>", 7},
		{"an initiative outside a measure", "<h1>テスト計画</h1>\n<h2>1　方針</h2>\n<h4>取組</h4>\n<table><tr><th>実施内容</th><th>担当課</th></tr><tr><td>A。</td><td>総務課</td></tr></table>", 5},
		{"no plan table", "<h1>テスト計画</h1><p>準備中です。</p>", 0},
		{"tables without actions", planHead + "<h4>取組</h4>\n<table><tr><th>実施内容</th><th>担当課</th></tr><tr><td>&nbsp;</td><td></td></tr></table>", 7},
		{"a row above the header", planHead + "<table><tr><th colspan=2>取組</th></tr>\n<tr><td>A。</td><td>総務課</td></tr>\n<tr><th>実施内容</th><th>担当課</th></tr><tr><td>B。</td><td>財政課</td></tr></table>", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSource([]byte(page(tc.body)), "text/html")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || errors.Is(err, ErrEmpty) {
				t.Fatalf("err = %v, want a *ParseError at line %d", err, tc.line)
			}
		})
	}
}

// TestDecode: charsets and kinds of file.
func TestDecode(t *testing.T) {
	sjis := func(s string) string { return encode(japanese.ShiftJIS, s) }
	for _, tc := range []struct {
		name, in, contentType string
		charset               string
		html                  bool
	}{
		{"utf-8 text", "実施計画\n", "", "UTF-8", false},
		{"utf-8 BOM", "\uFEFF実施計画\n", "", "UTF-8", false},
		{"shift_jis text", sjis("実施計画です。\n"), "", "Shift_JIS", false},
		{"euc-jp text", encode(japanese.EUCJP, "実施計画です。\n"), "", "EUC-JP", false},
		{"euc-jp without hiragana", encode(japanese.EUCJP, "実施計画 総務課 データ\n"), "", "EUC-JP", false},
		{"iso-2022-jp", encode(japanese.ISO2022JP, "実施計画です。\n"), "", "ISO-2022-JP", false},
		{"meta charset", sjis("<!DOCTYPE html><html><head><meta charset=\"Shift_JIS\"></head><body>計画です</body></html>"), "", "Shift_JIS", true},
		{"a re-saved page keeps its old meta", "<html><head><meta charset=\"Shift_JIS\"></head><body>計画です</body></html>", "", "UTF-8", true},
		{"a comment before the doctype", "<!-- saved from url=(0042)https://www.city.soma.fukushima.jp/ -->\n<!DOCTYPE html><p>計画", "", "UTF-8", true},
		{"text that mentions html", "計画\n<html>は使わない\n", "", "UTF-8", false},
		{"text/html without markup is a text", "計画\n1 方針\n", "text/html", "UTF-8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := decodeSource([]byte(tc.in), tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if d.charset != tc.charset || d.html != tc.html || !strings.Contains(d.text, "計画") {
				t.Errorf("got %s html=%v %q", d.charset, d.html, d.text)
			}
		})
	}
	for _, tc := range []struct{ name, in, want string }{
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"},
		{"docx", "PK\x03\x04\x14\x00\x06\x00", "Office"},
		{"latin-1", "Plan\nr\xe9sum\xe9 \xe0 la ligne\xff\xfe\xff\n", "not text"},
		{"binary", "計画\x00\x01\x02\n", "control character"},
		{"utf-16 without a BOM", "P\x00l\x00a\x00n\x00\n\x00", "control character"},
		{"utf-16 Japanese without a BOM", string([]byte{0x08, 0x8a, 0x3b, 0x75, 0x0a, 0x00}), "not text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSource([]byte(tc.in), "")
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a *ParseError about %s", err, tc.want)
			}
		})
	}
	for _, in := range []string{"", " \n\r\n", "\uFEFF"} {
		if _, err := ParseSource([]byte(in), ""); !errors.Is(err, ErrEmpty) {
			t.Errorf("%q: %v, want ErrEmpty", in, err)
		}
	}
}
