package data

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/width"
)

// sameItems reports how got differs from want in what a reader sees:
// title aside, the items (IDs, text, departments, hierarchy), the
// contact desk and 更新日. Item.Line may differ (a page counts HTML
// lines, an edition its own).
func sameItems(got, want *Plan) string {
	var diffs []string
	if got.Contact != want.Contact {
		diffs = append(diffs, fmt.Sprintf("contact %+v, want %+v", got.Contact, want.Contact))
	}
	if got.Updated != want.Updated {
		diffs = append(diffs, fmt.Sprintf("updated %q, want %q", got.Updated, want.Updated))
	}
	if len(got.Items) != len(want.Items) {
		diffs = append(diffs, fmt.Sprintf("%d items, want %d", len(got.Items), len(want.Items)))
	}
	for i := range min(len(got.Items), len(want.Items)) {
		g, w := got.Items[i], want.Items[i]
		if g.ID != w.ID || g.Content != w.Content || strings.Join(g.Departments, "・") != strings.Join(w.Departments, "・") ||
			g.Policy != w.Policy || g.Measure != w.Measure || g.Initiative != w.Initiative {
			diffs = append(diffs, fmt.Sprintf("item %d:\n  got  %s [%s] %s › %s › %s %q\n  want %s [%s] %s › %s › %s %q", i,
				g.ID, strings.Join(g.Departments, "・"), g.Policy, g.Measure, g.Initiative, clip(g.Content),
				w.ID, strings.Join(w.Departments, "・"), w.Policy, w.Measure, w.Initiative, clip(w.Content)))
			if len(diffs) > 5 {
				break
			}
		}
	}
	if !sameSet(got.Departments(), want.Departments()) {
		diffs = append(diffs, fmt.Sprintf("departments %v, want %v", got.Departments(), want.Departments()))
	}
	return strings.Join(diffs, "\n")
}

func sameSet(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// seedLines is the seed text's lines.
func seedLines() []string {
	return strings.Split(strings.TrimSuffix(string(DefaultText()), "\n"), "\n")
}

// rewriteRows rebuilds the seed with each action's lines (the row and the
// lines of its further departments) replaced by row(it); other lines go
// through other(no, line) (nil: kept).
func rewriteRows(row func(it Item) string, other func(no int, line string) string) string {
	lines := seedLines()
	owner := map[int]Item{}
	for _, it := range Default().Items {
		for k := range it.Departments {
			owner[it.Line+k] = it
		}
	}
	var b strings.Builder
	for i, l := range lines {
		no := i + 1
		if it, ok := owner[no]; ok {
			if it.Line == no {
				b.WriteString(row(it))
				b.WriteString("\n")
			}
			continue
		}
		if other != nil {
			l = other(no, l)
		}
		b.WriteString(l)
		b.WriteString("\n")
	}
	return b.String()
}

// wrap breaks s into lines n wide characters wide, as a printed edition
// does: Latin letters are half as wide, and a Latin word is not broken.
func wrap(s string, n int) []string {
	var out []string
	line, w := []rune{}, 0
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		cw := 1
		if isWide(r[i]) {
			cw = 2
		}
		if w+cw > 2*n {
			// move a Latin word that would be broken to the next line
			k := len(line)
			for k > 0 && isAlnum(line[k-1]) && isAlnum(r[i]) {
				k--
			}
			if k == 0 {
				k = len(line)
			}
			out = append(out, string(line[:k]))
			line = append([]rune{}, line[k:]...)
			w = textWidth(string(line))
		}
		line = append(line, r[i])
		w += cw
	}
	return append(out, string(line))
}

