// Package dict embeds open-dictionary-derived tables for query expansion
// and parses them:
//
//   - en-ja.tsv: English key phrase → Japanese words, derived from EDICT
//     (© EDRDG, CC BY-SA 4.0; see LICENSE-EDICT.txt),
//   - ja-synonyms.tsv: Japanese synonym groups, derived from the Sudachi
//     synonym dictionary (© Works Applications, Apache-2.0; see
//     LICENSE-SUDACHI.txt),
//   - wordnet.tsv and wordnet-exc.tsv: English lemma → parts of speech,
//     translatable synonyms and (of nouns) translatable direct hypernyms,
//     and irregular inflected form →
//     base forms, derived from WordNet 3.0 (© Princeton University, WordNet
//     3.0 licence; see LICENSE-WORDNET.txt).
//
// The attribution requirements of the licences apply to anything that
// ships or displays this data; README.md explains the files and how to
// regenerate them with ./gen.
package dict

import (
	"embed"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

//go:embed en-ja.tsv ja-synonyms.tsv wordnet-exc.tsv
var files embed.FS

// wordnetTSV is embedded as a string rather than in files: WordNet parses
// it in place, so the table it returns (kept for the life of the process)
// refers to the program's read-only data instead of a 6 MB heap copy.
//
//go:embed wordnet.tsv
var wordnetTSV string

// EnJa returns the embedded English→Japanese table: lower-cased English key
// phrase → Japanese words, most common first. Each call parses the table
// afresh (a fifth of a second) and nothing here keeps it, so a caller that
// stores it in another form leaves no copy behind.
func EnJa() (*Table, error) { return parseEmbedded("en-ja.tsv", ParseEnJa) }

// Synonyms returns the embedded Japanese synonym groups, representative
// first, parsed afresh on each call as EnJa is.
func Synonyms() ([][]string, error) { return parseEmbedded("ja-synonyms.tsv", ParseSynonyms) }

// WordNet returns the embedded WordNet table: lower-case English lemma
// ("kid", "day care") → through Get its synonyms ("child", "youngster", …)
// and through Table.Hypernyms the direct hypernyms of its noun senses
// ("juvenile", "offspring", …; none for a lemma that is not a noun), both
// only words that are keys of EnJa, most frequent sense first; and through
// Table.POS the lemma's parts of speech ("nv"). Either list can be empty;
// a lemma with neither (Has is true, both give empty lists) is an EnJa key
// kept for its parts of speech. Each call parses the table afresh (25–40
// ms); keys and words point into the embedded data, so a kept table
// costs only its index on the heap.
func WordNet() (*Table, error) {
	t, err := parseWordNet(wordnetTSV)
	if err != nil {
		return nil, fmt.Errorf("dict: wordnet.tsv: %w", err)
	}
	return t, nil
}

// Inflections returns the embedded WordNet exception lists: irregular
// inflected form ("children", "went", "feet", "better") → base forms
// ("child"; "go"; "foot"; "good", "well"), each a key of WordNet or EnJa.
// Regular inflections ("schools", "renewed") are not listed: strip the
// suffix and look the result up in WordNet.
func Inflections() (*Table, error) { return parseEmbedded("wordnet-exc.tsv", ParseInflections) }

func parseEmbedded[T any](name string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := files.Open(name)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("dict: %s: %w", name, err)
	}
	return v, nil
}

