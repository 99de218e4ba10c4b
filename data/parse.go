package data

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ParseError reports a structural problem in a plan text and where it is.
type ParseError struct {
	Line int // 1-based; 0 when the problem is the text as a whole
	Msg  string
	Err  error // a sentinel such as ErrEmpty, or nil
}

func (e *ParseError) Unwrap() error { return e.Err }

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "plan: " + e.Msg
	}
	return fmt.Sprintf("plan: line %d: %s", e.Line, e.Msg)
}

// ErrEmpty is wrapped by the error for a text with no actions.
var ErrEmpty = errors.New("no actions")

func errEmpty() error {
	return &ParseError{Msg: "empty plan: " + ErrEmpty.Error(), Err: ErrEmpty}
}

// The patterns below match lines after normText: NFKC (full-width digits,
// brackets, colons and spaces are ASCII), white space collapsed to one
// space, trimmed.
var (
	policyRe  = regexp.MustCompile(`^\d{1,2}(?: |\. ?)\D`)
	measureRe = regexp.MustCompile(`^\(\d{1,2}\) ?\S`)
	headerRe  = regexp.MustCompile(`^実施内容 ?(?:担当課|担当部署|担当課等|所管課)$`)
	postalRe  = regexp.MustCompile(`^〒 ?(\d{3}-?\d{4}) ?(.*)$`)
	phoneRe   = regexp.MustCompile(`^(?:電話(?:番号)?|TEL|Tel|tel)\.? ?:? ?(\d[\d()-]*\d)`)
	markerRe  = regexp.MustCompile(`^この(?:記事|ページ)に関するお問い?合わ?せ先?(?: ?:| |$) ?`)
	// A page number on a line of its own, as a printed edition copied
	// as text has them: "3", "- 3 -", "－３－", "3/12", "p.3", "3ページ".
	pageNoRe = regexp.MustCompile(`(?i)^(?:[-‐‑‒–—―−~〜ー] ?)?(?:p\.? ?|page ?)?\d{1,4}(?: ?(?:/|of) ?\d{1,4})? ?(?:ページ|頁)?(?: ?[-‐‑‒–—―−~〜ー])?$`)
	contdRe  = regexp.MustCompile(`^[(]?(?:続き|つづき|続く|つづく|次頁へ続く|前頁より続く)[)]?$`)
	updateRe = regexp.MustCompile(`更新日 ?:? ?(?:(令和|平成|昭和) ?(元|\d{1,2})|(\d{4})) ?(?:年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日|[./-] ?(\d{1,2}) ?[./-] ?(\d{1,2})(?:$|[^\d]))`)
)

// footerMarker starts the article's contact box, the page footer of the
// seed text.
const footerMarker = "この記事に関するお問い合わせ先"

// maxDeptRunes bounds a department name, so that a stray sentence is not
// mistaken for a department.
const maxDeptRunes = 24

// Parse reads a plan text in UTF-8, as the city's page copies as text or
// a printed edition does (see parseText). It is lenient about the end of
// the text: a text without the page footer (the contact box and 更新日)
// parses, so that fragments do in tests and tools; ParseSource, which
// every way of loading a new version should use, refuses them. It
// rejects a text whose structure is broken with a *ParseError naming the
// line, and a text with no actions with one wrapping ErrEmpty.
func Parse(text []byte) (*Plan, error) {
	if !utf8.Valid(text) {
		return nil, &ParseError{Line: firstInvalidLine(text), Msg: "text is not valid UTF-8 (ParseSource reads Shift_JIS and EUC-JP)"}
	}
	r, err := parseText(string(bytes.TrimPrefix(text, []byte("\uFEFF"))))
	if err != nil {
		return nil, err
	}
	return r.plan, nil
}

// parsed is a plan with what ParseSource needs to tell a complete text
// from a cut one.
type parsed struct {
	plan   *Plan
	footer int  // line of この記事に関するお問い合わせ先; 0 when there is none
	end    int  // last line with text
	closed bool // a page ends with </html>; a text always is
}

