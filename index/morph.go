package index

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// morphology is kagome with the IPA dictionary, safe for concurrent use.
//
// kagome keeps the features of its 390,000 entries as [][]string: 60 MiB
// and four million pointers that the garbage collector scans on every
// cycle, a cost every request pays under load. morphology copies the two
// features planbot reads from that table, base form and reading, into
// pointer-free storage and releases the table, leaving kagome a dictionary
// like ipa.DictShrink's; the part-of-speech rows, identical for most
// entries, are shared.
type morphology struct {
	tok   *tokenizer.Tokenizer
	words dict.IndexTable // the entries by how they are written
	text  string          // base form and reading of every entry, back to back
	off   []uint32        // entry i: base form text[off[2i]:off[2i+1]], reading text[off[2i+1]:off[2i+2]]
}

// kagome returns the shared morphology, built once: loading the IPA
// dictionary takes about a second.
var kagome = sync.OnceValue(func() *morphology {
	m, err := newMorphology(ipa.Dict())
	if err != nil {
		panic("index: kagome: " + err.Error()) // the embedded dictionary is broken
	}
	return m
})

// newMorphology builds the tables from d and then drops d's feature table,
// so d must not be shared with code that reads kagome's features (planbot
// is the only user of the IPA dictionary in its process).
func newMorphology(d *dict.Dict) (*morphology, error) {
	baseAt, ok1 := d.ContentsMeta[dict.BaseFormIndex]
	readAt, ok2 := d.ContentsMeta[dict.ReadingIndex]
	if !ok1 || !ok2 || len(d.Contents) != len(d.POSTable.POSs) {
		return nil, errors.New("the dictionary has no base form and reading table")
	}
	feature := func(row []string, at int) string {
		if at < 0 || at >= len(row) {
			return ""
		}
		return row[at]
	}
	size := 0
	for i, row := range d.Contents {
		n := len(d.POSTable.POSs[i])
		size += len(feature(row, int(baseAt)-n)) + len(feature(row, int(readAt)-n))
	}
	var text strings.Builder
	text.Grow(size)
	off := make([]uint32, 1, 2*len(d.Contents)+1)
	shared := map[string]dict.POS{}
	var key []byte
	for i, row := range d.Contents {
		pos := d.POSTable.POSs[i]
		text.WriteString(feature(row, int(baseAt)-len(pos)))
		off = append(off, uint32(text.Len()))
		text.WriteString(feature(row, int(readAt)-len(pos)))
		off = append(off, uint32(text.Len()))
		key = key[:0]
		for _, id := range pos {
			key = binary.LittleEndian.AppendUint16(key, uint16(id))
		}
		if s, ok := shared[string(key)]; ok {
			d.POSTable.POSs[i] = s
		} else {
			shared[string(key)] = pos
		}
	}
	d.Contents = nil
	tok, err := tokenizer.New(d, tokenizer.OmitBosEos())
	if err != nil {
		return nil, err
	}
	return &morphology{tok: tok, words: d.Index, text: text.String(), off: off}, nil
}

// features returns a token's base form and reading; either is empty or
// "*" when the dictionary has none.
func (m *morphology) features(t tokenizer.Token) (base, reading string) {
	if t.Class != tokenizer.KNOWN {
		base, _ = t.BaseForm()
		reading, _ = t.Reading()
		return base, reading
	}
	i := 2 * t.ID
	return m.text[m.off[i]:m.off[i+1]], m.text[m.off[i+1]:m.off[i+2]]
}

