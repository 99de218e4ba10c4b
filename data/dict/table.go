package dict

import (
	"iter"
	"strings"
)

// Table maps a key to a list of words, read-only. Keys and words are
// slices of one string and the lists are offsets, so the garbage collector
// scans one pointer per key rather than one per word: EDICT and Sudachi
// give 230,000 keys and 640,000 words, which as map[string][]string would
// cost every collection milliseconds of marking for the life of the
// process.
type Table struct {
	lists map[string]uint32 // key → list number
	text  string
	start []uint32 // list i is words start[i] to start[i+1]
	spans []uint32 // word j is text[spans[2j]:spans[2j+1]]
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

// Get returns key's words in a new slice, or nil.
func (t *Table) Get(key string) []string {
	i, ok := t.lists[key]
	if !ok {
		return nil
	}
	return t.list(i)
}

func (t *Table) list(i uint32) []string {
	out := make([]string, 0, t.start[i+1]-t.start[i])
	for j := t.start[i]; j < t.start[i+1]; j++ {
		out = append(out, t.text[t.spans[2*j]:t.spans[2*j+1]])
	}
	return out
}

// All yields every key with its words, in no particular order.
func (t *Table) All() iter.Seq2[string, []string] {
	return func(yield func(string, []string) bool) {
		for k, i := range t.lists {
			if !yield(k, t.list(i)) {
				return
			}
		}
	}
}