type srcLine struct {
	no   int
	text string // normText of the source line
	brk  bool   // a page break (a page number, a running title) just before it
}

// parseText reads a plan text:
//
//	title
//	1 policy
//	(1)measure
//	initiative title
//	実施内容 担当課
//	action text。 department[・、, department…]
//	department            (more departments of the action above)
//	…
//	この記事に関するお問い合わせ先
//	desk / 〒 / address / 電話番号
//	更新日:2023年10月17日
//
// Blank lines, page-number lines, running titles (the plan's title again)
// and table headers repeated after a page break are skipped without
// closing the initiative. An action may wrap over several lines: a line
// that is neither a heading, a header nor a department and does not end a
// sentence continues the action, and its department may follow on a line
// of its own. A department is a name seen earlier in the plan, a name in
// departments.tsv, a name ending in 課 室 局 館 部 委員会 センター, or a
// short name standing after a sentence's end on the action's line.
func parseText(s string) (*parsed, error) {
	all := splitLines(s)
	ti := 0
	for ti < len(all) && pageNoRe.MatchString(all[ti].text) {
		ti++
	}
	if ti == len(all) {
		end := 0
		if len(all) > 0 {
			end = all[len(all)-1].no
		}
		return &parsed{plan: &Plan{}, end: end}, errEmpty()
	}
	names := newDeptNames()
	b := &builder{plan: &Plan{Title: all[ti].text}, names: names}
	res := &parsed{plan: b.plan, end: all[len(all)-1].no}
	ls := dropNoise(all[ti+1:], b.plan.Title)
	tp := &textParser{b: b, names: names}
loop:
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		nextHeader := i+1 < len(ls) && headerRe.MatchString(ls[i+1].text)
		switch {
		case markerRe.MatchString(l.text):
			if err := tp.noPending(); err != nil {
				return nil, err
			}
			res.footer = l.no
			if err := parseFooter(b.plan, footerLines(l, ls[i+1:])); err != nil {
				return nil, err
			}
			break loop
		case isUpdatedLine(l.text) && tp.pend == nil && !nextHeader:
			if err := setUpdated(b.plan, l); err != nil {
				return nil, err
			}
		case headerRe.MatchString(l.text):
			if b.open() {
				continue // the header again after a page break
			}
			return nil, &ParseError{Line: l.no, Msg: "header 実施内容 担当課 without an initiative title on the line before"}
		case b.open() && (l.text == b.policy || l.text == b.measure || nextHeader && l.text == b.initiative):
			// running heads repeating the current headings after a page
			// break (and the header after the initiative's title)
			if nextHeader {
				i++
			}
		case nextHeader:
			// After a page break the header is a repeat, and l is the
			// beginning of an action that goes on on the next page.
			done, err := tp.tableLine(l, !ls[i+1].brk || tp.pend != nil)
			if err != nil {
				return nil, err
			}
			i++ // the header: a repeat when l belongs to the table
			if done {
				continue
			}
			if err := b.addInitiative(l.text, l.no, ls[i].no); err != nil {
				return nil, err
			}
		case isHeading(l.text, policyRe) && !names.isRow(l.text):
			if err := tp.noPending(); err != nil {
				return nil, err
			}
			if err := b.addPolicy(l.text); err != nil {
				return nil, err
			}
		case isHeading(l.text, measureRe) && !names.isRow(l.text):
			if err := tp.noPending(); err != nil {
				return nil, err
			}
			if err := b.addMeasure(l.text, l.no); err != nil {
				return nil, err
			}
		case !b.open():
			return nil, &ParseError{Line: l.no, Msg: fmt.Sprintf("action outside an initiative: %q", clip(l.text))}
		default:
			if _, err := tp.tableLine(l, false); err != nil {
				return nil, err
			}
		}
	}
	if err := tp.noPending(); err != nil {
		return nil, err
	}
	if err := b.finish(); err != nil {
		if errors.Is(err, ErrEmpty) {
			return res, err // ParseSource tells an empty plan from a cut one
		}
		return nil, err
	}
	return res, nil
}

