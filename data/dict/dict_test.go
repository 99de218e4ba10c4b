package dict

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func mustEnJa(t testing.TB) *Table {
	t.Helper()
	m, err := EnJa()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustSynonyms(t testing.TB) [][]string {
	t.Helper()
	g, err := Synonyms()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestEnJaLookups(t *testing.T) {
	m := mustEnJa(t)
	for _, tc := range []struct {
		key   string
		anyOf []string // at least one of these is a value
	}{
		{"hazard map", []string{"ハザードマップ"}},
		{"hazard", []string{"ハザード"}},
		{"garbage", []string{"ごみ", "ゴミ"}},
		{"bridge", []string{"橋", "橋梁"}},
		{"tax", []string{"税"}},
		{"convenience store", []string{"コンビニ", "コンビニエンスストア"}},
		{"weather", []string{"天気"}},
		{"guardianship", []string{"後見"}},
		{"after school", []string{"放課後"}},
		{"city hall", []string{"市役所"}},
		{"earthquake", []string{"地震"}},
		{"evacuation shelter", []string{"避難所"}},
		{"inspection", []string{"検査", "点検"}},
		// "to pay" is kept and also indexed as "pay".
		{"to pay", []string{"払う", "支払う"}},
		{"pay", []string{"払う", "支払う"}},
		// Articles are dropped: EDICT's "the past" is indexed as "past".
		{"past", []string{"過去"}},
	} {
		vals, ok := m.Get(tc.key), m.Has(tc.key)
		if !ok {
			t.Errorf("EnJa has no key %q", tc.key)
			continue
		}
		if !slices.ContainsFunc(tc.anyOf, func(w string) bool { return slices.Contains(vals, w) }) {
			t.Errorf("EnJa[%q] = %v, want one of %v", tc.key, vals, tc.anyOf)
		}
	}
}

func TestEnJaRanking(t *testing.T) {
	m := mustEnJa(t)
	// 税金 is a (P) entry, 税 is not: priority entries come first.
	tax := m.Get("tax")
	if i, j := slices.Index(tax, "税金"), slices.Index(tax, "税"); i < 0 || j < 0 || i > j {
		t.Errorf(`EnJa["tax"] = %v, want 税金 before 税`, tax)
	}
	// A (uk) word leads with its kana spelling: 塵 [ごみ] (uk) → ごみ before 塵.
	g := m.Get("garbage")
	if i, j := slices.Index(g, "ごみ"), slices.Index(g, "塵"); i < 0 || (j >= 0 && j < i) {
		t.Errorf(`EnJa["garbage"] = %v, want ごみ (and 塵 only after it)`, g)
	}
	// Readings come after the written forms: 後見 … こうけん.
	gs := m.Get("guardianship")
	if i, j := slices.Index(gs, "後見"), slices.Index(gs, "こうけん"); i < 0 || j < 0 || i > j {
		t.Errorf(`EnJa["guardianship"] = %v, want 後見 before its reading こうけん`, gs)
	}
	// A ・-spelling is dropped when the undotted one is present.
	if slices.Contains(m.Get("hazard map"), "ハザード・マップ") {
		t.Errorf(`EnJa["hazard map"] = %v, want ハザード・マップ folded into ハザードマップ`, m.Get("hazard map"))
	}
}

func TestEnJaSkipsTaggedSenses(t *testing.T) {
	m := mustEnJa(t)
	for _, tc := range []struct{ key, notWant, why string }{
		{"money", "Ｍ", "(arch) sense of Ｍ"},
		{"fool", "１９日", "(sl) (arch) sense of １９日"},
		{"you", "あの人", "(arch) sense of あの人"},
		{"anger", "おこ", "(sl) entry おこ"},
		{"prostitute", "あそび女", "(arch) entry あそび女"},
	} {
		if slices.Contains(m.Get(tc.key), tc.notWant) {
			t.Errorf("EnJa[%q] = %v contains %s from the %s", tc.key, m.Get(tc.key), tc.notWant, tc.why)
		}
	}
	// The non-archaic senses of the same entries stay.
	if !slices.Contains(m.Get("that person"), "あの人") {
		t.Errorf(`EnJa["that person"] = %v, want あの人`, m.Get("that person"))
	}
	if !slices.Contains(m.Get("masochist"), "Ｍ") {
		t.Errorf(`EnJa["masochist"] = %v, want Ｍ`, m.Get("masochist"))
	}
}

func TestEnJaShape(t *testing.T) {
	m := mustEnJa(t)
	if m.Len() < 100000 {
		t.Fatalf("EnJa has %d keys, want > 100000", m.Len())
	}
	for k, vals := range m.All() {
		words := strings.Split(k, " ")
		if len(words) < 1 || len(words) > 4 {
			t.Errorf("key %q: %d words, want 1–4", k, len(words))
		}
		for _, w := range words {
			if w == "" {
				t.Errorf("key %q: empty word", k)
			}
			for _, c := range w {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '\'') {
					t.Errorf("key %q: character %q", k, c)
					break
				}
			}
		}
		if len(vals) == 0 || len(vals) > 20 {
			t.Errorf("key %q: %d values, want 1–20", k, len(vals))
		}
		if len(slices.Compact(slices.Sorted(slices.Values(vals)))) != len(vals) {
			t.Errorf("key %q: duplicate values %v", k, vals)
		}
	}
}

func TestSynonymsGroups(t *testing.T) {
	groups := mustSynonyms(t)
	if len(groups) < 10000 {
		t.Fatalf("Synonyms has %d groups, want > 10000", len(groups))
	}
	find := func(words ...string) []string {
		for _, g := range groups {
			if !slices.ContainsFunc(words, func(w string) bool { return !slices.Contains(g, w) }) {
				return g
			}
		}
		return nil
	}
	for _, tc := range []struct {
		words []string
		rep   string // expected first word
	}{
		{[]string{"コンビニ", "コンビニエンスストア"}, "コンビニエンスストア"},
		{[]string{"橋", "橋梁"}, "橋"},
		{[]string{"ハザードマップ", "災害予測図"}, "ハザードマップ"},
		{[]string{"保育園", "保育所"}, "保育園"},
		{[]string{"学童保育", "児童クラブ"}, ""},
		{[]string{"税金", "租税"}, "税金"},
		{[]string{"自治体", "地方公共団体"}, ""},
		// Misspellings stay, so a resident's typo still matches.
		{[]string{"シミュレーション", "シュミレーション"}, "シミュレーション"},
	} {
		g := find(tc.words...)
		if g == nil {
			t.Errorf("no synonym group contains all of %v", tc.words)
			continue
		}
		if tc.rep != "" && g[0] != tc.rep {
			t.Errorf("group %v: representative %q, want %q", g, g[0], tc.rep)
		}
	}

	// Entries Sudachi flags as ambiguous (expansion control 1: never a
	// trigger) are dropped: 行動計画 → アジェンダ is one-way in Sudachi.
	if g := find("アジェンダ"); g == nil || slices.Contains(g, "行動計画") {
		t.Errorf("アジェンダ group = %v, want it without the one-way 行動計画", g)
	}
	// Offensive (分野 不快) entries are dropped.
	if g := find("ジャップ"); g != nil {
		t.Errorf("offensive word kept in %v", g)
	}

	for i, g := range groups {
		if len(g) < 2 {
			t.Errorf("group %d %v: fewer than 2 words", i, g)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(g)))) != len(g) {
			t.Errorf("group %d %v: duplicate words", i, g)
		}
	}
}

