// Package dict embeds two open-dictionary-derived tables for query
// expansion and parses them:
//
//   - en-ja.tsv: English key phrase → Japanese words, derived from EDICT
//     (© EDRDG, CC BY-SA 4.0; see LICENSE-EDICT.txt),
//   - ja-synonyms.tsv: Japanese synonym groups, derived from the Sudachi
//     synonym dictionary (© Works Applications, Apache-2.0; see
//     LICENSE-SUDACHI.txt).
//
// The attribution requirements of both licences apply to anything that
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

//go:embed en-ja.tsv ja-synonyms.tsv
var files embed.FS

// EnJa returns the embedded English→Japanese table: lower-cased English key
// phrase → Japanese words, most common first. Each call parses the table
// afresh (a fifth of a second) and nothing here keeps it, so a caller that
// stores it in another form leaves no copy behind.
func EnJa() (*Table, error) { return parseEmbedded("en-ja.tsv", ParseEnJa) }

// Synonyms returns the embedded Japanese synonym groups, representative
// first, parsed afresh on each call as EnJa is.
func Synonyms() ([][]string, error) { return parseEmbedded("ja-synonyms.tsv", ParseSynonyms) }

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
func ParseEnJa(r io.Reader) (*Table, error) {
	s, err := readString(r)
	if err != nil {
		return nil, err
	}
	t := newTable(s, strings.Count(s, "\n")+1)
	t.spans = make([]uint32, 0, 2*(strings.Count(s, "|")+strings.Count(s, "\n")+1))
	err = eachLine(s, func(no, at int, line string) error {
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
		from := at + len(key) + 1
		for v := range strings.SplitSeq(rest, "|") {
			if v == "" {
				return &ParseError{no, fmt.Sprintf("key %q has an empty value", key)}
			}
			t.word(from, from+len(v))
			from += len(v) + 1
		}
		t.add(key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
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
