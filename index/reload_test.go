package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
	r := &Reloader{Live: &Live{}, Lexicon: lex, Store: store, Logger: slog.New(slog.DiscardHandler)}
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

// planText writes items in the published layout under title, with the
// seed plan's footer (contact desk and 更新日), as the city would.
func planText(title string, items []data.Item) []byte {
	var b strings.Builder
	b.WriteString(title + "\n\n")
	var policy, measure, initiative string
	for _, it := range items {
		if it.Policy != policy {
			policy, measure, initiative = it.Policy, "", ""
			b.WriteString(policy + "\n\n")
		}
		if it.Measure != measure {
			measure, initiative = it.Measure, ""
			b.WriteString(measure + "\n\n")
		}
		if it.Initiative != initiative {
			initiative = it.Initiative
			b.WriteString(initiative + "\n実施内容 担当課\n")
		}
		b.WriteString(it.Content + " " + it.Departments[0] + "\n")
		for _, d := range it.Departments[1:] {
			b.WriteString(d + "\n")
		}
	}
	seed := string(data.DefaultText())
	b.WriteString(seed[strings.Index(seed, "この記事に関するお問い合わせ先"):])
	return []byte(b.String())
}

// seedItems returns copies of the seed plan's first n actions.
func seedItems(n int) []data.Item {
	return append([]data.Item(nil), data.Default().Items[:n]...)
}

func TestPlanText(t *testing.T) {
	p, err := data.ParseSource(planText(data.Default().Title, data.Default().Items), "")
	if err != nil {
		t.Fatal(err)
	}
	if d := data.Compare(data.Default(), p); !d.Empty() || p.Contact != data.Default().Contact || p.Updated != "2023-10-17" {
		t.Errorf("planText of the seed plan differs: %s %+v", d, p.Contact)
	}
}

func TestReindex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := newReloader(t, dir)
	a, _ := r.Live.Ask("ハザードマップ")
	if a.Answers[0].Departments[0] != "地域防災対策室" {
		t.Fatalf("boot answer %+v", a.Answers[0])
	}
	boot := r.Current()
	rep, err := r.Reindex(ctx, smallerPlan(), "test", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diff.Removed) != 1 || len(rep.Diff.Changed) != 1 || rep.Version.Items != 49 || rep.Previous != boot.ID {
		t.Errorf("report: %+v", rep.Diff)
	}
	a, _ = r.Live.Ask("ハザードマップ")
	if a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("after reindex: %v", a.Answers[0].Departments)
	}

	// A broken plan is refused with its line; the new answers stay.
	_, err = r.Reindex(ctx, []byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n"), "test", false)
	var pe *data.ParseError
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &pe) || pe.Line == 0 {
		t.Errorf("broken plan: %v", err)
	}
	// An empty text is no plan at all, and never a reload.
	for _, empty := range []string{"", " \n\n", "\uFEFF\r\n"} {
		if _, err := r.Load(ctx, Input{Text: []byte(empty), Source: "test", Force: true}); !errors.Is(err, ErrNoText) {
			t.Errorf("empty text %q: %v", empty, err)
		}
	}
	// Dropping most actions needs force; so does a plan with no actions.
	tiny := planText("T", seedItems(1))
	if _, err := r.Reindex(ctx, tiny, "test", false); !errors.Is(err, ErrNeedsForce) {
		t.Errorf("tiny plan without force: %v", err)
	}
	noActions := planText("T", nil)
	if _, err := r.Reindex(ctx, noActions, "test", false); !errors.Is(err, ErrNeedsForce) || !errors.Is(err, data.ErrEmpty) {
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
	// With force, an empty plan is served (the admin insists).
	if rep, err := r3.Reindex(ctx, noActions, "test", true); err != nil || rep.Version.Items != 0 {
		t.Errorf("empty plan with force: %+v %v", rep.Version, err)
	}
}

