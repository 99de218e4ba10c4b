package data

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var errNoTable = errors.New("no plan table")

// lineAttr carries, on every element of the parsed page, the line of the
// source its start tag is on.
const lineAttr = "data-planbot-line"

// parseHTML reads the city's page (or a page marked up like it):
//
//   - the title is the article's <h1> (the last <h1> before the first plan
//     table, so a site logo in an <h1> does not count), else the <title>
//     without the site name;
//   - from the <h1> on, text blocks are headings: "1 …" a policy, "(1)…" a
//     measure, and the last heading (h2–h6, <caption>, a row of one cell,
//     a paragraph all in <strong>), else the last text, before a plan table
//     its initiative; other text (introductions, notes, PDF notices) is
//     ignored;
//   - a plan table is one with a row of header cells 実施内容 and 担当課
//     (<th> or <td>, in <thead> or not; other columns are ignored), each
//     row below it an action: the 実施内容 cell's text (lines joined), the
//     担当課 cell's departments (one a line, or split on ・ 、 commas and
//     spaces when every piece is a department's name); rowspan and colspan
//     are followed, so a department cell spanning two rows is in charge of
//     both actions;
//   - the contact box is the block after この記事に関するお問い合わせ先 (desk, 〒,
//     address, 電話番号), 更新日 the first date so labelled after the <h1>;
//   - navigation, breadcrumbs, sidebars, forms (the page-rating form),
//     scripts, styles, hidden elements and the site's header and footer
//     are skipped, by tag (nav, form, aside, header and footer outside
//     <main>/<article>…), ARIA role and id/class names, except where they
//     hold the plan itself.
//
// An item's Line is the line of its row's <tr> in the page's source.
func parseHTML(src string) (*parsed, error) {
	annotated, closed := annotateLines(src)
	doc, err := html.Parse(strings.NewReader(annotated))
	if err != nil {
		return nil, &ParseError{Msg: "page: " + err.Error()}
	}
	w := &walker{protected: map[*html.Node]bool{}, names: newDeptNames()}
	w.protect(doc)
	w.walk(doc, wctx{})
	w.flush()
	end := 1 + strings.Count(strings.TrimSuffix(src, "\n"), "\n")
	res, err := interpretHTML(w.out, doc, w.names)
	if errors.Is(err, errNoTable) && !closed {
		return nil, &ParseError{Line: end, Msg: "the page ends here without </html>, before any table 実施内容 担当課: is it cut off?"}
	}
	if err != nil {
		return nil, err
	}
	res.end = end
	res.closed = closed
	return res, nil
}

// annotateLines rewrites the page with lineAttr on every start tag and
// reports whether it ends with </html>: a page cut off in transfer does
// not.
func annotateLines(src string) (string, bool) {
	z := html.NewTokenizer(strings.NewReader(src))
	var out strings.Builder
	out.Grow(len(src) + len(src)/4)
	line, closed := 1, false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		start := line
		line += countNewlines(raw)
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs := tok.Attr[:0]
			for _, a := range tok.Attr {
				if a.Key != lineAttr {
					attrs = append(attrs, a)
				}
			}
			tok.Attr = append(attrs, html.Attribute{Key: lineAttr, Val: strconv.Itoa(start)})
			out.WriteString(tok.String())
		case html.EndTagToken:
			out.Write(raw)
			if name, _ := z.TagName(); string(name) == "html" {
				closed = true
			}
		default:
			out.Write(raw)
		}
	}
	return out.String(), closed
}

// countNewlines counts line ends as splitLines does (CRLF, LF, CR).
func countNewlines(b []byte) int {
	n := 0
	for i, c := range b {
		if c == '\n' || c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			n++
		}
	}
	return n
}

func nodeLine(n *html.Node) int {
	for _, a := range n.Attr {
		if a.Key == lineAttr {
			l, _ := strconv.Atoi(a.Val)
			return l
		}
	}
	return 0
}

