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
)

// Names of the analysis components registered with bleve.
const (
	CharFilterNFKC = "planbot_nfkc"
	AnalyzerMorph  = "planbot_ja_morph"  // kagome base forms
	AnalyzerBigram = "planbot_ja_bigram" // bigrams of the kana-folded surface
)

func init() {
	registry.RegisterCharFilter(CharFilterNFKC, func(map[string]any, *registry.Cache) (analysis.CharFilter, error) {
		return nfkcFilter{}, nil
	})
	for name, tok := range map[string]analysis.Tokenizer{
		AnalyzerMorph:  morphTokenizer{},
		AnalyzerBigram: bigramTokenizer{},
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

// morpheme is one content word of a text.
type morpheme struct {
	base    string // dictionary form, normalised
	surface string
	reading string // katakana; the folded surface when the dictionary has none
	start   int    // byte offsets in the analysed text
	end     int
	verbal  bool // a verb or adjective: weaker evidence of topic than a noun
	sahen   bool // a noun that takes する (登録, 申請)
	noun    bool
	// concrete marks a common or proper noun that names a thing (井戸,
	// 常磐道), not a place or person's name, a time, a pronoun or a suffix:
	// when the plan lacks it, it may be a topic the plan does not cover.
	concrete bool
	known    bool // in the dictionary, not guessed by kagome
	suffix   bool // a noun suffix: 課, 者, さん, たち
}

// dropPOS lists the parts of speech that carry no topic. A prefix is part
// of the next word's meaning, not a word: 本会議 says nothing of a book (本).
var dropPOS = map[string]bool{"助詞": true, "助動詞": true, "記号": true, "フィラー": true, "感動詞": true, "接続詞": true,
	"接頭詞": true}

// morphemes analyses normalised text with kagome in search mode and returns
// its content words, and the reading of the whole text (katakana as the
// dictionary gives it, small kana and long-vowel marks kept).
func morphemes(text string) (ms []morpheme, reading string) {
	return contentWords(kagome().analyze(text))
}

// contentWords returns the content words of tokens, and their reading.
func contentWords(toks []tokenizer.Token) (ms []morpheme, reading string) {
	var rb strings.Builder
	m := kagome()
	for _, t := range toks {
		pos := t.POS()
		if len(pos) == 0 || pos[0] == "記号" || strings.TrimSpace(t.Surface) == "" {
			continue
		}
		base, rd := m.features(t)
		if rd == "*" || rd == "" {
			rd = fold(t.Surface)
		}
		rb.WriteString(rd)
		if n := len(ms); n > 0 && ms[n-1].end == t.Position && excess[t.Surface] && utf8.RuneCountInString(ms[n-1].surface) == 1 && ms[n-1].noun {
			prev := &ms[n-1] // 悪すぎ: an adjective's stem before すぎ, no thing
			prev.noun, prev.concrete, prev.verbal = false, false, true
		}
		if dropPOS[pos[0]] || (len(pos) > 1 && (pos[1] == "非自立" || pos[1] == "数" || pos[0] == "動詞" && pos[1] == "接尾")) {
			continue
		}
		if base == "*" || base == "" {
			base = t.Surface
		}
		if base == "する" && len(ms) > 0 && ms[len(ms)-1].end == t.Position && ms[len(ms)-1].sahen {
			ms[len(ms)-1].concrete = false // 移転したい: the noun names an act, not a thing
		}
		if !strings.ContainsFunc(base, unicode.IsLetter) && (utf8.RuneCountInString(base) == 1 || !strings.ContainsFunc(base, unicode.IsNumber)) {
			continue // a lone digit, or punctuation kagome did not tag as such (！！)
		}
		if r, _ := utf8.DecodeRuneInString(base); utf8.RuneCountInString(base) == 1 && unicode.Is(unicode.Hiragana, r) {
			continue // a stray kana is noise
		}
		noun := pos[0] == "名詞"
		concrete := noun && len(pos) > 1 && (pos[1] == "一般" || pos[1] == "サ変接続" || pos[1] == "固有名詞" && !(len(pos) > 2 && (pos[2] == "地域" || pos[2] == "人名")))
		ms = append(ms, morpheme{base: base, surface: t.Surface, reading: rd, start: t.Position, end: t.Position + len(t.Surface), verbal: pos[0] == "動詞" || pos[0] == "形容詞",
			sahen: len(pos) > 1 && pos[1] == "サ変接続", noun: noun, concrete: concrete, known: t.Class == tokenizer.KNOWN,
			suffix: noun && len(pos) > 1 && pos[1] == "接尾"})
	}
	return ms, rb.String()
}

// excess are the forms of すぎる (too much) that kagome may leave after an
// adjective's stem it reads as a noun (悪|すぎ).
var excess = map[string]bool{"すぎ": true, "すぎる": true, "過ぎ": true, "過ぎる": true}

// conjunctions are the conjunctive particles that end a clause of reason,
// concession or addition: 卒業なんだけど|職員募集してる？
var conjunctions = map[string]bool{"けど": true, "けれど": true, "けれども": true, "が": true, "から": true, "ので": true,
	"のに": true, "し": true}

// conjunctionBreaks returns where a clause starts after a conjunctive
// particle among tokens.
func conjunctionBreaks(toks []tokenizer.Token) []int {
	var out []int
	for _, t := range toks {
		if pos := t.POS(); len(pos) > 1 && pos[0] == "助詞" && pos[1] == "接続助詞" && conjunctions[t.Surface] {
			out = append(out, t.Position+len(t.Surface))
		}
	}
	return out
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

type bigramTokenizer struct{}

func (bigramTokenizer) Tokenize(b []byte) analysis.TokenStream {
	return stream(bigrams(fold(string(b))))
}
