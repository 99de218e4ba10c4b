package index

// Departments named in a question, as residents and staff write them: in
// kanji (税務課), with の between its words (教育部の総務課), with 科 or か
// for 課, with one character mistyped (企画政索課), by its reading in kana or
// romaji (ぜいむか, zaisei-ka), by its English name (finance division), or
// without its 課 when asking what it does (土木は何するの).

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// deptName is how questions may name one department.
type deptName struct {
	dept    string
	written *regexp.Regexp // the name, の allowed between its words, 課/科/か alike
	runes   []rune         // the name, for one mistyped character
	core    string         // the name without 課, 室 or 局 (土木), when that is two characters or more
	reading string         // loose-folded reading (ゼイムカ)
	keys    []string       // distinctive words of its English name (finance)
}

// suffixSpellings are how a department's last character may be written.
var suffixSpellings = map[string]string{"課": "(?:課|科|か)", "室": "(?:室|しつ)", "局": "(?:局|きょく)"}

// departmentNames prepares the names of the plan's departments, longest
// first.
func (ix *Index) departmentNames() []deptName {
	keys := ix.lex.deptKeywords(ix.depts)
	var out []deptName
	for _, d := range ix.depts {
		n := normalize(d)
		ms, reading := morphemes(n)
		var parts []string
		for i, m := range ms {
			p := regexp.QuoteMeta(n[m.start:m.end])
			if sp, ok := suffixSpellings[n[m.start:m.end]]; ok && i == len(ms)-1 {
				p = sp
			}
			parts = append(parts, p)
		}
		dn := deptName{dept: d, runes: []rune(n), keys: keys[d], written: regexp.MustCompile(regexp.QuoteMeta(n))}
		if len(parts) > 0 && strings.Join(ms2surfaces(n, ms), "") == n {
			dn.written = regexp.MustCompile(strings.Join(parts, "(?:の)?"))
		}
		for suffix := range suffixSpellings {
			if core, ok := strings.CutSuffix(n, suffix); ok && utf8.RuneCountInString(core) >= 2 {
				dn.core = core
			}
		}
		if key := looseFold(reading); utf8.RuneCountInString(key) >= 3 && isAllKana(key) {
			dn.reading = key
			ix.addReading(reading, d)
		}
		out = append(out, dn)
	}
	return out
}

func ms2surfaces(n string, ms []morpheme) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = n[m.start:m.end]
	}
	return out
}

// mention is where a question names a department.
type mention struct {
	dept       string
	start, end int      // byte offsets in the question's text of a name written out; 0, 0 otherwise
	keys       []string // the English words that name it (finance: 財政課)
	core       bool     // named without its 課: only a question of what it does counts
}

// holds reports whether w is a word of the department's name as the
// question writes it (政策 of 情報政策課, ぜいむか, finance), or names
// only a part of it.
func (m mention) holds(w word) bool {
	if m.end > m.start && w.start >= m.start && w.end <= m.end || slices.Contains(m.keys, w.text) || strings.Contains(m.dept, w.text) {
		return true
	}
	return slices.ContainsFunc(w.variants, func(v variant) bool {
		return v.boost >= 0.9 && strings.Contains(fold(m.dept), v.folded)
	})
}

// mentionedDept finds the department a question names, longest name
// first: written out, mistyped, read in kana or romaji, in English, or by
// its core.
func (ix *Index) mentionedDept(q *question) mention {
	for _, dn := range ix.names {
		if loc := dn.written.FindStringIndex(q.text); loc != nil {
			return mention{dept: dn.dept, start: loc[0], end: loc[1]}
		}
	}
	text := []rune(q.text)
	for _, dn := range ix.names {
		if i := oneTypo(text, dn.runes); i >= 0 {
			start := len(string(text[:i]))
			return mention{dept: dn.dept, start: start, end: start + len(string(text[i:i+len(dn.runes)]))}
		}
	}
	spoken := foldWords(q.text)
	for _, dn := range ix.names {
		if dn.reading != "" && spoken.reads(dn.reading) {
			return mention{dept: dn.dept}
		}
	}
	if q.lang == English && !q.romaji {
		words := strings.Fields(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return ' '
		}, q.norm))
		for _, dn := range ix.names {
			if len(dn.keys) > 0 {
				if found := findKeys(dn.keys, words); found != nil {
					return mention{dept: dn.dept, keys: found}
				}
			}
		}
	}
	for _, dn := range ix.names {
		if dn.core != "" && q.hasWord(dn.core) {
			if i := strings.Index(q.text, dn.core); i >= 0 {
				return mention{dept: dn.dept, start: i, end: i + len(dn.core), core: true}
			}
		}
	}
	return mention{}
}

