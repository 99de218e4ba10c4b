package index

import (
	"slices"
	"testing"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

func TestMorphologyFeatures(t *testing.T) {
	m := kagome()
	type feat struct{ surface, pos, base, reading string }
	var got []feat
	for _, tk := range m.tok.Analyze("公園に行ったハザードマップ", tokenizer.Search) {
		base, rd := m.features(tk)
		got = append(got, feat{tk.Surface, tk.POS()[0], base, rd})
	}
	want := []feat{
		{"公園", "名詞", "公園", "コウエン"},
		{"に", "助詞", "に", "ニ"},
		{"行っ", "動詞", "行く", "イッ"},
		{"た", "助動詞", "た", "タ"},
		{"ハザード", "名詞", "ハザード", "ハザード"},
		{"マップ", "名詞", "マップ", "マップ"},
	}
	if len(got) != len(want) {
		t.Fatalf("tokens %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// A word unknown to IPA keeps kagome's unknown-word features.
	unk := m.tok.Analyze("ポコペンダ", tokenizer.Search)
	if len(unk) != 1 || unk[0].Class != tokenizer.UNKNOWN {
		t.Fatalf("ポコペンダ: %v", unk)
	}
	base, rd := m.features(unk[0])
	if wb, _ := unk[0].BaseForm(); base != wb || rd != "" {
		t.Errorf("unknown word: base %q reading %q, want %q and none", base, rd, wb)
	}
	if ipa.Dict().Contents != nil {
		t.Error("kagome's feature table is still held")
	}
}

// TestKanjiSpellings: a word written half in kana (障がい) is analysed as
// its kanji spelling, a noun, not as the verb 障る kagome would read.
func TestKanjiSpellings(t *testing.T) {
	ms, _ := morphemes(normalize("障がいのある人の相談"))
	if len(ms) == 0 || ms[0].base != "障害" || ms[0].verbal {
		t.Errorf("障がいのある人の相談: %+v, want the noun 障害 first", ms)
	}
}

// TestTopicTe: a noun before the colloquial topic marker って stays a
// noun where kagome reads its last kanji as a verb (市議会って as 市議 +
// 会っ|て), and a real verb before って is left alone.
func TestTopicTe(t *testing.T) {
	m := kagome()
	surfaces := func(text string) []string {
		text, toks := m.topicTe(text, m.analyze(text), func(w string) bool { return w == "係" || w == "報告会" || w == "会" })
		var s []string
		for _, tk := range toks {
			s = append(s, tk.Surface)
		}
		return append(s, text)
	}
	for q, want := range map[string]string{
		"市議会ってちゃんと機能すんの":  "市議会",
		"実施計画を担当してる係って何階": "係", // after a relative clause
		"議会報告会っていつ":       "会",
		"市長に会って話したい":      "会っ",
	} {
		if got := surfaces(q); !slices.Contains(got, want) {
			t.Errorf("%q: %v, want a word %q", q, got, want)
		}
	}
	for _, q := range []string{"市長に会って話したい", "色分けした図ってどこ", "足腰弱ってきた", "AI使ってんの", "終わったら会って話したい"} { // after a particle; words of no use
		if got := surfaces(q); got[len(got)-1] != q {
			t.Errorf("て rewritten: %q", got[len(got)-1])
		}
	}
}
