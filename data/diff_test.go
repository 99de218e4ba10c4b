package data

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// plan builds a plan of "content|department" actions, numbered by
// position under one initiative (the diff needs no parsing).
func plan(rows ...string) *Plan {
	p := &Plan{Title: "T"}
	for i, r := range rows {
		content, dept, _ := strings.Cut(r, "|")
		p.Items = append(p.Items, Item{ID: fmt.Sprintf("1.1.1.%d", i+1), Content: content, Departments: strings.Split(dept, "・"),
			Policy: "1 方針", Measure: "(1)施策", Initiative: "取組", Line: i + 6})
	}
	return p
}

func TestCompare(t *testing.T) {
	old := plan("道路を直す。|土木課", "橋を直す。|土木課", "川を掃除する。|下水道課")
	// A new first action shifts positions; 橋 changes department; 川 goes.
	new := plan("公園を作る。|公園課", "道路を直す。|土木課", "橋を直す。|建設課")
	d := Compare(old, new)
	if len(d.Added) != 1 || len(d.Removed) != 1 || len(d.Changed) != 1 {
		t.Fatalf("diff = %+v", d)
	}
	if d.Added[0].Content != "公園を作る。" || d.Removed[0].Content != "川を掃除する。" ||
		d.Changed[0].Old.Departments[0] != "土木課" || d.Changed[0].New.Departments[0] != "建設課" ||
		!d.Changed[0].Departments || d.Changed[0].Wording {
		t.Errorf("diff = %s", d)
	}
	names := []string{}
	for _, dc := range d.Departments {
		names = append(names, dc.Name)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "公園課") || !strings.Contains(got, "下水道課") {
		t.Errorf("departments = %s", got)
	}
	if same := Compare(old, old); !same.Empty() || !strings.Contains(same.String(), "変更なし") {
		t.Errorf("self diff = %+v", same)
	}
	if s := d.String(); !strings.Contains(s, "担当課の変化") || !strings.Contains(s, "[土木課 → 建設課]") {
		t.Errorf("report = %s", s)
	}
}

func TestCompareAddRemove(t *testing.T) {
	a := plan("A。|甲課")
	b := plan("A。|甲課", "B。|乙課")
	if d := Compare(a, b); len(d.Added) != 1 || d.Added[0].Content != "B。" || len(d.Removed)+len(d.Changed) != 0 {
		t.Errorf("add: %+v", d)
	}
	if d := Compare(b, a); len(d.Removed) != 1 || d.Removed[0].Departments[0] != "乙課" {
		t.Errorf("remove: %+v", d)
	}
}

const (
	garbage   = "市民一人一人にごみに関する意識づけをするため、ごみの分別の徹底・減量化とリサイクル体制の更なる推進を図り、継続してごみの減量や再資源化について情報発信していく。"
	elderly   = "高齢者が住み慣れた地域で安心して暮らし続けられるよう、見守り訪問と介護予防教室を拡充する。"
	reworded  = "市民一人一人にごみに関する意識づけをするため、ごみの分別の徹底と減量化、リサイクル体制の一層の推進を図り、ごみの減量や再資源化について継続して発信する。"
	hazard    = "市民一人一人が水害の危険箇所を認識し、常日頃より防災意識を持つよう、津波ハザードマップおよび洪水ハザードマップを広報紙や防災メール、自主防災組織の訓練を通して広く周知する。"
	hazardNew = "市民一人一人が水害の危険箇所を認識し、常日頃より防災意識を持つよう、ハザードマップを広報紙や防災アプリ、自主防災組織の訓練を通して広く周知する。"
)

// TestCompareReplaced: an action replaced by an unrelated one at the same
// place, with another department, is removed and added, not "changed".
func TestCompareReplaced(t *testing.T) {
	old := plan(hazard+"|地域防災対策室", garbage+"|生活環境課")
	new := plan(hazard+"|地域防災対策室", elderly+"|高齢福祉課")
	d := Compare(old, new)
	if len(d.Changed) != 0 || len(d.Removed) != 1 || len(d.Added) != 1 ||
		d.Removed[0].Departments[0] != "生活環境課" || d.Added[0].Departments[0] != "高齢福祉課" {
		t.Fatalf("replaced action: %s", d)
	}
	if s := Similarity(garbage, elderly); s >= Similar {
		t.Errorf("unrelated texts similar: %.2f", s)
	}
	if strings.Contains(d.String(), "生活環境課 → 高齢福祉課") {
		t.Errorf("report calls it a change: %s", d)
	}
}

