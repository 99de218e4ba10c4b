// Package loadtest holds what the load script, its generator and the Go
// benchmarks share: the questions they ask.
package loadtest

import (
	_ "embed"
	"strings"
)

//go:embed questions.txt
var questions string

// Questions returns the load-test questions: Japanese, kana, English and
// not covered, in the order of questions.txt (blank lines and # comments
// left out).
func Questions() []string {
	var qs []string
	for l := range strings.Lines(questions) {
		if q := strings.TrimSpace(l); q != "" && !strings.HasPrefix(q, "#") {
			qs = append(qs, q)
		}
	}
	return qs
}
