package index

// Stage 1 of the question path: normalise. A question and the plan are
// both NFKC-normalised and lower-cased (half-width kana become full-width,
// full-width letters ASCII); a question is further cleared of emoji and
// repeated letters, and its spoken and dialect forms are rewritten to the
// standard ones the morphological analyser knows (data/colloquial.tsv).

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalize applies NFKC and lower-casing, and writes in kanji the words
// that official texts write half in kana (交ぜ書き) and kagome then splits
// into nonsense: 障がい is read 障る|が|い, 障害 is a noun.
func normalize(s string) string { return kanjiSpellings.Replace(strings.ToLower(norm.NFKC.String(s))) }

var kanjiSpellings = strings.NewReplacer("障がい", "障害")

// normalizeQuestion is normalize for a question: emoji end a sentence,
// a letter typed three times or more (すごーーーい, ！！！) is typed once,
// and the colloquial rules of the lexicon apply.
func (l *Lexicon) normalizeQuestion(raw string) string {
	rs := []rune(normalize(strings.TrimSpace(raw)))
	out := make([]rune, 0, len(rs))
	for i, r := range rs {
		switch {
		case isEmoji(r):
			if n := len(out); n > 0 && out[n-1] != '。' {
				out = append(out, '。')
			}
		case i >= 1 && r == rs[i-1] && !unicode.IsDigit(r) && (i >= 2 && r == rs[i-2] || i+1 < len(rs) && r == rs[i+1]):
			// a letter typed three times or more is typed once
			if i >= 2 && r == rs[i-2] || len(out) > 0 && out[len(out)-1] == r {
				continue
			}
			out = append(out, r)
		default:
			out = append(out, r)
		}
	}
	s := strings.TrimSpace(strings.TrimSuffix(string(out), "。"))
	s = katakanaSentence(s)
	for _, rw := range l.rewrites {
		s = rw.Pattern.ReplaceAllString(s, rw.Replace)
	}
	return s
}

// katakanaSentence writes in hiragana a text that is all katakana but
// for Latin letters, digits and punctuation (ｾﾞｲｷﾝﾉ ﾊﾗｲﾜｽﾚｦ, typed on a
// phone without kanji): it is phonetic Japanese, particles and all, not a
// row of loanwords. Loanwords in it are found by their readings.
func katakanaSentence(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.In(r, unicode.Hiragana, unicode.Han) }) ||
		!strings.ContainsFunc(s, isKatakana) || !strings.ContainsAny(s, " 、。,?!") && utf8.RuneCountInString(s) < 12 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - 'ァ' + 'ぁ'
		}
		return r
	}, s)
}

// isEmoji reports pictographs, dingbats and the joiners and selectors
// that build them.
func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r == 0xFE0F || r == 0x200D || r >= 0x2B00 && r <= 0x2BFF
}

// fold maps normalised text to a spelling-insensitive form: hiragana become
// katakana and long-vowel marks (and dashes standing for them) disappear, so
// はざーどまっぷ, ハザードマップ and ハザードマツプ-like variants meet.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for _, r := range s {
		r = foldKana(r)
		switch {
		case r == 'ー' || r == '〜' || r == '~' || ((r == '-' || r == '‐' || r == '−') && isKana(prev)):
			prev = r
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// foldKana maps a hiragana to its katakana and a small kana to full size.
func foldKana(r rune) rune {
	if r >= 'ぁ' && r <= 'ゖ' {
		r += 'ァ' - 'ぁ'
	}
	if big, ok := smallKana[r]; ok {
		return big
	}
	return r
}

// smallKana maps small katakana to full size: residents often type ツ for ッ.
var smallKana = map[rune]rune{'ァ': 'ア', 'ィ': 'イ', 'ゥ': 'ウ', 'ェ': 'エ', 'ォ': 'オ', 'ッ': 'ツ', 'ャ': 'ヤ', 'ュ': 'ユ', 'ョ': 'ヨ', 'ヮ': 'ワ', 'ヵ': 'カ', 'ヶ': 'ケ'}

// looseFold is the key under which readings meet however a word is typed
// in kana or romaji: katakana without the long vowels o, u, a and e
// (ソウム, ソオム and ソム are one; ankeeto is アンケート) or geminates
// (ガッコウ, ガコウ), and with the kana pairs
// romaji and typos confuse made one (ヅ/ズ, ヂ/ジ, ヲ/オ).
func looseFold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for _, r := range s {
		if r == 'っ' || r == 'ッ' || r == 'ー' {
			continue
		}
		if !isKana(r) {
			b.WriteRune(r)
			prev = 0
			continue
		}
		r = looseKana(foldKana(r))
		if isLongVowel(prev, r) {
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// looseKana makes one the katakana that romaji and typos confuse.
func looseKana(r rune) rune {
	switch r {
	case 'ヅ':
		return 'ズ'
	case 'ヂ':
		return 'ジ'
	case 'ヲ':
		return 'オ'
	case 'ヱ':
		return 'エ'
	case 'ヰ':
		return 'イ'
	}
	return r
}

// isLongVowel reports whether katakana r after prev only lengthens it as
// romaji and hurried typing leave out: ソウ, ソオ, ジユウ, and カア, ケエ as
// romaji writes loanwords (ankeeto: アンケート); native words fold so too
// (バアイ, おばあさん), on both sides of a match. セイ is typed as it is,
// and コウレイ must not meet これ.
func isLongVowel(prev, r rune) bool {
	v := vowelOf(prev)
	return r == 'ウ' && (v == 'オ' || v == 'ウ') || r == 'オ' && v == 'オ' ||
		r == 'ア' && v == 'ア' || r == 'エ' && v == 'エ'
}

// vowelOf returns the vowel a katakana ends in (ア イ ウ エ オ), or 0.
func vowelOf(r rune) rune {
	i := strings.IndexRune(kanaRows, r)
	if i < 0 {
		return 0
	}
	return []rune("アイウエオ")[utf8.RuneCountInString(kanaRows[:i])%5]
}

// kanaRows lists katakana by vowel, five to a row (ア イ ウ エ オ); small
// kana are folded before looseFold sees them.
const kanaRows = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤイユエヨラリルレロワイウエオ" +
	"ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ"

func isKana(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana)
}

func isKatakana(r rune) bool { return unicode.Is(unicode.Katakana, r) }

// isJapanese reports whether r is kana or a CJK ideograph.
func isJapanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}