// firstLine is the line of n, or of its first descendant that has one
// (an element the parser implied, such as <tbody>, has none).
func firstLine(n *html.Node) int {
	if l := nodeLine(n); l > 0 {
		return l
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if l := firstLine(c); l > 0 {
			return l
		}
	}
	return 0
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// Block kinds.
const (
	bText   = iota
	bHeader // a plan table's 実施内容 / 担当課 row
	bRow    // an action row of a plan table
	bStray  // a row of cells above a plan table's header
)

// hblock is a line of the page as a reader sees it, or a row of a plan
// table.
type hblock struct {
	kind  int
	text  string // normText of the line
	line  int
	node  *html.Node // the block element the line is in
	head  bool       // heading-like: h1–h6, caption, a row of one cell, all in <strong>
	hx    bool       // in h1–h6
	h1    bool       // in an <h1>
	logo  bool       // an <h1> in the site's header: the site's name
	link  bool       // all of it is a link (a table of contents, a menu)
	depts []string   // bRow: the 担当課 cell
	cont  bool       // bRow: the 実施内容 cell spans from the row above
}

// wctx is what the walker knows about where it is.
type wctx struct {
	emph, link, h1, hx, article bool
	site                        bool // in what looks like the site's chrome, kept because it holds an <h1>
}

type seg struct {
	text       string
	emph, link bool
}

// walker turns the page into hblocks in document order.
type walker struct {
	protected map[*html.Node]bool // holds the plan: never skipped as chrome
	planTable map[*html.Node]bool
	names     *deptNames
	out       []hblock

	segs    []seg
	hasText bool // segs hold more than white space
	start   int  // line of the current line's first text
	cursor  int  // source line the walk is at
	block   *html.Node
	ctx     wctx // of block
}

// protect marks the plan tables and the elements that hold them, an <h1>
// or the contact box, so that a wrapper named like chrome (a <form>
// around the whole page, a div "main-side") is not skipped.
func (w *walker) protect(doc *html.Node) {
	w.planTable = map[*html.Node]bool{}
	mark := func(n *html.Node) {
		for p := n; p != nil && !w.protected[p]; p = p.Parent {
			w.protected[p] = true
		}
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && n.DataAtom == atom.Table && isPlanTable(n):
			w.planTable[n] = true
			mark(n)
		case n.Type == html.ElementNode && n.DataAtom == atom.H1:
			mark(n)
		case n.Type == html.TextNode && strings.Contains(normText(n.Data), "に関するお問"):
			mark(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
}

func (w *walker) walk(n *html.Node, ctx wctx) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data, ctx)
		return
	case html.CommentNode:
		w.cursor += strings.Count(n.Data, "\n")
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c, ctx)
		}
		return
	}
	if l := nodeLine(n); l > 0 {
		w.cursor = l
	}
	if w.chrome(n, ctx) {
		return
	}
	if !ctx.site && !ctx.article && siteHeader(n) {
		ctx.site = true
	}
	switch n.DataAtom {
	case atom.Br, atom.Hr:
		w.flush()
		return
	case atom.Img, atom.Picture:
		return
	case atom.Table:
		if w.planTable[n] {
			w.flush()
			w.table(n)
			return
		}
	case atom.Main, atom.Article:
		ctx.article = true
	case atom.Strong, atom.B:
		ctx.emph = true
	case atom.A:
		ctx.link = ctx.link || hasAttr(n, "href")
	case atom.H1:
		ctx.emph, ctx.h1, ctx.hx = true, true, true
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Caption:
		ctx.emph, ctx.hx = true, n.DataAtom != atom.Caption
	}
	if headingClass(n) {
		ctx.emph = true
	}
	block := isBlock(n)
	prev, prevCtx := w.block, w.ctx
	if block {
		w.flush()
		w.block, w.ctx = n, ctx
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, ctx)
	}
	if block {
		w.flush()
		w.block, w.ctx = prev, prevCtx
	}
}

func (w *walker) text(s string, ctx wctx) {
	if !w.hasText {
		if i := strings.IndexFunc(s, func(r rune) bool { return !isHTMLSpace(r) }); i >= 0 {
			w.start = w.cursor + strings.Count(s[:i], "\n")
			w.hasText = true
		}
	}
	w.segs = append(w.segs, seg{text: s, emph: ctx.emph, link: ctx.link})
	w.cursor += strings.Count(s, "\n")
}

// flush ends the current line.
func (w *walker) flush() {
	if len(w.segs) == 0 {
		return
	}
	var raw strings.Builder
	emph, link := true, true
	for _, s := range w.segs {
		raw.WriteString(s.text)
		if strings.TrimFunc(s.text, isHTMLSpace) != "" {
			emph = emph && s.emph
			link = link && s.link
		}
	}
	w.segs, w.hasText = w.segs[:0], false
	t := normText(collapseSpace(raw.String()))
	if t == "" {
		return
	}
	w.out = append(w.out, hblock{kind: bText, text: t, line: w.start, node: w.block, head: emph, hx: w.ctx.hx, h1: w.ctx.h1, logo: w.ctx.h1 && w.ctx.site, link: link})
}

func isHTMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

// collapseSpace renders white space as a browser does: a run of it is one
// space, and a run with a line break between two wide (CJK) characters is
// nothing (CSS Text: segment breaks between East Asian wide characters
// are removed). &nbsp; stays, to become a space in normText.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var last rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isHTMLSpace(r) {
			b.WriteRune(r)
			last = r
			i += size
			continue
		}
		j := i
		newline := false
		for j < len(s) && isHTMLSpace(rune(s[j])) {
			newline = newline || s[j] == '\n' || s[j] == '\r'
			j++
		}
		next, _ := utf8.DecodeRuneInString(s[j:])
		if !(newline && isWide(last) && isWide(next)) {
			b.WriteByte(' ')
		}
		i = j
	}
	return b.String()
}

// table turns a plan table into blocks: its header rows, its action rows,
// and rows of one cell (an initiative title inside the table) and its
// caption as headings.
func (w *walker) table(t *html.Node) {
	if c := child(t, atom.Caption); c != nil {
		if text := normText(plainText(c)); text != "" {
			w.out = append(w.out, hblock{kind: bText, text: text, line: firstLine(c), node: c, head: true})
		}
	}
	contentCol, deptCol := -1, -1
	for _, r := range expandTable(t) {
		line := firstLine(r.tr)
		if c, d, ok := headerCols(r); ok {
			contentCol, deptCol = c, d
			w.out = append(w.out, hblock{kind: bHeader, line: line, node: r.tr})
			continue
		}
		var filled []*html.Node // distinct cells with text
		texts := map[*html.Node]string{}
		lines := map[*html.Node][]string{}
		for _, c := range r.cells {
			if c.node == nil {
				continue
			}
			if _, done := texts[c.node]; done {
				continue
			}
			lines[c.node] = w.cellLines(c.node)
			texts[c.node] = strings.Join(lines[c.node], " ")
			if texts[c.node] != "" {
				filled = append(filled, c.node)
			}
		}
		if len(filled) == 0 {
			continue
		}
		cc, dc := r.at(contentCol), r.at(deptCol)
		oneCell := len(filled) == 1 && (cc.node != nil && cc.node == dc.node || r.width() == 1 && filled[0].DataAtom == atom.Th)
		switch {
		case len(filled) == 1 && (contentCol < 0 || oneCell):
			w.out = append(w.out, hblock{kind: bText, text: texts[filled[0]], line: line, node: r.tr, head: true})
			continue
		case contentCol < 0:
			// cells of a plan table above its header: never ignored
			w.out = append(w.out, hblock{kind: bStray, line: line, node: r.tr})
			continue
		}
		blk := hblock{kind: bRow, line: line, node: r.tr}
		if cc.node != nil {
			blk.text = joinLines(lines[cc.node])
			blk.cont = !cc.origin
		}
		if dc.node != nil && dc.node != cc.node {
			for _, l := range lines[dc.node] {
				blk.depts = append(blk.depts, w.names.cell(l)...)
			}
		}
		w.out = append(w.out, blk)
	}
}

func joinLines(ls []string) string {
	s := ""
	for _, l := range ls {
		s = joinWrapped(s, l)
	}
	return s
}

// cellLines is the text of a table cell, a line per <br>, <p> or block.
func (w *walker) cellLines(cell *html.Node) []string {
	sub := &walker{protected: w.protected, planTable: map[*html.Node]bool{}, names: w.names, cursor: nodeLine(cell)}
	for c := cell.FirstChild; c != nil; c = c.NextSibling {
		sub.walk(c, wctx{})
	}
	sub.flush()
	out := make([]string, 0, len(sub.out))
	for _, b := range sub.out {
		out = append(out, b.text)
	}
	return out
}

// cell reads one line of a 担当課 cell: departments split on 、 and
// commas, and on ・ and spaces when every piece is a department's name,
// else the line as one name; a line without letters (a dash for "none")
// is no department.
func (d *deptNames) cell(line string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == '、' || r == ',' }) {
		part = strings.TrimSpace(part)
		if names, ok := d.deptLine(part); ok {
			out = append(out, names...)
		} else if strings.IndexFunc(part, unicode.IsLetter) >= 0 {
			out = append(out, part)
		}
	}
	return out
}

type gridCell struct {
	node   *html.Node // nil: no cell at this column
	origin bool       // the cell starts in this row (not a rowspan from above)
}

