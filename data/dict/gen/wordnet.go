package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ---------------------------------------------------------------- WordNet

// wnPOS are WordNet's parts of speech in output order, with the suffix of
// their data/index/exception files and the ss_type digit of their sense
// keys (adjective satellites, digit 5, count as adjectives).
var wnPOS = []struct {
	letter byte
	file   string
	digit  byte
}{
	{'n', "noun", '1'},
	{'v', "verb", '2'},
	{'a', "adj", '3'},
	{'r', "adv", '4'},
}

// wnRef names a synset: the part of speech of its data file ('s' is
// folded into 'a') and its byte offset there.
type wnRef struct {
	pos byte
	off int
}

// wnSynset is one line of a data file, reduced to what the table needs.
type wnSynset struct {
	words    []string // lower case, spaces for underscores, adjective markers removed
	names    []bool   // words[i] contains a name (wordNetWord)
	instance bool     // an instance (a noun with an @i pointer: a particular person, place, event)
	up       []wnRef  // nouns: hypernyms (@ and @i); adjectives: "similar to" (&); in file order
}

// nameOf reports whether lemma is a proper name in ss: the synset is an
// instance, or lemma's spelling in it contains a name (wordNetWord).
func (ss *wnSynset) nameOf(lemma string) bool {
	i := slices.Index(ss.words, lemma)
	return ss.instance || i >= 0 && ss.names[i]
}

// wnIndexEntry is one line of an index file: a lemma's senses of one part
// of speech, most frequent first.
type wnIndexEntry struct {
	pos     byte   // wnPOS letter
	lemma   string // lower case, spaces for underscores
	synsets []int  // offsets into the data file of the same part of speech
}

// wnSense is one selected sense of a lemma.
type wnSense struct {
	ref   wnRef
	pos   int  // index into wnPOS
	num   int  // sense number within its part of speech, 1-based
	count int  // semantic-concordance tag count (cntlist.rev)
	name  bool // the lemma is a proper name in this sense
}

