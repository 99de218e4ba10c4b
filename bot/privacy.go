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
// 12-digit number (My Number) is longer than a phone number, a postal
// code (123-4567) is shorter, and any number of ten digits or more that is
// left (a card, account or insurance number) is masked last. Each runs on
// the text folded to half width (fold), so full-width digits and the many
// dashes count alike. The numeric ones take, from each start, the longest
// text that is wholly one number and is not part of a longer one (see
// joined): 「0244-37-2120 12日」 masks the phone number and keeps 12日.
var maskers = []struct {
	re    *regexp.Regexp
	with  string
	whole bool // re is anchored; see maskWhole
}{
	// The domain may be internationalised (例え.jp); its last label is
	// ASCII, so Japanese after the address is not taken for part of it.
	{regexp.MustCompile(`[A-Za-z0-9._%+\-]+@(?:[\p{L}\p{N}\-]+\.)+[A-Za-z]{2,}`), maskMail, false},
	{regexp.MustCompile(`^〒 ?\d{3}[- ]?\d{4}$`), maskPostal, true},
	{regexp.MustCompile(`^\d{4}[- ]?\d{4}[- ]?\d{4}$`), maskNumber, true},
	// Japanese phone numbers: 0 and nine more digits (0244-37-2120,
	// (0244)37-2120, 0120-123-456), eleven digits for 050, 070, 080 and
	// 090, or +81 and nine or ten digits (+81 90-1234-5678,
	// +81(0)3-1234-5678); the digits may be spaced out, with up to three
	// signs between them (090 - 1234 - 5678, 0 9 0 1 …).
	{regexp.MustCompile(`^(?:\(?0(?:[-(). ]{0,3}\d){9}|\(?0[-(). ]{0,3}[5789][-(). ]{0,3}0(?:[-(). ]{0,3}\d){8}|\+81[-(). ]{0,3}(?:0[-(). ]{0,3})?\d(?:[-(). ]{0,3}\d){8,9})$`), maskPhone, true},
	{regexp.MustCompile(`^\d{3}-\d{4}$`), maskPostal, true},
	{regexp.MustCompile(`\d(?:[-. ]?\d){9,}`), maskNumber, false},
}

// maxNumber is the longest text, in bytes, an anchored masker can match.
const maxNumber = 48

// Mask replaces the phone numbers, e-mail addresses, 12-digit numbers
// (My Number), postal codes and other long numbers in a resident's text
// with 〔電話番号〕, 〔メール〕, 〔番号〕 and 〔郵便番号〕, in half- or
// full-width, with any dashes, so that the not-covered log keeps what was
// asked and not who asked it. Names and addresses in words are not
// recognised.
func Mask(s string) string {
	for _, m := range maskers {
		if m.whole {
			s = maskWhole(s, m.re, m.with)
		} else {
			s = maskAll(s, m.re, m.with)
		}
	}
	return s
}

// maskAll replaces every match of re.
func maskAll(s string, re *regexp.Regexp, with string) string {
	folded, starts := fold(s)
	var b strings.Builder
	last := 0 // in s
	for _, m := range re.FindAllStringIndex(folded, -1) {
		b.WriteString(s[last:starts[m[0]]])
		b.WriteString(with)
		last = starts[m[1]]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskWhole replaces, scanning left to right, the longest span that re
// (anchored) matches whole and that is not joined to more digits.
func maskWhole(s string, re *regexp.Regexp, with string) string {
	folded, starts := fold(s)
	var b strings.Builder
	last := 0 // in s
	for i := 0; i < len(folded); i++ {
		if c := folded[i]; !isDigit(c) && c != '(' && c != '+' && !strings.HasPrefix(folded[i:], "〒") {
			continue
		}
		if starts[i] < last || joined(folded, i, -1) {
			continue
		}
		for j := min(len(folded), i+maxNumber); j > i; j-- {
			if !isDigit(folded[j-1]) || joined(folded, j, +1) || !re.MatchString(folded[i:j]) {
				continue
			}
			b.WriteString(s[last:starts[i]])
			b.WriteString(with)
			last = starts[j]
			i = j - 1
			break
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// joined reports whether the number ending (dir +1) or starting (dir -1)
// at byte k of s goes on: a digit next to it, or a dash or dot and then
// a digit (1234-5678-9012-1 is no 12-digit number).
func joined(s string, k, dir int) bool {
	at := func(k int) byte {
		if k < 0 || k >= len(s) {
			return 0
		}
		return s[k]
	}
	next := k
	if dir < 0 {
		next = k - 1
	}
	if isDigit(at(next)) {
		return true
	}
	return (at(next) == '-' || at(next) == '.') && isDigit(at(next+dir))
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