// TestSamePlanAgain: the plan being served, sent again (with other line
// ends, a byte-order mark, or from another edition of the same plan), is
// no new version and no announcement.
func TestSamePlanAgain(t *testing.T) {
	ctx := context.Background()
	r := newReloader(t, t.TempDir())
	var told atomic.Int32
	r.Reindexed = func(Report) { told.Add(1) }
	before := r.Current()
	crlf := append([]byte("\uFEFF"), bytes.ReplaceAll(data.DefaultText(), []byte("\n"), []byte("\r\n"))...)
	relaid := planText(data.Default().Title, data.Default().Items) // other blank lines, same plan
	for _, text := range [][]byte{data.DefaultText(), crlf, relaid} {
		rep, err := r.Reindex(ctx, text, "again", false)
		if err != nil || !rep.Unchanged || rep.Version.ID != before.ID || !strings.Contains(rep.Text, "変更なし") {
			t.Errorf("same plan: %+v %v", rep, err)
		}
	}
	if vs, _ := r.Store.List(); len(vs) != 1 || told.Load() != 0 {
		t.Errorf("%d versions, %d announcements after sending the same plan, want 1 and 0", len(vs), told.Load())
	}
	// Stored normalised: a CRLF text that changes the plan is stored with LF.
	changed := bytes.ReplaceAll(smallerPlan(), []byte("\n"), []byte("\r\n"))
	rep, err := r.Reindex(ctx, changed, "crlf", false)
	if err != nil || told.Load() != 1 {
		t.Fatalf("changed plan: %v (told %d)", err, told.Load())
	}
	_, text, _ := r.Store.Get(rep.Version.ID)
	if bytes.Contains(text, []byte("\r")) || rep.Version.Hash != versions.Hash(smallerPlan()) {
		t.Error("stored text not normalised")
	}
}

// TestDamagedVersions: a damaged current version is never served at boot
// (the newest intact one is, and becomes current, loudly), and a rollback
// to a damaged version is refused.
func TestDamagedVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := newReloader(t, dir)
	v1 := r.Current()
	rep2, err := r.Reindex(ctx, smallerPlan(), "v2", false)
	if err != nil {
		t.Fatal(err)
	}
	renamed := bytes.Replace(data.DefaultText(), []byte(" 秘書課\n"), []byte(" 広報課\n"), 1)
	rep3, err := r.Reindex(ctx, renamed, "v3", false)
	if err != nil {
		t.Fatal(err)
	}
	// v3 (current) cut short, as a full disk or a crash might leave it.
	path := filepath.Join(dir, rep3.Version.ID+".txt")
	os.WriteFile(path, renamed[:len(renamed)/2], 0o644)

	var logs syncBuffer
	lex, _ := DefaultLexicon()
	store, _ := versions.Open(dir)
	r2 := &Reloader{Live: &Live{}, Lexicon: lex, Store: store, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	rep, err := r2.Boot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version.ID != rep2.Version.ID || r2.Current().ID != rep2.Version.ID {
		t.Errorf("booted on %s, want the newest intact %s", rep.Version.ID, rep2.Version.ID)
	}
	if a, _ := r2.Live.Ask("ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("answers from %v", a.Answers[0].Departments)
	}
	if cur, _ := store.CurrentID(); cur != rep2.Version.ID {
		t.Errorf("CURRENT = %s, want %s", cur, rep2.Version.ID)
	}
	for _, want := range []string{"level=ERROR", "STORED PLAN VERSION NOT SERVED", rep3.Version.ID, "SERVING AN EARLIER PLAN VERSION"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	// Rolling back to the damaged version is refused; v2 stays.
	if _, err := r2.Rollback(ctx, rep3.Version.ID); !errors.Is(err, versions.ErrDamaged) || !strings.Contains(err.Error(), "still serving "+rep2.Version.ID) {
		t.Errorf("rollback to a damaged version: %v", err)
	}
	if r2.Current().ID != rep2.Version.ID {
		t.Errorf("serving %s after a refused rollback", r2.Current().ID)
	}
	// Every stored version damaged: the configured plan is served.
	for _, id := range []string{v1.ID, rep2.Version.ID} {
		os.WriteFile(filepath.Join(dir, id+".txt"), nil, 0o644)
	}
	r3 := &Reloader{Live: &Live{}, Lexicon: lex, Store: store, Logger: slog.New(slog.DiscardHandler)}
	if rep, err := r3.Boot(ctx); err != nil || rep.Version.Items != 50 || rep.Version.Source != "embedded "+data.DefaultFile {
		t.Errorf("boot with every version damaged: %+v %v", rep.Version, err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestReload: the configured plan is reloaded only when asked, from a
// file or a URL (whose Content-Type reaches the parser and is stored).
func TestReload(t *testing.T) {
	ctx := context.Background()
	r := newReloader(t, t.TempDir())
	var reports []Report
	r.Reindexed = func(rep Report) { reports = append(reports, rep) }
	file := filepath.Join(t.TempDir(), "plan.txt")
	os.WriteFile(file, smallerPlan(), 0o644)
	r.PlanSource = file
	rep, err := r.Reload(ctx, false)
	if err != nil || rep.Version.Items != 49 || rep.Version.Source != "file "+file {
		t.Fatalf("reload file: %+v %v", rep.Version, err)
	}
	os.WriteFile(file, nil, 0o644)
	if _, err := r.Reload(ctx, true); !errors.Is(err, ErrNoText) {
		t.Errorf("reload of an emptied file: %v", err)
	}
	renamed := bytes.Replace(data.DefaultText(), []byte(" 秘書課\n"), []byte(" 広報課\n"), 1)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(renamed)
	}))
	defer page.Close()
	r.PlanSource = page.URL + "/plan"
	rep, err = r.Reload(ctx, false)
	if err != nil || rep.Version.Items != 50 || rep.Version.Source != page.URL+"/plan" || rep.Version.ContentType != "text/plain; charset=utf-8" {
		t.Fatalf("reload URL: %+v %v", rep.Version, err)
	}
	if v, _, _ := r.Store.Current(); v.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("stored content type %q", v.ContentType)
	}
	r.PlanSource = "http://127.0.0.1:1/plan"
	if _, err := r.Reload(ctx, false); err == nil || r.Current().ID != rep.Version.ID {
		t.Errorf("unreachable URL: %v", err)
	}
	if len(reports) != 2 || reports[0].Version.Items != 49 || reports[1].Version.Items != 50 {
		t.Errorf("announced %d reindexes", len(reports))
	}
	// A rollback is announced too; adopting another replica's version is not.
	vs, _ := r.Store.List()
	if _, err := r.Rollback(ctx, vs[0].ID); err != nil || len(reports) != 3 || reports[2].Version.ID != vs[0].ID {
		t.Errorf("rollback: %v, %d announcements", err, len(reports))
	}
	if _, err := r.Adopt(ctx, versions.Version{Source: "replica"}, data.DefaultText()); err != nil || len(reports) != 3 {
		t.Errorf("adopt: %v, %d announcements", err, len(reports))
	}
}