// textParser holds the action being read while its lines come in.
type textParser struct {
	b     *builder
	names *deptNames
	pend  *pending
}

// pending is an action whose department has not come yet.
type pending struct {
	content     string
	first, last int  // its lines
	width       int  // display width of its first line
	ended       bool // its text ends a sentence: only a department may follow
}

// tableLine reads l inside an open initiative: a department of the
// action before, a row, or a line of an action that wraps. With
// beforeHeader (a 実施内容 担当課 header follows) only what surely
// belongs to the table is taken; done is false for a line that may be
// the next initiative's title.
func (tp *textParser) tableLine(l srcLine, beforeHeader bool) (done bool, err error) {
	b := tp.b
	if !b.open() {
		return false, nil
	}
	if pd := tp.pend; pd != nil {
		if depts, ok := tp.names.deptLine(l.text); ok {
			if !pd.ended {
				// "子ども若者支援チーム" over "教育委員会": a department the
				// parser does not know, not an action.
				return false, &ParseError{Line: pd.first, Msg: fmt.Sprintf("neither an action (it does not end a sentence) nor a department the parser knows: %q; write a new department after its action's 。 on the same line", clip(pd.content))}
			}
			tp.pend = nil
			return true, b.addRow(pd.content, depts, pd.first)
		}
		if pd.ended || isHeading(l.text, policyRe) || isHeading(l.text, measureRe) {
			return false, pd.missing()
		}
		content, depts, ok := tp.names.splitRow(l.text)
		if !ok {
			content = l.text
		}
		// A wrapped action's later lines are no wider than its first
		// (give or take proportional Latin letters and a character
		// pushed over the edge); a longer one is a new action, so the
		// line above was not part of one.
		if textWidth(content) > pd.width+pd.width/8+4 {
			return false, &ParseError{Line: pd.first, Msg: fmt.Sprintf("neither an action with its department nor an initiative title followed by 実施内容 担当課: %q", clip(pd.content))}
		}
		pd.content = joinWrapped(pd.content, content)
		pd.last = l.no
		if ok {
			tp.pend = nil
			return true, b.addRow(pd.content, depts, pd.first)
		}
		pd.ended = endsSentence(content)
		return true, nil
	}
	if depts, ok := tp.names.deptLine(l.text); ok {
		if len(b.plan.Items) == 0 || b.rows == 0 {
			return false, &ParseError{Line: l.no, Msg: fmt.Sprintf("department %q without an action", clip(l.text))}
		}
		b.addDepts(depts)
		return true, nil
	}
	if content, depts, ok := tp.names.splitRow(l.text); ok {
		if beforeHeader && !endsSentence(content) && !tp.names.allKnown(depts) {
			return false, nil // rather the next initiative's title
		}
		return true, b.addRow(content, depts, l.no)
	}
	if beforeHeader {
		return false, nil
	}
	tp.pend = &pending{content: l.text, first: l.no, last: l.no, width: textWidth(l.text), ended: endsSentence(l.text)}
	return true, nil
}

// noPending fails when an action still waits for its department.
func (tp *textParser) noPending() error {
	if tp.pend != nil {
		return tp.pend.missing()
	}
	return nil
}

func (pd *pending) missing() error {
	return &ParseError{Line: pd.last, Msg: fmt.Sprintf("action without a department (expected \"内容 担当課\"): %q", clip(pd.content))}
}

// builder assembles a Plan from the structure either parser reads and
// checks it: a measure inside a policy, an initiative inside a measure,
// rows under every header.
type builder struct {
	plan                        *Plan
	names                       *deptNames
	pn, mn, in, an              int // counters for IDs
	policy, measure, initiative string
	header                      int // line of the open initiative's header; 0 when none is open
	rows                        int // rows of the open initiative
}

