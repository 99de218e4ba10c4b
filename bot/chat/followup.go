package chat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"planbot/index"
)

// Follow-up questions: a message with no topic of its own ("電話番号は？",
// "ほかには？", "more", "when does it start?") sent within ContextTTL of an
// answer is answered about that answer.

// ContextTTL is how long an answer stays the context of its chat's
// follow-ups.
const ContextTTL = 10 * time.Minute

// MorePage is how many further results a "more" shows, as the channels'
// "more results" buttons do.
const MorePage = 3

// maxContextIDs bounds the actions kept per chat.
const maxContextIDs = 20

// Kind is what a follow-up asks of the chat's last answer: the index
// tells it (Answer.Followup), from the words of a message with no topic
// of its own.
type Kind = index.Followup

// The kinds of follow-up; "" is a message answered on its own.
const (
	KindContact = index.FollowupContact // how to reach whoever handles it
	KindDetail  = index.FollowupDetail  // what the plan does not say (when, how much)
	KindMore    = index.FollowupMore    // its results not shown yet
)

// Context is what a chat's last answer leaves for its follow-ups: the
// actions it named, best first, and which of them the chat saw last
// (IDs[From:Shown]). It holds no text of the asker's and no user
// identity.
type Context struct {
	IDs   []string  `json:"ids"`
	From  int       `json:"from,omitempty"`
	Shown int       `json:"shown"`
	At    time.Time `json:"at"` // when the answer was given
}

// Contexts keeps each chat's Context under the chat's key, a salted hash,
// for a while (ContextTTL in the service).
type Contexts interface {
	// Get returns the key's context; ok is false when there is none.
	Get(ctx context.Context, key string) (c Context, ok bool, err error)
	Put(ctx context.Context, key string, c Context) error
	Delete(ctx context.Context, key string) error
}

// MemContexts is an in-process Contexts: at most size chats (the least
// recently used go first), each forgotten ttl after its last answer (At).
type MemContexts struct {
	lru *lru.Cache[string, Context]
	ttl time.Duration
}

// NewMemContexts returns an empty MemContexts; size must be positive.
func NewMemContexts(size int, ttl time.Duration) *MemContexts {
	c, _ := lru.New[string, Context](max(size, 1)) // errors only for a size ≤ 0
	return &MemContexts{lru: c, ttl: ttl}
}

func (m *MemContexts) Get(_ context.Context, key string) (Context, bool, error) {
	c, ok := m.lru.Get(key)
	if ok && time.Since(c.At) >= m.ttl {
		m.lru.Remove(key)
		return Context{}, false, nil
	}
	return c, ok, nil
}

func (m *MemContexts) Put(_ context.Context, key string, c Context) error {
	m.lru.Add(key, c)
	return nil
}

func (m *MemContexts) Delete(_ context.Context, key string) error {
	m.lru.Remove(key)
	return nil
}

// Len reports how many chats are held.
func (m *MemContexts) Len() int { return m.lru.Len() }

// FollowupConfig configures Followups; the zero value serves one process.
type FollowupConfig struct {
	// Store keeps the contexts; nil: a MemContexts of 10,000 chats.
	Store Contexts
	// Salt keys the chats' hashes (HMAC-SHA256). Replicas sharing a Store
	// need the same salt; nil: a random one for this process.
	Salt []byte
	// NotCovered, when set, is told of each question the plan does not
	// cover that was no follow-up answered from its chat's last answer:
	// the service logs them for the admin page, and ほかには？ answered
	// from a context is no gap in the plan.
	NotCovered func(q string)
	Logger     *slog.Logger
	Now        func() time.Time // nil: time.Now
}

// Followups answers the messages of chats, taking a chat's last answer
// as the context of a follow-up. Safe for concurrent use.
type Followups struct {
	asker      Asker
	store      Contexts
	salt       []byte
	notCovered func(q string)
	log        *slog.Logger
	now        func() time.Time
}