// buildWordNet derives wordnet.tsv and wordnet-exc.tsv from the WordNet
// database in dir. enJa holds the keys of en-ja.tsv: a synonym or hypernym
// is kept only if it is one of them; a lemma keeps at most maxSynonyms
// synonyms and maxHypernyms hypernyms. See data/dict/README.md for the
// rules.
//
// Unless keepNames is set, senses in which the lemma is a proper name
// (wnSynset.nameOf: people, places, organisations, Latin taxa) are ignored
// when the lemma has other senses, and a lemma that is only a proper name is
// kept only if it is an en-ja key (as "paris", "monday" are).
func buildWordNet(dir string, enJa map[string]bool, maxSenses, maxSynonyms, maxHypernyms int, keepNames bool) (table, exc []byte, err error) {
	synsets := map[wnRef]*wnSynset{}
	entries := map[string][]wnIndexEntry{} // lemma → entries in wnPOS order
	var lemmas []string
	for _, p := range wnPOS {
		if err := readWordNetData(filepath.Join(dir, "data."+p.file), p.letter, synsets); err != nil {
			return nil, nil, err
		}
		es, err := readWordNetIndex(filepath.Join(dir, "index."+p.file), p.letter)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range es {
			if entries[e.lemma] == nil {
				lemmas = append(lemmas, e.lemma)
			}
			entries[e.lemma] = append(entries[e.lemma], e)
		}
	}
	for ref, ss := range synsets {
		for _, up := range ss.up {
			if synsets[up] == nil {
				return nil, nil, fmt.Errorf("%s: synset %c %08d points to missing synset %c %08d", dir, ref.pos, ref.off, up.pos, up.off)
			}
		}
	}
	counts, err := readWordNetCounts(filepath.Join(dir, "cntlist.rev"))
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(lemmas)
	header, err := wordNetHeader(filepath.Join(dir, "data.noun"))
	if err != nil {
		return nil, nil, err
	}

	var buf bytes.Buffer
	buf.WriteString(header)
	keys := map[string]bool{}
	var stats struct {
		in, badChars, names, noRelated   int
		both, synOnly, hypOnly, bareKeys int
		cappedSyn, cappedHyp             int
	}
	for _, lemma := range lemmas {
		stats.in++
		if !validLemma(lemma) {
			stats.badChars++
			continue
		}
		es := entries[lemma]
		var pos []byte
		var all []wnSense
		onlyName := true
		for pi, p := range wnPOS {
			e, ok := entryFor(es, p.letter)
			if !ok {
				continue
			}
			pos = append(pos, p.letter)
			for i, off := range e.synsets {
				ref := wnRef{p.letter, off}
				ss := synsets[ref]
				if ss == nil {
					return nil, nil, fmt.Errorf("%s: index.%s: %q: sense %d: no synset at offset %08d in data.%s", dir, p.file, lemma, i+1, off, p.file)
				}
				s := wnSense{ref: ref, pos: pi, num: i + 1, count: counts[senseKey(lemma, p.digit, i+1)], name: !keepNames && ss.nameOf(lemma)}
				onlyName = onlyName && s.name
				all = append(all, s)
			}
		}
		if onlyName && !keepNames && !enJa[lemma] {
			stats.names++
			continue
		}
		// The first maxSenses senses of each part of speech, names left
		// out unless there is nothing else.
		var senses []wnSense
		taken := make([]int, len(wnPOS))
		for _, s := range all {
			if (!s.name || onlyName) && taken[s.pos] < maxSenses {
				taken[s.pos]++
				senses = append(senses, s)
			}
		}
		syns, hypers, capped := lemmaWords(lemma, senses, synsets, enJa, maxSynonyms, maxHypernyms)
		stats.cappedSyn += capped[0]
		stats.cappedHyp += capped[1]
		if len(syns) == 0 && len(hypers) == 0 && !enJa[lemma] {
			stats.noRelated++
			continue
		}
		switch {
		case len(syns) > 0 && len(hypers) > 0:
			stats.both++
		case len(syns) > 0:
			stats.synOnly++
		case len(hypers) > 0:
			stats.hypOnly++
		default:
			stats.bareKeys++
		}
		keys[lemma] = true
		buf.WriteString(lemma)
		buf.WriteByte('\t')
		buf.Write(pos)
		buf.WriteByte('\t')
		buf.WriteString(strings.Join(syns, "|"))
		buf.WriteByte('\t')
		buf.WriteString(strings.Join(hypers, "|"))
		buf.WriteByte('\n')
	}
	fmt.Fprintf(os.Stderr, "gen: wordnet: %d lemmas in; dropped %d with other characters, %d proper names that are not en-ja keys, %d with no translatable synonym or hypernym that are not en-ja keys; kept %d with synonyms and hypernyms, %d with synonyms only, %d with hypernyms only, %d en-ja keys with neither; synonyms of %d and hypernyms of %d lemmas cut to %d and %d\n",
		stats.in, stats.badChars, stats.names, stats.noRelated, stats.both, stats.synOnly, stats.hypOnly, stats.bareKeys, stats.cappedSyn, stats.cappedHyp, maxSynonyms, maxHypernyms)

	exc, err = buildWordNetExceptions(dir, func(w string) bool { return keys[w] || enJa[w] })
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), append([]byte(header), exc...), nil
}