type gridRow struct {
	tr    *html.Node
	cells []gridCell // by column
}

func (r gridRow) at(col int) gridCell {
	if col < 0 || col >= len(r.cells) {
		return gridCell{}
	}
	return r.cells[col]
}

// width is the number of columns the row's cells cover.
func (r gridRow) width() int {
	n := 0
	for _, c := range r.cells {
		if c.node != nil {
			n++
		}
	}
	return n
}

// expandTable lays the table's rows out on a grid, following rowspan and
// colspan, without descending into nested tables.
func expandTable(t *html.Node) []gridRow {
	var trs []*html.Node
	var collect func(n *html.Node)
	collect = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				trs = append(trs, c)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				collect(c)
			}
		}
	}
	collect(t)
	type span struct {
		node *html.Node
		left int
	}
	var down []span // by column: cells spanning down from rows above
	rows := make([]gridRow, 0, len(trs))
	for _, tr := range trs {
		var cells []gridCell
		set := func(col int, c gridCell) {
			for len(cells) <= col {
				cells = append(cells, gridCell{})
			}
			cells[col] = c
		}
		// cells from above first
		for col, sp := range down {
			if sp.left > 0 {
				set(col, gridCell{node: sp.node})
				down[col].left--
			}
		}
		col := 0
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			for col < len(cells) && cells[col].node != nil {
				col++
			}
			rs, cs := spanAttr(c, "rowspan"), spanAttr(c, "colspan")
			for k := 0; k < cs; k++ {
				set(col, gridCell{node: c, origin: true})
				for len(down) <= col {
					down = append(down, span{})
				}
				down[col] = span{node: c, left: rs - 1}
				col++
			}
		}
		rows = append(rows, gridRow{tr: tr, cells: cells})
	}
	return rows
}

func spanAttr(n *html.Node, key string) int {
	v, err := strconv.Atoi(strings.TrimSpace(attr(n, key)))
	if err != nil || v < 1 {
		return 1
	}
	return min(v, 100)
}

var contentHeads = map[string]bool{"実施内容": true}
var deptHeads = map[string]bool{"担当課": true, "担当部署": true, "担当課等": true, "所管課": true}

// headerCols finds the 実施内容 and 担当課 columns of a header row.
func headerCols(r gridRow) (content, dept int, ok bool) {
	content, dept = -1, -1
	for i, c := range r.cells {
		if c.node == nil || !c.origin {
			continue
		}
		raw := plainText(c.node)
		if !strings.ContainsAny(raw, "容課署") || len(raw) > 200 {
			continue
		}
		t := strings.ReplaceAll(normText(raw), " ", "")
		switch {
		case contentHeads[t] && content < 0:
			content = i
		case deptHeads[t] && dept < 0:
			dept = i
		}
	}
	return content, dept, content >= 0 && dept >= 0
}

func isPlanTable(t *html.Node) bool {
	for _, r := range expandTable(t) {
		if _, _, ok := headerCols(r); ok {
			return true
		}
	}
	return false
}

// plainText is all the text under n.
func plainText(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return collapseSpace(b.String())
}

func child(n *html.Node, a atom.Atom) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == a {
			return c
		}
	}
	return nil
}

func isBlock(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Caption, atom.Center,
		atom.Dd, atom.Details, atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Dt, atom.Fieldset,
		atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Header, atom.Hgroup, atom.Html, atom.Legend, atom.Li, atom.Main,
		atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Summary, atom.Table,
		atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr, atom.Ul:
		return true
	}
	return false
}

