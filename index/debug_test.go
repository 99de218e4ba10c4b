package index

import (
	"os"
	"strings"
	"testing"
)

func TestDebugQuery(t *testing.T) {
	qs := os.Getenv("Q")
	if qs == "" {
		t.Skip("set Q")
	}
	ix := seed(t)
	for _, qq := range strings.Split(qs, ";") {
		q := ix.parse(qq)
		t.Logf("%q lang=%s kana=%v", qq, q.lang, q.kana)
		for _, g := range q.groups {
			t.Logf("  group %q w=%.2f %v", g.word, g.weight, g.variants)
		}
		hits, _ := ix.rank(q)
		for _, h := range hits {
			t.Logf("  hit %v %s", h, clip(ix.plan.Items[h.item].Content, 30))
		}
	}
}