func (b *builder) open() bool { return b.header != 0 }

func (b *builder) closeInitiative() error {
	if b.header != 0 && b.rows == 0 {
		return &ParseError{Line: b.header, Msg: "header 実施内容 担当課 has no rows"}
	}
	b.header = 0
	return nil
}

func (b *builder) addPolicy(text string) error {
	if err := b.closeInitiative(); err != nil {
		return err
	}
	b.pn++
	b.mn, b.in = 0, 0
	b.policy, b.measure, b.initiative = text, "", ""
	return nil
}

func (b *builder) addMeasure(text string, line int) error {
	if err := b.closeInitiative(); err != nil {
		return err
	}
	if b.pn == 0 {
		return &ParseError{Line: line, Msg: fmt.Sprintf("measure %q outside a policy", clip(text))}
	}
	b.mn++
	b.in = 0
	b.measure, b.initiative = text, ""
	return nil
}

func (b *builder) addInitiative(text string, line, header int) error {
	if err := b.closeInitiative(); err != nil {
		return err
	}
	if b.mn == 0 {
		return &ParseError{Line: line, Msg: fmt.Sprintf("initiative %q outside a measure", clip(text))}
	}
	b.in++
	b.an, b.rows = 0, 0
	b.initiative, b.header = text, header
	return nil
}

func (b *builder) addRow(content string, depts []string, line int) error {
	if !b.open() {
		return &ParseError{Line: line, Msg: fmt.Sprintf("action outside an initiative: %q", clip(content))}
	}
	if content == "" || len(depts) == 0 {
		return &ParseError{Line: line, Msg: "action without text or department"}
	}
	b.an++
	b.rows++
	b.plan.Items = append(b.plan.Items, Item{
		ID:          fmt.Sprintf("%d.%d.%d.%d", b.pn, b.mn, b.in, b.an),
		Departments: dedupe(depts),
		Content:     content,
		Policy:      b.policy,
		Measure:     b.measure,
		Initiative:  b.initiative,
		Line:        line,
	})
	b.names.learn(depts)
	return nil
}

// addDepts adds departments to the last action.
func (b *builder) addDepts(depts []string) {
	last := &b.plan.Items[len(b.plan.Items)-1]
	for _, d := range depts {
		if !contains(last.Departments, d) {
			last.Departments = append(last.Departments, d)
		}
	}
	b.names.learn(depts)
}

func (b *builder) finish() error {
	if err := b.closeInitiative(); err != nil {
		return err
	}
	if len(b.plan.Items) == 0 {
		return errEmpty()
	}
	return nil
}

// splitLines splits at CRLF, LF and CR and normalises each line; blank
// lines are dropped, line numbers kept.
func splitLines(s string) []srcLine {
	var out []srcLine
	for no := 1; len(s) > 0; no++ {
		raw := s
		if i := strings.IndexAny(s, "\r\n"); i >= 0 {
			raw = s[:i]
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			s = s[i+1:]
		} else {
			s = ""
		}
		if t := normText(raw); t != "" {
			out = append(out, srcLine{no: no, text: t, brk: strings.HasPrefix(strings.TrimLeft(raw, " \t"), "\f")})
		}
	}
	return out
}

var invisible = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "", "\u00ad", "")

// normText is a line as the parsers compare it: NFKC (full-width digits,
// letters, brackets and spaces become ASCII, half-width kana full-width),
// without zero-width characters, white space collapsed to one space.
func normText(s string) string {
	if strings.Contains(s, "\u00ad") || strings.Contains(s, "\ufeff") || strings.Contains(s, "\u2060") || strings.Contains(s, "\xe2\x80\x8b") ||
		strings.Contains(s, "\u200c") || strings.Contains(s, "\u200d") {
		s = invisible.Replace(s)
	}
	s = norm.NFKC.String(s)
	if !needsCollapse(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// needsCollapse reports white space other than single ASCII spaces
// between words.
func needsCollapse(s string) bool {
	prevSpace := true // a leading space needs trimming
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return true
			}
			prevSpace = true
		case unicode.IsSpace(r):
			return true
		default:
			prevSpace = false
		}
	}
	return prevSpace && s != ""
}

