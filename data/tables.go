package data

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
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
