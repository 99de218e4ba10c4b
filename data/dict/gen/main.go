// Command gen derives the data files of package dict from three open
// dictionaries:
//
//   - en-ja.tsv from EDICT (EDRDG, CC BY-SA 4.0; Debian package "edict"),
//   - ja-synonyms.tsv from the Sudachi synonym dictionary (Apache-2.0; npm
//     package "sudachi-synonyms-dictionary"),
//   - wordnet.tsv and wordnet-exc.tsv from Princeton WordNet 3.0 (WordNet
//     3.0 licence; Debian package "wordnet-base"), filtered by the keys of
//     en-ja.tsv.
//
// Run it from the module root:
//
//	go run ./data/dict/gen -edict /usr/share/edict/edict \
//		-sudachi /tmp/sudachi/package/sudachi-synonyms-dictionary.json \
//		-wordnet /usr/share/wordnet -out data/dict
//
// An input flag set to "" skips that input's outputs; the WordNet step then
// reads the en-ja keys from the en-ja.tsv already in -out, so
//
//	go run ./data/dict/gen -edict '' -sudachi '' -wordnet /usr/share/wordnet -out data/dict
//
// regenerates only the two WordNet files. As a go:generate hint for
// data/dict/dict.go (not wired in, because the inputs live outside the
// repository):
//
//	//go:generate go run ./gen -edict /usr/share/edict/edict -sudachi /tmp/sudachi/package/sudachi-synonyms-dictionary.json -wordnet /usr/share/wordnet -out .
//
// The output is deterministic: en-ja.tsv, wordnet.tsv and wordnet-exc.tsv
// are sorted by key, ja-synonyms.tsv by Sudachi group number (group numbers
// are stable across Sudachi releases). See data/dict/README.md for the
// exact rules.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/japanese"
)

func main() {
	edictPath := flag.String("edict", "/usr/share/edict/edict", "EDICT file (EUC-JP)")
	sudachiPath := flag.String("sudachi", "/tmp/sudachi/package/sudachi-synonyms-dictionary.json", "sudachi-synonyms-dictionary.json")
	outDir := flag.String("out", "data/dict", "output directory")
	maxValues := flag.Int("max-values", 20, "maximum Japanese values per English key")
	allReadings := flag.Bool("all-readings", false, "add the kana reading of every EDICT entry, not only of (P) and (uk) ones (about +3 MB)")
	keepOneWay := flag.Bool("keep-oneway", false, "keep Sudachi entries with expansion-control flag 1 (ambiguous: never a trigger themselves)")
	wordnetDir := flag.String("wordnet", "/usr/share/wordnet", "WordNet 3.0 database directory (data.*, index.*, *.exc, cntlist.rev)")
	maxSenses := flag.Int("max-senses", 3, "WordNet senses used per part of speech of a lemma")
	maxSynonyms := flag.Int("max-synonyms", 12, "maximum synonyms per WordNet lemma")
	maxHypernyms := flag.Int("max-hypernyms", 12, "maximum hypernyms per WordNet lemma")
	keepNames := flag.Bool("keep-names", false, "keep WordNet proper names (people, places, Latin taxa) that are not en-ja keys, and use name senses of other lemmas (about +1.3 MB)")
	flag.Parse()

	o := options{*edictPath, *sudachiPath, *wordnetDir, *outDir, *maxValues, *allReadings, *keepOneWay, *maxSenses, *maxSynonyms, *maxHypernyms, *keepNames}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// options are the command-line flags; an empty input path skips that input.
type options struct {
	edictPath, sudachiPath, wordnetDir, outDir string
	maxValues                                  int
	allReadings, keepOneWay                    bool
	maxSenses, maxSynonyms, maxHypernyms       int
	keepNames                                  bool
}

func run(o options) error {
	var ej []byte
	if o.edictPath != "" {
		var err error
		if ej, err = buildEnJa(o.edictPath, o.maxValues, o.allReadings); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(o.outDir, "en-ja.tsv"), ej); err != nil {
			return err
		}
	}
	if o.sudachiPath != "" {
		syn, err := buildSynonyms(o.sudachiPath, o.keepOneWay)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(o.outDir, "ja-synonyms.tsv"), syn); err != nil {
			return err
		}
	}
	if o.wordnetDir != "" {
		if ej == nil { // not regenerated in this run: use the one in -out
			var err error
			if ej, err = os.ReadFile(filepath.Join(o.outDir, "en-ja.tsv")); err != nil {
				return err
			}
		}
		wn, exc, err := buildWordNet(o.wordnetDir, tsvKeys(ej), o.maxSenses, o.maxSynonyms, o.maxHypernyms, o.keepNames)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(o.outDir, "wordnet.tsv"), wn); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(o.outDir, "wordnet-exc.tsv"), exc); err != nil {
			return err
		}
	}
	return nil
}

