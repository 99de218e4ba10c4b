package dict

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func mustWordNet(t testing.TB) *Table {
	t.Helper()
	w, err := WordNet()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func mustInflections(t testing.TB) *Table {
	t.Helper()
	m, err := Inflections()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWordNetSynonymsAndHypernyms(t *testing.T) {
	w := mustWordNet(t)
	for _, tc := range []struct {
		lemma          string
		synonyms       []string // at least one of these is a synonym (none if empty)
		hypernyms      []string // at least one of these is a hypernym (none if empty)
		notSynHypernym []string // none of these is in either list
	}{
		{"kid", []string{"child"}, []string{"juvenile"}, nil},
		{"grandma", []string{"grandmother"}, nil, nil}, // grandparent is no en-ja key (EDICT has only "grandparents")
		{"mom", []string{"mother", "mum"}, []string{"mother"}, nil},
		{"inspect", []string{"scrutinize", "audit"}, nil, nil},
		{"garbage", []string{"refuse"}, []string{"waste"}, nil},
		{"trash", []string{"rubbish"}, []string{"waste"}, nil},
		{"apartment", []string{"flat"}, []string{"housing"}, nil},
		{"daycare", []string{"day care"}, []string{"childcare"}, nil},
		{"earthquake", []string{"quake"}, nil, nil},
		{"monday", nil, []string{"weekday"}, nil},
		// A nursing home is a home (a synonym) and an institution.
		{"nursing home", []string{"home"}, []string{"institution"}, nil},
		// An aardwolf is a hyena; a swing and a seesaw are playthings.
		{"aardwolf", nil, []string{"hyena"}, nil},
		{"swing", nil, []string{"plaything", "toy"}, nil},
		{"seesaw", nil, []string{"plaything", "toy"}, nil},
		// Instance hypernyms count: Paris is a national capital.
		{"paris", nil, []string{"national capital"}, nil},
		// Adjectives take their "similar to" words as synonyms: glad is
		// similar to happy.
		{"glad", []string{"happy"}, nil, nil},
		// One level only: a kid is a juvenile, which is a person, which is
		// an organism — neither the second-level hypernym (person) nor
		// anything higher is listed. Mercury's name senses (a planet, a
		// god) are skipped for its common ones (a metal).
		{"kid", nil, nil, []string{"person", "organism"}},
		{"mercury", []string{"hg"}, []string{"metal"}, []string{"planet", "god"}},
	} {
		syn, hyp := w.Get(tc.lemma), w.Hypernyms(tc.lemma)
		if tc.synonyms != nil && !slices.ContainsFunc(tc.synonyms, func(x string) bool { return slices.Contains(syn, x) }) {
			t.Errorf("WordNet synonyms of %q = %v, want one of %v", tc.lemma, syn, tc.synonyms)
		}
		if tc.hypernyms != nil && !slices.ContainsFunc(tc.hypernyms, func(x string) bool { return slices.Contains(hyp, x) }) {
			t.Errorf("WordNet hypernyms of %q = %v, want one of %v", tc.lemma, hyp, tc.hypernyms)
		}
		for _, x := range tc.notSynHypernym {
			if slices.Contains(syn, x) || slices.Contains(hyp, x) {
				t.Errorf("WordNet %q: synonyms %v, hypernyms %v, want no %q", tc.lemma, syn, hyp, x)
			}
		}
	}
	// The most frequent sense comes first: kid is first a child, not
	// kidskin or a young goat; a kid is a juvenile before it is leather.
	if syn := w.Get("kid"); len(syn) == 0 || syn[0] != "child" {
		t.Errorf(`WordNet synonyms of "kid" = %v, want "child" first`, syn)
	}
	if hyp := w.Hypernyms("kid"); len(hyp) == 0 || hyp[0] != "juvenile" {
		t.Errorf(`WordNet hypernyms of "kid" = %v, want "juvenile" first`, hyp)
	}
	// Synonyms and hypernyms are apart: grandmother is grandma's synonym,
	// child is kid's synonym and not also its hypernym.
	if syn := w.Get("grandma"); slices.Index(syn, "grandmother") != 0 {
		t.Errorf(`WordNet synonyms of "grandma" = %v, want "grandmother" first`, syn)
	}
	if hyp := w.Hypernyms("kid"); slices.Contains(hyp, "child") {
		t.Errorf(`WordNet hypernyms of "kid" = %v, want no "child" (a synonym)`, hyp)
	}
	// Verbs have no hypernyms here (only noun senses give them): renew and
	// inspect are verbs only.
	for _, lemma := range []string{"renew", "inspect", "examine"} {
		if hyp := w.Hypernyms(lemma); hyp == nil || len(hyp) != 0 {
			t.Errorf("WordNet hypernyms of the verb %q = %#v, want an empty list", lemma, hyp)
		}
	}
	if hyp := w.Hypernyms("no such lemma"); hyp != nil {
		t.Errorf(`Hypernyms("no such lemma") = %#v, want nil`, hyp)
	}
	if hyp := mustEnJa(t).Hypernyms("bridge"); hyp != nil {
		t.Errorf(`EnJa Hypernyms("bridge") = %#v, want nil (not a WordNet table)`, hyp)
	}
}

func TestWordNetPOS(t *testing.T) {
	w := mustWordNet(t)
	for _, tc := range []struct{ lemma, pos string }{
		{"renew", "v"},
		{"inspect", "v"},
		{"grandma", "n"},
		{"swing", "nv"},
		{"kid", "nv"},
		{"good", "nar"},
		{"happy", "a"},
		{"glad", "na"},
		{"elderly", "na"},
		{"day care", "n"},
		{"alzheimer's disease", "n"},
	} {
		if got := w.POS(tc.lemma); got != tc.pos {
			t.Errorf("WordNet POS(%q) = %q, want %q", tc.lemma, got, tc.pos)
		}
	}
	if got := w.POS("no such lemma"); got != "" {
		t.Errorf(`POS("no such lemma") = %q`, got)
	}
	if got := mustEnJa(t).POS("bridge"); got != "" {
		t.Errorf(`EnJa POS("bridge") = %q, want "" (not a WordNet table)`, got)
	}
}

func TestWordNetFilters(t *testing.T) {
	w := mustWordNet(t)
	// Proper names that EDICT does not know are dropped; those it knows stay.
	for _, lemma := range []string{"simone de beauvoir", "roanoke", "malaclemys", "genus canis"} {
		if w.Has(lemma) {
			t.Errorf("WordNet has the proper name %q (%v)", lemma, w.Get(lemma))
		}
	}
	for _, lemma := range []string{"paris", "monday", "christmas"} {
		if !w.Has(lemma) || !strings.Contains(w.POS(lemma), "n") {
			t.Errorf("WordNet lacks the en-ja key %q (pos %q)", lemma, w.POS(lemma))
		}
	}
	// Lemmas with other characters are dropped.
	for _, lemma := range []string{"a.m.", "st. louis", ".22 caliber"} {
		if w.Has(lemma) {
			t.Errorf("WordNet has %q", lemma)
		}
	}
}

func TestWordNetShape(t *testing.T) {
	w := mustWordNet(t)
	ej := mustEnJa(t)
	if w.Len() < 80000 {
		t.Fatalf("WordNet has %d lemmas, want > 80000", w.Len())
	}
	bare, hyps := 0, 0
	for lemma, syn := range w.All() {
		if !slices.Equal(syn, w.Get(lemma)) {
			t.Errorf("lemma %q: All gives %v, Get %v", lemma, syn, w.Get(lemma))
		}
		hyp := w.Hypernyms(lemma)
		for _, c := range lemma {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ' ' || c == '-' || c == '\'') {
				t.Errorf("lemma %q: character %q", lemma, c)
				break
			}
		}
		p := w.POS(lemma)
		if p == "" {
			t.Errorf("lemma %q: no part of speech", lemma)
		}
		if len(hyp) > 0 {
			hyps++
			if !strings.Contains(p, "n") {
				t.Errorf("lemma %q: pos %q, not a noun, but hypernyms %v", lemma, p, hyp)
			}
		}
		if len(syn) == 0 && len(hyp) == 0 {
			bare++
			if !ej.Has(lemma) {
				t.Errorf("lemma %q: no synonyms or hypernyms and not an en-ja key", lemma)
			}
		}
		for _, l := range []struct {
			name  string
			words []string
		}{{"synonyms", syn}, {"hypernyms", hyp}} {
			if len(l.words) > 12 {
				t.Errorf("lemma %q: %d %s, want at most 12", lemma, len(l.words), l.name)
			}
			if slices.Contains(l.words, lemma) {
				t.Errorf("lemma %q is among its own %s", lemma, l.name)
			}
			for _, r := range l.words {
				if !ej.Has(r) {
					t.Errorf("lemma %q: %s word %q is not an en-ja key", lemma, l.name, r)
				}
			}
		}
		if both := append(slices.Clone(syn), hyp...); len(slices.Compact(slices.Sorted(slices.Values(both)))) != len(both) {
			t.Errorf("lemma %q: duplicate words in synonyms %v and hypernyms %v", lemma, syn, hyp)
		}
	}
	if bare == 0 || bare > w.Len()/10 {
		t.Errorf("%d of %d lemmas have neither synonyms nor hypernyms", bare, w.Len())
	}
	if hyps < w.Len()/2 {
		t.Errorf("%d of %d lemmas have hypernyms, want at least half", hyps, w.Len())
	}
	assertGenerated(t, "wordnet.tsv", wordnetTSV)
}

func TestInflections(t *testing.T) {
	m := mustInflections(t)
	for _, tc := range []struct {
		form  string
		bases []string
	}{
		{"children", []string{"child"}},
		{"went", []string{"go"}},
		{"feet", []string{"foot"}},
		{"mice", []string{"mouse"}},
		{"taught", []string{"teach"}},
		{"better", []string{"good", "well"}},
		{"leaves", []string{"leaf", "leave"}},
	} {
		if got := m.Get(tc.form); !slices.Equal(got, tc.bases) {
			t.Errorf("Inflections[%q] = %v, want %v", tc.form, got, tc.bases)
		}
	}
	w, ej := mustWordNet(t), mustEnJa(t)
	if m.Len() < 3000 {
		t.Fatalf("Inflections has %d forms, want > 3000", m.Len())
	}
	for form, bases := range m.All() {
		if len(bases) == 0 || slices.Contains(bases, form) {
			t.Errorf("Inflections[%q] = %v", form, bases)
		}
		for _, b := range bases {
			if !w.Has(b) && !ej.Has(b) {
				t.Errorf("Inflections[%q]: base %q is neither a WordNet lemma nor an en-ja key", form, b)
			}
		}
	}
	data, err := files.ReadFile("wordnet-exc.tsv")
	if err != nil {
		t.Fatal(err)
	}
	assertGenerated(t, "wordnet-exc.tsv", string(data))
}

// assertGenerated checks that a generated WordNet table starts with the
// WordNet licence notice, which must travel with every copy, and that its
// keys are in strictly increasing byte order.
func assertGenerated(t *testing.T, name, data string) {
	t.Helper()
	if !strings.HasPrefix(data, "# Derived from Princeton WordNet 3.0") ||
		!strings.Contains(data, "\n# WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.\n") {
		t.Errorf("%s does not start with the WordNet licence notice", name)
	}
	prev := ""
	for i, line := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		key, _, _ := strings.Cut(line, "\t")
		if prev != "" && key <= prev {
			t.Errorf("%s line %d: key %q after %q", name, i+1, key, prev)
			return
		}
		prev = key
	}
}