// dropNoise removes what a printed edition puts between rows: page
// numbers, running titles, "(続き)", and joins a header split over two
// lines ("実施内容" / "担当課").
func dropNoise(ls []srcLine, title string) []srcLine {
	out := make([]srcLine, 0, len(ls))
	bare := strings.ReplaceAll(title, " ", "")
	brk := false
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		switch {
		case pageNoRe.MatchString(l.text), contdRe.MatchString(l.text), isRunningTitle(l.text, bare):
			brk = true
			continue
		case l.text == "実施内容" && i+1 < len(ls) && headerRe.MatchString("実施内容 "+ls[i+1].text):
			l.text = "実施内容 " + ls[i+1].text
			i++
		}
		l.brk, brk = brk || l.brk, false
		out = append(out, l)
	}
	return out
}

// isRunningTitle reports a line that repeats the plan's title, alone or
// with a few words or a page number beside it ("相馬市 第6次…計画 3").
func isRunningTitle(s, bareTitle string) bool {
	if utf8.RuneCountInString(bareTitle) < 4 {
		return false
	}
	if strings.ReplaceAll(s, " ", "") == bareTitle {
		return true
	}
	rest, found := 0, false
	for _, tok := range strings.Split(s, " ") {
		if tok == bareTitle && !found {
			found = true
			continue
		}
		rest += utf8.RuneCountInString(tok)
	}
	return found && rest <= 12
}

// isHeading matches a policy or measure heading; a heading never ends a
// sentence.
func isHeading(s string, re *regexp.Regexp) bool {
	return re.MatchString(s) && !endsSentence(s)
}

// endsSentence reports whether s ends with a sentence's end, closing
// brackets aside.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, ")]」』】〕”’\"' ")
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("。.!?", r)
}

// joinWrapped joins the lines of a wrapped action: Japanese wraps
// anywhere without a space, words of Latin letters or digits keep one.
func joinWrapped(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	x, _ := utf8.DecodeLastRuneInString(a)
	y, _ := utf8.DecodeRuneInString(b)
	if x < utf8.RuneSelf && y < utf8.RuneSelf && (isAlnum(x) || x == ',') && isAlnum(y) {
		return a + " " + b
	}
	return a + b
}

func isAlnum(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// textWidth is the display width of s: 2 for wide (CJK) characters.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if isWide(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func isWide(r rune) bool {
	return r >= 0x1100 && (unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff01 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6)
}

// footerLines are the lines of the contact box after its marker line,
// with what follows the marker on its own line ("…お問い合わせ先:総務課").
func footerLines(marker srcLine, rest []srcLine) []srcLine {
	if after := markerRe.ReplaceAllString(marker.text, ""); after != "" {
		return append([]srcLine{{no: marker.no, text: after}}, rest...)
	}
	return rest
}

