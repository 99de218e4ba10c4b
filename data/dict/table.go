package dict

import (
	"iter"
	"strings"
)

// Table maps a key to a list of words, read-only; a table from WordNet or
// ParseWordNet also knows each key's parts of speech (POS) and a second
// list of words, its hypernyms (Hypernyms). Keys and words
// are slices of one string and the lists are offsets, so the garbage collector
// scans one pointer per key rather than one per word: EDICT and Sudachi
// give 230,000 keys and 640,000 words, which as map[string][]string would
// cost every collection milliseconds of marking for the life of the
// process.
type Table struct {
	lists map[string]uint32 // key → list number
	text  string
	start []uint32 // list i is words start[i] to start[i+1]
	spans []uint32 // word j is text[spans[2j]:spans[2j+1]]
	pos   []uint8  // WordNet tables: list i's parts of speech, bit j for posLetters[j]; nil otherwise
	mid   []uint32 // WordNet tables: list i is split at word mid[i] into synonyms (Get) and hypernyms (Hypernyms); nil otherwise
}

// posLetters are WordNet's parts of speech in Table.POS order: noun, verb,
// adjective, adverb.
const posLetters = "nvar"

// posNames[bits] spells bits in the order n v a r.
var posNames = func() (names [16]string) {
	for bits := range names {
		for i := range posLetters {
			if bits&(1<<i) != 0 {
				names[bits] += posLetters[i : i+1]
			}
		}
	}
	return names
}()

// posBits parses a part-of-speech string: one or more of n, v, a, r, each
// at most once, in that order.
func posBits(s string) (uint8, bool) {
	var bits uint8
	last := -1
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(posLetters, s[i])
		if j <= last {
			return 0, false
		}
		bits |= 1 << j
		last = j
	}
	return bits, bits != 0
}

func newTable(text string, keys int) *Table {
	return &Table{lists: make(map[string]uint32, keys), text: text, start: make([]uint32, 1, keys+1)}
}

// add appends the words between the previous add and now as key's list;
// key must be a slice of t.text.
func (t *Table) add(key string) {
	t.lists[key] = uint32(len(t.start) - 1)
	t.start = append(t.start, uint32(len(t.spans)/2))
}

// word records text[from:to] as the next word.
func (t *Table) word(from, to int) { t.spans = append(t.spans, uint32(from), uint32(to)) }

// NewTable copies m into a Table; keys with no words are left out.
func NewTable(m map[string][]string) *Table {
	size, words := 0, 0
	for k, vs := range m {
		size += len(k)
		for _, v := range vs {
			size += len(v)
		}
		words += len(vs)
	}
	var b strings.Builder
	b.Grow(size)
	t := newTable("", len(m))
	t.spans = make([]uint32, 0, 2*words)
	keys := make([]int, 0, 2*len(m)) // key i is text[keys[2i]:keys[2i+1]]
	for k, vs := range m {
		if len(vs) == 0 {
			continue
		}
		keys = append(keys, b.Len(), b.Len()+len(k))
		b.WriteString(k)
		for _, v := range vs {
			t.word(b.Len(), b.Len()+len(v))
			b.WriteString(v)
		}
		t.start = append(t.start, uint32(len(t.spans)/2))
	}
	t.text = b.String()
	for i := 0; i < len(keys); i += 2 {
		t.lists[t.text[keys[i]:keys[i+1]]] = uint32(i / 2)
	}
	return t
}

// Len is the number of keys.
func (t *Table) Len() int { return len(t.lists) }

// Has reports whether key has a list.
func (t *Table) Has(key string) bool { _, ok := t.lists[key]; return ok }

// POS returns the parts of speech of a WordNet lemma as letters in the
// order n (noun), v (verb), a (adjective, including satellites), r
// (adverb): "nv" for "swing", "v" for "renew". It is "" when key is not in
// the table or the table is not a WordNet table.
func (t *Table) POS(key string) string {
	i, ok := t.lists[key]
	if !ok || int(i) >= len(t.pos) {
		return ""
	}
	return posNames[t.pos[i]]
}

// Get returns key's words in a new slice, or nil if key is not in the
// table. For a WordNet table they are the lemma's synonyms (possibly none);
// its hypernyms are kept apart (Hypernyms).
func (t *Table) Get(key string) []string {
	i, ok := t.lists[key]
	if !ok {
		return nil
	}
	return t.list(i)
}

// Hypernyms returns the hypernyms of a WordNet lemma in a new slice
// (empty if it has none: always so for a lemma that is not a noun), or nil
// if key is not in the table or the table is not a WordNet table.
func (t *Table) Hypernyms(key string) []string {
	i, ok := t.lists[key]
	if !ok || t.mid == nil {
		return nil
	}
	return t.words(t.mid[i], t.start[i+1])
}

// list returns list i: for a WordNet table, only its synonyms.
func (t *Table) list(i uint32) []string {
	end := t.start[i+1]
	if t.mid != nil {
		end = t.mid[i]
	}
	return t.words(t.start[i], end)
}

// words returns words from to to (exclusive) in a new slice.
func (t *Table) words(from, to uint32) []string {
	out := make([]string, 0, to-from)
	for j := from; j < to; j++ {
		out = append(out, t.text[t.spans[2*j]:t.spans[2*j+1]])
	}
	return out
}

// All yields every key with its words (for a WordNet table, its synonyms),
// in no particular order.
func (t *Table) All() iter.Seq2[string, []string] {
	return func(yield func(string, []string) bool) {
		for k, i := range t.lists {
			if !yield(k, t.list(i)) {
				return
			}
		}
	}
}