// readings returns every reading the dictionary gives a word written w:
// the tokenizer reads 分別 フンベツ, a resident may type ぶんべつ.
func (m *morphology) readings(w string) []string {
	var out []string
	for _, id := range m.words.Search(w) {
		if r := m.text[m.off[2*id+1]:m.off[2*id+2]]; r != "" && r != "*" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// isWord reports whether the dictionary has a word written w.
func (m *morphology) isWord(w string) bool { return len(m.words.Search(w)) > 0 }

// maxChunkRunes bounds the text kagome analyses at once. Its lattice grows
// faster than the text on a long run of kana without a break (a message of
// random hiragana took 0.1 s for 1,000 characters): text is analysed in
// chunks cut at punctuation and spaces, or after maxChunkRunes runes.
const maxChunkRunes = 64

// analyze tokenizes text in search mode, chunk by chunk (see
// maxChunkRunes); token positions are byte offsets in text.
func (m *morphology) analyze(text string) []tokenizer.Token {
	var out []tokenizer.Token
	start, n := 0, 0
	flush := func(end int) {
		if end > start {
			for _, t := range m.tok.Analyze(text[start:end], tokenizer.Search) {
				t.Position += start
				out = append(out, t)
			}
		}
		start, n = end, 0
	}
	for i, r := range text {
		n++
		if strings.ContainsRune(chunkBreaks, r) || n >= maxChunkRunes {
			flush(i + utf8.RuneLen(r))
		}
	}
	flush(len(text))
	return out
}

// chunkBreaks end a chunk of analysis: no word spans them.
const chunkBreaks = "。、.,!?！？\n 　…;"

// topicTe repairs a noun read as a verb before the colloquial topic
// marker って: kagome reads 市議会って as 市議 + 会っ|て (会う), and
// 担当してる係って as …てる + 係っ|て (係る). Where a one-kanji verb form in
// っ before て follows a noun and forms with it a word the dictionary has
// (運動会) or the caller can use (used: a word of the plan or of a
// question; 町内会, 報告会), or follows the end of a relative clause (an
// auxiliary: してる, した; not a condition: したら) and is a noun alone the
// caller can use (係), って is read as とは (the same length, so every
// offset stays) and the text is analysed again. A verb after a particle
// (市長に会って) stays, as do 足腰弱って and 色分けした図って, to no harm.
// It returns the text analysed and its tokens.
func (m *morphology) topicTe(text string, toks []tokenizer.Token, used func(string) bool) (string, []tokenizer.Token) {
	fixed := text
	for i := 1; i+1 < len(toks); i++ {
		t, prev, next := toks[i], toks[i-1], toks[i+1]
		kanji, ok := strings.CutSuffix(t.Surface, "っ")
		if !ok || utf8.RuneCountInString(kanji) != 1 || !strings.ContainsFunc(kanji, isHan) || next.Surface != "て" ||
			prev.Position+len(prev.Surface) != t.Position || next.Position != t.Position+len(t.Surface) || !isPOS(t, "動詞") {
			continue
		}
		var noun string
		switch p := prev.POS(); {
		case isPOS(prev, "名詞") && m.isWord(prev.Surface+kanji):
			noun = prev.Surface + kanji // 運動会って
		case isPOS(prev, "名詞") && len(p) > 1 && (p[1] == "一般" || p[1] == "サ変接続") && used(prev.Surface+kanji):
			noun = kanji // 報告会って (足腰弱って, 明日会って stay)
		case (isPOS(prev, "助動詞") || len(p) > 1 && p[0] == "動詞" && p[1] == "非自立") && !conditionals[prev.Surface] && used(kanji):
			noun = kanji // 担当してる係って (終わったら会って stays)
		default:
			continue
		}
		if noun == kanji { // a noun alone
			if whole := m.tok.Analyze(noun, tokenizer.Search); len(whole) != 1 || !isPOS(whole[0], "名詞") || whole[0].Class != tokenizer.KNOWN {
				continue
			}
		}
		at := next.Position - len("っ")
		fixed = fixed[:at] + "とは" + fixed[at+len("って"):]
	}
	if fixed == text {
		return text, toks
	}
	return fixed, m.analyze(fixed)
}

// conditionals end a clause of condition, not a relative clause: a verb
// follows them (終わったら会って).
var conditionals = map[string]bool{"たら": true, "だら": true, "ば": true, "なら": true, "れば": true}

func isPOS(t tokenizer.Token, pos string) bool {
	p := t.POS()
	return len(p) > 0 && p[0] == pos
}
