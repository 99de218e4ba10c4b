package index

// Romaji: Japanese typed in Latin letters (gomi no dashikata, zaisei-ka),
// by foreign residents and by anyone without a Japanese keyboard. A word
// that is wholly romaji becomes hiragana, and the kana are matched by
// their readings like a question typed in kana. Hepburn, kunrei and the
// spellings of Japanese keyboards are all read (shi/si, tsu/tu, ji/zi/jyu,
// ou/oo/ō); long vowels and geminates need not be typed, since readings
// meet under looseFold.
//
// No Go module for romaji conversion is served to this project; the table
// below is the standard one.

import (
	"strings"
)

// romajiSyllables maps romaji syllables to hiragana, longest first when
// read (see toKana).
var romajiSyllables = func() map[string]string {
	m := map[string]string{
		"a": "あ", "i": "い", "u": "う", "e": "え", "o": "お",
		"ka": "か", "ki": "き", "ku": "く", "ke": "け", "ko": "こ",
		"ga": "が", "gi": "ぎ", "gu": "ぐ", "ge": "げ", "go": "ご",
		"sa": "さ", "shi": "し", "si": "し", "su": "す", "se": "せ", "so": "そ",
		"za": "ざ", "ji": "じ", "zi": "じ", "zu": "ず", "ze": "ぜ", "zo": "ぞ",
		"ta": "た", "chi": "ち", "ti": "ち", "tsu": "つ", "tu": "つ", "te": "て", "to": "と",
		"da": "だ", "di": "ぢ", "du": "づ", "de": "で", "do": "ど",
		"na": "な", "ni": "に", "nu": "ぬ", "ne": "ね", "no": "の",
		"ha": "は", "hi": "ひ", "fu": "ふ", "hu": "ふ", "he": "へ", "ho": "ほ",
		"ba": "ば", "bi": "び", "bu": "ぶ", "be": "べ", "bo": "ぼ",
		"pa": "ぱ", "pi": "ぴ", "pu": "ぷ", "pe": "ぺ", "po": "ぽ",
		"ma": "ま", "mi": "み", "mu": "む", "me": "め", "mo": "も",
		"ya": "や", "yu": "ゆ", "yo": "よ",
		"ra": "ら", "ri": "り", "ru": "る", "re": "れ", "ro": "ろ",
		"la": "ら", "li": "り", "lu": "る", "le": "れ", "lo": "ろ",
		"wa": "わ", "wo": "を", "we": "うぇ", "wi": "うぃ",
		"fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ", "fo": "ふぉ",
		"she": "しぇ", "je": "じぇ", "che": "ちぇ", "tsa": "つぁ",
		"va": "ば", "vi": "び", "vu": "ぶ", "ve": "べ", "vo": "ぼ",
	}
	// Contracted syllables: kya, sha/sya, cha/tya/cya, ja/jya/zya, …
	for cons, kana := range map[string]string{
		"ky": "き", "gy": "ぎ", "sh": "し", "sy": "し", "ch": "ち", "ty": "ち", "cy": "ち", "j": "じ", "jy": "じ",
		"zy": "じ", "ny": "に", "hy": "ひ", "by": "び", "py": "ぴ", "my": "み", "ry": "り", "ly": "り", "dy": "ぢ",
	} {
		for v, small := range map[string]string{"a": "ゃ", "u": "ゅ", "o": "ょ"} {
			m[cons+v] = kana + small
		}
	}
	return m
}()

// macrons writes long vowels as two letters: tōkyō is toukyou.
var macrons = strings.NewReplacer("ā", "aa", "ī", "ii", "ū", "uu", "ē", "ei", "ō", "ou", "â", "aa", "î", "ii", "û", "uu", "ê", "ei", "ô", "ou")

// toKana converts a word of romaji to hiragana; ok is false when the word
// is not wholly romaji. Hyphens join parts (zaisei-ka).
func toKana(w string) (kana string, ok bool) {
	var b strings.Builder
	rs := []rune(macrons.Replace(strings.ToLower(w)))
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '-' || r == '\'':
			i++
			continue
		case r == 'n' && (i+1 == len(rs) || !strings.ContainsRune("aiueoy", rs[i+1])):
			b.WriteString("ん") // n before a consonant or at the end; nn and n' as well
			i++
			if i < len(rs) && (rs[i] == '\'' || rs[i] == 'n' && (i+1 == len(rs) || !strings.ContainsRune("aiueoy", rs[i+1]))) {
				i++
			}
			continue
		case r == 'm' && i+1 < len(rs) && strings.ContainsRune("bmp", rs[i+1]):
			b.WriteString("ん") // Hepburn's m before b, m, p (shimbun)
			i++
			continue
		case i+1 < len(rs) && r == rs[i+1] && strings.ContainsRune("kgsztdhbpfcjrmwy", r) || r == 't' && i+1 < len(rs) && rs[i+1] == 'c':
			b.WriteString("っ") // a doubled consonant (gakkou), tch (matcha)
			i++
			continue
		}
		found := false
		for n := min(4, len(rs)-i); n >= 1; n-- {
			if k, ok := romajiSyllables[string(rs[i:i+n])]; ok {
				b.WriteString(k)
				i += n
				found = true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}
