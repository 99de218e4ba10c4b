// Package index turns a plan into a Japanese- and English-aware bleve index
// and answers residents' questions from it.
package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
)

// Names of the analysis components registered with bleve.
const (
	CharFilterNFKC  = "planbot_nfkc"
	AnalyzerMorph   = "planbot_ja_morph"   // kagome base forms
	AnalyzerReading = "planbot_ja_reading" // bigrams of the katakana reading
	AnalyzerBigram  = "planbot_ja_bigram"  // bigrams of the kana-folded surface
)

func init() {
	registry.RegisterCharFilter(CharFilterNFKC, func(map[string]any, *registry.Cache) (analysis.CharFilter, error) {
		return nfkcFilter{}, nil
	})
	for name, tok := range map[string]analysis.Tokenizer{
		AnalyzerMorph:   morphTokenizer{},
		AnalyzerReading: readingTokenizer{},
		AnalyzerBigram:  bigramTokenizer{},
	} {
		registry.RegisterAnalyzer(name, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return &analysis.DefaultAnalyzer{CharFilters: []analysis.CharFilter{nfkcFilter{}}, Tokenizer: tok}, nil
		})
	}
}

// nfkcFilter is a bleve char filter: NFKC, then lower case. bleve's own
// normalisation works on tokens, too late for a tokenizer that needs
// half-width kana and full-width letters already folded.
type nfkcFilter struct{}

func (nfkcFilter) Filter(b []byte) []byte { return []byte(normalize(string(b))) }

// normalize applies NFKC and lower-casing, and writes in kanji the words
// that official texts write half in kana (交ぜ書き) and kagome then splits
// into nonsense: 障がい is read 障る|が|い, 障害 is a noun.
func normalize(s string) string { return kanjiSpellings.Replace(strings.ToLower(norm.NFKC.String(s))) }

var kanjiSpellings = strings.NewReplacer("障がい", "障害")

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

func isKana(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana)
}

func isKatakana(r rune) bool { return unicode.Is(unicode.Katakana, r) }

// isJapanese reports whether r is kana or a CJK ideograph.
func isJapanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}

// morpheme is one content word of a text.
type morpheme struct {
	base    string // dictionary form, normalised
	surface string
	reading string // katakana; the folded surface when the dictionary has none
	start   int    // byte offsets in the analysed text
	end     int
	verbal  bool // a verb or adjective: weaker evidence of topic than a noun
	sahen   bool // a noun that takes する (登録, 申請)
}

// dropPOS lists the parts of speech that carry no topic. A prefix is part
// of the next word's meaning, not a word: 本会議 says nothing of a book (本).
var dropPOS = map[string]bool{"助詞": true, "助動詞": true, "記号": true, "フィラー": true, "感動詞": true, "接続詞": true,
	"接頭詞": true}

// morphemes analyses normalised text with kagome in search mode and returns
// its content words, and the reading of the whole text.
func morphemes(text string) (ms []morpheme, reading string) {
	var rb strings.Builder
	m := kagome()
	for _, t := range m.tok.Analyze(text, tokenizer.Search) {
		pos := t.POS()
		if len(pos) == 0 || pos[0] == "記号" || strings.TrimSpace(t.Surface) == "" {
			continue
		}
		base, rd := m.features(t)
		if rd == "*" || rd == "" {
			rd = fold(t.Surface)
		}
		rb.WriteString(rd)
		if dropPOS[pos[0]] || (len(pos) > 1 && (pos[1] == "非自立" || pos[1] == "数")) {
			continue
		}
		if base == "*" || base == "" {
			base = t.Surface
		}
		if base == "する" && len(ms) > 0 && ms[len(ms)-1].end == t.Position && ms[len(ms)-1].sahen {
			ms[len(ms)-1].verbal = true // 登録したい: the noun is used as a verb
		}
		if !strings.ContainsFunc(base, unicode.IsLetter) && (utf8.RuneCountInString(base) == 1 || !strings.ContainsFunc(base, unicode.IsNumber)) {
			continue // a lone digit, or punctuation kagome did not tag as such (！！)
		}
		if r, _ := utf8.DecodeRuneInString(base); utf8.RuneCountInString(base) == 1 && unicode.Is(unicode.Hiragana, r) {
			continue // a stray kana is noise
		}
		ms = append(ms, morpheme{base: base, surface: t.Surface, reading: rd, start: t.Position, end: t.Position + len(t.Surface), verbal: pos[0] == "動詞" || pos[0] == "形容詞",
			sahen: len(pos) > 1 && pos[1] == "サ変接続"})
	}
	return ms, fold(rb.String())
}

// bigrams returns the overlapping character pairs of each run of letters in
// folded text; a run of one character yields itself.
func bigrams(folded string) []string {
	var out []string
	var run []rune
	flush := func() {
		if len(run) == 1 {
			out = append(out, string(run))
		}
		for i := 0; i+1 < len(run); i++ {
			out = append(out, string(run[i:i+2]))
		}
		run = run[:0]
	}
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			run = append(run, r)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func stream(terms []string) analysis.TokenStream {
	ts := make(analysis.TokenStream, len(terms))
	for i, t := range terms {
		ts[i] = &analysis.Token{Term: []byte(t), Position: i + 1, Type: analysis.Ideographic}
	}
	return ts
}

type morphTokenizer struct{}

func (morphTokenizer) Tokenize(b []byte) analysis.TokenStream {
	ms, _ := morphemes(string(b))
	ts := make(analysis.TokenStream, len(ms))
	for i, m := range ms {
		ts[i] = &analysis.Token{Term: []byte(m.base), Start: m.start, End: m.end, Position: i + 1, Type: analysis.Ideographic}
	}
	return ts
}

type readingTokenizer struct{}

func (readingTokenizer) Tokenize(b []byte) analysis.TokenStream {
	_, r := morphemes(string(b))
	return stream(bigrams(r))
}

type bigramTokenizer struct{}

func (bigramTokenizer) Tokenize(b []byte) analysis.TokenStream {
	return stream(bigrams(fold(string(b))))
}
