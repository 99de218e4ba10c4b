package index

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"planbot/data"
	"planbot/data/dict"
)

// Lexicon holds the word tables the index consults at query time. It does
// not depend on the plan, so one Lexicon serves every reindex.
type Lexicon struct {
	// enJa maps lower-case English words and phrases to Japanese (EDICT).
	enJa *dict.Table
	// wordnet maps an English lemma to its WordNet synonyms and hypernyms
	// and knows its parts of speech; inflections maps irregular forms to
	// their lemmas (children: child).
	wordnet, inflections *dict.Table
	// synonyms maps a normalised word to the other words of its groups
	// (Sudachi's synonym dictionary plus the curated municipal table).
	synonyms *dict.Table
	// curated holds the curated groups alone: a curated synonym is as
	// good as the word, a Sudachi one a little less.
	curated *dict.Table
	// related maps a curated ~word to the group it suggests (本: 絵本).
	related *dict.Table
	// English maps a department's Japanese name to its English name.
	English map[string]string
	// classes maps a word to the classes it belongs to (data/wordclasses.tsv).
	classes map[string][]string
	// classReadings maps the loose-folded readings of the Japanese class
	// words to them, so that kana questions find どこ and しんぱい.
	classReadings map[string]string
	classStrict   map[string]bool // the same readings folded strictly (see Index.looseOK)
	// rewrites turn spoken and dialect Japanese into the standard forms
	// (data/colloquial.tsv).
	rewrites []data.Rewrite
	// details are the Japanese words of the detail class, longest first,
	// found in a question's text as written.
	details []string
	// numbered are the curated Japanese words with a numeral (一本化,
	// 一か所), longest first, found in a question's text as written:
	// kagome leaves the numeral out of the content words.
	numbered []string
}

// Word classes of data/wordclasses.tsv.
const (
	classAsk            = "ask"
	classMeta           = "meta"
	classAsker          = "asker"
	classMood           = "mood"
	classProcedure      = "procedure"
	classContact        = "contact"
	classContactTrigger = "contact-trigger"
	classDeptWhat       = "dept-what"
	classGreeting       = "greeting"
	classThanks         = "thanks"
	classHelp           = "help"
	classEnStop         = "en-stop"
	classDetail         = "detail"
	classCategory       = "category"
	classNear           = "near"
	classWhere          = "where"
	classFrame          = "frame"
	classOccasion       = "occasion"
	classWhen           = "when"
	classOpinion        = "opinion"
	classDesk           = "desk"
	classMore           = "more"
	classFollowDetail   = "followup-detail"
)

var classNames = []string{classAsk, classMeta, classAsker, classMood, classProcedure, classContact,
	classContactTrigger, classDeptWhat, classGreeting, classThanks, classHelp, classEnStop, classDetail, classCategory, classNear, classWhere, classFrame, classOccasion, classWhen, classOpinion, classDesk, classMore, classFollowDetail}

// is reports whether w belongs to class.
func (l *Lexicon) is(class, w string) bool { return slices.Contains(l.classes[w], class) }

// isAny reports whether w belongs to any of the classes.
func (l *Lexicon) isAny(w string, classes ...string) bool {
	for _, c := range l.classes[w] {
		if slices.Contains(classes, c) {
			return true
		}
	}
	return false
}

// LexiconOptions names files that replace the embedded tables; empty
// fields keep the defaults.
type LexiconOptions struct {
	SynonymsFile    string // curated municipal synonyms (data/synonyms.tsv format)
	DepartmentsFile string // English department names (data/departments.tsv format)
	WordClassesFile string // question words, the asker, feelings (data/wordclasses.tsv format)
	ColloquialFile  string // spoken and dialect rewrites (data/colloquial.tsv format)
}

// maxSynonyms bounds how many other words one word expands to; Sudachi's
// big groups would otherwise flood a query with weak terms.
const maxSynonyms = 16