// NewFollowups answers with asker, which should be Served (the service's
// Asker and *index.Live are) so that a follow-up finds the actions of the
// plan being served.
func NewFollowups(asker Asker, cfg FollowupConfig) (*Followups, error) {
	f := &Followups{asker: asker, store: cfg.Store, salt: cfg.Salt, notCovered: cfg.NotCovered,
		log: cfg.Logger, now: cfg.Now}
	if f.store == nil {
		f.store = NewMemContexts(10000, ContextTTL)
	}
	if len(f.salt) == 0 {
		f.salt = make([]byte, 32)
		rand.Read(f.salt) // never fails (crypto/rand)
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// Reply is the answer to a message in a chat.
type Reply struct {
	Answer index.Answer
	// From is the first of Answer.Answers to show: 0, or further on for
	// more results.
	From int
	// Followup is what the message asked of the chat's last answer; ""
	// for a message answered on its own.
	Followup Kind
}

// Page is the answer with only the matches this reply shows for a channel
// that shows an answer whole (the web): more results from From on, at
// most MorePage of them.
func (r Reply) Page() index.Answer {
	a := r.Answer
	if r.From == 0 {
		return a
	}
	from := min(r.From, len(a.Answers))
	a.Answers = a.Answers[from:min(len(a.Answers), from+MorePage)]
	a.Topics = 0
	return a
}

// Key is the key of a chat in the store: HMAC-SHA256 of the chat's
// identity ("line:user:U…") under the salt, so the store never holds a
// user ID.
func (f *Followups) Key(chat string) string {
	m := hmac.New(sha256.New, f.salt)
	m.Write([]byte(chat))
	return hex.EncodeToString(m.Sum(nil))
}

// Ask answers q, sent in chat (the channel's identity of the
// conversation; "" for none), from the from-th match on (0 for a message;
// further for a "more results" button offered for q). A message with no
// topic of its own that asks for the contact, more results or a detail
// is answered about the chat's last answer when there is one within
// ContextTTL; any other is answered as it stands, and an answer with
// actions becomes the chat's context. The error is the asker's, for the
// caller's log: the reply is still to be sent.
func (f *Followups) Ask(ctx context.Context, chat, q string, from int) (Reply, error) {
	a, err := f.asker.Ask(q)
	if err != nil {
		return Reply{Answer: a, From: from}, err
	}
	if chat != "" {
		key := f.Key(chat)
		if kind := a.Followup; kind != "" {
			if c, ok := f.context(ctx, key); ok {
				if ms := f.matches(c.IDs); len(ms) > 0 {
					return f.followup(ctx, key, kind, a, c, ms, from), nil
				}
			}
		}
		f.remember(ctx, key, a, from)
	}
	if a.Intent == index.IntentNotCovered && f.notCovered != nil {
		f.notCovered(q)
	}
	return Reply{Answer: a, From: from}, nil
}

// More answers a "more results" button of a page of further results: the
// actions ids, which the button carries, from the from-th on, in the
// language of q, the message that showed the page. A page of a follow-up
// has no question of its own to ask again, and the chat's context may
// have moved on, or be another member's, by the time the button is
// pressed; the ids are the page's own. They become the chat's context.
func (f *Followups) More(ctx context.Context, chat, q string, ids []string, from int) (Reply, error) {
	a, err := f.asker.Ask(q)
	if err != nil {
		return Reply{Answer: a, From: from}, err
	}
	ms := f.matches(ids[:min(len(ids), maxContextIDs)])
	c := Context{IDs: make([]string, 0, len(ms)), Shown: min(max(from, 1), len(ms))}
	for _, m := range ms {
		c.IDs = append(c.IDs, m.ID)
	}
	key := "" // no chat: nothing to remember
	if chat != "" {
		key = f.Key(chat)
	}
	return f.followup(ctx, key, KindMore, a, c, ms, max(from, 1)), nil
}

// Remember makes a the context of chat's follow-ups, with shown of its
// answers seen: the card of a "did you mean" choice or of a listed
// action.
func (f *Followups) Remember(ctx context.Context, chat string, a index.Answer, shown int) {
	if chat == "" || len(a.Answers) == 0 {
		return
	}
	f.put(ctx, f.Key(chat), a.Answers, 0, shown)
}

// remember keeps the context an answer leaves: its actions, for an
// answer with any; none after a question the plan does not cover or
// answers only with choices (a follow-up would be about another topic);
// the last one otherwise (a greeting, thanks, help, the desk).
func (f *Followups) remember(ctx context.Context, key string, a index.Answer, from int) {
	switch a.Intent {
	case index.IntentWho, index.IntentDepartment:
		if len(a.Answers) == 0 {
			return
		}
		start, shown := 0, len(a.Answers) // a department's list shows every action
		if a.Intent == index.IntentWho {
			start, shown = min(from, len(a.Answers)-1), Shown(a)
			if start > 0 {
				shown = start + MorePage // a "more results" button's page
			}
		}
		f.put(ctx, key, a.Answers, start, shown)
	case index.IntentNotCovered, index.IntentSuggest:
		if err := f.store.Delete(ctx, key); err != nil {
			f.log.Warn("follow-up context", "err", err)
		}
	}
}

func (f *Followups) put(ctx context.Context, key string, ms []index.Match, from, shown int) {
	c := Context{At: f.now()}
	for _, m := range ms {
		if m.ID != index.ContactID && len(c.IDs) < maxContextIDs {
			c.IDs = append(c.IDs, m.ID)
		}
	}
	if len(c.IDs) == 0 {
		return
	}
	c.Shown = min(max(shown, 1), len(c.IDs))
	c.From = min(max(from, 0), c.Shown-1)
	if err := f.store.Put(ctx, key, c); err != nil {
		f.log.Warn("follow-up context", "err", err)
	}
}

// context returns the key's context if it is younger than ContextTTL.
func (f *Followups) context(ctx context.Context, key string) (Context, bool) {
	c, ok, err := f.store.Get(ctx, key)
	if err != nil {
		f.log.Warn("follow-up context", "err", err)
		return Context{}, false
	}
	if !ok || f.now().Sub(c.At) >= ContextTTL {
		return Context{}, false
	}
	return c, true
}

// matches returns the actions of the plan being served with the given
// IDs, in their order; IDs a reindex removed are skipped.
func (f *Followups) matches(ids []string) []index.Match {
	if ix := f.served(); ix != nil {
		return ix.Matches(ids)
	}
	return nil
}

// served is the index the asker answers from; nil when it cannot tell.
func (f *Followups) served() *index.Index {
	if s, ok := f.asker.(Served); ok {
		return s.Current()
	}
	return nil
}

// followup answers a follow-up of kind about the context c, whose
// actions are ms; fresh is the follow-up's own answer (for its language
// and plan).
func (f *Followups) followup(ctx context.Context, key string, kind Kind, fresh index.Answer, c Context, ms []index.Match, from int) Reply {
	a := index.Answer{Query: fresh.Query, Lang: fresh.Lang, Plan: fresh.Plan, Answers: []index.Match{},
		Truncated: fresh.Truncated}
	seen := last(c, ms)
	c.At = f.now()
	r := Reply{Followup: kind}
	switch kind {
	case KindContact:
		a.Intent = index.IntentContact
		if ix := f.served(); ix != nil {
			if desk, ok := ix.Desk(); ok {
				a.Answers = append(a.Answers, desk)
			}
		}
		a.Text = f.contactText(a, seen)
	case KindDetail:
		a.Intent = index.IntentNotCovered
		a.Text = f.detailText(a, seen)
	case KindMore:
		a.Intent = index.IntentWho
		a.Answers = ms
		r.From = c.Shown
		if from > 0 {
			r.From = from // a "more results" button says where it goes on
		}
		r.From = max(min(r.From, len(ms)), 0)
		next := min(r.From+MorePage, len(ms))
		if r.From < next {
			c.From, c.Shown = r.From, next
		}
		a.Text = f.moreText(a, r.From, next)
	}
	if key != "" && len(c.IDs) > 0 { // no IDs: a button's actions a reindex removed
		if err := f.store.Put(ctx, key, c); err != nil {
			f.log.Warn("follow-up context", "err", err)
		}
	}
	r.Answer = a
	return r
}

// last returns the actions of ms, c's actions, that the chat saw last (a
// reindex may have removed some since); at least one, unless ms is empty
// (a button's actions a reindex removed).
func last(c Context, ms []index.Match) []index.Match {
	if len(ms) == 0 {
		return nil
	}
	from := max(min(c.From, len(ms)-1), 0)
	return ms[from:max(min(c.Shown, len(ms)), from+1)]
}

// deskName is the desk, in English "English name (日本語)" as far as
// the department table names it.
func deskName(a index.Answer) string {
	desk := strings.TrimSpace(a.Plan.Contact.Desk)
	if a.Lang == index.English && a.Plan.DeskEN != "" {
		return a.Plan.DeskEN + " (" + desk + ")"
	}
	return desk
}

// departments names the departments of ms once each, in a's language:
// those every action names when there are any (a department's list, one
// of whose actions it shares, is that department's), else all.
func (f *Followups) departments(a index.Answer, ms []index.Match) string {
	var names []string
	common := func(d string) bool {
		return !slices.ContainsFunc(ms, func(m index.Match) bool { return !slices.Contains(m.Departments, d) })
	}
	shared := len(ms) > 0 && slices.ContainsFunc(ms[0].Departments, common)
	for _, m := range ms {
		for i, d := range m.Departments {
			if shared && !common(d) {
				continue
			}
			if a.Lang == index.English && i < len(m.DepartmentsEN) && m.DepartmentsEN[i] != "" {
				d = m.DepartmentsEN[i] + " (" + d + ")"
			}
			if !slices.Contains(names, d) {
				names = append(names, d)
			}
		}
	}
	if a.Lang == index.English {
		return strings.Join(names, ", ")
	}
	return strings.Join(names, "・")
}

func (f *Followups) contactText(a index.Answer, seen []index.Match) string {
	c, depts := a.Plan.Contact, f.departments(a, seen)
	var b strings.Builder
	if a.Lang == index.English {
		fmt.Fprintf(&b, "The action above is handled by %s. The plan lists no contact for it, only the desk for questions about the plan:\n", depts)
		if c.Desk == "" {
			b.WriteString("The plan names no enquiry desk.")
			return b.String()
		}
		fmt.Fprintf(&b, "Enquiries about the plan: %s\n〒%s %s\nPhone: %s", deskName(a), c.Postal, c.Address, c.Phone)
		return b.String()
	}
	fmt.Fprintf(&b, "先ほどの取り組みは%sの担当です。計画に載っている連絡先は、計画についてのお問い合わせ先だけです。\n", depts)
	if c.Desk == "" {
		b.WriteString("この計画にはお問い合わせ先が載っていません。")
		return b.String()
	}
	fmt.Fprintf(&b, "計画についてのお問い合わせ先: %s\n〒%s %s\n電話番号: %s", c.Desk, c.Postal, c.Address, c.Phone)
	return b.String()
}

func (f *Followups) detailText(a index.Answer, seen []index.Match) string {
	depts := f.departments(a, seen)
	desk := strings.TrimSpace(deskName(a) + " " + a.Plan.Contact.Phone)
	if a.Lang == index.English {
		what := "the actions above"
		if len(seen) == 1 {
			what = fmt.Sprintf("the action above (%q)", clipRunes(seen[0].Content, 40))
		}
		s := fmt.Sprintf("The plan does not say. It only says that %s handles %s.", depts, what)
		if desk != "" {
			s += " For details, please ask the desk for questions about the plan: " + desk + "."
		}
		return s
	}
	what := "先ほどの取り組み"
	if len(seen) == 1 {
		what += "（「" + clipRunes(seen[0].Content, 40) + "」）"
	}
	s := fmt.Sprintf("その点は計画に書かれていません。計画にあるのは、%sを%sが担当することまでです。", what, depts)
	if desk != "" {
		s += "詳しくは計画についてのお問い合わせ先（" + desk + "）へお尋ねください。"
	}
	return s
}

// moreText lists a's answers from..next, as the channels show them.
func (f *Followups) moreText(a index.Answer, from, next int) string {
	en := a.Lang == index.English
	if from >= len(a.Answers) {
		if en {
			return "There are no more results."
		}
		return "これ以上の候補はありません。"
	}
	// Which results these are: "2–4", or "2" for a page of one.
	which := fmt.Sprint(from + 1)
	var b strings.Builder
	if en {
		if next > from+1 {
			which += fmt.Sprint("–", next)
		}
		fmt.Fprintf(&b, "More results (%s of %d):\n", which, len(a.Answers))
	} else {
		if next > from+1 {
			which += fmt.Sprint("〜", next)
		}
		fmt.Fprintf(&b, "ほかの候補（%s件目／全%d件）:\n", which, len(a.Answers))
	}
	for _, m := range a.Answers[from:next] {
		fmt.Fprintf(&b, "・%s: %s\n", f.departments(a, []index.Match{m}), m.Content)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
