package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"planbot/data"
	"planbot/data/origin"
	"planbot/data/versions"
)

// Errors of a reindex that the callers map to answers (HTTP 422, 409).
var (
	// ErrInvalid wraps a plan text that does not parse; errors.As finds
	// the *data.ParseError with the line number.
	ErrInvalid = errors.New("invalid plan")
	// ErrNeedsForce refuses an empty plan or one that drops more than half
	// of the actions unless the admin says force.
	ErrNeedsForce = errors.New("plan is empty or drops more than half of the actions; use force to load it anyway")
	// ErrNoText refuses an empty text (an empty body, an empty file): it
	// is never taken to mean "reload the configured plan", which is asked
	// for explicitly (Reload).
	ErrNoText = errors.New("empty plan text: nothing to load (to reload the configured plan, use planbot reindex --reload or POST /admin/reindex?reload=1)")
)

// reportLines bounds the actions listed in a report's text; the JSON diff
// has them all.
const reportLines = 300

// Input is a plan text to load and what is known of it.
type Input struct {
	Text        []byte
	ContentType string // the HTTP Content-Type it came with; "" when unknown (a file)
	Source      string // where it came from, recorded with the version
	Force       bool   // load an empty plan or one that drops more than half of the actions
}

// Reloader is the one mechanism behind every way of loading a plan: the
// command line, the admin API, Slack, the watch and rollbacks. It
// validates a text, builds the new index beside the one being served,
// swaps them atomically and records the accepted version.
type Reloader struct {
	Live    *Live
	Lexicon *Lexicon
	Store   *versions.Store // nil: versions are not kept
	// PlanSource is what Reload loads: a file name, an http(s) URL, or ""
	// for the embedded plan.
	PlanSource string
	Client     *http.Client // fetches a URL PlanSource; nil: origin.Client
	// Announce, when set, tells other replicas about an accepted version
	// (the service sets it to a Redis publish).
	Announce func(ctx context.Context, v versions.Version, text []byte) error
	// Reindexed, when set, is told of every reindex and rollback that
	// loaded a version, however it was asked for (not of Boot, nor of a
	// version adopted from another replica, nor of a plan equal to the one
	// served): the service posts the diff to Slack. It is called before the
	// load returns, with the next load waiting: it must not block.
	Reindexed func(Report)
	// Offline validates, compares and stores versions without building an
	// index (a command run on the data dir of a stopped service): Live is
	// left alone.
	Offline bool
	Logger  *slog.Logger // nil: slog.Default()
	Now     func() time.Time

	mu      sync.Mutex // one load at a time
	current atomic.Pointer[versions.Version]
	plan    atomic.Pointer[data.Plan] // the plan of current
}

// Current returns the version being served; it does not wait for a
// reindex in progress.
func (r *Reloader) Current() versions.Version {
	if v := r.current.Load(); v != nil {
		return *v
	}
	return versions.Version{}
}

// Plan returns the plan being served (offline: the current stored one),
// or nil before one is loaded.
func (r *Reloader) Plan() *data.Plan { return r.plan.Load() }

// Report is the outcome of a reindex or rollback.
type Report struct {
	Version versions.Version `json:"version"`
	// Previous is the version served before, if any.
	Previous string `json:"previous,omitempty"`
	// Unchanged is set when the text held the plan being served already:
	// nothing was loaded and no version added.
	Unchanged bool `json:"unchanged,omitempty"`
	// Rollback is set when a stored version was served again.
	Rollback bool      `json:"rollback,omitempty"`
	Diff     data.Diff `json:"diff"`
	// DepartmentsWithoutEnglish are the plan's departments that the
	// English table (data/departments.tsv) does not name: English answers
	// show them in Japanese until it does.
	DepartmentsWithoutEnglish []string `json:"departments_without_english"`
	Text                      string   `json:"text"` // the diff, readable (at most reportLines actions)
}

// Summary is the report for people, with at most maxLines actions (0:
// all): which version is served, the diff and the departments without an
// English name.
func (rep Report) Summary(maxLines int) string {
	v := rep.Version
	if rep.Unchanged {
		return fmt.Sprintf("変更なし: version %s already serves this plan; no new version (no changes)", v.ID)
	}
	head := fmt.Sprintf("version %s (%s, 更新日 %s, %d actions) from %s", v.ID, v.Title, v.Updated, v.Items, v.Source)
	if rep.Rollback {
		head = fmt.Sprintf("version %s (%s, 更新日 %s, %d actions) served again", v.ID, v.Title, v.Updated, v.Items)
	}
	if rep.Previous != "" && rep.Previous != v.ID {
		head += ", replacing " + rep.Previous
	}
	return head + "\n" + rep.body(maxLines)
}