// tsvKeys returns the set of first fields of the lines of a TSV table.
func tsvKeys(data []byte) map[string]bool {
	keys := make(map[string]bool, bytes.Count(data, []byte{'\n'}))
	for line := range bytes.Lines(data) {
		if k, _, ok := bytes.Cut(line, []byte{'\t'}); ok && len(k) > 0 && k[0] != '#' {
			keys[string(k)] = true
		}
	}
	return keys
}

func writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s (%d bytes, %d lines)\n", path, len(data), bytes.Count(data, []byte{'\n'}))
	return nil
}

// ---------------------------------------------------------------- EDICT

// skipTags mark senses whose glosses are not used as keys:
//   - archaic, obsolete, rare, obscure, vulgar, X-rated (as asked), plus
//     derogatory, sensitive, slang, internet slang, jocular, children's
//     language, poetical and literary senses (a
//     public-facing bot should not suggest them, and plan prose does not
//     use them);
//   - jargon of fields a municipal plan does not talk about (Buddhism,
//     Shinto, Christianity, martial arts, sumo, shogi, mahjong, hanafuda, go,
//     baseball, golf);
//   - idioms that never match plan prose: yojijukugo, proverbs, idiomatic
//     expressions, onomatopoeia/mimetic words.
var skipTags = map[string]bool{
	"arch": true, "obs": true, "rare": true, "obsc": true, "vulg": true, "X": true,
	"derog": true, "sens": true, "sl": true, "net-sl": true, "joc": true, "chn": true,
	"poet": true, "litf": true,
	"Buddh": true, "Shinto": true, "Christn": true, "MA": true, "sumo": true, "shogi": true,
	"mahj": true, "hanaf": true, "go": true, "baseb": true, "golf": true,
	"yoji": true, "proverb": true, "id": true, "on-mim": true,
}

// skipEntryTags mark whole lines whose headword or reading is an irregular
// or out-dated written form.
var skipEntryTags = map[string]bool{"iK": true, "ik": true, "oK": true, "ok": true}

// match is one EDICT line whose sense glosses produced a key.
type match struct {
	head, reading string
	uk            bool // "usually written using kana alone": reading is the written form
	priority      bool // (P)
	derived       bool // key came from "to VERB" with "to " removed
	sense, gloss  int  // position of the gloss inside the entry
	compounds     int  // how many other EDICT headwords contain head: a commonness proxy
	line          int
}