// parseFooter reads the contact box: its first line is the desk, then 〒
// with the address (on the same line or the next), 電話番号, and 更新日
// wherever it stands.
func parseFooter(p *Plan, ls []srcLine) error {
	for i, l := range ls {
		switch {
		case i == 0 && !postalRe.MatchString(l.text) && !phoneRe.MatchString(l.text) && !isUpdatedLine(l.text):
			p.Contact.Desk = l.text
		case postalRe.MatchString(l.text) && p.Contact.Postal == "":
			m := postalRe.FindStringSubmatch(l.text)
			p.Contact.Postal = m[1]
			if m[2] != "" {
				p.Contact.Address = m[2]
			} else if i+1 < len(ls) && !phoneRe.MatchString(ls[i+1].text) && !isUpdatedLine(ls[i+1].text) {
				p.Contact.Address = ls[i+1].text
			}
		case phoneRe.MatchString(l.text) && p.Contact.Phone == "":
			p.Contact.Phone = phoneRe.FindStringSubmatch(l.text)[1]
		}
		if isUpdatedLine(l.text) && p.Updated == "" {
			if err := setUpdated(p, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// isUpdatedLine reports a line that gives the page's 更新日 (perhaps after
// its 公開日), not an action that mentions one.
func isUpdatedLine(s string) bool {
	i := strings.Index(s, "更新日")
	if i < 0 || i > 48 || strings.Contains(s[:i], "。") {
		return false
	}
	return updateRe.MatchString(kanjiDigits(s[i:]))
}

// setUpdated reads 更新日 from l: 2023年10月17日, 令和6年4月1日, 平成31年4月30日,
// 令和元年…, in full-width or kanji digits, or 2023/10/17.
func setUpdated(p *Plan, l srcLine) error {
	m := updateRe.FindStringSubmatch(kanjiDigits(l.text))
	if m == nil {
		return nil
	}
	var y int
	if m[1] != "" {
		n := 1
		if m[2] != "元" {
			n, _ = strconv.Atoi(m[2])
		}
		y = map[string]int{"令和": 2018, "平成": 1988, "昭和": 1925}[m[1]] + n
	} else {
		y, _ = strconv.Atoi(m[3])
	}
	mo, _ := strconv.Atoi(m[4] + m[6])
	d, _ := strconv.Atoi(m[5] + m[7])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d || y < 1926 || y > 2200 {
		return &ParseError{Line: l.no, Msg: fmt.Sprintf("更新日 is not a date: %q", clip(l.text))}
	}
	p.Updated = t.Format("2006-01-02")
	return nil
}

// kanjiDigits writes numbers in kanji (六, 十七, 三十一, 〇) in digits.
func kanjiDigits(s string) string {
	if !strings.ContainsAny(s, "〇一二三四五六七八九十") {
		return s
	}
	var out strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && strings.ContainsRune("〇一二三四五六七八九十", rs[j]) {
			j++
		}
		if j == i {
			out.WriteRune(rs[i])
			i++
			continue
		}
		out.WriteString(kanjiNumber(rs[i:j]))
		i = j
	}
	return out.String()
}

func kanjiNumber(rs []rune) string {
	digit := func(r rune) int { return strings.IndexRune("〇一二三四五六七八九", r) / len("〇") }
	n, cur, ten := 0, 0, false
	for _, r := range rs {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur, ten = 0, true
			continue
		}
		if ten || cur == 0 {
			cur = digit(r)
		} else {
			cur = cur*10 + digit(r) // 二〇二三
		}
		ten = false
	}
	return strconv.Itoa(n + cur)
}

// deptNames recognises department names: the plan's own names seen so
// far, the names of departments.tsv and a few collective ones, and names
// by their suffix.
type deptNames struct {
	seen map[string]bool
}

func newDeptNames() *deptNames { return &deptNames{seen: map[string]bool{}} }

var builtinDepts = []string{"全庁", "関係各課など", "関係各課", "関係課", "各課", "全課", "関係部署", "各部署", "全部署", "各担当課"}

// tableDepts are the names of the embedded departments.tsv.
var tableDepts = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, d := range builtinDepts {
		m[d] = true
	}
	names, _ := DefaultDepartments()
	for d := range names {
		m[normText(d)] = true
	}
	return m
})

var deptSuffixes = []string{"委員会", "センター", "課", "室", "局", "館", "部"}

// notDepts end like a department and are ordinary words.
var notDepts = map[string]bool{
	"一部": true, "全部": true, "内部": true, "外部": true, "細部": true, "上部": true, "下部": true,
	"幹部": true, "頭部": true, "都市部": true, "沿岸部": true, "山間部": true, "中心部": true, "周辺部": true,
	"教室": true, "会議室": true, "和室": true, "個室": true, "浴室": true, "居室": true, "温室": true,
	"結局": true, "当局": true, "薬局": true, "難局": true, "終局": true, "日課": true, "賦課": true,
	"開館": true, "閉館": true, "休館": true, "来館": true, "入館": true, "本館": true, "新館": true, "別館": true,
}

