package bot

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// What the not-covered log keeps, and for how long: a question's text,
// masked (Mask) and cut to MaxLoggedQuestion runes, and its time, for
// UnansweredKeep, the newest UnansweredCap at most.
const (
	UnansweredKeep    = 30 * 24 * time.Hour
	UnansweredCap     = 200
	MaxLoggedQuestion = 500 // what the index reads of a question
)

// The placeholders Mask writes.
const (
	maskPhone  = "〔電話番号〕"
	maskMail   = "〔メール〕"
	maskNumber = "〔番号〕"
	maskPostal = "〔郵便番号〕"
)

// maskers run in this order: an e-mail address may hold digits, a
// 12-digit number (My Number) is longer than a phone number, and a postal
// code (123-4567) is shorter. Each runs on the text folded to half width
// (fold), so full-width digits and the many dashes count alike; a match
// that a digit touches on either side is part of a longer number and left
// alone.
var maskers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`), maskMail},
	{regexp.MustCompile(`〒 ?\d{3}-?\d{4}`), maskPostal},
	{regexp.MustCompile(`\d{4}[- ]?\d{4}[- ]?\d{4}`), maskNumber},
	// Japanese numbers: 0 and 9 or 10 more digits (090-1234-5678,
	// 0244-37-2120, (0244)37-2120, 0120-123-456), or +81 and 9 or 10
	// digits (+81 90-1234-5678, +81(0)3-1234-5678).
	{regexp.MustCompile(`(?:\+81[-(). ]{0,3}(?:0[-(). ]{0,2})?|\(?0[-(). ]{0,2})(?:\d[-(). ]{0,2}){8,9}\d`), maskPhone},
	{regexp.MustCompile(`\d{3}-\d{4}`), maskPostal},
}

// Mask replaces the phone numbers, e-mail addresses, 12-digit numbers
// (My Number) and postal codes in a resident's text with 〔電話番号〕,
// 〔メール〕, 〔番号〕 and 〔郵便番号〕, in half- or full-width, with any
// dashes, so that the not-covered log keeps what was asked and not who
// asked it. Names and addresses in words are not recognised.
func Mask(s string) string {
	for _, m := range maskers {
		s = maskWith(s, m.re, m.with)
	}
	return s
}

func maskWith(s string, re *regexp.Regexp, with string) string {
	folded, starts := fold(s)
	var b strings.Builder
	last := 0 // in s
	for _, m := range re.FindAllStringIndex(folded, -1) {
		i, j := m[0], m[1]
		if (i > 0 && isDigit(folded[i-1])) || (j < len(folded) && isDigit(folded[j])) {
			continue
		}
		b.WriteString(s[last:starts[i]])
		b.WriteString(with)
		last = starts[j]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// fold maps s rune by rune to half width (full-width digits, letters and
// signs to ASCII, every dash to '-', the ideographic space to ' ') and
// returns, for each byte offset of the folded text that starts a rune,
// the offset of that rune in s (and len(s) at len(folded)).
func fold(s string) (string, []int) {
	var b strings.Builder
	starts := make([]int, 0, len(s)+1)
	for i, r := range s {
		f := foldRune(r)
		for range utf8.RuneLen(f) {
			starts = append(starts, i)
		}
		b.WriteRune(f)
	}
	return b.String(), append(starts, len(s))
}

func foldRune(r rune) rune {
	switch r {
	case '‐', '‑', '‒', '–', '—', '―', '−', 'ー', '－', 'ｰ', '﹣', '⁃':
		return '-'
	case '　':
		return ' '
	case '（':
		return '('
	case '）':
		return ')'
	}
	if p := width.LookupRune(r); p.Kind() == width.EastAsianFullwidth {
		if n := p.Narrow(); n != 0 && n < utf8.RuneSelf {
			return n
		}
	}
	return r
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