func buildEnJa(path string, maxValues int, allReadings bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	byKey := map[string][]match{}
	heads := map[string]bool{}
	sc := bufio.NewScanner(japanese.EUCJP.NewDecoder().Reader(f))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 && strings.HasPrefix(line, "　？？？") {
			continue // version/copyright header entry
		}
		head, err := parseEdictLine(line, lineNo, byKey)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, lineNo, err)
		}
		heads[head] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	compounds := countCompounds(heads)
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var buf bytes.Buffer
	for _, k := range keys {
		ms := byKey[k]
		for i := range ms {
			ms[i].compounds = compounds[ms[i].head]
		}
		vals := rankValues(ms, maxValues, allReadings)
		if len(vals) == 0 {
			continue
		}
		buf.WriteString(k)
		buf.WriteByte('\t')
		buf.WriteString(strings.Join(vals, "|"))
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// countCompounds returns, for every headword, how many other distinct
// headwords contain it (税 → 所得税, 消費税, …). EDICT has no frequency
// data beyond (P); this breaks ties between equally ranked entries.
func countCompounds(heads map[string]bool) map[string]int {
	const maxRunes = 8
	count := make(map[string]int, len(heads))
	for h := range heads {
		rs := []rune(h)
		seen := map[string]bool{}
		for i := range rs {
			for j := i + 1; j <= len(rs) && j-i <= maxRunes; j++ {
				if j-i == len(rs) {
					continue // the headword itself
				}
				sub := string(rs[i:j])
				if heads[sub] && !seen[sub] {
					seen[sub] = true
					count[sub]++
				}
			}
		}
	}
	return count
}

// parseEdictLine handles "HEAD [READING] /gloss/gloss/.../(P)/" and returns
// the headword.
func parseEdictLine(line string, lineNo int, byKey map[string][]match) (string, error) {
	slash := strings.IndexByte(line, '/')
	if slash < 0 {
		return "", errors.New("no gloss field")
	}
	headPart := strings.TrimSpace(line[:slash])
	head, reading := headPart, ""
	if i := strings.IndexByte(headPart, '['); i >= 0 {
		j := strings.IndexByte(headPart, ']')
		if j < i {
			return "", errors.New("unbalanced reading brackets")
		}
		head = strings.TrimSpace(headPart[:i])
		reading = strings.TrimSpace(headPart[i+1 : j])
	}
	if head == "" || strings.ContainsAny(head+reading, "\t|") {
		return "", fmt.Errorf("bad headword %q", headPart)
	}

	fields := strings.Split(strings.Trim(line[slash:], "/"), "/")
	m := match{head: head, reading: reading, line: lineNo}
	for _, fld := range fields {
		if strings.TrimSpace(fld) == "(P)" {
			m.priority = true
		}
	}

	type gloss struct {
		text         string
		verb         bool
		sense, index int
	}
	var glosses []gloss
	sense, index := 1, 0
	skip, verb := false, false
	for fi, fld := range fields {
		fld = strings.TrimSpace(fld)
		if fld == "(P)" || strings.HasPrefix(fld, "EntL") {
			continue
		}
		tags, rest := leadingTags(fld)
		newSense := fi == 0
		for _, t := range tags {
			if _, err := strconv.Atoi(t); err == nil {
				if fi > 0 {
					sense++
				}
				newSense = true
			}
		}
		if newSense {
			index = 0
			skip, verb = false, false
		}
		exp, noun := false, false
		for _, t := range tags {
			switch {
			case skipEntryTags[t] && fi == 0:
				return head, nil
			case t == "uk":
				if sense == 1 {
					m.uk = true
				}
			case skipTags[t]:
				skip = true
			case t == "exp":
				exp = true
			case t == "n" || strings.HasPrefix(t, "n-"):
				noun = true
			case isVerbTag(t):
				verb = true
			}
		}
		if exp && !noun {
			skip = true // verb/adjective phrases ("to be lost in thought"): plan prose inflects them
		}
		if skip {
			continue
		}
		glosses = append(glosses, gloss{text: rest, verb: verb, sense: sense, index: index})
		index++
	}

	for _, g := range glosses {
		for i, k := range glossKeys(g.text, g.verb) {
			mm := m
			mm.sense, mm.gloss, mm.derived = g.sense, g.index, i > 0
			byKey[k] = append(byKey[k], mm)
		}
	}
	return head, nil
}

// leadingTags splits "(n,vs) (1) (col) text" into its tag codes
// ["n","vs","1","col"] and the remaining text. Tag braces {comp} count too.
func leadingTags(s string) ([]string, string) {
	var tags []string
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" || (s[0] != '(' && s[0] != '{') {
			return tags, s
		}
		closer := byte(')')
		if s[0] == '{' {
			closer = '}'
		}
		end := strings.IndexByte(s, closer)
		if end < 0 {
			return tags, s
		}
		inner := s[1:end]
		if !isTagList(inner) {
			return tags, s // a parenthetical that is part of the gloss, e.g. "(theatrical) assistant"
		}
		for t := range strings.SplitSeq(inner, ",") {
			tags = append(tags, strings.TrimSuffix(strings.TrimSpace(t), ":"))
		}
		s = s[end+1:]
	}
}