// LoadLexicon builds the lexicon from the embedded dictionaries and the
// curated tables, or the replacements named in opt.
func LoadLexicon(opt LexiconOptions) (*Lexicon, error) {
	go kagome() // the morphological dictionary loads on the other core meanwhile
	enja, err := dict.EnJa()
	if err != nil {
		return nil, fmt.Errorf("load EDICT table: %w", err)
	}
	wordnet, err := dict.WordNet()
	if err != nil {
		return nil, fmt.Errorf("load WordNet table: %w", err)
	}
	inflections, err := dict.Inflections()
	if err != nil {
		return nil, fmt.Errorf("load WordNet inflections: %w", err)
	}
	sudachi, err := dict.Synonyms()
	if err != nil {
		return nil, fmt.Errorf("load Sudachi synonyms: %w", err)
	}
	curatedText, err := readOr(opt.SynonymsFile, data.SynonymsText())
	if err != nil {
		return nil, err
	}
	curated, err := data.ParseSynonyms(bytes.NewReader(curatedText))
	if err != nil {
		return nil, fmt.Errorf("synonyms table: %w", err)
	}
	deptText, err := readOr(opt.DepartmentsFile, data.DepartmentsText())
	if err != nil {
		return nil, err
	}
	english, err := data.ParseDepartments(bytes.NewReader(deptText))
	if err != nil {
		return nil, fmt.Errorf("departments table: %w", err)
	}
	classText, err := readOr(opt.WordClassesFile, data.WordClassesText())
	if err != nil {
		return nil, err
	}
	classes, err := data.ParseWordClasses(bytes.NewReader(classText))
	if err != nil {
		return nil, fmt.Errorf("word classes table: %w", err)
	}
	rewriteText, err := readOr(opt.ColloquialFile, data.ColloquialText())
	if err != nil {
		return nil, err
	}
	rewrites, err := data.ParseRewrites(bytes.NewReader(rewriteText))
	if err != nil {
		return nil, fmt.Errorf("colloquial table: %w", err)
	}
	syn := map[string][]string{}
	add := func(groups [][]string, curated bool) {
		for _, g := range groups {
			for _, w := range g {
				k := normalize(w)
				for _, o := range g {
					if o != w && (curated || len(syn[k]) < maxSynonyms) {
						syn[k] = append(syn[k], normalize(o))
					}
				}
			}
		}
	}
	// A curated word written ~word is related to its group, not one of
	// it (~本 in 絵本's group): it leads to the group's words at less
	// weight, and the group's words do not lead to it.
	related := map[string][]string{}
	for i, g := range curated {
		var members []string
		for _, w := range g {
			if !strings.HasPrefix(w, "~") {
				members = append(members, w)
			}
		}
		for _, w := range g {
			if r, ok := strings.CutPrefix(w, "~"); ok {
				for _, m := range members {
					related[normalize(r)] = append(related[normalize(r)], normalize(m))
				}
			}
		}
		curated[i] = members
	}
	var numbered []string
	for _, w := range slices.Concat(slices.Concat(curated...), slices.Collect(maps.Keys(related))) {
		if w = normalize(w); strings.ContainsFunc(w, isJapanese) && strings.ContainsFunc(w, isNumeral) && utf8.RuneCountInString(w) >= 2 && !slices.Contains(numbered, w) {
			numbered = append(numbered, w)
		}
	}
	slices.SortFunc(numbered, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	add(curated, true) // curated words first: they win the cap
	cur := map[string][]string{}
	for k, v := range syn {
		cur[k] = dedupe(slices.Clone(v))
	}
	add(sudachi, false)
	for k, v := range syn {
		syn[k] = dedupe(v)
	}
	l := &Lexicon{enJa: enja, wordnet: wordnet, inflections: inflections, synonyms: dict.NewTable(syn), curated: dict.NewTable(cur),
		related: dict.NewTable(related), English: english, classes: map[string][]string{},
		classReadings: map[string]string{}, classStrict: map[string]bool{}, rewrites: rewrites, numbered: numbered}
	for _, c := range slices.Sorted(maps.Keys(classes)) {
		if !slices.Contains(classNames, c) {
			return nil, fmt.Errorf("word classes table: unknown class %q (want one of %s)", c, strings.Join(classNames, ", "))
		}
		for _, w := range classes[c] {
			w = normalize(w)
			if !slices.Contains(l.classes[w], c) {
				l.classes[w] = append(l.classes[w], c)
			}
		}
	}
	l.addClassReadings()
	for w, cs := range l.classes {
		if slices.Contains(cs, classDetail) && strings.ContainsFunc(w, isJapanese) && utf8.RuneCountInString(w) >= 2 {
			l.details = append(l.details, w)
		}
	}
	slices.SortFunc(l.details, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return l, nil
}

// isNumeral reports a digit or a kanji numeral.
func isNumeral(r rune) bool {
	return unicode.IsDigit(r) || strings.ContainsRune("一二三四五六七八九十百千", r)
}

// addClassReadings records the readings of the Japanese class words; of
// words read alike, a question word wins (どこ over 何処).
func (l *Lexicon) addClassReadings() {
	for _, w := range slices.Sorted(maps.Keys(l.classes)) {
		if !strings.ContainsFunc(w, isJapanese) {
			continue
		}
		r := fold(w)
		if !isAllKana(r) {
			_, r = morphemes(w)
		}
		l.classStrict[fold(r)] = true
		r = looseFold(r)
		if utf8.RuneCountInString(r) < 2 || !isAllKana(r) {
			continue
		}
		if old, ok := l.classReadings[r]; !ok || !l.is(classAsk, old) && l.is(classAsk, w) {
			l.classReadings[r] = w
		}
	}
}

// DefaultLexicon is the lexicon from the embedded tables, loaded once.
var DefaultLexicon = sync.OnceValues(func() (*Lexicon, error) { return LoadLexicon(LexiconOptions{}) })

func readOr(path string, def []byte) ([]byte, error) {
	if path == "" {
		return def, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read table: %w", err)
	}
	return b, nil
}

func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// englishName returns "English (日本語)" or the Japanese name alone.
func (l *Lexicon) englishName(dept string) string {
	if en := l.English[dept]; en != "" {
		return en + " (" + dept + ")"
	}
	return dept
}

// deptKeywords returns, for each department, the distinctive lower-case
// words of its English name ("finance" for "Finance Division").
func (l *Lexicon) deptKeywords(depts []string) map[string][]string {
	generic := map[string]bool{"division": true, "department": true, "office": true, "and": true, "the": true, "of": true, "city": true, "s": true}
	out := map[string][]string{}
	for _, d := range depts {
		for _, w := range strings.FieldsFunc(strings.ToLower(l.English[d]), notAlnum) {
			if !generic[w] {
				out[d] = append(out[d], w)
			}
		}
	}
	for _, ws := range out {
		sort.Strings(ws)
	}
	return out
}

func notAlnum(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }
