package index

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"planbot/data"
	"planbot/data/dict"
)

// Lexicon holds the word tables the index consults at query time. It does
// not depend on the plan, so one Lexicon serves every reindex.
type Lexicon struct {
	// enJa maps lower-case English words and phrases to Japanese (EDICT).
	enJa *dict.Table
	// synonyms maps a normalised word to the other words of its groups
	// (Sudachi's synonym dictionary plus the curated municipal table).
	synonyms *dict.Table
	// English maps a department's Japanese name to its English name.
	English map[string]string
}

// LexiconOptions names files that replace the embedded tables; empty
// fields keep the defaults.
type LexiconOptions struct {
	SynonymsFile    string // curated municipal synonyms (data/synonyms.tsv format)
	DepartmentsFile string // English department names (data/departments.tsv format)
}

// maxSynonyms bounds how many other words one word expands to; Sudachi's
// big groups would otherwise flood a query with weak terms.
const maxSynonyms = 16

// LoadLexicon builds the lexicon from the embedded dictionaries and the
// curated tables, or the replacements named in opt.
func LoadLexicon(opt LexiconOptions) (*Lexicon, error) {
	enja, err := dict.EnJa()
	if err != nil {
		return nil, fmt.Errorf("load EDICT table: %w", err)
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
	add(curated, true) // curated words first: they win the cap
	add(sudachi, false)
	for k, v := range syn {
		syn[k] = dedupe(v)
	}
	return &Lexicon{enJa: enja, synonyms: dict.NewTable(syn), English: english}, nil
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