// isTagList reports whether s looks like EDICT codes ("n,vs", "1", "ksb:",
// "P"): comma-separated tokens without spaces.
func isTagList(s string) bool {
	if s == "" || strings.ContainsAny(s, " .") {
		return false
	}
	for t := range strings.SplitSeq(s, ",") {
		if t == "" {
			return false
		}
		for _, r := range t {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == ':') {
				return false
			}
		}
	}
	return true
}

func isVerbTag(t string) bool {
	switch t {
	case "vi", "vt", "vs", "vk", "vz", "vn", "vr", "v-unspec":
		return true
	}
	return len(t) >= 2 && t[0] == 'v' && (t[1] >= '1' && t[1] <= '5' || strings.HasPrefix(t, "vs-") || strings.HasPrefix(t, "vr"))
}

// glossKeys turns one gloss into its lookup keys: the cleaned gloss and,
// for a verb gloss "to X", also "X" (second).
func glossKeys(g string, verb bool) []string {
	g = stripParens(g)
	g = strings.ToLower(strings.Join(strings.Fields(g), " "))
	for _, art := range []string{"a ", "an ", "the "} {
		if strings.HasPrefix(g, art) {
			g = g[len(art):]
			break
		}
	}
	if !validKey(g) {
		return nil
	}
	keys := []string{g}
	if verb && strings.HasPrefix(g, "to ") {
		if bare := g[3:]; validKey(bare) {
			keys = append(keys, bare)
		}
	}
	// A two-word noun gloss ("public finance") also answers its head noun
	// ("finance"), ranked after the entries glossed by the word itself.
	if !verb && strings.Count(g, " ") == 1 {
		if head := g[strings.IndexByte(g, ' ')+1:]; len(head) > 3 && validKey(head) {
			keys = append(keys, head)
		}
	}
	return keys
}