// hasWord reports whether the question reads w as a word of its own, not
// as part of a longer one (財政 in 行財政改革).
func (q *question) hasWord(w string) bool {
	return slices.ContainsFunc(q.terms, func(t term) bool { return t.base == w })
}

// foldedWords are a text's words loose-folded (looseFold), once for all
// the department names read in it.
type foldedWords []string

func foldWords(text string) foldedWords {
	ws := strings.Fields(text)
	if len(ws) < 2 {
		return foldedWords{looseFold(text)}
	}
	out := make(foldedWords, len(ws))
	for i, w := range ws {
		out[i] = looseFold(w)
	}
	return out
}

// reads reports whether the text holds a department's loose-folded
// reading: anywhere in a text written without spaces, or as whole words
// in a text with spaces, as romaji is (seikatu kankyo ka; but
// ぎょうざいせい かいかく holds no ざいせいか).
func (ws foldedWords) reads(reading string) bool {
	if len(ws) < 2 {
		return strings.Contains(ws[0], reading)
	}
	for i := range ws {
		joined := ""
		for j := i; j < len(ws) && len(joined) < len(reading); j++ {
			joined += ws[j]
			if joined == reading || j == i && strings.Contains(joined, reading) {
				return true
			}
		}
	}
	return false
}

// oneTypo returns where text holds name with one character other than the
// name's (企画政索課), or -1; names shorter than four characters are left
// alone, as one character of three is too much to guess.
func oneTypo(text, name []rune) int {
	if len(name) < 4 {
		return -1
	}
	for i := 0; i+len(name) <= len(text); i++ {
		diff := 0
		for j, r := range name {
			if text[i+j] != r {
				if diff++; diff > 1 {
					break
				}
			}
		}
		if diff == 1 && text[i] == name[0] && text[i+len(name)-1] == name[len(name)-1] {
			return i
		}
	}
	return -1
}

// findKeys returns the words that name every key, each the key, sharing
// a start of five letters or more with it (sewer: sewerage), or the key
// without a suffix that derives it (tax: taxation, plan: planning); nil if
// a key is missing.
func findKeys(keys, words []string) []string {
	var found []string
	for _, k := range keys {
		i := slices.IndexFunc(words, func(w string) bool {
			return w == k || len(w) >= 5 && strings.HasPrefix(k, w) || len(k) >= 5 && strings.HasPrefix(w, k) || derives(w, k)
		})
		if i < 0 {
			return nil
		}
		found = append(found, words[i])
	}
	return found
}

// derivations are the English suffixes that make a noun of a word
// (taxation, planning, tourism).
var derivations = []string{"ation", "ion", "ing", "ism", "age", "al", "es", "s"}

// derives reports whether k is word w (or its singular) of three letters
// or more and a suffix of derivations, its last consonant doubled or not
// (planning).
func derives(w, k string) bool {
	for _, stem := range []string{w, strings.TrimSuffix(w, "es"), strings.TrimSuffix(w, "s")} { // taxes: tax
		rest, ok := strings.CutPrefix(k, stem)
		if !ok || len(stem) < 3 {
			continue
		}
		if slices.Contains(derivations, rest) || len(rest) > 0 && rest[0] == stem[len(stem)-1] && slices.Contains(derivations, rest[1:]) {
			return true
		}
	}
	return false
}
