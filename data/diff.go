package data

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Diff is what changed between two versions of a plan.
type Diff struct {
	Added       []Item       `json:"added"`
	Removed     []Item       `json:"removed"`
	Changed     []Change     `json:"changed"`
	Departments []DeptChange `json:"departments"` // departments whose responsibilities changed
}

// Change is one action that is still in the plan with other departments
// or reworded (or both).
type Change struct {
	Old         Item    `json:"old"`
	New         Item    `json:"new"`
	Departments bool    `json:"departments"` // the departments in charge changed
	Wording     bool    `json:"wording"`     // the text was reworded
	Similarity  float64 `json:"similarity"`  // of the two texts: character-bigram Dice, 1 for the same text
}

// DeptChange counts a department's actions before and after.
type DeptChange struct {
	Name   string `json:"name"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// Similar is the least similarity (character-bigram Dice coefficient of
// the normalised texts) at which an action that is gone and one that is
// new are taken for the same action reworded. Below it the old action was
// replaced: removed, and the new one added.
const Similar = 0.6

// Empty reports whether the two plans have the same actions.
func (d Diff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// Compare returns the changes from old to new. An action is the same
// action when its text is (Item.Key: spacing and width aside), wherever it
// moved; with other departments it is changed. An action that is gone and
// a new one whose texts are Similar are the same action reworded
// (changed), the most similar pairs first; what is left was removed or
// added: a replaced action is one of each, whatever its position.
func Compare(old, new *Plan) Diff {
	d := Diff{Added: []Item{}, Removed: []Item{}, Changed: []Change{}, Departments: []DeptChange{}}
	type changeAt struct {
		j int // position in new, to list the changes in plan order
		c Change
	}
	var changed []changeAt
	usedOld := make([]bool, len(old.Items))
	usedNew := make([]bool, len(new.Items))
	oldKeys := make([]string, len(old.Items))
	newKeys := make([]string, len(new.Items))
	for i, it := range old.Items {
		oldKeys[i] = it.Key()
	}
	for i, it := range new.Items {
		newKeys[i] = it.Key()
	}
	// The same text: first with the same departments (unchanged), then
	// with others (changed).
	for _, sameDepts := range []bool{true, false} {
		byKey := map[string][]int{}
		for i := range old.Items {
			if !usedOld[i] {
				k := oldKeys[i]
				if sameDepts {
					k += "\x00" + strings.Join(old.Items[i].Departments, "\x00")
				}
				byKey[k] = append(byKey[k], i)
			}
		}
		for j, it := range new.Items {
			if usedNew[j] {
				continue
			}
			k := newKeys[j]
			if sameDepts {
				k += "\x00" + strings.Join(it.Departments, "\x00")
			}
			is := byKey[k]
			if len(is) == 0 {
				continue
			}
			i := is[0]
			byKey[k] = is[1:]
			usedOld[i], usedNew[j] = true, true
			if !sameDepts {
				changed = append(changed, changeAt{j, Change{Old: old.Items[i], New: it, Departments: true, Similarity: 1}})
			}
		}
	}
	// Reworded: similar texts, the most similar first.
	var olds, news []int
	for i := range old.Items {
		if !usedOld[i] {
			olds = append(olds, i)
		}
	}
	for j := range new.Items {
		if !usedNew[j] {
			news = append(news, j)
		}
	}
	for _, p := range similarPairs(old.Items, new.Items, olds, news) {
		if usedOld[p.old] || usedNew[p.new] {
			continue
		}
		usedOld[p.old], usedNew[p.new] = true, true
		o, n := old.Items[p.old], new.Items[p.new]
		changed = append(changed, changeAt{p.new, Change{Old: o, New: n, Wording: true, Similarity: math.Round(p.sim*1000) / 1000,
			Departments: !slices.Equal(o.Departments, n.Departments)}})
	}
	slices.SortFunc(changed, func(a, b changeAt) int { return cmp.Compare(a.j, b.j) })
	for _, c := range changed {
		d.Changed = append(d.Changed, c.c)
	}
	for j, it := range new.Items {
		if !usedNew[j] {
			d.Added = append(d.Added, it)
		}
	}
	for i, it := range old.Items {
		if !usedOld[i] {
			d.Removed = append(d.Removed, it)
		}
	}
	touched := map[string]bool{}
	mark := func(its ...Item) {
		for _, it := range its {
			for _, dep := range it.Departments {
				touched[dep] = true
			}
		}
	}
	mark(d.Added...)
	mark(d.Removed...)
	for _, c := range d.Changed {
		if c.Departments {
			mark(c.Old, c.New)
		}
	}
	before, after := deptCounts(old), deptCounts(new)
	for name := range touched {
		d.Departments = append(d.Departments, DeptChange{Name: name, Before: before[name], After: after[name]})
	}
	slices.SortFunc(d.Departments, func(a, b DeptChange) int { return strings.Compare(a.Name, b.Name) })
	return d
}

func deptCounts(p *Plan) map[string]int {
	n := map[string]int{}
	for _, it := range p.Items {
		seen := map[string]bool{}
		for _, dep := range it.Departments {
			if !seen[dep] {
				seen[dep] = true
				n[dep]++
			}
		}
	}
	return n
}

// Similarity is the character-bigram Dice coefficient of two action
// texts, normalised as Item.Key normalises them: 1 for the same text, 0
// for texts without a bigram in common.
func Similarity(a, b string) float64 {
	var voc vocabulary
	x, y := voc.grams(a), voc.grams(b)
	return dice(x, y)
}

type pair struct {
	old, new int
	sim      float64
}

// maxVisits bounds the work of finding similar pairs among the actions
// that are not the same nor reworded in place: beyond it (tens of
// thousands of near-identical actions all reworded and moved) the rest
// are reported as removed and added.
const maxVisits = 2_000_000

// similarPairs returns the pairs of an old and a new action (indexes
// into oldItems and newItems, from olds and news) whose texts are
// Similar: first those at the same position (ID), then the others, most
// similar first. The others are found by prefix filtering: with the
// bigrams of each text ordered rarest first, two texts with a Dice of
// Similar or more share a bigram among the first few of each, so only
// texts sharing one of those are compared.
func similarPairs(oldItems, newItems []Item, olds, news []int) []pair {
	if len(olds) == 0 || len(news) == 0 {
		return nil
	}
	var voc vocabulary
	og := make([][]int32, len(olds))
	for k, i := range olds {
		og[k] = voc.grams(oldItems[i].Content)
	}
	ng := make([][]int32, len(news))
	for k, j := range news {
		ng[k] = voc.grams(newItems[j].Content)
	}
	var out []pair
	// Reworded in place.
	oldAt := map[string]int{}
	for k, i := range olds {
		oldAt[oldItems[i].ID] = k
	}
	pairedOld := make([]bool, len(olds))
	pairedNew := make([]bool, len(news))
	for k, j := range news {
		if ko, ok := oldAt[newItems[j].ID]; ok && !pairedOld[ko] {
			if s := dice(og[ko], ng[k]); s >= Similar {
				out = append(out, pair{olds[ko], j, s})
				pairedOld[ko], pairedNew[k] = true, true
			}
		}
	}
	// Reworded and moved.
	freq := make([]int32, len(voc.ids))
	for _, gs := range [][][]int32{og, ng} {
		for _, g := range gs {
			for _, t := range g {
				freq[t]++
			}
		}
	}
	rarestFirst := func(g []int32) []int32 {
		p := slices.Clone(g)
		slices.SortFunc(p, func(a, b int32) int {
			if c := cmp.Compare(freq[a], freq[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		return p[:prefixLen(len(p))]
	}
	postings := map[int32][]int32{}
	for k, g := range og {
		if !pairedOld[k] {
			for _, t := range rarestFirst(g) {
				postings[t] = append(postings[t], int32(k))
			}
		}
	}
	seen := make([]int32, len(olds)) // the new action (k+1) that last looked at each old one
	visits := 0
	share := max(maxVisits/len(news), 50) // what each new action may look at, so that all are looked for
	const perNew = 4                      // the best few candidates of each new action are enough to pair them
	var moved []pair
	for k, g := range ng {
		if pairedNew[k] {
			continue
		}
		var best []pair
		mine := 0
	search:
		for _, t := range rarestFirst(g) {
			for _, ko := range postings[t] {
				if mine >= share {
					break search
				}
				if seen[ko] == int32(k+1) {
					continue
				}
				seen[ko] = int32(k + 1)
				visits++
				mine++
				if s := dice(og[ko], g); s >= Similar {
					best = append(best, pair{olds[ko], news[k], s})
				}
			}
		}
		slices.SortFunc(best, byScore)
		moved = append(moved, best[:min(len(best), perNew)]...)
		if visits > maxVisits {
			break
		}
	}
	slices.SortFunc(moved, byScore)
	return append(out, moved...)
}

func byScore(a, b pair) int {
	if c := cmp.Compare(b.sim, a.sim); c != 0 {
		return c
	}
	if c := cmp.Compare(a.old, b.old); c != 0 {
		return c
	}
	return cmp.Compare(a.new, b.new)
}

// prefixLen is how many of a text's n bigrams, rarest first, must be
// indexed so that any text with a Dice of Similar or more with it shares
// one of them: such a pair overlaps in at least Similar/(2−Similar) of
// either text's bigrams.
func prefixLen(n int) int {
	if n == 0 {
		return 0
	}
	overlap := int(math.Ceil(Similar/(2-Similar)*float64(n) - 1e-9))
	return min(n, max(1, n-overlap+1))
}

// vocabulary numbers the bigrams it has seen.
type vocabulary struct{ ids map[string]int32 }

// grams returns the distinct bigrams of text, normalised as Item.Key
// normalises it, as sorted numbers; a text of one character is its own
// bigram.
func (v *vocabulary) grams(text string) []int32 {
	if v.ids == nil {
		v.ids = map[string]int32{}
	}
	r := []rune(strings.Join(strings.Fields(norm.NFKC.String(text)), ""))
	var out []int32
	add := func(g string) {
		id, ok := v.ids[g]
		if !ok {
			id = int32(len(v.ids))
			v.ids[g] = id
		}
		out = append(out, id)
	}
	if len(r) == 1 {
		add(string(r))
	}
	for i := 0; i+1 < len(r); i++ {
		add(string(r[i : i+2]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dice is 2|a∩b| / (|a|+|b|) of two sorted sets.
func dice(a, b []int32) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// String is the diff as a readable report.
func (d Diff) String() string { return d.Format(0) }

// Format is the diff as a readable report of at most maxLines lines of
// actions (0: all), with a line saying how many were left out.
func (d Diff) Format(maxLines int) string {
	if d.Empty() {
		return "変更なし (no changes)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "追加 %d / 削除 %d / 変更 %d (added / removed / changed)\n", len(d.Added), len(d.Removed), len(d.Changed))
	lines, left := 0, 0
	line := func(format string, args ...any) {
		if maxLines > 0 && lines >= maxLines {
			left++
			return
		}
		lines++
		fmt.Fprintf(&b, format, args...)
	}
	for _, it := range d.Added {
		line("+ %s [%s] %s\n", it.ID, depts(it), clipText(it.Content))
	}
	for _, it := range d.Removed {
		line("- %s [%s] %s\n", it.ID, depts(it), clipText(it.Content))
	}
	for _, c := range d.Changed {
		switch {
		case c.Wording && c.Departments:
			o, n := differing(c.Old.Content, c.New.Content)
			line("~ %s [%s → %s] %s → %s\n", c.New.ID, depts(c.Old), depts(c.New), o, n)
		case c.Wording:
			o, n := differing(c.Old.Content, c.New.Content)
			line("~ %s [%s] %s → %s\n", c.New.ID, depts(c.New), o, n)
		default:
			line("~ %s [%s → %s] %s\n", c.New.ID, depts(c.Old), depts(c.New), clipText(c.New.Content))
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, "… ほか %d 件 (%d more)\n", left, left)
	}
	if len(d.Departments) > 0 {
		b.WriteString("担当課の変化 (departments):\n")
		shown := 0
		for _, dc := range d.Departments {
			if maxLines > 0 && shown >= maxLines {
				fmt.Fprintf(&b, "  … ほか %d 課 (%d more)\n", len(d.Departments)-shown, len(d.Departments)-shown)
				break
			}
			shown++
			fmt.Fprintf(&b, "  %s: %d → %d\n", dc.Name, dc.Before, dc.After)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func depts(it Item) string { return strings.Join(it.Departments, "・") }

// differing clips two versions of a text to where they differ: from a
// few characters before the first difference, as much as a line holds.
func differing(a, b string) (string, string) {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	from := max(0, i-8)
	cut := func(r []rune) string {
		s := string(r[from:])
		if from > 0 {
			s = "…" + s
		}
		return clipText(s)
	}
	return cut(ra), cut(rb)
}

// clipText shortens an action's text for a report line.
func clipText(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}