func TestParseWordNet(t *testing.T) {
	in := "# comment\n\nday care\tn\tdaycare\tchildcare|service\nkid\tnv\tchild\tjuvenile\r\nrenew\tv\t\t\nseesaw\tnv\t\tplaything\nglad\tna\thappy|willing\t\n"
	w, err := ParseWordNet(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if w.Len() != 5 {
		t.Errorf("%d lemmas, want 5", w.Len())
	}
	for _, tc := range []struct {
		lemma, pos   string
		syns, hypers []string
	}{
		{"day care", "n", []string{"daycare"}, []string{"childcare", "service"}},
		{"kid", "nv", []string{"child"}, []string{"juvenile"}},
		{"renew", "v", []string{}, []string{}},
		{"seesaw", "nv", []string{}, []string{"plaything"}},
		{"glad", "na", []string{"happy", "willing"}, []string{}},
	} {
		syns, hypers := w.Get(tc.lemma), w.Hypernyms(tc.lemma)
		if syns == nil || !slices.Equal(syns, tc.syns) || hypers == nil || !slices.Equal(hypers, tc.hypers) || !w.Has(tc.lemma) {
			t.Errorf("%q: Get %#v, Hypernyms %#v, Has %v; want %q, %q", tc.lemma, syns, hypers, w.Has(tc.lemma), tc.syns, tc.hypers)
		}
		if got := w.POS(tc.lemma); got != tc.pos {
			t.Errorf("POS(%q) = %q, want %q", tc.lemma, got, tc.pos)
		}
	}
	if got := w.POS("comment"); got != "" || w.Get("comment") != nil || w.Hypernyms("comment") != nil {
		t.Errorf(`"comment" is in the table`)
	}
	n := 0
	for lemma, syns := range w.All() {
		n++
		if !slices.Equal(syns, w.Get(lemma)) {
			t.Errorf("All: %q → %q, want its synonyms %q", lemma, syns, w.Get(lemma))
		}
	}
	if n != 5 {
		t.Errorf("All yields %d lemmas, want 5", n)
	}
	m, err := ParseInflections(strings.NewReader("children\tchild\nbetter\tgood|well\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Get("better"); !slices.Equal(got, []string{"good", "well"}) {
		t.Errorf(`Inflections Get("better") = %q`, got)
	}
}

func TestParseWordNetErrorsNameLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func(string) error
		in    string
		line  int
		msg   string
	}{
		{"wordnet no tab", parseWordNetErr, "kid\tn\tchild\t\n\nrenew v\n", 3, "want 4 columns"},
		{"wordnet old 3-column format", parseWordNetErr, "kid\tnv\tchild\n", 1, "found 3"},
		{"wordnet old 2-column format", parseWordNetErr, "kid\tnv\tchild\t\n# c\nrenew\tv\n", 3, "found 2"},
		{"wordnet five columns", parseWordNetErr, "kid\tnv\tchild\tjuvenile\tperson\n", 1, "found 5"},
		{"wordnet empty lemma", parseWordNetErr, "\tn\tchild\t\n", 1, "empty lemma"},
		{"wordnet empty pos", parseWordNetErr, "kid\tnv\tchild\t\nrenew\t\t\t\n", 2, "part of speech"},
		{"wordnet bad pos letter", parseWordNetErr, "kid\tnx\tchild\t\n", 1, "part of speech"},
		{"wordnet pos out of order", parseWordNetErr, "kid\tvn\tchild\t\n", 1, "part of speech"},
		{"wordnet pos repeated", parseWordNetErr, "kid\tnn\tchild\t\n", 1, "part of speech"},
		{"wordnet empty synonym", parseWordNetErr, "kid\tnv\tchild||youngster\t\n", 1, "empty value"},
		{"wordnet trailing bar", parseWordNetErr, "kid\tnv\tchild\tjuvenile|\n", 1, "empty value"},
		{"wordnet leading bar", parseWordNetErr, "kid\tnv\t\t|juvenile\n", 1, "empty value"},
		{"wordnet duplicate", parseWordNetErr, "kid\tn\tchild\t\nkid\tv\tjoke\t\n", 2, "duplicate lemma"},
		{"inflections no base", parseInflErr, "children\tchild\nwent\t\n", 2, "no values"},
		{"inflections duplicate", parseInflErr, "went\tgo\nwent\twend\n", 2, "duplicate key"},
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

func parseWordNetErr(s string) error { _, err := ParseWordNet(strings.NewReader(s)); return err }
func parseInflErr(s string) error    { _, err := ParseInflections(strings.NewReader(s)); return err }