// ParseError reports a malformed line of a table.
type ParseError struct {
	Line int // 1-based
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseEnJa reads "key<TAB>ja1|ja2|..." lines into key → values. Blank
// lines and lines starting with # are skipped; a line without a key, a tab
// or values, with an empty value, or repeating an earlier key is an error
// (*ParseError naming the line).
func ParseEnJa(r io.Reader) (*Table, error) { return parseReader(r, parseKeyValues) }

// ParseInflections reads "inflected<TAB>base1|base2|..." lines, with the
// rules of ParseEnJa.
func ParseInflections(r io.Reader) (*Table, error) { return parseReader(r, parseKeyValues) }

// ParseWordNet reads "lemma<TAB>pos<TAB>synonyms<TAB>hypernyms" lines,
// each list |-separated and possibly empty ("renew<TAB>v<TAB><TAB>"), into
// a table of lemma → synonyms (Get), hypernyms (Table.Hypernyms) and parts
// of speech (Table.POS). pos is one or more of the letters n, v, a, r in
// that order. Blank lines and lines starting with # are skipped; a line
// without exactly four columns, with an empty lemma, a malformed pos or an
// empty word in a list, or repeating an earlier lemma is an error
// (*ParseError naming the line).
func ParseWordNet(r io.Reader) (*Table, error) { return parseReader(r, parseWordNet) }

func parseReader(r io.Reader, parse func(string) (*Table, error)) (*Table, error) {
	s, err := readString(r)
	if err != nil {
		return nil, err
	}
	return parse(s)
}

// parseKeyValues parses key<TAB>values lines (ParseEnJa); the table refers
// to s.
func parseKeyValues(s string) (*Table, error) {
	t := newTable(s, strings.Count(s, "\n")+1)
	t.spans = make([]uint32, 0, 2*(strings.Count(s, "|")+strings.Count(s, "\n")+1))
	err := eachLine(s, func(no, at int, line string) error {
		key, rest, ok := strings.Cut(line, "\t")
		switch {
		case !ok:
			return &ParseError{no, "want key<TAB>values, found no tab"}
		case key == "":
			return &ParseError{no, "empty key"}
		case rest == "":
			return &ParseError{no, fmt.Sprintf("key %q has no values", key)}
		case strings.IndexByte(rest, '\t') >= 0:
			return &ParseError{no, "more than one tab"}
		}
		if t.Has(key) {
			return &ParseError{no, fmt.Sprintf("duplicate key %q", key)}
		}
		if err := t.addWords(no, key, at+len(key)+1, rest); err != nil {
			return err
		}
		t.add(key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// parseWordNet parses lemma<TAB>pos<TAB>synonyms<TAB>hypernyms lines
// (ParseWordNet); the table refers to s.
func parseWordNet(s string) (*Table, error) {
	lines := strings.Count(s, "\n") + 1
	t := newTable(s, lines)
	t.spans = make([]uint32, 0, 2*(strings.Count(s, "|")+2*lines))
	t.pos = make([]uint8, 0, lines)
	t.mid = make([]uint32, 0, lines)
	err := eachLine(s, func(no, at int, line string) error {
		if n := strings.Count(line, "\t") + 1; n != 4 {
			return &ParseError{no, fmt.Sprintf("want 4 columns lemma<TAB>pos<TAB>synonyms<TAB>hypernyms, found %d", n)}
		}
		key, rest, _ := strings.Cut(line, "\t")
		pos, rest, _ := strings.Cut(rest, "\t")
		syns, hypers, _ := strings.Cut(rest, "\t")
		if key == "" {
			return &ParseError{no, "empty lemma"}
		}
		bits, ok := posBits(pos)
		if !ok {
			return &ParseError{no, fmt.Sprintf("lemma %q: part of speech %q is not one or more of n, v, a, r in that order", key, pos)}
		}
		if t.Has(key) {
			return &ParseError{no, fmt.Sprintf("duplicate lemma %q", key)}
		}
		from := at + len(key) + 1 + len(pos) + 1
		if err := t.addWords(no, key, from, syns); err != nil {
			return err
		}
		t.mid = append(t.mid, uint32(len(t.spans)/2))
		if err := t.addWords(no, key, from+len(syns)+1, hypers); err != nil {
			return err
		}
		t.pos = append(t.pos, bits)
		t.add(key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// addWords records the |-separated words of list, which starts at byte
// from of t.text, as the next words of key's list; an empty list adds
// none (callers that require words check for it first).
func (t *Table) addWords(no int, key string, from int, list string) error {
	if list == "" {
		return nil
	}
	for v := range strings.SplitSeq(list, "|") {
		if v == "" {
			return &ParseError{no, fmt.Sprintf("key %q has an empty value", key)}
		}
		t.word(from, from+len(v))
		from += len(v) + 1
	}
	return nil
}

// ParseSynonyms reads synonym groups: one group a line, at least two words
// separated by tabs, the representative first. Blank lines and lines
// starting with # are skipped; a line with fewer than two words or an empty
// word is an error (*ParseError naming the line).
func ParseSynonyms(r io.Reader) ([][]string, error) {
	s, err := readString(r)
	if err != nil {
		return nil, err
	}
	words := make([]string, 0, strings.Count(s, "\t")+strings.Count(s, "\n")+1)
	groups := make([][]string, 0, strings.Count(s, "\n")+1)
	err = eachLine(s, func(no, _ int, line string) error {
		start := len(words)
		for w := range strings.SplitSeq(line, "\t") {
			if w == "" {
				return &ParseError{no, "empty word (doubled or trailing tab)"}
			}
			words = append(words, w)
		}
		if len(words)-start < 2 {
			return &ParseError{no, "a synonym group needs at least two words separated by tabs"}
		}
		groups = append(groups, words[start:len(words):len(words)])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return groups, nil
}

// eachLine calls fn with the 1-based number, byte offset and content of
// every line of s that is neither blank nor a # comment; a trailing \r is
// removed.
func eachLine(s string, fn func(no, at int, line string) error) error {
	no, at, next := 0, 0, 0
	for next < len(s) {
		no++
		at = next
		line := s[at:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], at+i+1
		} else {
			next = len(s)
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(no, at, line); err != nil {
			return err
		}
	}
	return nil
}

// readString reads all of r into one string (sized up front when r can
// report its size), so that parsed keys and values can share its memory.
func readString(r io.Reader) (string, error) {
	var b strings.Builder
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Size() > 0 {
			b.Grow(int(fi.Size()))
		}
	} else if l, ok := r.(interface{ Len() int }); ok {
		b.Grow(l.Len())
	}
	if _, err := io.Copy(&b, r); err != nil {
		return "", err
	}
	return b.String(), nil
}