// Words of id and class names that mark page chrome. hardChrome is
// skipped wherever it is; softChrome (the site's header, footer and
// sidebar) only outside <main> and <article>.
var (
	hardChrome = wordSet("breadcrumb breadcrumbs breadcrumblist pankuzu topicpath bread crumb crumbs gnav gnavi globalnav globalnavi skip skiplink skipnav pagetop sns share social rating evaluation enquete questionnaire hyoka hyouka survey feedback banner bnr translate translation")
	softChrome = wordSet("header footer side sidebar sidemenu sidenav nav navi navigation menu localnav localnavi lnavi snavi subnav")
	headWords  = wordSet("midashi heading title ttl hdg subtitle")
	chromeRole = wordSet("navigation banner contentinfo search complementary menu menubar")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func classWords(n *html.Node) []string {
	return strings.Fields(nonWord.ReplaceAllString(strings.ToLower(attr(n, "id")+" "+attr(n, "class")), " "))
}

func headingClass(n *html.Node) bool {
	if n.DataAtom != atom.P && n.DataAtom != atom.Div && n.DataAtom != atom.Span && n.DataAtom != atom.Dt {
		return false
	}
	for _, c := range classWords(n) {
		if headWords[c] {
			return true
		}
	}
	return false
}

// chrome reports an element to skip with everything in it.
func (w *walker) chrome(n *html.Node, ctx wctx) bool {
	if w.protected[n] {
		return false
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav, atom.Form, atom.Iframe,
		atom.Svg, atom.Math, atom.Object, atom.Embed, atom.Canvas, atom.Button, atom.Select,
		atom.Textarea, atom.Input, atom.Aside, atom.Dialog, atom.Head, atom.Audio, atom.Video,
		atom.Map, atom.Label, atom.Datalist:
		return true
	case atom.Header, atom.Footer:
		if !ctx.article {
			return true
		}
	}
	if hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return true
	}
	if st := strings.ReplaceAll(strings.ToLower(attr(n, "style")), " ", ""); strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
		return true
	}
	if chromeRole[strings.ToLower(strings.TrimSpace(attr(n, "role")))] {
		return true
	}
	for _, c := range classWords(n) {
		if hardChrome[c] || softChrome[c] && !ctx.article {
			return true
		}
	}
	return false
}

// siteHeader reports the site's header, kept when it holds an <h1> (the
// site's logo): <header>, role=banner, an id or class "header".
func siteHeader(n *html.Node) bool {
	if n.DataAtom == atom.Header || strings.EqualFold(strings.TrimSpace(attr(n, "role")), "banner") {
		return true
	}
	for _, c := range classWords(n) {
		if c == "header" || c == "logo" || c == "hlogo" {
			return true
		}
	}
	return false
}

// interpretHTML reads the plan from the page's blocks.
func interpretHTML(blocks []hblock, doc *html.Node, names *deptNames) (*parsed, error) {
	firstHeader := len(blocks)
	for i, bl := range blocks {
		if bl.kind == bHeader {
			firstHeader = i
			break
		}
	}
	if firstHeader == len(blocks) {
		return nil, &ParseError{Msg: "no table with the header cells 実施内容 and 担当課 on the page", Err: errNoTable}
	}
	start := 0
	title := ""
	for i := firstHeader - 1; i >= 0; i-- {
		if blocks[i].h1 && blocks[i].kind == bText && start == 0 {
			start = i + 1 // the article starts after the last <h1>, the logo's too
		}
		if blocks[i].h1 && blocks[i].kind == bText && !blocks[i].logo {
			// an <h1> may hold several lines (a <br>): take them all
			j := i
			for j > 0 && blocks[j-1].h1 && blocks[j-1].node == blocks[i].node {
				j--
			}
			for k := j; k <= i; k++ {
				title = joinWrapped(title, blocks[k].text)
			}
			break
		}
	}
	if title == "" {
		title = pageTitle(doc)
	}
	b := &builder{plan: &Plan{Title: title}, names: names}
	res := &parsed{plan: b.plan}
	var cands []hblock // candidate initiative titles since the last heading or table
	i := start
loop:
	for ; i < len(blocks); i++ {
		bl := blocks[i]
		switch bl.kind {
		case bHeader:
			t, ok := pickTitle(cands)
			cands = nil
			switch {
			case !ok && b.open():
				continue // the table goes on after a break
			case !ok:
				return nil, &ParseError{Line: bl.line, Msg: "table 実施内容 担当課 without an initiative title before it"}
			case b.open() && t.text == b.initiative:
				continue
			}
			if err := b.addInitiative(t.text, t.line, bl.line); err != nil {
				return nil, err
			}
		case bStray:
			return nil, &ParseError{Line: bl.line, Msg: "a row of cells above the table's 実施内容 担当課 header"}
		case bRow:
			cands = nil
			switch {
			case !b.open():
				return nil, &ParseError{Line: bl.line, Msg: "action row outside an initiative"}
			case bl.text == "" && len(bl.depts) == 0:
				continue
			case bl.cont && len(bl.depts) > 0 && b.rows > 0:
				b.addDepts(bl.depts) // one action across rows, a department each
			case bl.text == "":
				return nil, &ParseError{Line: bl.line, Msg: fmt.Sprintf("row with a department (%s) but no 実施内容", strings.Join(bl.depts, "・"))}
			case len(bl.depts) == 0:
				return nil, &ParseError{Line: bl.line, Msg: fmt.Sprintf("action without a department: %q", clip(bl.text))}
			default:
				if err := b.addRow(bl.text, bl.depts, bl.line); err != nil {
					return nil, err
				}
			}
		default:
			switch {
			case markerRe.MatchString(bl.text):
				res.footer = bl.line
				if err := parseFooter(b.plan, footerLines(srcLine{no: bl.line, text: bl.text}, contactLines(blocks, i))); err != nil {
					return nil, err
				}
				if len(b.plan.Items) > 0 {
					break loop
				}
				// a contact box above the plan (a sidebar first in the
				// source): the plan is still to come
			case isUpdatedLine(bl.text):
				if b.plan.Updated == "" {
					if err := setUpdated(b.plan, srcLine{no: bl.line, text: bl.text}); err != nil {
						return nil, err
					}
				}
			case isHeading(bl.text, policyRe) && !bl.link:
				cands = nil
				if err := b.addPolicy(bl.text); err != nil {
					return nil, err
				}
			case isHeading(bl.text, measureRe) && !bl.link:
				cands = nil
				if err := b.addMeasure(bl.text, bl.line); err != nil {
					return nil, err
				}
			case strings.HasPrefix(bl.text, "※") || strings.HasPrefix(bl.text, "注"):
				// a note
			default:
				cands = append(cands, bl)
			}
		}
	}
	if err := b.finish(); errors.Is(err, ErrEmpty) {
		// a page with plan tables is never an empty plan
		return nil, &ParseError{Line: blocks[firstHeader].line, Msg: "the tables 実施内容 担当課 hold no actions"}
	} else if err != nil {
		return nil, err
	}
	if res.footer == 0 {
		// the contact box above the <h1> (a sidebar first in the source)
		for k, bl := range blocks[:start] {
			if bl.kind == bText && markerRe.MatchString(bl.text) {
				res.footer = bl.line
				if err := parseFooter(b.plan, footerLines(srcLine{no: bl.line, text: bl.text}, contactLines(blocks, k))); err != nil {
					return nil, err
				}
				break
			}
		}
	}
	if b.plan.Updated == "" {
		// 更新日 after the contact box, or above the <h1>
		for _, bl := range append(blocks[i:len(blocks):len(blocks)], blocks[:start]...) {
			if bl.kind == bText && isUpdatedLine(bl.text) {
				if err := setUpdated(b.plan, srcLine{no: bl.line, text: bl.text}); err != nil {
					return nil, err
				}
				break
			}
		}
	}
	return res, nil
}