func (rep Report) body(maxLines int) string {
	s := rep.Diff.Format(maxLines)
	if len(rep.DepartmentsWithoutEnglish) > 0 {
		s += "\n英語名のない担当課 (departments without an English name in data/departments.tsv): " + strings.Join(rep.DepartmentsWithoutEnglish, "、")
	}
	return s
}

// how says what a load is for.
type how int

const (
	howReindex  how = iota // a new plan: announced, compared with the one served
	howRollback            // a stored version: announced
	howBoot                // the start: not announced
	howAdopt               // another replica's version: not announced again
)

// Load validates in and serves it: the admin upload, the command line, the
// watch. A text holding the plan already served is no new version.
func (r *Reloader) Load(ctx context.Context, in Input) (Report, error) {
	return r.load(ctx, in, howReindex)
}

// Reindex loads text as the new plan; it is Load for callers with only a
// text. An empty text is ErrNoText: Reload reloads the configured plan.
func (r *Reloader) Reindex(ctx context.Context, text []byte, source string, force bool) (Report, error) {
	return r.Load(ctx, Input{Text: text, Source: source, Force: force})
}

// Reload loads the configured plan (PlanSource) again, through the same
// validation as any other text.
func (r *Reloader) Reload(ctx context.Context, force bool) (Report, error) {
	in, err := r.configured(ctx)
	if err != nil {
		return Report{}, err
	}
	in.Force = force
	return r.load(ctx, in, howReindex)
}

// Adopt loads a version another replica accepted; it does not announce it
// again and never needs force, because the other replica checked it.
func (r *Reloader) Adopt(ctx context.Context, v versions.Version, text []byte) (Report, error) {
	return r.load(ctx, Input{Text: text, ContentType: v.ContentType, Source: v.Source, Force: true}, howAdopt)
}

// Rollback serves an earlier stored version again. A version whose text
// no longer matches its hash is refused (versions.ErrDamaged).
func (r *Reloader) Rollback(ctx context.Context, id string) (Report, error) {
	if r.Store == nil {
		return Report{}, fmt.Errorf("rollback: no version store")
	}
	v, text, err := r.Store.Get(id)
	if err != nil {
		if errors.Is(err, versions.ErrDamaged) {
			r.log().Error("rollback refused: stored version damaged", "version", id, "err", err)
			return Report{}, fmt.Errorf("rollback refused: %w; still serving %s", err, r.Current().ID)
		}
		return Report{}, err
	}
	return r.load(ctx, Input{Text: text, ContentType: v.ContentType, Source: v.Source, Force: true}, howRollback)
}

// Boot loads the plan to start with: the current stored version if there
// is one, else the configured plan (stored as the first version). A
// current version that is damaged, or no longer parses, is never served:
// Boot logs it as an error and serves the newest intact version instead,
// or, with none, the configured plan.
func (r *Reloader) Boot(ctx context.Context) (Report, error) {
	if r.Store != nil {
		v, text, err := r.Store.Current()
		if err == nil {
			rep, lerr := r.load(ctx, Input{Text: text, ContentType: v.ContentType, Source: v.Source, Force: true}, howBoot)
			if lerr == nil {
				return rep, nil
			}
			err = fmt.Errorf("version %s: %w", v.ID, lerr)
		}
		if !errors.Is(err, versions.ErrNotFound) {
			if v.ID == "" {
				v.ID, _ = r.Store.CurrentID()
			}
			r.log().Error("STORED PLAN VERSION NOT SERVED: it is damaged or no longer loads; looking for the newest intact version",
				"version", v.ID, "dir", r.Store.Dir(), "err", err)
			if rep, ok := r.fallBack(ctx, v.ID); ok {
				r.log().Error("SERVING AN EARLIER PLAN VERSION instead of the damaged one; check the data dir, reindex or roll back",
					"damaged", v.ID, "serving", rep.Version.ID, "dir", r.Store.Dir())
				return rep, nil
			}
			r.log().Error("NO INTACT STORED PLAN VERSION: loading the configured plan", "source", r.describeSource())
		}
	}
	in, err := r.configured(ctx)
	if err != nil {
		return Report{}, err
	}
	in.Force = true
	return r.load(ctx, in, howBoot)
}

// fallBack serves the newest stored version other than damaged that is
// intact and loads.
func (r *Reloader) fallBack(ctx context.Context, damaged string) (Report, bool) {
	all, err := r.Store.List()
	if err != nil {
		r.log().Error("cannot list stored versions", "err", err)
		return Report{}, false
	}
	for _, v := range slices.Backward(all) {
		if v.ID == damaged {
			continue
		}
		if v.Damaged != "" {
			r.log().Error("stored plan version damaged", "version", v.ID, "why", v.Damaged)
			continue
		}
		id := v.ID
		v, text, err := r.Store.Get(id)
		if err != nil {
			r.log().Error("stored plan version damaged", "version", id, "err", err)
			continue
		}
		rep, err := r.load(ctx, Input{Text: text, ContentType: v.ContentType, Source: v.Source, Force: true}, howBoot)
		if err != nil {
			r.log().Error("stored plan version does not load", "version", id, "err", err)
			continue
		}
		return rep, true
	}
	return Report{}, false
}