// TestDepartmentsWithoutEnglish: the report names the departments the
// English table does not.
func TestDepartmentsWithoutEnglish(t *testing.T) {
	r := newReloader(t, t.TempDir())
	items := seedItems(50)
	items[3].Departments = []string{"未来創生課"}
	items[4].Departments = []string{"秘書課", "デジタル推進室"}
	rep, err := r.Reindex(context.Background(), planText(data.Default().Title, items), "new departments", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rep.DepartmentsWithoutEnglish, ","); got != "デジタル推進室,未来創生課" {
		t.Errorf("without English: %q", got)
	}
	if !strings.Contains(rep.Text, "英語名のない担当課 (departments without an English name in data/departments.tsv): デジタル推進室、未来創生課") {
		t.Errorf("report text:\n%s", rep.Text)
	}
	if rep, _ := r.Rollback(context.Background(), "0001-"+versions.Hash(data.DefaultText())[:8]); len(rep.DepartmentsWithoutEnglish) != 0 {
		t.Errorf("seed plan: %v", rep.DepartmentsWithoutEnglish)
	}
}

// TestOffline: an offline reloader validates, compares and stores without
// building an index.
func TestOffline(t *testing.T) {
	dir := t.TempDir()
	newReloader(t, dir)
	store, _ := versions.Open(dir)
	r := &Reloader{Live: &Live{}, Lexicon: &Lexicon{English: map[string]string{}}, Store: store, Offline: true}
	if _, err := r.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := r.Reindex(context.Background(), smallerPlan(), "offline", false)
	if err != nil || len(rep.Diff.Changed) != 1 || r.Live.Current() != nil {
		t.Fatalf("offline reindex: %+v %v", rep.Diff, err)
	}
	if cur, _ := store.CurrentID(); cur != rep.Version.ID {
		t.Errorf("current %s, want %s", cur, rep.Version.ID)
	}
	if _, err := r.Reindex(context.Background(), planText("T", seedItems(2)), "offline", false); !errors.Is(err, ErrNeedsForce) {
		t.Errorf("offline shrink: %v", err)
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