func encode(e encoding.Encoding, s string) string {
	b, err := e.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

// insertAfter adds text after the given seed lines.
func insertAfter(at map[int]string) func(no int, line string) string {
	return func(no int, line string) string {
		if s, ok := at[no]; ok {
			return line + "\n" + s
		}
		return line
	}
}

// rowInsert is insertAfter for rows: after the row of the n-th item.
func rowInsert(at map[int]string) func(it Item) string {
	return func(it Item) string {
		s := it.Content + " " + strings.Join(it.Departments, "\n")
		n := 0
		for i, x := range Default().Items {
			if x.ID == it.ID {
				n = i + 1
			}
		}
		if ins, ok := at[n]; ok {
			s += "\n" + ins
		}
		return s
	}
}

// TestEditions parses the seed plan as real editions and round trips
// bring it; each either gives the seed's items, departments, contact and
// date, or is refused with a *ParseError naming a line — never loaded
// wrong.
func TestEditions(t *testing.T) {
	seed := string(DefaultText())
	seedRow := func(it Item) string { return it.Content + " " + strings.Join(it.Departments, "\n") }
	pageBreak := "\n- 4 -\n\n第6次行財政改革大綱に基づく実施計画\n実施内容 担当課"
	for _, tc := range []struct {
		name    string
		text    string
		updated string // "" = the seed's
		line    int    // > 0: refused at this line; -1: refused at any line
	}{
		{name: "seed", text: seed},
		{name: "CRLF", text: strings.ReplaceAll(seed, "\n", "\r\n")},
		{name: "BOM and CRLF", text: "\uFEFF" + strings.ReplaceAll(seed, "\n", "\r\n")},
		{name: "CR line ends", text: strings.ReplaceAll(seed, "\n", "\r")},
		{name: "trailing blanks and blank lines", text: strings.ReplaceAll(seed, "\n", " \t\n\n")},
		{name: "page numbers", text: rewriteRows(rowInsert(map[int]string{3: "- 2 -", 9: "3", 15: "4/12", 22: "－５－", 30: "p. 6", 41: "7ページ"}), insertAfter(map[int]string{35: "- 3 -"}))},
		{name: "page break: number, running title, header", text: rewriteRows(rowInsert(map[int]string{10: pageBreak, 20: pageBreak, 33: "\f" + pageBreak[1:]}), nil)},
		// The case: a repeated header drops an action and moves
		// three under the wrong initiative (普通救命講習 answered 図書館).
		{name: "repeated header between rows", text: rewriteRows(rowInsert(map[int]string{9: "実施内容 担当課", 10: "実施内容　担当課"}), nil)},
		{name: "page break with the initiative repeated", text: rewriteRows(rowInsert(map[int]string{10: "NPO法人や地域団体との連携強化\n実施内容 担当課"}), nil)},
		{name: "page break inside a wrapped action, headings repeated", text: rewriteRows(func(it Item) string {
			if it.ID != "1.2.2.2" {
				return seedRow(it)
			}
			w := wrap(it.Content, 30)
			return w[0] + "\n- 4 -\n1 市民参画・市民協働の一層の推進\n(2)市民参画・連携・協働の推進と適正化\nNPO法人や地域団体との連携強化\n実施内容 担当課\n" + strings.Join(w[1:], "\n") + " " + it.Departments[0]
		}, nil)},
		{name: "page break inside a wrapped action", text: rewriteRows(func(it Item) string {
			if it.ID != "1.2.2.2" {
				return seedRow(it)
			}
			w := wrap(it.Content, 30)
			return w[0] + "\n- 4 -\n第6次行財政改革大綱に基づく実施計画 (続き)\n実施内容 担当課\n" + strings.Join(w[1:], "\n") + " " + it.Departments[0]
		}, nil)},
		{name: "actions wrapped at 34", text: rewriteRows(func(it Item) string {
			return strings.Join(wrap(it.Content, 34), "\n") + " " + strings.Join(it.Departments, "\n")
		}, nil)},
		{name: "actions wrapped at 21, departments on their own lines", text: rewriteRows(func(it Item) string {
			return strings.Join(wrap(it.Content, 21), "\n") + "\n" + strings.Join(it.Departments, "\n")
		}, nil)},
		{name: "one-line department lists with ・", text: rewriteRows(func(it Item) string { return it.Content + " " + strings.Join(it.Departments, "・") }, nil)},
		{name: "one-line department lists with 、", text: rewriteRows(func(it Item) string { return it.Content + " " + strings.Join(it.Departments, "、") }, nil)},
		{name: "one-line department lists with commas and spaces", text: rewriteRows(func(it Item) string {
			if len(it.Departments) == 3 {
				return it.Content + " " + it.Departments[0] + "，" + it.Departments[1] + ", " + it.Departments[2]
			}
			return it.Content + "\t" + strings.Join(it.Departments, " ")
		}, nil)},
		{name: "copied from a spreadsheet (a multi-line cell quoted)", text: rewriteRows(func(it Item) string {
			if len(it.Departments) > 1 {
				return it.Content + "\t\"" + strings.Join(it.Departments, "\n") + "\""
			}
			return it.Content + "\t" + it.Departments[0]
		}, nil)},
		{name: "blank line before the department", text: rewriteRows(func(it Item) string { return it.Content + "\n\n" + strings.Join(it.Departments, "\n") }, nil)},
		{name: "tabs", text: rewriteRows(func(it Item) string { return it.Content + "\t\t" + strings.Join(it.Departments, "\n\t") }, nil)},
		{name: "full-width spaces", text: strings.NewReplacer("実施内容 担当課", "実施内容　担当課", "。 ", "。　", "1 市民", "１　市民", "総務課 行政", "総務課　行政").Replace(seed)},
		{name: "full-width digits and brackets", text: width.Widen.String(seed)},
		{name: "header split over two lines (a PDF copied cell by cell)", text: rewriteRows(func(it Item) string {
			return strings.Join(wrap(it.Content, 38), "\n") + "\n" + strings.Join(it.Departments, "\n")
		}, func(no int, l string) string {
			return strings.Replace(l, "実施内容 担当課", "実施内容\n担当課", 1)
		})},
		{name: "contact desk on the marker's line", text: strings.Replace(seed, "この記事に関するお問い合わせ先\n総務課 行政管理係\n", "この記事に関するお問い合わせ先：総務課　行政管理係\n", 1)},
		{name: "令和 date", text: strings.Replace(seed, "更新日:2023年10月17日", "更新日:令和5年10月17日", 1)},
		{name: "令和 date in kanji", text: strings.Replace(seed, "更新日:2023年10月17日", "更新日：令和五年十月十七日", 1)},
		{name: "令和元年", text: strings.Replace(seed, "更新日:2023年10月17日", "更新日:令和元年5月1日", 1), updated: "2019-05-01"},
		{name: "平成 date", text: strings.Replace(seed, "更新日:2023年10月17日", "最終更新日：平成31年4月30日", 1), updated: "2019-04-30"},
		{name: "Shift_JIS", text: encode(japanese.ShiftJIS, seed)},
		{name: "EUC-JP", text: encode(japanese.EUCJP, seed)},
		{name: "ISO-2022-JP", text: encode(japanese.ISO2022JP, seed)},
		{name: "UTF-16 with BOM", text: encode(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), seed)},
		{name: "Shift_JIS, CRLF, full-width, wrapped", text: encode(japanese.ShiftJIS, strings.ReplaceAll(width.Widen.String(rewriteRows(func(it Item) string {
			return strings.Join(wrap(it.Content, 30), "\n") + "　" + strings.Join(it.Departments, "・")
		}, nil)), "\n", "\r\n"))},
		// Refused, with the line where it goes wrong.
		{name: "a department missing", text: strings.Replace(seed, "社会福祉課\n絵本", "\n絵本", 1), line: 29},
		{name: "a header missing after an initiative title", text: strings.Replace(seed, "NPO法人や地域団体との連携強化\n実施内容 担当課\n", "NPO法人や地域団体との連携強化\n", 1), line: 24},
		{name: "an unknown department on its own line", text: strings.Replace(seed, "保健福祉部\n", "子ども若者支援チーム\n", 1), line: 55},
		{name: "departments on a wrapped action's first line (pdftotext -layout)", text: rewriteRows(func(it Item) string {
			w := wrap(it.Content, 30)
			w[0] += "    " + it.Departments[0]
			return strings.Join(w, "\n")
		}, nil), line: -1},
		{name: "cut after a row", text: strings.Join(seedLines()[:100], "\n"), line: 100},
		{name: "an invalid date", text: strings.Replace(seed, "10月17日", "13月17日", 1), line: 139},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseSource([]byte(tc.text), "")
			if tc.line != 0 {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line == 0 || tc.line > 0 && pe.Line != tc.line {
					t.Fatalf("err = %v, want a *ParseError at line %d", err, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := *Default()
			if tc.updated != "" {
				want.Updated = tc.updated
			}
			if d := sameItems(p, &want); d != "" {
				t.Error(d)
			}
			if p.Title != want.Title {
				t.Errorf("title %q", p.Title)
			}
		})
	}
}

// TestEditionLines: an item's Line is the line its action starts on in
// the edition, and the seed's lines are kept.
func TestEditionLines(t *testing.T) {
	text := rewriteRows(func(it Item) string {
		return strings.Join(wrap(it.Content, 34), "\n") + " " + strings.Join(it.Departments, "\n")
	}, nil)
	p, err := ParseSource([]byte(text), "")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text, "\n")
	for _, it := range p.Items {
		if first := []rune(it.Content)[:10]; !strings.HasPrefix(lines[it.Line-1], string(first)) {
			t.Errorf("%s: line %d is %q", it.ID, it.Line, lines[it.Line-1])
		}
	}
	for i, it := range Default().Items {
		if !strings.HasPrefix(seedLines()[it.Line-1], it.Content) {
			t.Errorf("seed item %d: line %d", i, it.Line)
		}
	}
}