func TestParseEnJa(t *testing.T) {
	in := "# comment\n\nbridge\t橋|橋梁\r\nhazard map\tハザードマップ\n"
	m, err := ParseEnJa(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Get("bridge"); !slices.Equal(got, []string{"橋", "橋梁"}) {
		t.Errorf(`m.Get("bridge") = %q`, got)
	}
	if got := m.Get("hazard map"); !slices.Equal(got, []string{"ハザードマップ"}) {
		t.Errorf(`m.Get("hazard map") = %q`, got)
	}
	if m.Len() != 2 || m.Has("comment") || m.Get("橋") != nil {
		t.Errorf("table has %d keys", m.Len())
	}
}

func TestParseSynonyms(t *testing.T) {
	in := "# comment\nコンビニエンスストア\tコンビニ\n\n橋\t橋梁\r\n"
	g, err := ParseSynonyms(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"コンビニエンスストア", "コンビニ"}, {"橋", "橋梁"}}
	if !slices.EqualFunc(g, want, slices.Equal) {
		t.Errorf("ParseSynonyms = %q, want %q", g, want)
	}
}

func TestParseErrorsNameLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func(string) error
		in    string
		line  int
		msg   string
	}{
		{"en-ja no tab", parseEnJaErr, "a\tあ\n\nb あ\n", 3, "no tab"},
		{"en-ja no values", parseEnJaErr, "a\tあ\nb\t\n", 2, "no values"},
		{"en-ja empty key", parseEnJaErr, "\tあ\n", 1, "empty key"},
		{"en-ja empty value", parseEnJaErr, "a\tあ\n# c\nb\tい||う\n", 3, "empty value"},
		{"en-ja two tabs", parseEnJaErr, "a\tあ\tい\n", 1, "more than one tab"},
		{"en-ja duplicate", parseEnJaErr, "a\tあ\nb\tい\na\tう\n", 3, "duplicate key"},
		{"synonyms one word", parseSynErr, "橋\t橋梁\nごみ\n", 2, "at least two words"},
		{"synonyms empty word", parseSynErr, "橋\t橋梁\n\n\nごみ\t\tゴミ\n", 4, "empty word"},
		{"synonyms trailing tab", parseSynErr, "橋\t橋梁\t\n", 1, "empty word"},
	} {
		err := tc.parse(tc.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want *ParseError", tc.name, err)
			continue
		}
		if pe.Line != tc.line || !strings.Contains(err.Error(), "line ") || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("%s: err = %q (line %d), want line %d and %q", tc.name, err, pe.Line, tc.line, tc.msg)
		}
	}
}