// wordNetHeader returns the # comment block that starts both output files:
// where they come from, and the WordNet licence, which asks for its notice,
// statements and disclaimer to appear on all copies of the database,
// modifications included. The licence text is taken from the header of
// data.noun (lines "  N text").
func wordNetHeader(dataNoun string) (string, error) {
	f, err := os.Open(dataNoun)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	b.WriteString("# Derived from Princeton WordNet 3.0 by planbot data/dict/gen (see README.md and\n")
	b.WriteString("# LICENSE-WORDNET.txt). The WordNet licence follows.\n#\n")
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() && strings.HasPrefix(sc.Text(), "  ") {
		_, text, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if text = strings.TrimSpace(text); text == "" {
			b.WriteString("#\n")
		} else {
			b.WriteString("# " + text + "\n")
		}
		lines++
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", dataNoun, err)
	}
	if lines == 0 || !strings.Contains(b.String(), "Princeton University") {
		return "", fmt.Errorf("%s: no licence header", dataNoun)
	}
	return b.String(), nil
}

// entryFor returns the entry of part of speech letter among es.
func entryFor(es []wnIndexEntry, letter byte) (wnIndexEntry, bool) {
	for _, e := range es {
		if e.pos == letter {
			return e, true
		}
	}
	return wnIndexEntry{}, false
}

// lemmaWords returns the synonyms and the hypernyms of lemma through its
// selected senses, each list cut to its maximum; capped counts the lists
// (0 or 1 each) that had more. Senses are ordered by semantic-concordance
// tag count (most frequent first), then sense number, then part of speech
// (n v a r).
//
// Synonyms: the i-th sense in that order (0-based) gives its synset's other
// words at rank i and, for an adjective, the words of the synsets it is
// "similar to" at rank i+1; words are taken by rank, then sense, then file
// order. Hypernyms: the words of the direct hypernyms and instance
// hypernyms of the noun senses, one level only, by sense, then file order.
// Both keep only en-ja keys, never lemma itself, and no word twice; a word
// among the synonyms (also one cut off by the maximum) is not repeated as
// a hypernym.
func lemmaWords(lemma string, senses []wnSense, synsets map[wnRef]*wnSynset, enJa map[string]bool, maxSynonyms, maxHypernyms int) (syns, hypers []string, capped [2]int) {
	slices.SortStableFunc(senses, func(a, b wnSense) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.num, b.num), cmp.Compare(a.pos, b.pos))
	})
	type cand struct {
		rank, sense int
		word        string
	}
	var cands []cand
	add := func(rank, sense int, ss *wnSynset) {
		for _, w := range ss.words {
			cands = append(cands, cand{rank, sense, w})
		}
	}
	for i, s := range senses {
		ss := synsets[s.ref]
		add(i, i, ss)
		if s.ref.pos == 'a' {
			for _, up := range ss.up {
				add(i+1, i, synsets[up])
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.sense, b.sense)) })
	seen := map[string]bool{lemma: true}
	keep := func(list []string, max int, w string, c *int) []string {
		if seen[w] || !enJa[w] {
			return list
		}
		seen[w] = true
		if len(list) == max {
			*c = 1
			return list
		}
		return append(list, w)
	}
	for _, c := range cands {
		syns = keep(syns, maxSynonyms, c.word, &capped[0])
	}
	for _, s := range senses {
		if s.ref.pos != 'n' {
			continue
		}
		for _, up := range synsets[s.ref].up {
			for _, w := range synsets[up].words {
				hypers = keep(hypers, maxHypernyms, w, &capped[1])
			}
		}
	}
	return syns, hypers, capped
}

