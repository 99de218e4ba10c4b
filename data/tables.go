package data

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"strings"
)

//go:embed synonyms.tsv
var synonymsTSV []byte

//go:embed departments.tsv
var departmentsTSV []byte

// SynonymsText returns the embedded curated municipal synonym table.
func SynonymsText() []byte { return synonymsTSV }

// DepartmentsText returns the embedded table of departments' English names.
func DepartmentsText() []byte { return departmentsTSV }

// ParseSynonyms reads synonym groups: one group a line, words separated by
// tabs; blank lines and lines starting with # are skipped.
func ParseSynonyms(r io.Reader) ([][]string, error) {
	var groups [][]string
	err := eachRow(r, func(no int, cols []string) error {
		if len(cols) < 2 {
			return &ParseError{Line: no, Msg: "a synonym group needs at least two words separated by tabs"}
		}
		groups = append(groups, cols)
		return nil
	})
	return groups, err
}

// ParseDepartments reads "Japanese name<TAB>English name" rows.
func ParseDepartments(r io.Reader) (map[string]string, error) {
	names := map[string]string{}
	err := eachRow(r, func(no int, cols []string) error {
		if len(cols) != 2 {
			return &ParseError{Line: no, Msg: "want \"Japanese name<TAB>English name\""}
		}
		names[cols[0]] = cols[1]
		return nil
	})
	return names, err
}

// DefaultSynonyms and DefaultDepartments parse the embedded tables.
func DefaultSynonyms() ([][]string, error) { return ParseSynonyms(bytes.NewReader(synonymsTSV)) }

func DefaultDepartments() (map[string]string, error) {
	return ParseDepartments(bytes.NewReader(departmentsTSV))
}

func eachRow(r io.Reader, fn func(no int, cols []string) error) error {
	sc := bufio.NewScanner(r)
	for no := 1; sc.Scan(); no++ {
		s := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		var cols []string
		for _, c := range strings.Split(s, "\t") {
			if c = strings.TrimSpace(c); c != "" {
				cols = append(cols, c)
			}
		}
		if err := fn(no, cols); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read table: %w", err)
	}
	return nil
}

//go:embed wordclasses.tsv
var wordClassesTSV []byte

//go:embed colloquial.tsv
var colloquialTSV []byte

// WordClassesText returns the embedded table of word classes (question
// words, the asker, feelings, procedures, small talk).
func WordClassesText() []byte { return wordClassesTSV }

// ColloquialText returns the embedded rewrite rules for spoken and dialect
// Japanese.
func ColloquialText() []byte { return colloquialTSV }

// ParseWordClasses reads "class<TAB>word word …" rows into class → words;
// a class may span several rows.
func ParseWordClasses(r io.Reader) (map[string][]string, error) {
	classes := map[string][]string{}
	err := eachRow(r, func(no int, cols []string) error {
		if len(cols) != 2 {
			return &ParseError{Line: no, Msg: "want \"class<TAB>words separated by spaces\""}
		}
		classes[cols[0]] = append(classes[cols[0]], strings.Fields(cols[1])...)
		return nil
	})
	return classes, err
}

// Rewrite is a rule that rewrites spoken or dialect Japanese to the
// standard form, with an example the tests check.
type Rewrite struct {
	Line    int
	Pattern *regexp.Regexp
	Replace string // in regexp.Expand syntax: $1 is the first group
	Example string // a phrase the rule applies to
	Want    string // the phrase rewritten by all the rules
}

// ParseRewrites reads "pattern<TAB>replacement<TAB>example<TAB>rewritten"
// rows; the replacement may be empty.
func ParseRewrites(r io.Reader) ([]Rewrite, error) {
	var out []Rewrite
	sc := bufio.NewScanner(r)
	for no := 1; sc.Scan(); no++ {
		s := strings.TrimRight(strings.TrimPrefix(sc.Text(), "\uFEFF"), " \r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		cols := strings.Split(s, "\t")
		if len(cols) != 4 || cols[0] == "" || cols[2] == "" {
			return nil, &ParseError{Line: no, Msg: "want \"pattern<TAB>replacement<TAB>example<TAB>example rewritten\""}
		}
		re, err := regexp.Compile(cols[0])
		if err != nil {
			return nil, &ParseError{Line: no, Msg: "bad pattern: " + err.Error()}
		}
		out = append(out, Rewrite{Line: no, Pattern: re, Replace: cols[1], Example: cols[2], Want: cols[3]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read rewrites: %w", err)
	}
	return out, nil
}
