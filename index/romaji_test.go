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
	for a, b := range map[string]string{"ソウム": "ソム", "ソオム": "ソム", "ガッコウ": "ガコ", "ジユウタク": "ジユタク", "てつづき": "テツズキ"} {
		if looseFold(a) != looseFold(b) {
			t.Errorf("looseFold(%q) = %q, looseFold(%q) = %q", a, looseFold(a), b, looseFold(b))
		}
	}
	if looseFold("コウレイ") == looseFold("これ") {
		t.Errorf("コウレイ and これ meet")
	}
}
