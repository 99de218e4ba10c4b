package index

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func lexicon(t testing.TB) *Lexicon {
	t.Helper()
	lex, err := DefaultLexicon()
	if err != nil {
		t.Fatal(err)
	}
	return lex
}

// TestColloquialRules checks every rule of data/colloquial.tsv on its own
// example: the question normaliser must rewrite it as the table says.
func TestColloquialRules(t *testing.T) {
	lex := lexicon(t)
	if len(lex.rewrites) < 10 {
		t.Fatalf("%d rewrite rules", len(lex.rewrites))
	}
	for _, rw := range lex.rewrites {
		if got, want := lex.normalizeQuestion(rw.Example), strings.ToLower(norm.NFKC.String(rw.Want)); got != want {
			t.Errorf("line %d %q: %q, want %q", rw.Line, rw.Example, got, want)
		}
	}
}

func TestNormalizeQuestion(t *testing.T) {
	lex := lexicon(t)
	for in, want := range map[string]string{
		"ｽﾏﾎで払いたい":            "スマホで払いたい",           // half-width kana
		"ごみ😭 ぷら":              "ごみ。 ぷら",             // an emoji ends a sentence
		"ねぇぇぇ、すっごーーーい！！！":     "ねぇ、すっごい!",           // a letter typed three times is typed once
		"ｾﾞｲｷﾝﾉ ﾊﾗｲﾜｽﾚｦ ﾂｳﾁ?": "ぜいきんの はらいわすれを つうち?", // a sentence in katakana is phonetic
		"ハザードマップ":             "ハザードマップ",            // a katakana word is not
		"障がい者の支援":             "障害者の支援",             // 交ぜ書き in kanji
	} {
		if got := lex.normalizeQuestion(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