// readWordNetData reads a data.POS file into synsets: each synset's words
// and the pointers the table uses (nouns: hypernym @ and instance hypernym
// @i; adjectives: "similar to" &; verbs and adverbs: none).
func readWordNetData(path string, letter byte, synsets map[wnRef]*wnSynset) error {
	return eachWordNetLine(path, func(lineNo int, line string) error {
		bar := strings.IndexByte(line, '|')
		if bar < 0 {
			return fmt.Errorf("%s:%d: no gloss separator", path, lineNo)
		}
		f := strings.Fields(line[:bar])
		if len(f) < 6 {
			return fmt.Errorf("%s:%d: %d fields before the gloss", path, lineNo, len(f))
		}
		off, err := strconv.Atoi(f[0])
		if err != nil {
			return fmt.Errorf("%s:%d: offset: %w", path, lineNo, err)
		}
		if t := f[2]; t != string(letter) && !(letter == 'a' && t == "s") {
			return fmt.Errorf("%s:%d: synset type %q in a %c file", path, lineNo, t, letter)
		}
		wcnt, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return fmt.Errorf("%s:%d: word count: %w", path, lineNo, err)
		}
		j := 4 + 2*int(wcnt)
		if len(f) <= j {
			return fmt.Errorf("%s:%d: %d words announced, line too short", path, lineNo, wcnt)
		}
		ss := &wnSynset{}
		for i := range int(wcnt) {
			w, name := wordNetWord(f[4+2*i])
			ss.words = append(ss.words, w)
			ss.names = append(ss.names, name)
		}
		pcnt, err := strconv.Atoi(f[j])
		if err != nil {
			return fmt.Errorf("%s:%d: pointer count: %w", path, lineNo, err)
		}
		if len(f) < j+1+4*pcnt {
			return fmt.Errorf("%s:%d: %d pointers announced, line too short", path, lineNo, pcnt)
		}
		for k := range pcnt {
			p := f[j+1+4*k : j+5+4*k]
			sym := p[0]
			if sym == "@i" {
				ss.instance = true
			}
			if !(letter == 'n' && (sym == "@" || sym == "@i") || letter == 'a' && sym == "&") {
				continue
			}
			to, err := strconv.Atoi(p[1])
			if err != nil {
				return fmt.Errorf("%s:%d: pointer %d: %w", path, lineNo, k+1, err)
			}
			pos := p[2][0]
			if pos == 's' {
				pos = 'a'
			}
			if pos != letter {
				return fmt.Errorf("%s:%d: pointer %s to part of speech %s", path, lineNo, sym, p[2])
			}
			ss.up = append(ss.up, wnRef{pos, to})
		}
		synsets[wnRef{letter, off}] = ss
		return nil
	})
}

// wordNetWord normalises a word of a data file: adjective position markers
// ("galore(ip)", "outback(a)") removed, lower case, spaces for
// underscores. name reports that it contains a name: a word (between
// underscores) that starts with a capital letter followed by a small one
// ("Paris", "genus_Canis", "Down's_syndrome", "Anglo-Saxon", but not "TV",
// "AIDS", "T-shirt" or "mid-April").
func wordNetWord(w string) (word string, name bool) {
	if strings.HasSuffix(w, ")") {
		if i := strings.LastIndexByte(w, '('); i > 0 {
			w = w[:i]
		}
	}
	for part := range strings.SplitSeq(w, "_") {
		if len(part) >= 2 && part[0] >= 'A' && part[0] <= 'Z' && part[1] >= 'a' && part[1] <= 'z' {
			name = true
		}
	}
	return strings.ReplaceAll(strings.ToLower(w), "_", " "), name
}

