package index

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"planbot/data"
	"planbot/scripts/loadtest"
)

// benchQuestions are the load test's: Japanese, kana, English and not covered.
var benchQuestions = loadtest.Questions()

// GeneratePlan writes a plan text with n actions, built from the seed
// plan's sentences with numbered variations, in the published layout.
func generatePlan(n int) []byte {
	seedItems := data.Default().Items
	var b strings.Builder
	b.WriteString("生成された実施計画\n\n")
	k := 0
	for p := 1; k < n; p++ {
		fmt.Fprintf(&b, "%d 基本方針その%d\n\n", p, p)
		for m := 1; m <= 5 && k < n; m++ {
			fmt.Fprintf(&b, "(%d)施策%d-%d\n\n", m, p, m)
			for i := 1; i <= 10 && k < n; i++ {
				it := seedItems[k%len(seedItems)]
				fmt.Fprintf(&b, "%s(第%d期)\n実施内容 担当課\n", it.Initiative, k/len(seedItems)+1)
				for a := 0; a < 4 && k < n; a++ {
					it := seedItems[k%len(seedItems)]
					fmt.Fprintf(&b, "%s第%d期には対象を広げる。 %s%d\n", it.Content, k/len(seedItems)+1, it.Departments[0], k%97)
					k++
				}
			}
		}
	}
	b.WriteString("この記事に関するお問い合わせ先\n総務課 行政管理係\n電話番号:0244-37-2120\n更新日:2023年10月17日\n")
	return []byte(b.String())
}

var bigIndex = sync.OnceValues(func() (*Index, error) {
	p, err := data.Parse(generatePlan(10000))
	if err != nil {
		return nil, err
	}
	lex, err := DefaultLexicon()
	if err != nil {
		return nil, err
	}
	return New(p, lex)
})

func TestGeneratedPlan(t *testing.T) {
	p, err := data.Parse(generatePlan(500))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 500 {
		t.Fatalf("items = %d", len(p.Items))
	}
}

// benchAsk measures answering without the answer cache, as for a
// question asked for the first time.
func benchAsk(b *testing.B, ix *Index) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.answer(benchQuestions[i%len(benchQuestions)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAsk answers one question on the seed plan (target ≤ 300 µs).
func BenchmarkAsk(b *testing.B) { benchAsk(b, seed(b)) }

// BenchmarkAskCached answers a question asked before.
func BenchmarkAskCached(b *testing.B) {
	ix := seed(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Ask(benchQuestions[i%len(benchQuestions)])
		i++
	}
}

// BenchmarkAsk10k answers one question on a 10,000-action plan (≤ 3 ms).
func BenchmarkAsk10k(b *testing.B) {
	ix, err := bigIndex()
	if err != nil {
		b.Fatal(err)
	}
	benchAsk(b, ix)
}

// BenchmarkStartup is the lexicon load (EDICT, Sudachi, curated tables),
// the parse of the embedded plan and indexing. The kagome dictionary is
// loaded once per process and not included: docs/benchmarks.md times the
// whole process start with hyperfine (target ≤ 1.5 s).
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		lex, err := LoadLexicon(LexiconOptions{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := data.Parse(data.DefaultText())
		if err != nil {
			b.Fatal(err)
		}
		ix, err := New(p, lex)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkBuild10k indexes a 10,000-action plan.
func BenchmarkBuild10k(b *testing.B) {
	p, err := data.Parse(generatePlan(10000))
	if err != nil {
		b.Fatal(err)
	}
	lex, err := DefaultLexicon()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ix, err := New(p, lex)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkReindex is one admin reindex of the seed plan through the
// Reloader: parse, validate, diff, build the new index beside the old one,
// swap, and store the version. It alternates between two texts so every
// run changes the plan.
func BenchmarkReindex(b *testing.B) {
	r := newReloader(b, b.TempDir())
	texts := [][]byte{smallerPlan(), data.DefaultText()}
	i := 0
	for b.Loop() {
		if _, err := r.Reindex(context.Background(), texts[i%2], "bench", false); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGC is one full garbage collection with the dictionaries and the
// seed index live: the marking that every collection repeats under load.
// live-MiB is the heap that survives it.
func BenchmarkGC(b *testing.B) {
	ix := seed(b)
	var m runtime.MemStats
	for b.Loop() {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-MiB")
	runtime.KeepAlive(ix)
}
