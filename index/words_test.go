package index

import (
	"slices"
	"strings"
	"testing"
)

// TestReadKana: a word written in kana in a mixed or kana question is
// found by its reading where it stands alone, and grammar is not read as
// the plan's words.
func TestReadKana(t *testing.T) {
	ix := seed(t)
	has := func(q *question, base string) bool {
		return slices.ContainsFunc(q.words, func(w word) bool {
			return slices.ContainsFunc(w.variants, func(v variant) bool { return v.base == base })
		})
	}
	for q, want := range map[string]string{
		"つなみ来たらどこまで水がくる":    "津波",
		"行くがくどうがいっぱい":       "放課後児童クラブ",
		"ひなんのれんしゅうをしたい":     "防災訓練",
		"市はちゃんとてんけんしてるの":    "点検",
		"とうしょばこ どこ":         "投書箱", // a compound of the plan read with rendaku (箱: ばこ)
		"こそだてしえん":           "支援",
		"gomi no dashikata": "ごみ",
		"shiei juutaku":     "市営住宅", // two romaji words read as one
	} {
		if !has(ix.parse(q), want) {
			t.Errorf("%q: no word for %s", q, want)
		}
	}
	for q, not := range map[string]string{
		"総務課は何をしていますか": "指定", // し|て|い is grammar
		"定員もっと増やして":    "もと", // kagome's adverb
		"学童って入れないの":    "内",  // ない is no 内
	} {
		if has(ix.parse(q), not) {
			t.Errorf("%q: read %s", q, not)
		}
	}
}

// TestModifiers: a plan word restricted by a noun the plan lacks, or
// restricting one in a compound, is weak; one whose modifier the action
// holds is not.
func TestModifiers(t *testing.T) {
	ix := seed(t)
	for _, q := range []string{"公園の遊具が壊れた", "井戸のポンプがこわれた", "ふるさと納税の返礼品を知りたい", "予防接種の予約",
		"Where can I buy a sightseeing map of Soma?"} {
		if a, _ := ix.Ask(q); len(a.Answers) != 0 {
			t.Errorf("%q: %s %v", q, a.Intent, ids(a.Answers))
		}
	}
	for q, want := range map[string]string{"小学校のブランコがさびてる": "教育部総務課", "市営住宅の修理": "建築課", "議会の傍聴": "議会事務局"} {
		if a, _ := ix.Ask(q); len(a.Answers) == 0 || a.Answers[0].Departments[0] != want {
			t.Errorf("%q: %s %v, want %s", q, a.Intent, ids(a.Answers), want)
		}
	}
}

// TestLongMessages: the topic is found in a long message of personal
// context, a subordinate clause is background, and two topics in two
// clauses get an answer each.
func TestLongMessages(t *testing.T) {
	ix := seed(t)
	for q, want := range map[string]string{
		"先月東京からこっちさ越してきたんだけど、ごみの分けかたがさっぱりわがんねくて😭 ぷらとかびんとか間違えて出したら近所の目がおっかねぇ…市でちゃんと教えてくれたりしねぇの？": "生活環境課",
		"東京で働いてるけど、そろそろ相馬さ戻りてぇなと思ってます。市の借金ってどうなってんの？":                                           "財政課",
		"税金はらってんだから市のお財布の中身がどうなってっか知りてぇんだけど、わたしらしろうとでもわかるように見せてくれてんのかな":                         "財政課",
	} {
		if a, _ := ix.Ask(q); len(a.Answers) == 0 || a.Answers[0].Departments[0] != want {
			t.Errorf("%q: %s %v, want %s", q, a.Intent, ids(a.Answers), want)
		}
	}
	a, _ := ix.Ask("ごみ出しのことと、通学路の交通安全のこと、どっちもどこさ聞けばいいの")
	if a.Topics != 2 || len(a.Answers) < 2 || a.Answers[0].ID == a.Answers[1].ID || !strings.Contains(a.Text, "2 つのこと") {
		t.Errorf("two topics: %d %v %q", a.Topics, ids(a.Answers), a.Text)
	}
	a, _ = ix.Ask("研修関係ぜんぶ")
	var depts []string
	for _, m := range a.Answers {
		depts = append(depts, m.Departments...)
	}
	for _, d := range []string{"総務課", "情報政策課", "高齢福祉課"} {
		if !slices.Contains(depts, d) {
			t.Errorf("研修関係ぜんぶ: %v lacks %s", ids(a.Answers), d)
		}
	}
}

// TestTruncated: a message longer than the analysis reads is answered
// from its beginning, and the reply says so.
func TestTruncated(t *testing.T) {
	ix := seed(t)
	q := "ハザードマップはどこでもらえますか。" + strings.Repeat("あいうえお", maxQuestionRunes)
	a, _ := ix.Ask(q)
	if !a.Truncated || len(a.Answers) == 0 || a.Answers[0].Departments[0] != "地域防災対策室" || !strings.Contains(a.Text, "前半") {
		t.Errorf("truncated: %v %s %v %q", a.Truncated, a.Intent, ids(a.Answers), clip(a.Text, 60))
	}
	if a, _ := ix.Ask("ハザードマップ"); a.Truncated {
		t.Error("a short question truncated")
	}
}

// TestHiraganaInsideWords: a hiragana word the plan has only inside
// another word is no variant: たって (副詞) is not わたって's.
func TestHiraganaInsideWords(t *testing.T) {
	ix := seed(t)
	for _, w := range ix.parse("熊出たって聞いたけどほんとなの？").words {
		for _, v := range w.variants {
			if v.base == "たって" {
				t.Errorf("%q has variant %q", w.text, v.base)
			}
		}
	}
	if a, _ := ix.Ask("熊出たって聞いたけどほんとなの？"); len(a.Answers) != 0 {
		t.Errorf("answered %v", ids(a.Answers))
	}
}

// TestPossessives: someone of the asker's own (my husband) is no topic
// and modifies nothing, whatever EDICT makes of the phrase (内).
func TestPossessives(t *testing.T) {
	ix := seed(t)
	for _, w := range ix.parse("my husband passed away. one place for all procedures?").words {
		if strings.Contains(w.text, "husband") || w.modifier >= 0 {
			t.Errorf("word %q (modifier %d)", w.text, w.modifier)
		}
	}
}

// TestFrameWords: the form of what is asked for (仕組み, 制度) weighs half,
// even where the plan uses the word: the topic is what it is a form of.
func TestFrameWords(t *testing.T) {
	ix := seed(t)
	for _, w := range ix.parse("防災訓練に参加できる仕組みってあるの").words {
		if w.text == "仕組み" && w.weight > 0.5 {
			t.Errorf("仕組み weighs %.2f", w.weight)
		}
	}
}

// TestNumberedWords: a curated word with a numeral (一本化, 一か所) is
// found as written, though kagome leaves numerals out of content words.
func TestNumberedWords(t *testing.T) {
	ix := seed(t)
	for q, want := range map[string]string{"子ども 窓口 一本化": "一本化", "手続きを一か所で": "一か所"} {
		found := slices.ContainsFunc(ix.parse(q).words, func(w word) bool {
			return w.text == want && slices.ContainsFunc(w.variants, func(v variant) bool { return v.base == "集約" })
		})
		if !found {
			t.Errorf("%q: no word %s meaning 集約", q, want)
		}
	}
}
