package index

import (
	"testing"
)

func TestRomaji(t *testing.T) {
	for in, want := range map[string]string{
		"gomi":          "ごみ",
		"shiyakusho":    "しやくしょ",
		"siyakusyo":     "しやくしょ", // kunrei
		"juutaku":       "じゅうたく",
		"zyuutaku":      "じゅうたく",
		"jyutaku":       "じゅたく", // long vowel left out: readings meet under looseFold
		"gakkou":        "がっこう",
		"kon'ya":        "こんや",
		"konbini":       "こんびに",
		"shimbun":       "しんぶん", // Hepburn's m before b
		"zaisei-ka":     "ざいせいか",
		"koureifukushi": "こうれいふくし",
		"tōkyō":         "とうきょう",
		"matcha":        "まっちゃ",
	} {
		if got, ok := toKana(in); !ok || got != want {
			t.Errorf("toKana(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"street", "city", "xyz", "hazard"} {
		if got, ok := toKana(in); ok {
			t.Errorf("toKana(%q) = %q: not romaji", in, got)
		}
	}
	for a, b := range map[string]string{"ソウム": "ソム", "ソオム": "ソム", "ガッコウ": "ガコ", "ジユウタク": "ジユタク", "てつづき": "テツズキ",
		"あんけえと": "アンケート", "さあびす": "サービス"} { // loanwords in romaji: ankeeto, saabisu
		if looseFold(a) != looseFold(b) {
			t.Errorf("looseFold(%q) = %q, looseFold(%q) = %q", a, looseFold(a), b, looseFold(b))
		}
	}
	if looseFold("コウレイ") == looseFold("これ") {
		t.Errorf("コウレイ and これ meet")
	}
}

// TestRomajiNouns: a romaji word that reads as no word of the plan is a
// thing the plan lacks, as an unknown Japanese noun is, unless it ends as a
// verb, adjective or polite form does (hairitai, oshiete, onegaishimasu).
func TestRomajiNouns(t *testing.T) {
	ix := seed(t)
	concrete := func(q, text string) bool {
		for _, w := range ix.parse(q).words {
			if w.text == text {
				return w.concrete
			}
		}
		return false
	}
	for q, w := range map[string]string{"can i get juminhyo at konbini?": "じゅみんひょ", "tenshutsu todoke wa?": "てんしゅつ"} {
		if !concrete(q, w) {
			t.Errorf("%q: %s is no thing the plan lacks", q, w)
		}
	}
	for q, w := range map[string]string{"shiei jutaku ni hairitai": "はいりたい", "gomi no dashikata oshiete": "おしえて",
		"gakudou wo tanomu": "たのむ", "kenshin wo isogu": "いそぐ"} {
		if concrete(q, w) {
			t.Errorf("%q: %s read as a noun", q, w)
		}
	}
}
