package index

import (
	"bufio"
	"os"
	"strings"
	"sync"
	"testing"

	"planbot/data"
)

var seedIndex = sync.OnceValues(func() (*Index, error) {
	lex, err := DefaultLexicon()
	if err != nil {
		return nil, err
	}
	return New(data.Default(), lex)
})

func seed(t testing.TB) *Index {
	t.Helper()
	ix, err := seedIndex()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

type evalRow struct {
	q, key string
	want   []string // NONE for not covered
}

func readEval(t *testing.T, path string) []evalRow {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []evalRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := append(strings.Split(line, "\t"), "", "")
		rows = append(rows, evalRow{q: cols[0], want: strings.Split(cols[1], "|"), key: cols[2]})
	}
	return rows
}

// TestQuestionSet is the project's own acceptance bar: dept@1 ≥ 95 % and
// every not-covered question rejected.
func TestQuestionSet(t *testing.T) {
	ix := seed(t)
	rows := readEval(t, "testdata/questions.tsv")
	var dept, inScope, item, items, none, noneOK int
	for _, r := range rows {
		a, err := ix.Ask(r.q)
		if err != nil {
			t.Errorf("%q: %v", r.q, err)
		}
		if r.want[0] == "NONE" {
			none++
			if len(a.Answers) == 0 {
				noneOK++
			} else {
				t.Logf("MISS none %q: answered %v %s", r.q, a.Answers[0].Departments, clip(a.Answers[0].Content, 30))
			}
			continue
		}
		inScope++
		var top Match
		if len(a.Answers) > 0 {
			top = a.Answers[0]
		}
		ok := false
		for _, d := range top.Departments {
			for _, w := range r.want {
				ok = ok || d == w
			}
		}
		if ok {
			dept++
		}
		itemOK := true
		if r.key != "" {
			items++
			itemOK = strings.Contains(top.Content, r.key)
			if itemOK {
				item++
			}
		}
		if !ok || !itemOK {
			t.Logf("MISS %q: want %v [%s], got %v %s", r.q, r.want, r.key, top.Departments, clip(top.Content, 30))
		}
	}
	pd := 100 * float64(dept) / float64(inScope)
	t.Logf("dept@1 %.1f%% (%d/%d) item@1 %d/%d none %d/%d", pd, dept, inScope, item, items, noneOK, none)
	if pd < 95 {
		t.Errorf("dept@1 %.1f%% < 95%%", pd)
	}
	if noneOK != none {
		t.Errorf("not-covered rejected %d/%d", noneOK, none)
	}
}