// particles mark a piece of a sentence, never a department's name.
var particles = []string{"を", "が", "へ", "において", "について", "による", "により", "ため", "こと", "する", "して", "した", "され", "れる", "ので", "から", "まで", "よう"}

func (d *deptNames) learn(names []string) {
	for _, n := range names {
		d.seen[n] = true
	}
}

func (d *deptNames) known(s string) bool { return d.seen[s] || tableDepts()[s] }

func (d *deptNames) allKnown(names []string) bool {
	for _, n := range names {
		if !d.known(n) {
			return false
		}
	}
	return true
}

// name reports whether s is a department's name: known, or shaped like
// one by its suffix.
func (d *deptNames) name(s string) bool {
	if d.known(s) {
		return true
	}
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 16 || !nameShaped(s) || notDepts[s] || strings.ContainsRune(s, '・') {
		return false
	}
	for _, p := range particles {
		if strings.Contains(s, p) {
			return false
		}
	}
	for _, suf := range deptSuffixes {
		if strings.HasSuffix(s, suf) && s != suf {
			return true
		}
	}
	return false
}

// nameShaped: no spaces, no sentence punctuation or brackets, and some
// Japanese in it.
func nameShaped(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxDeptRunes || strings.ContainsAny(s, " 。、,.!?:;()[]「」『』【】〈〉《》\"'/") {
		return false
	}
	for _, r := range s {
		if isWide(r) {
			return true
		}
	}
	return false
}

// cellToken reads one space-separated token of a department cell: a
// known name, or names joined by ・ 、 or commas.
func (d *deptNames) cellToken(tok string) ([]string, bool) {
	tok = strings.Trim(tok, `"`) // a multi-line cell copied from a spreadsheet is quoted
	if tok == "" {
		return nil, false
	}
	if d.known(tok) {
		return []string{tok}, true
	}
	parts := strings.FieldsFunc(tok, func(r rune) bool { return r == '・' || r == '、' || r == ',' })
	if len(parts) == 0 {
		return nil, false
	}
	for _, p := range parts {
		if !d.name(p) {
			return nil, false
		}
	}
	return parts, true
}

// deptLine reads a line that holds only departments.
func (d *deptNames) deptLine(s string) ([]string, bool) {
	s = strings.Trim(s, `"`)
	if d.known(s) {
		return []string{s}, true
	}
	var out []string
	for _, tok := range strings.Split(s, " ") {
		names, ok := d.cellToken(tok)
		if !ok {
			return nil, false
		}
		out = append(out, names...)
	}
	return out, len(out) > 0
}

// splitRow splits "action text department…" at the departments that end
// the line. A name that is not known and has no department's suffix is
// taken only as the one token after a sentence's end ("…図る。 DX推進チーム").
func (d *deptNames) splitRow(s string) (content string, depts []string, ok bool) {
	toks := strings.Split(s, " ")
	j := len(toks)
	for j > 1 {
		names, ok := d.cellToken(toks[j-1])
		if !ok {
			break
		}
		depts = append(names, depts...)
		j--
	}
	if j == len(toks) {
		last := toks[len(toks)-1]
		if len(toks) < 2 || !endsSentence(toks[len(toks)-2]) || !nameShaped(last) || strings.ContainsAny(last, "・、") {
			return "", nil, false
		}
		j, depts = len(toks)-1, []string{last}
	}
	if j == 0 {
		return "", nil, false
	}
	return strings.Join(toks[:j], " "), depts, true
}

func (d *deptNames) isRow(s string) bool {
	_, _, ok := d.splitRow(s)
	return ok
}

func dedupe(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}

func firstInvalidLine(b []byte) int {
	no := 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return no
		}
		if r == '\n' {
			no++
		}
		b = b[size:]
	}
	return no
}
