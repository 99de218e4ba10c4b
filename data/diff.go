package data

import (
	"fmt"
	"slices"
	"strings"
)

// Diff is what changed between two versions of a plan.
type Diff struct {
	Added       []Item       `json:"added"`
	Removed     []Item       `json:"removed"`
	Changed     []Change     `json:"changed"`
	Departments []DeptChange `json:"departments"` // departments whose responsibilities changed
}

// Change is an action whose text or departments changed in place.
type Change struct {
	Old Item `json:"old"`
	New Item `json:"new"`
}

// DeptChange counts a department's actions before and after.
type DeptChange struct {
	Name   string `json:"name"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// Empty reports whether the two plans have the same actions.
func (d Diff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// Compare returns the changes from old to new. Actions are matched by
// text and departments first, wherever they moved; then by text alone and
// by position (ID), as changed; what is left was removed or added.
func Compare(old, new *Plan) Diff {
	d := Diff{Added: []Item{}, Removed: []Item{}, Changed: []Change{}, Departments: []DeptChange{}}
	key := func(it Item) string { return it.Content + "\x00" + strings.Join(it.Departments, "\x00") }
	oldByKey := map[string][]int{}
	for i, it := range old.Items {
		oldByKey[key(it)] = append(oldByKey[key(it)], i)
	}
	usedOld := make([]bool, len(old.Items))
	var unmatched []Item
	for _, it := range new.Items {
		if is := oldByKey[key(it)]; len(is) > 0 {
			usedOld[is[0]] = true
			oldByKey[key(it)] = is[1:]
			continue
		}
		unmatched = append(unmatched, it)
	}
	// Then the same text with other departments, then the same position.
	for _, byKey := range []func(Item) string{
		func(it Item) string { return "c" + it.Content },
		func(it Item) string { return "i" + it.ID },
	} {
		rest := map[string]int{}
		for i, it := range old.Items {
			if _, dup := rest[byKey(it)]; !usedOld[i] && !dup {
				rest[byKey(it)] = i
			}
		}
		var still []Item
		for _, it := range unmatched {
			if i, ok := rest[byKey(it)]; ok {
				d.Changed = append(d.Changed, Change{Old: old.Items[i], New: it})
				usedOld[i] = true
				delete(rest, byKey(it))
				continue
			}
			still = append(still, it)
		}
		unmatched = still
	}
	d.Added = append(d.Added, unmatched...)
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
		mark(c.Old, c.New)
	}
	for name := range touched {
		d.Departments = append(d.Departments, DeptChange{Name: name, Before: len(old.ItemsOf(name)), After: len(new.ItemsOf(name))})
	}
	slices.SortFunc(d.Departments, func(a, b DeptChange) int { return strings.Compare(a.Name, b.Name) })
	return d
}

// String is the diff as a readable report.
func (d Diff) String() string {
	if d.Empty() {
		return "変更なし (no changes)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "追加 %d / 削除 %d / 変更 %d (added / removed / changed)\n", len(d.Added), len(d.Removed), len(d.Changed))
	for _, it := range d.Added {
		fmt.Fprintf(&b, "+ %s [%s] %s\n", it.ID, strings.Join(it.Departments, "・"), clip(it.Content))
	}
	for _, it := range d.Removed {
		fmt.Fprintf(&b, "- %s [%s] %s\n", it.ID, strings.Join(it.Departments, "・"), clip(it.Content))
	}
	for _, c := range d.Changed {
		fmt.Fprintf(&b, "~ %s [%s → %s] %s\n", c.New.ID, strings.Join(c.Old.Departments, "・"), strings.Join(c.New.Departments, "・"), clip(c.New.Content))
	}
	if len(d.Departments) > 0 {
		b.WriteString("担当課の変化 (departments):\n")
		for _, dc := range d.Departments {
			fmt.Fprintf(&b, "  %s: %d → %d\n", dc.Name, dc.Before, dc.After)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