// stripParens removes (...) and {...} groups, nested or not.
func stripParens(s string) string {
	if !strings.ContainsAny(s, "({") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '{':
			depth++
			b.WriteByte(' ')
		case ')', '}':
			if depth > 0 {
				depth--
			}
			b.WriteByte(' ')
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// placeholders are the dictionary's stand-in words ("to make somebody
// believe", "breaking one's ties"): a phrase containing one is an
// explanation, not something a question would contain.
var placeholders = map[string]bool{
	"one's": true, "oneself": true, "someone": true, "someone's": true,
	"somebody": true, "somebody's": true, "something": true, "something's": true,
}

// validKey: 1–4 words of ASCII letters, digits, hyphens and apostrophes,
// each word starting with a letter or digit; multi-word keys must not
// contain placeholders.
func validKey(k string) bool {
	if k == "" {
		return false
	}
	words := strings.Split(k, " ")
	if len(words) > 4 {
		return false
	}
	for _, w := range words {
		if w == "" || !isAlnum(w[0]) || len(words) > 1 && placeholders[w] {
			return false
		}
		for i := 0; i < len(w); i++ {
			if c := w[i]; !isAlnum(c) && c != '-' && c != '\'' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// rankValues orders the Japanese forms for one key: (P) entries first; then
// direct glosses before "to VERB"-stripped ones; then by sense number and
// gloss position; then by how many other headwords contain the headword;
// then file order. The written forms (the kana reading for (uk) words,
// otherwise the headword) come first, then the other form of each entry:
// the kanji headword of (uk) words, and the kana reading of (P) entries (of
// all entries with allReadings). Duplicates, and ・-spellings whose
// undotted form is also present, are removed; at most maxValues.
func rankValues(ms []match, maxValues int, allReadings bool) []string {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b match) int {
		return cmp.Or(
			cmpBool(a.priority, b.priority),
			cmpBool(!a.derived, !b.derived),
			cmp.Compare(a.sense, b.sense),
			cmp.Compare(a.gloss, b.gloss),
			cmp.Compare(b.compounds, a.compounds),
			cmp.Compare(a.line, b.line),
		)
	})
	// A katakana form with a middle dot (ハザード・マップ) is dropped when
	// the same form without it (ハザードマップ) is also a candidate.
	cand := map[string]bool{}
	for _, m := range ms {
		cand[m.head] = true
		cand[m.reading] = true
	}
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if strings.Contains(v, "・") && cand[strings.ReplaceAll(v, "・", "")] {
			return
		}
		if v != "" && !seen[v] && len(out) < maxValues {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, m := range ms {
		if m.uk && m.reading != "" {
			add(m.reading)
		} else {
			add(m.head)
		}
	}
	for _, m := range ms {
		switch {
		case m.uk && m.reading != "":
			add(m.head)
		case m.priority || allReadings:
			add(m.reading)
		}
	}
	return out
}

// cmpBool orders true before false.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// ---------------------------------------------------------------- Sudachi

// sudachiGroup mirrors index.d.ts of sudachi-synonyms-dictionary.
type sudachiGroup struct {
	ID    string `json:"id"`
	Items []struct {
		TaigenYogen      string   `json:"taigenYogen"`
		ExpandControl    int      `json:"expandControl"`
		VocabularyNumber *int     `json:"vocabularyNumber"`
		GokeiSyubetsu    string   `json:"gokeiSyubetsu"` // 代表語 対訳 別称 旧称 間違い(誤用) 未定義
		Ryakusyou        string   `json:"ryakusyou"`     // 代表語形 略語・略称/アルファベット 略語・略称 未定義
		HyoukiYure       string   `json:"hyoukiYure"`    // 代表表記 アルファベット表記 異表記・表記ゆれ 間違い表記 未定義
		Bunya            []string `json:"bunya"`
		Midashi          string   `json:"midashi"`
	} `json:"items"`
}

func buildSynonyms(path string, keepOneWay bool) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var groups []sudachiGroup
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&groups); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: trailing data after JSON array", path)
	}

	type idGroup struct {
		id    int
		words []string
	}
	var out []idGroup
	var dropped struct{ oneWay, never, misuse, offensive, small int }
	for _, g := range groups {
		id, err := strconv.Atoi(g.ID)
		if err != nil {
			return nil, fmt.Errorf("%s: group id %q: %w", path, g.ID, err)
		}
		var words []string
		rep := -1
		seen := map[string]bool{}
		for _, it := range g.Items {
			w := strings.TrimSpace(it.Midashi)
			switch {
			case it.ExpandControl == 2: // deletion history / harmful
				dropped.never++
				continue
			case it.ExpandControl == 1 && !keepOneWay: // ambiguous: not a trigger itself
				dropped.oneWay++
				continue
			case it.GokeiSyubetsu == "間違い": // misuse (誤用): wrong meaning, not a variant
				dropped.misuse++
				continue
			case slices.Contains(it.Bunya, "不快"): // offensive
				dropped.offensive++
				continue
			case w == "" || strings.HasPrefix(w, "#") || strings.ContainsAny(w, "\t\r\n"):
				continue
			}
			if seen[w] {
				continue
			}
			seen[w] = true
			if rep < 0 && it.GokeiSyubetsu == "代表語" && it.Ryakusyou == "代表語形" && it.HyoukiYure == "代表表記" {
				rep = len(words)
			}
			words = append(words, w)
		}
		if len(words) < 2 {
			dropped.small++
			continue
		}
		if rep > 0 {
			r := words[rep]
			copy(words[1:rep+1], words[:rep])
			words[0] = r
		}
		out = append(out, idGroup{id, words})
	}
	slices.SortStableFunc(out, func(a, b idGroup) int { return cmp.Compare(a.id, b.id) })

	var buf bytes.Buffer
	for _, g := range out {
		buf.WriteString(strings.Join(g.words, "\t"))
		buf.WriteByte('\n')
	}
	fmt.Fprintf(os.Stderr, "gen: sudachi: %d groups in, %d out; dropped entries: %d one-way (expandControl=1), %d never-expand (2), %d misuse, %d offensive; %d groups left with <2 words\n",
		len(groups), len(out), dropped.oneWay, dropped.never, dropped.misuse, dropped.offensive, dropped.small)
	return buf.Bytes(), nil
}
