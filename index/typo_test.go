package index

import (
	"slices"
	"testing"
)

// TestHomophoneTypos: kanji typed by the wrong conversion of a reading
// are read as the plan's word they sound like, and only those.
func TestHomophoneTypos(t *testing.T) {
	ix := seed(t)
	for q, dept := range map[string]string{
		"国保の険診うけたい":       "保険年金課", // 険 for 健, both ケン
		"成年高見人の相談ってどこの課？": "高齢福祉課", // 高 for 後 (コウ) inside a longer run
		"介護予坊の教室ある？":      "高齢福祉課", // 坊 for 防 (ボウ)
		"図書間の本の貸し出し":      "図書館",
	} {
		a, _ := ix.Ask(q)
		if len(a.Answers) == 0 || !slices.Contains(a.Answers[0].Departments, dept) {
			t.Errorf("%q: %s %v, want %s", q, a.Intent, ids(a.Answers), dept)
		}
	}
	// 非難所 reads as 避難所 as a whole (ヒナンジョ); the dictionary has no
	// reading of 避 alone.
	if got := ix.typoOf("非難所", kagome().analyze("非難所")); !slices.Contains(got, "避難所") {
		t.Errorf("非難所: %v, want 避難所", got)
	}
	// Look-alikes that do not read alike, and words of their own, stay.
	for _, s := range []string{"受診率", "検診", "介護保険", "再発行"} { // 再 is a prefix, no 債
		if got := ix.typoOf(s, kagome().analyze(s)); got != nil {
			t.Errorf("%s read as %v", s, got)
		}
	}
}