func parseEnJaErr(s string) error { _, err := ParseEnJa(strings.NewReader(s)); return err }
func parseSynErr(s string) error  { _, err := ParseSynonyms(strings.NewReader(s)); return err }

// BenchmarkLoad measures a load of each embedded table, as EnJa, Synonyms,
// WordNet and Inflections do on every call. heap-B/table is the heap a
// loaded table keeps (HeapAlloc after minus before, each after a GC).
func BenchmarkLoad(b *testing.B) {
	for _, tc := range []struct {
		name string
		load func() (any, error)
	}{
		{"en-ja", func() (any, error) { return EnJa() }},
		{"ja-synonyms", func() (any, error) { return Synonyms() }},
		{"wordnet", func() (any, error) { return WordNet() }},
		{"wordnet-exc", func() (any, error) { return Inflections() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.load(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(retainedHeap(b, tc.load)), "heap-B/table")
		})
	}
}

// retainedHeap reports how many bytes of heap the value load returns keeps.
func retainedHeap(b *testing.B, load func() (any, error)) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v, err := load()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

func TestNewTable(t *testing.T) {
	m := NewTable(map[string][]string{"学童": {"学童保育", "放課後児童クラブ"}, "空": nil, "ごみ": {"ゴミ"}})
	if m.Len() != 2 || m.Has("空") {
		t.Fatalf("%d keys, has 空 %v", m.Len(), m.Has("空"))
	}
	if got := m.Get("学童"); !slices.Equal(got, []string{"学童保育", "放課後児童クラブ"}) {
		t.Errorf("学童: %q", got)
	}
	n := 0
	for k, ws := range m.All() {
		n++
		if !slices.Equal(ws, m.Get(k)) {
			t.Errorf("All gives %q for %s, Get %q", ws, k, m.Get(k))
		}
	}
	if n != 2 {
		t.Errorf("All yielded %d keys", n)
	}
}