// pickTitle chooses an initiative's title among the lines before its
// table: the last heading, else the last line.
func pickTitle(cands []hblock) (hblock, bool) {
	for i := len(cands) - 1; i >= 0; i-- {
		if cands[i].head {
			return cands[i], true
		}
	}
	if len(cands) > 0 {
		return cands[len(cands)-1], true
	}
	return hblock{}, false
}

// contactLines are the lines of the contact box after its marker at
// blocks[mi]: those inside the smallest element holding the marker and
// the line after it, up to the next heading.
func contactLines(blocks []hblock, mi int) []srcLine {
	if mi+1 >= len(blocks) {
		return nil
	}
	box := blocks[mi].node
	for box != nil && !holds(box, blocks[mi+1].node) {
		box = box.Parent
	}
	big := box == nil || holdsTable(box)
	var out []srcLine
	for _, bl := range blocks[mi+1:] {
		if bl.kind != bText || box != nil && !holds(box, bl.node) || big && bl.hx {
			break
		}
		out = append(out, srcLine{no: bl.line, text: bl.text})
	}
	return out
}

func holdsTable(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Table || holdsTable(c) {
			return true
		}
	}
	return false
}

func holds(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

var titleSep = regexp.MustCompile(`\s*[|｜]\s*|\s+[-–—]\s+|\s*[：:]\s*|\s+/\s+|\s*[〜～]\s*`)

// pageTitle is the <title> without the site's name: the longest of its
// parts ("第6次…計画 | 相馬市" → "第6次…計画").
func pageTitle(doc *html.Node) string {
	var t *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if t != nil {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Title {
			t = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if t == nil {
		return ""
	}
	best := ""
	for _, p := range titleSep.Split(normText(plainText(t)), -1) {
		if utf8.RuneCountInString(p) > utf8.RuneCountInString(best) {
			best = p
		}
	}
	return best
}