// TestCompareReworded: the same action reworded, with the same department,
// is changed; so is one reworded and moved, and one reworded and handed to
// another department.
func TestCompareReworded(t *testing.T) {
	if s := Similarity(garbage, reworded); s < Similar {
		t.Fatalf("reworded text not similar: %.2f", s)
	}
	old := plan(hazard+"|地域防災対策室", garbage+"|生活環境課")
	d := Compare(old, plan(hazard+"|地域防災対策室", reworded+"|生活環境課"))
	if len(d.Changed) != 1 || len(d.Added)+len(d.Removed) != 0 {
		t.Fatalf("reworded: %s", d)
	}
	c := d.Changed[0]
	if !c.Wording || c.Departments || c.Similarity < Similar || c.Similarity >= 1 || c.New.Content != reworded {
		t.Errorf("change = %+v", c)
	}
	if s := d.String(); !strings.Contains(s, "~ 1.1.1.2 [生活環境課] …ごみの分別の徹底・減量化とリサイクル体制の更なる推進を図り… → …ごみの分別の徹底と減量化、リサイクル体制の一層の推進を図り…") {
		t.Errorf("report: %s", s)
	}
	// Moved to another place and reworded, and reworded with a new
	// department: both changes, with the positions followed.
	d = Compare(old, plan(elderly+"|高齢福祉課", reworded+"|環境課", hazardNew+"|地域防災対策室"))
	if len(d.Changed) != 2 || len(d.Added) != 1 || len(d.Removed) != 0 || d.Added[0].Content != elderly {
		t.Fatalf("moved and reworded: %s", d)
	}
	if c := d.Changed[0]; c.New.ID != "1.1.1.2" || !c.Wording || !c.Departments || c.Old.Departments[0] != "生活環境課" {
		t.Errorf("reworded with a new department: %+v", c)
	}
	if c := d.Changed[1]; c.Old.ID != "1.1.1.1" || c.New.ID != "1.1.1.3" || !c.Wording || c.Departments {
		t.Errorf("moved and reworded: %+v", c)
	}
	// Spacing and width are no change at all.
	if d := Compare(plan("ＡＢＣを 直す。|土木課"), plan("ABCを直す。|土木課")); !d.Empty() {
		t.Errorf("width and spaces: %s", d)
	}
}

// TestCompareMostSimilarFirst: two old and two new reworded actions are
// paired by similarity, not by order.
func TestCompareMostSimilarFirst(t *testing.T) {
	old := plan(garbage+"|生活環境課", hazard+"|地域防災対策室")
	new := plan(hazardNew+"|地域防災対策室", reworded+"|生活環境課")
	d := Compare(old, new)
	if len(d.Changed) != 2 || d.Changed[0].Old.Content != hazard || d.Changed[1].Old.Content != garbage {
		t.Fatalf("pairs: %s", d)
	}
}

// TestSimilarPairsComplete: prefix filtering finds every pair a full
// comparison finds.
func TestSimilarPairsComplete(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Split("市民 防災 ごみ 分別 推進 図る 情報 発信 地域 高齢者 見守り 学校 道路 橋梁 点検 計画 見直し 行う する を の に と、 。", " ")
	sentence := func() string {
		var b strings.Builder
		for range 6 + rng.IntN(10) {
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	var olds, news []Item
	for i := range 150 {
		o := sentence()
		olds = append(olds, Item{ID: fmt.Sprint("o", i), Content: o})
		n := o
		if rng.IntN(2) == 0 {
			n = sentence()
		} else {
			r := []rune(o)
			k := rng.IntN(len(r))
			n = string(r[:k]) + words[rng.IntN(len(words))] + string(r[k:])
		}
		news = append(news, Item{ID: fmt.Sprint("n", i), Content: n})
	}
	idx := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	found := map[[2]int]bool{}
	for _, p := range similarPairs(olds, news, idx(len(olds)), idx(len(news))) {
		found[[2]int{p.old, p.new}] = true
	}
	// similarPairs keeps the best few of each new action; compare with the
	// same cut of a full comparison.
	for j := range news {
		var best []pair
		for i := range olds {
			if s := Similarity(olds[i].Content, news[j].Content); s >= Similar {
				best = append(best, pair{i, j, s})
			}
		}
		for _, p := range best {
			better := 0
			for _, q := range best {
				if byScore(q, p) < 0 {
					better++
				}
			}
			if better < 4 && !found[[2]int{p.old, p.new}] {
				t.Errorf("pair %d–%d (%.2f) not found", p.old, p.new, p.sim)
			}
		}
	}
	if len(found) < 50 {
		t.Errorf("only %d similar pairs: the test data is too dissimilar", len(found))
	}
}

// TestCompareLarge: two plans of 20,000 actions, every one reworded, are
// compared in seconds.
func TestCompareLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	seed := []string{garbage, hazard, elderly, reworded, hazardNew}
	var a, b []string
	for i := range 20000 {
		s := seed[i%len(seed)]
		a = append(a, fmt.Sprintf("%s第%d期には対象を広げる。|課%d", s, i/len(seed)+1, i%97))
		b = append(b, fmt.Sprintf("%s第%d期には対象をさらに広げる。|課%d", s, i/len(seed)+1, i%97))
	}
	start := time.Now()
	d := Compare(plan(a...), plan(b...))
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("compare took %v", took)
	}
	if len(d.Changed) != 20000 {
		t.Errorf("changed %d of 20000 (added %d, removed %d)", len(d.Changed), len(d.Added), len(d.Removed))
	}
	if s := d.Format(10); strings.Count(s, "\n~ ") != 10 || !strings.Contains(s, "ほか 19990 件") {
		t.Errorf("capped report:\n%s", s)
	}
	// Every action moved as well (one inserted before them all): the
	// search for similar texts elsewhere is bounded.
	start = time.Now()
	d = Compare(plan(a...), plan(append([]string{elderly + "|高齢福祉課"}, b...)...))
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("compare of moved actions took %v", took)
	}
	t.Logf("moved: %d changed, %d added, %d removed in %v", len(d.Changed), len(d.Added), len(d.Removed), time.Since(start))
	if len(d.Changed)+len(d.Added) != 20001 || len(d.Changed)+len(d.Removed) != 20000 {
		t.Errorf("moved: %d changed, %d added, %d removed", len(d.Changed), len(d.Added), len(d.Removed))
	}
}