func TestDepartmentNames(t *testing.T) {
	d := newDeptNames()
	for _, s := range []string{"総務課", "地域防災対策室", "議会事務局", "図書館", "保健福祉部", "教育委員会", "全庁", "関係各課など",
		"子育て支援センター", "まちづくり推進課", "市民会館", "こども家庭課"} {
		if !d.name(s) {
			t.Errorf("%s is not a department", s)
		}
	}
	for _, s := range []string{"行政側と各行政区長間において", "行政側と各行政区長間", "一部", "会議室", "3", "-", "本会議映像配信",
		"必要な支援を図る関係各課", "市民の理解を深める", "課", "ハザードマップを広報紙や防災メール、自主防災組織の訓練を通して広く周知する。"} {
		if d.name(s) {
			t.Errorf("%q is a department", s)
		}
	}
	if _, _, ok := d.splitRow("行政側と各行政区長間において、必要な情報を正確に素早く伝達できるよう"); ok {
		t.Error("a wrapped line split as a row")
	}
	if _, ok := d.deptLine("行政側と各行政区長間"); ok {
		t.Error("行政側と各行政区長間 is a department line")
	}
	for in, want := range map[string]string{
		"道路を直す。 土木課":           "道路を直す。|土木課",
		"道路を直す。 新しいチーム":        "道路を直す。|新しいチーム",
		"道路を直す。\t総務課・保健福祉部":    "道路を直す。|総務課,保健福祉部",
		"LoGo フォームを使う。 総務課 全庁": "LoGo フォームを使う。|総務課,全庁",
	} {
		c, ds, ok := d.splitRow(normText(in))
		if got := c + "|" + strings.Join(ds, ","); !ok || got != want {
			t.Errorf("splitRow(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, _, ok := d.splitRow("道路を直す 新しいチーム"); ok {
		t.Error("an unknown name without a sentence end before it is a department")
	}
}

func TestUpdatedDates(t *testing.T) {
	for in, want := range map[string]string{
		"更新日:2023年10月17日":                "2023-10-17",
		"更新日：２０２４年４月１日":                  "2024-04-01",
		"更新日:令和6年4月1日":                   "2024-04-01",
		"更新日 令和元年5月1日":                   "2019-05-01",
		"更新日:平成31年4月30日":                 "2019-04-30",
		"更新日:令和六年十二月二十五日":                "2024-12-25",
		"最終更新日:2024/4/1":                 "2024-04-01",
		"公開日:2023年10月6日 更新日:2023年10月17日": "2023-10-17",
		"更新日:㋿6年4月1日":                    "2024-04-01",
	} {
		p := &Plan{}
		l := srcLine{no: 1, text: normText(in)}
		if !isUpdatedLine(l.text) {
			t.Errorf("%q is not an update line", in)
			continue
		}
		if err := setUpdated(p, l); err != nil || p.Updated != want {
			t.Errorf("%q: %q %v, want %q", in, p.Updated, err, want)
		}
	}
	for _, in := range []string{"更新日:2023年10月1", "台帳の更新日を2023年10月17日に揃える。", "更新日:2023年2月30日"} {
		p := &Plan{}
		l := srcLine{no: 1, text: normText(in)}
		if isUpdatedLine(l.text) && setUpdated(p, l) == nil && p.Updated != "" {
			t.Errorf("%q gave %q", in, p.Updated)
		}
	}
}

func TestHeadingForms(t *testing.T) {
	p, err := Parse([]byte("T\n１．方針\n（１）施策\n取組\n実施内容 担当課\n道路を直す。 土木課\n2 次の方針\n(1) 施策\n取組\n実施内容 担当課\n橋を直す。 土木課\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Items[0].Policy != "1.方針" || p.Items[0].Measure != "(1)施策" || p.Items[1].ID != "2.1.1.1" {
		t.Errorf("%+v", p.Items)
	}
}

// TestParseKeepsFragments: Parse, unlike ParseSource, reads a text
// without its footer, as tests and tools write them.
func TestParseKeepsFragments(t *testing.T) {
	frag := "計画\n1 方針\n(1)施策\n取組\n実施内容 担当課\n公園の清掃活動を支援する。 公園緑地課\n総務課\n"
	if _, err := Parse([]byte(frag)); err != nil {
		t.Fatal(err)
	}
	var pe *ParseError
	if _, err := ParseSource([]byte(frag), ""); !errors.As(err, &pe) || pe.Line != 7 {
		t.Errorf("ParseSource: %v, want a *ParseError at line 7", err)
	}
	if _, err := Parse([]byte(encode(japanese.ShiftJIS, frag))); !errors.As(err, &pe) {
		t.Errorf("Parse of Shift_JIS: %v", err)
	}
	if n := utf8.RuneCountInString(frag); n == 0 {
		t.Fatal()
	}
}