func (r *Reloader) describeSource() string {
	if r.PlanSource == "" {
		return "embedded " + data.DefaultFile
	}
	return r.PlanSource
}

// configured reads the configured plan: the file, the page or the
// embedded text.
func (r *Reloader) configured(ctx context.Context) (Input, error) {
	if r.PlanSource == "" {
		return Input{Text: data.DefaultText(), Source: "embedded " + data.DefaultFile}, nil
	}
	d, err := origin.Read(ctx, r.PlanSource, r.Client)
	if err != nil {
		return Input{}, fmt.Errorf("reload %s: %w", r.PlanSource, err)
	}
	return Input{Text: d.Text, ContentType: d.ContentType, Source: d.Source}, nil
}

func (r *Reloader) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func (r *Reloader) load(ctx context.Context, in Input, h how) (Report, error) {
	text := versions.Normalize(in.Text)
	if len(bytes.TrimSpace(text)) == 0 {
		return Report{}, ErrNoText
	}
	p, err := data.ParseSource(text, in.ContentType)
	switch {
	case errors.Is(err, data.ErrEmpty) && in.Force:
		p = &data.Plan{Title: "(empty plan)"} // the admin insists: answer nothing
	case errors.Is(err, data.ErrEmpty):
		return Report{}, fmt.Errorf("%w: %w", ErrNeedsForce, err)
	case err != nil:
		return Report{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var rep Report
	cur := r.plan.Load()
	if prev := r.current.Load(); prev != nil {
		rep.Previous = prev.ID
	}
	if cur != nil {
		if !in.Force && len(p.Items) < (len(cur.Items)+1)/2 {
			return Report{}, fmt.Errorf("%w (%d → %d actions)", ErrNeedsForce, len(cur.Items), len(p.Items))
		}
		if h == howReindex && samePlan(cur, p) {
			rep.Version, rep.Unchanged = r.Current(), true
			rep.Diff = data.Diff{Added: []data.Item{}, Removed: []data.Item{}, Changed: []data.Change{}, Departments: []data.DeptChange{}}
			rep.DepartmentsWithoutEnglish = r.withoutEnglish(p)
			rep.Text = rep.Summary(0)
			return rep, nil
		}
		rep.Diff = data.Compare(cur, p)
	} else {
		rep.Diff = data.Compare(&data.Plan{}, p)
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	var ix *Index
	if !r.Offline {
		if ix, err = New(p, r.Lexicon); err != nil {
			return Report{}, err
		}
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	v := versions.Version{Hash: versions.Hash(text), Bytes: int64(len(text)), Updated: p.Updated, Title: p.Title, Items: len(p.Items),
		LoadedAt: now().UTC().Truncate(time.Second), Source: in.Source, ContentType: in.ContentType}
	if r.Store != nil {
		if v, err = r.Store.Add(text, v); err != nil {
			if ix != nil {
				ix.Close()
			}
			return Report{}, err
		}
	}
	r.current.Store(&v)
	r.plan.Store(p)
	if ix != nil {
		if old := r.Live.Swap(ix); old != nil {
			go old.Close() // waits for the questions still running on it
		}
	}
	rep.Version, rep.Rollback = v, h == howRollback
	rep.DepartmentsWithoutEnglish = r.withoutEnglish(p)
	rep.Text = rep.body(reportLines)
	if h != howReindex && h != howRollback {
		return rep, nil
	}
	if r.Reindexed != nil {
		r.Reindexed(rep)
	}
	if r.Announce != nil {
		if err := r.Announce(ctx, v, text); err != nil {
			return rep, fmt.Errorf("reindexed here, but not announced to other replicas: %w", err)
		}
	}
	return rep, nil
}

// withoutEnglish lists the plan's departments that the English table
// does not name.
func (r *Reloader) withoutEnglish(p *data.Plan) []string {
	out := []string{}
	for _, d := range p.Departments() {
		if r.Lexicon == nil || r.Lexicon.English[d] == "" {
			out = append(out, d)
		}
	}
	return out
}

// samePlan reports whether two plans say the same: title, date, desk and
// every action in place (whatever lines of their texts they came from).
func samePlan(a, b *data.Plan) bool {
	if a.Title != b.Title || a.Updated != b.Updated || a.Contact != b.Contact || len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		x, y := a.Items[i], b.Items[i]
		if x.ID != y.ID || x.Content != y.Content || x.Policy != y.Policy || x.Measure != y.Measure ||
			x.Initiative != y.Initiative || !slices.Equal(x.Departments, y.Departments) {
			return false
		}
	}
	return true
}
