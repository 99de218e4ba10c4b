package index

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"planbot/data"
)

// TestBoundedCost: no question costs more than a bound far above the
// few milliseconds a long one takes (BenchmarkAskLong), whatever it holds;
// the kana scan was cubic once (500 kana took 3.4 s).
func TestBoundedCost(t *testing.T) {
	ix := seed(t)
	for _, q := range longQuestions() {
		start := time.Now()
		if _, err := ix.answer(q); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%d runes (%q…): %v", utf8.RuneCountInString(q), clip(q, 10), d)
		}
	}
}

// longQuestions are messages up to LINE's 5,000 characters, made to be
// slow: unbroken kana, kanji (the plan's: each may be a typo of its words),
// Latin, repeated words.
func longQuestions() []string {
	var planKanji []rune
	for _, r := range string(data.DefaultText()) {
		if isHan(r) {
			planKanji = append(planKanji, r)
		}
	}
	var kana, kata, kanji strings.Builder
	hira := []rune("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽっゃゅょー")
	for i := range 5000 {
		kana.WriteRune(hira[(i*7919)%len(hira)])
		kata.WriteRune(hira[(i*104729)%len(hira)] + 'ァ' - 'ぁ')
		kanji.WriteRune(planKanji[(i*7919)%len(planKanji)])
	}
	return []string{kana.String(), kata.String(), kanji.String(), strings.Repeat("漢", 5000), strings.Repeat("a", 5000),
		strings.Repeat("gomi no dashikata ", 280), strings.Repeat("who handles hazard maps ", 200),
		strings.Repeat("うちのばあちゃん海っぺりさ一人で住んでんだけど、つなみ来たら", 150), strings.Repeat("ハザードマップ", 700)}
}

// BenchmarkAskLong answers the slowest messages of up to 5,000 characters
// (target: a few milliseconds each).
func BenchmarkAskLong(b *testing.B) {
	ix := seed(b)
	qs := longQuestions()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.answer(qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