// readWordNetIndex reads an index.POS file: per lemma, its synsets of that
// part of speech in sense order.
func readWordNetIndex(path string, letter byte) ([]wnIndexEntry, error) {
	var out []wnIndexEntry
	err := eachWordNetLine(path, func(lineNo int, line string) error {
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != string(letter) {
			return fmt.Errorf("%s:%d: malformed index line", path, lineNo)
		}
		n, err1 := strconv.Atoi(f[2])
		p, err2 := strconv.Atoi(f[3])
		if err := cmp.Or(err1, err2); err != nil || len(f) != 4+p+2+n {
			return fmt.Errorf("%s:%d: field counts do not add up (%v)", path, lineNo, err)
		}
		e := wnIndexEntry{pos: letter, lemma: strings.ReplaceAll(f[0], "_", " ")}
		for _, s := range f[len(f)-n:] {
			off, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("%s:%d: synset offset: %w", path, lineNo, err)
			}
			e.synsets = append(e.synsets, off)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// readWordNetCounts reads cntlist.rev ("sense_key sense_number tag_cnt")
// into senseKey → tag count.
func readWordNetCounts(path string) (map[string]int, error) {
	counts := map[string]int{}
	err := eachWordNetLine(path, func(lineNo int, line string) error {
		f := strings.Fields(line)
		if len(f) != 3 {
			return fmt.Errorf("%s:%d: want 3 fields", path, lineNo)
		}
		lemma, rest, ok := strings.Cut(f[0], "%")
		if !ok || rest == "" {
			return fmt.Errorf("%s:%d: bad sense key %q", path, lineNo, f[0])
		}
		digit := rest[0]
		if digit == '5' { // adjective satellite
			digit = '3'
		}
		num, err1 := strconv.Atoi(f[1])
		cnt, err2 := strconv.Atoi(f[2])
		if err := cmp.Or(err1, err2); err != nil {
			return fmt.Errorf("%s:%d: %w", path, lineNo, err)
		}
		counts[senseKey(strings.ReplaceAll(lemma, "_", " "), digit, num)] += cnt
		return nil
	})
	return counts, err
}

func senseKey(lemma string, digit byte, num int) string {
	return lemma + "%" + string(digit) + "#" + strconv.Itoa(num)
}

// validLemma: lower-case ASCII letters, digits, spaces, hyphens and
// apostrophes only.
func validLemma(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != ' ' && c != '-' && c != '\'' {
			return false
		}
	}
	return true
}

// buildWordNetExceptions merges noun.exc, verb.exc, adj.exc and adv.exc
// into "inflected<TAB>base1|base2" lines sorted by the inflected form; bases
// come in n v a r file order, then file order, and are kept only if keep
// says so (a key of wordnet.tsv or en-ja.tsv) and differ from the
// inflected form.
func buildWordNetExceptions(dir string, keep func(string) bool) ([]byte, error) {
	bases := map[string][]string{}
	var stats struct{ lines, badChars, droppedBases int }
	for _, p := range wnPOS {
		path := filepath.Join(dir, p.file+".exc")
		err := eachWordNetLine(path, func(lineNo int, line string) error {
			f := strings.Fields(line)
			if len(f) < 2 {
				return fmt.Errorf("%s:%d: want an inflected form and a base", path, lineNo)
			}
			stats.lines++
			infl := strings.ReplaceAll(strings.ToLower(f[0]), "_", " ")
			if !validLemma(infl) {
				stats.badChars++
				return nil
			}
			for _, b := range f[1:] {
				b = strings.ReplaceAll(strings.ToLower(b), "_", " ")
				if b == infl || slices.Contains(bases[infl], b) {
					continue
				}
				if !validLemma(b) || !keep(b) {
					stats.droppedBases++
					continue
				}
				bases[infl] = append(bases[infl], b)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	infls := make([]string, 0, len(bases))
	for k, bs := range bases {
		if len(bs) > 0 {
			infls = append(infls, k)
		}
	}
	slices.Sort(infls)
	var buf bytes.Buffer
	for _, k := range infls {
		buf.WriteString(k)
		buf.WriteByte('\t')
		buf.WriteString(strings.Join(bases[k], "|"))
		buf.WriteByte('\n')
	}
	fmt.Fprintf(os.Stderr, "gen: wordnet exceptions: %d lines in, %d inflected forms out; dropped %d lines with other characters, %d bases that are neither wordnet.tsv nor en-ja keys\n",
		stats.lines, len(infls), stats.badChars, stats.droppedBases)
	return buf.Bytes(), nil
}

// eachWordNetLine calls fn for each line of a WordNet file except the
// licence header (lines starting with a space) and blank lines.
func eachWordNetLine(path string, fn func(lineNo int, line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), " \r")
		if line == "" || sc.Text()[0] == ' ' {
			continue
		}
		if err := fn(lineNo, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
