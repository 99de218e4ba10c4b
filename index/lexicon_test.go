package index

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLexiconFiles: the curated tables may be replaced by files; a broken
// one is refused with where it is broken.
func TestLexiconFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		opt  LexiconOptions
		want string
	}{
		{LexiconOptions{WordClassesFile: write("classes.tsv", "ask\tどこ\nasks\tなに\n")}, `unknown class "asks"`},
		{LexiconOptions{ColloquialFile: write("colloquial.tsv", "a\tb\tc\n")}, "line 1"},
		{LexiconOptions{SynonymsFile: filepath.Join(dir, "missing.tsv")}, "missing.tsv"},
	} {
		if _, err := LoadLexicon(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opt, err, tc.want)
		}
	}
	lex, err := LoadLexicon(LexiconOptions{WordClassesFile: write("mine.tsv", "ask\tどこ\ndetail\t開館時間\n")})
	if err != nil || !lex.is(classDetail, "開館時間") || lex.is(classAsk, "誰") {
		t.Errorf("own classes: %v", err)
	}
}
