package data

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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

var (
	policyRe  = regexp.MustCompile(`^(\d+)\s+(\S.*)$`)
	measureRe = regexp.MustCompile(`^\((\d+)\)\s*(\S.*)$`)
	headerRe  = regexp.MustCompile(`^実施内容\s+担当課$`)
	postalRe  = regexp.MustCompile(`^〒\s*(\d{3}-?\d{4})$`)
	phoneRe   = regexp.MustCompile(`^電話(?:番号)?\s*:?\s*([0-9-]+)`)
	updatedRe = regexp.MustCompile(`更新日\s*:?\s*(\d{4})年(\d{1,2})月(\d{1,2})日`)
)

// footerMarker starts the page footer with the contact desk.
const footerMarker = "この記事に関するお問い合わせ先"

// maxDeptRunes bounds a department continuation line, so that a stray
// sentence is not mistaken for a department name.
const maxDeptRunes = 24

type line struct {
	no   int
	text string // NFKC-normalised, trimmed
}

// Parse reads a published plan text. It accepts CRLF, a BOM, full-width
// digits and brackets, tabs or full-width spaces between an action and its
// department, and trailing blanks; it rejects a text whose structure is
// broken with a *ParseError naming the line.
func Parse(text []byte) (*Plan, error) {
	if !utf8.Valid(text) {
		return nil, &ParseError{Line: firstInvalidLine(text), Msg: "text is not valid UTF-8"}
	}
	text = bytes.TrimPrefix(text, []byte("\uFEFF"))
	var lines []line
	for i, raw := range strings.Split(string(text), "\n") {
		s := strings.TrimSpace(norm.NFKC.String(strings.TrimRight(raw, "\r")))
		if s != "" {
			lines = append(lines, line{no: i + 1, text: s})
		}
	}
	if len(lines) == 0 {
		return nil, &ParseError{Msg: "empty plan: " + ErrEmpty.Error(), Err: ErrEmpty}
	}
	p := &Plan{Title: lines[0].text}
	var (
		pn, mn, in, an int    // counters for IDs
		policy         string // current headings
		measure        string
		initiative     string
		headerLine     int // line of the open 実施内容 header; 0 when rows follow
		inTable        bool
		last           *Item
	)
	closeTable := func() error {
		if inTable && headerLine != 0 {
			return &ParseError{Line: headerLine, Msg: "header 実施内容 担当課 has no rows"}
		}
		inTable, last = false, nil
		return nil
	}
	rest := lines[1:]
	for i := 0; i < len(rest); i++ {
		l := rest[i]
		nextIsHeader := i+1 < len(rest) && headerRe.MatchString(rest[i+1].text)
		switch {
		case l.text == footerMarker:
			if err := closeTable(); err != nil {
				return nil, err
			}
			parseFooter(p, rest[i+1:])
			i = len(rest)
		case headerRe.MatchString(l.text):
			return nil, &ParseError{Line: l.no, Msg: "header 実施内容 担当課 without an initiative title on the line before"}
		case nextIsHeader:
			if err := closeTable(); err != nil {
				return nil, err
			}
			if mn == 0 {
				return nil, &ParseError{Line: l.no, Msg: fmt.Sprintf("initiative %q outside a measure", l.text)}
			}
			in++
			an = 0
			initiative = l.text
			headerLine, inTable = rest[i+1].no, true
			i++ // skip the header
		case measureRe.MatchString(l.text) && !isRow(l.text):
			if err := closeTable(); err != nil {
				return nil, err
			}
			if pn == 0 {
				return nil, &ParseError{Line: l.no, Msg: fmt.Sprintf("measure %q outside a policy", l.text)}
			}
			mn++
			in = 0
			measure = l.text
		case policyRe.MatchString(l.text):
			if err := closeTable(); err != nil {
				return nil, err
			}
			pn++
			mn, in = 0, 0
			policy = l.text
		case !inTable:
			return nil, &ParseError{Line: l.no, Msg: fmt.Sprintf("action outside an initiative: %q", clip(l.text))}
		case isRow(l.text):
			content, dept := splitRow(l.text)
			an++
			p.Items = append(p.Items, Item{
				ID:          fmt.Sprintf("%d.%d.%d.%d", pn, mn, in, an),
				Departments: []string{dept},
				Content:     content,
				Policy:      policy,
				Measure:     measure,
				Initiative:  initiative,
				Line:        l.no,
			})
			last = &p.Items[len(p.Items)-1]
			headerLine = 0
		case last != nil && looksLikeDept(l.text):
			if !contains(last.Departments, l.text) {
				last.Departments = append(last.Departments, l.text)
			}
		default:
			return nil, &ParseError{Line: l.no, Msg: fmt.Sprintf("action without a department (expected \"内容 担当課\"): %q", clip(l.text))}
		}
	}
	if err := closeTable(); err != nil {
		return nil, err
	}
	if len(p.Items) == 0 {
		return nil, &ParseError{Msg: "empty plan: " + ErrEmpty.Error(), Err: ErrEmpty}
	}
	return p, nil
}

// isRow reports whether s is "content<space>department".
func isRow(s string) bool {
	i := strings.LastIndexFunc(s, unicode.IsSpace)
	return i > 0 && looksLikeDept(s[i+1:])
}

func splitRow(s string) (content, dept string) {
	i := strings.LastIndexFunc(s, unicode.IsSpace)
	return strings.TrimSpace(s[:i]), s[i+1:]
}

func looksLikeDept(s string) bool {
	n := utf8.RuneCountInString(s)
	return n > 0 && n <= maxDeptRunes && !strings.ContainsAny(s, "。、 ") && !strings.HasSuffix(s, ".")
}

func parseFooter(p *Plan, ls []line) {
	for i, l := range ls {
		switch {
		case i == 0:
			p.Contact.Desk = l.text
		case postalRe.MatchString(l.text):
			p.Contact.Postal = postalRe.FindStringSubmatch(l.text)[1]
			if i+1 < len(ls) && !phoneRe.MatchString(ls[i+1].text) {
				p.Contact.Address = ls[i+1].text
			}
		case phoneRe.MatchString(l.text):
			p.Contact.Phone = phoneRe.FindStringSubmatch(l.text)[1]
		}
		if m := updatedRe.FindStringSubmatch(l.text); m != nil {
			y, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			d, _ := strconv.Atoi(m[3])
			p.Updated = fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
		}
	}
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
