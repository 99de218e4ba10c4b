package index

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"planbot/data"
	"planbot/data/versions"
)

func newReloader(t testing.TB, dir string) *Reloader {
	t.Helper()
	lex, err := DefaultLexicon()
	if err != nil {
		t.Fatal(err)
	}
	store, err := versions.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &Reloader{Live: &Live{}, Lexicon: lex, Store: store}
	if _, err := r.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// smallerPlan is the seed plan with its first action's department renamed
// and the last action removed.
func smallerPlan() []byte {
	p := data.Default()
	text := string(data.DefaultText())
	first := p.Items[0]
	text = replaceOnce(text, first.Content+" "+first.Departments[0], first.Content+" 危機管理課")
	last := p.Items[len(p.Items)-1]
	return []byte(replaceOnce(text, last.Content+" "+last.Departments[0]+"\n", ""))
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("not found: " + old)
}

func TestReindex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := newReloader(t, dir)
	a, _ := r.Live.Ask("ハザードマップ")
	if a.Answers[0].Departments[0] != "地域防災対策室" {
		t.Fatalf("boot answer %+v", a.Answers[0])
	}
	rep, err := r.Reindex(ctx, smallerPlan(), "test", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diff.Removed) != 1 || len(rep.Diff.Changed) != 1 || rep.Version.Items != 49 {
		t.Errorf("report: %+v", rep.Diff)
	}
	a, _ = r.Live.Ask("ハザードマップ")
	if a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("after reindex: %v", a.Answers[0].Departments)
	}

	// A broken plan is refused with its line; the new answers stay.
	_, err = r.Reindex(ctx, []byte("T\n1 方針\n(1)施策\n実施内容だけ 総務課\n"), "test", false)
	var pe *data.ParseError
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &pe) || pe.Line != 4 {
		t.Errorf("broken plan: %v", err)
	}
	// Dropping most actions needs force; so does an empty plan.
	tiny := []byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA。 甲課\n")
	if _, err := r.Reindex(ctx, tiny, "test", false); !errors.Is(err, ErrNeedsForce) {
		t.Errorf("tiny plan without force: %v", err)
	}
	if _, err := r.Reindex(ctx, []byte(""), "test", false); !errors.Is(err, ErrNeedsForce) {
		t.Errorf("empty plan without force: %v", err)
	}
	if a, _ := r.Live.Ask("ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("refused reindexes changed answers: %v", a.Answers[0].Departments)
	}
	vs, _ := r.Store.List()
	if len(vs) != 2 {
		t.Fatalf("versions = %d, want 2", len(vs))
	}

	// Restart: the new version is served.
	r2 := newReloader(t, dir)
	if a, _ := r2.Live.Ask("ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("after restart: %v", a.Answers[0].Departments)
	}
	// Rollback to the first version, and it survives a restart too.
	if _, err := r2.Rollback(ctx, vs[0].ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := r2.Live.Ask("ハザードマップ"); a.Answers[0].Departments[0] != "地域防災対策室" {
		t.Errorf("after rollback: %v", a.Answers[0].Departments)
	}
	r3 := newReloader(t, dir)
	if a, _ := r3.Live.Ask("ハザードマップ"); a.Answers[0].Departments[0] != "地域防災対策室" {
		t.Errorf("after rollback and restart: %v", a.Answers[0].Departments)
	}
	if _, err := r3.Rollback(ctx, "0042-nothere"); !errors.Is(err, versions.ErrNotFound) {
		t.Errorf("unknown rollback: %v", err)
	}
}

// TestReindexUnderLoad asks questions from several goroutines while the
// plan is swapped repeatedly: no question may fail.
func TestReindexUnderLoad(t *testing.T) {
	r := newReloader(t, t.TempDir())
	plans := [][]byte{smallerPlan(), data.DefaultText()}
	var failures, asked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a, err := r.Live.Ask(benchQuestions[i%len(benchQuestions)])
				asked.Add(1)
				if err != nil || (a.Intent == IntentWho && len(a.Answers) == 0) {
					failures.Add(1)
				}
			}
		}()
	}
	for i := 0; i < 6; i++ {
		if _, err := r.Reindex(context.Background(), plans[i%2], fmt.Sprint("swap ", i), true); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 || asked.Load() == 0 {
		t.Errorf("%d of %d questions failed during reindexes", failures.Load(), asked.Load())
	}
}
