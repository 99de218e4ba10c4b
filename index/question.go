package index

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Language codes of questions and replies.
const (
	Japanese = "ja"
	English  = "en"
)

// question is a question analysed for search: its content words, each with
// the variants (synonyms, translations) that count as a match.
type question struct {
	raw    string
	norm   string // NFKC, lower case
	lang   string
	kana   bool       // written in kana only: match on readings
	unread int        // kana of a kana question that no word explains
	words  []string   // normalised English words, for English questions
	ms     []morpheme // content words, for Japanese questions (found by reading for kana ones)
	groups []group
}

// terms returns the question's words: English words, or the Japanese
// content words as base forms or as written.
func (q *question) terms(base bool) []string {
	if q.lang == English {
		return q.words
	}
	out := make([]string, len(q.ms))
	for i, m := range q.ms {
		out[i] = m.surface
		if base {
			out[i] = m.base
		}
	}
	return out
}

type group struct {
	word     string
	weight   float64 // importance in the question: idf, lowered for verbs
	variants []variant
}

type variant struct {
	base   string  // morphological term
	folded string  // folded surface, for substring and bigram matching
	boost  float64 // 1 for the word as asked, less for synonyms and translations
}

// Question words and fillers that say nothing about the topic (base forms).
var jaStop = setOf(`担当 担当課 担当部署 担当者 どこ どちら 何処 誰 だれ 窓口 教える 知る 何 なに なん どう どの どれ いつ
	課 部署 係 所管 管轄 場所 方法 やり方 仕方 相談 聞く 質問 問い合わせ 問合せ お問い合わせ する いる ある なる できる 出す
	くれる もらう 欲しい ほしい たい くださる 下さる 願う お願い 思う 言う 行う 関する 件 こと もの ため よう 今 市 相馬 相馬市
	担う 受け持つ 扱う 取り扱う 情報 詳しい 見る 分かる わかる 調べる 探す 連絡 連絡先 やる 行く 来る 良い いい 部 局 室
	について 関して 知りたい 教えて ところ 人 方 どなた 誰か 手続き 申し込み 申込 申し込む 利用 使う 受ける うける
	あと 後 とき 時 場合 際 場 市役所 役所 聞ける ルール 決まり ほう 何か なにか 誰が いま どんな どういう 必要 大丈夫 可能 いくら 幾ら いくつ
	問い合わせ先 先 電話 電話番号 番号 住所 取り組み 取組 取り組む 手段 って もらえる 貰う 貰える いただく いただける 頂く 頂ける
	使い方`)

var enStop = setOf(`who whom whose what which where when why how is are was were be been the a an of in on at to for about
	does do did can could may might i you we my me our your it its this that these those there here department departments
	division section office bureau handles handle handled handling charge responsible responsibility manages manage managed
	deal deals dealing with please tell know want like would should will in-charge person people contact ask asking question
	questions soma hall get find info information any some and or if be by from as up out help someone somebody anyone
	take takes looks look after s city citys our doing done going does tell me want wants need needs
	time times hours open opens opening close closes closed much many cost costs price watch see use uses used using
	i'd i'm i've i'll it's what's where's who's how's that's there's don't doesn't can't won't isn't aren't
	mom mum dad mother father son daughter husband wife her his him she he they them their grandma grandpa
	just moved move near nearby talk start worried worry worries concerned afraid`)

// Words about the asker (family, home) and about the asking (all at once,
// a free place) that say nothing of the topic unless the plan uses them:
// 父が亡くなったので手続きをまとめて相談したい asks about bereavement.
var askerWords = setOf(`私 わたし 僕 俺 自分 家族 親 両親 父 母 父親 母親 子 息子 娘 夫 妻 主人 祖父 祖母 孫 兄 弟 姉 妹
	友人 友達 知人 家 自宅 実家 うち まとめる 一緒 全部 一度 空き 最近 ばあちゃん じいちゃん おばあちゃん おじいちゃん`)

// Procedures one asks to do with a topic (市営住宅の入居, 議会の傍聴): like
// verbs, they weigh less than the topic unless the plan names them.
var actionWords = setOf(`予約 申請 申込 申込み 申し込み 登録 入居 配布 回収 発行 交付 提出 貸出 貸し出し 傍聴 減免 免除
	届出 届け出 変更 更新 解約 受付 受け付け 認定 お知らせ 通知 案内 見学 参加 予定 日程 期限`)

// What one feels about a topic (借金が心配, 市営住宅がぼろぼろ): it weighs
// less than the topic, as a procedure does, and its synonyms (心配: 不安)
// are no topic either, unless the plan names it.
var moodWords = setOf(`心配 困る 気 大変 本当 ひどい 酷い 怖い こわい 嫌 不便 ぼろぼろ ボロボロ`)

var contactWords = setOf(`問い合わせ 問合せ お問い合わせ 問い合わせ先 先 連絡先 連絡 電話 電話番号 番号 住所 窓口 市役所 役所 市 相馬市 担当
	どこ 教える 知る 何 です ます contact phone telephone number address call city hall where office desk enquiry enquiries
	inquiry inquiries the what is of for`)

var contactTriggers = setOf(`問い合わせ 問合せ お問い合わせ 問い合わせ先 連絡先 連絡 電話 電話番号 住所 contact phone telephone address call`)

// Words that, next to a department name, ask what the department does.
var deptWhat = setOf(`電話 電話番号 番号 連絡先 問い合わせ 先 住所 何 なに なん する いる 取り組み 取組 取り組む 仕事 業務 内容 役割 担当 計画 実施 やる 行う 一覧 全部 全て
	すべて 教える 知る what does do doing work works role roles responsibilities tasks task job jobs duties actions plan
	plans all list show the of for about is are handle handles in charge`)

var greetings = setOf(`こんにちは こんばんは おはよう おはようございます はじめまして 初めまして やあ もしもし hello hi hey
	good morning evening afternoon greetings`)

var thanks = setOf(`ありがとう ありがとうございます ありがとうございました どうも サンキュー 感謝 助かる 助かりました thanks
	thank you thx ty 了解 わかりました 分かりました ok okay`)

var helpWords = setOf(`help ヘルプ 使い方 使いかた つかいかた メニュー menu ? ？ usage how to use 何ができる なにができる 何が
	できる できます ますか ですか what can you do`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// detectLang calls a question English when it has Latin letters and no
// Japanese characters.
func detectLang(s string) string {
	latin := false
	for _, r := range s {
		if isJapanese(r) {
			return Japanese
		}
		if r < 128 && unicode.IsLetter(r) {
			latin = true
		}
	}
	if latin {
		return English
	}
	return Japanese
}

func kanaOnly(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana) || r == 'ー':
			n++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return false
		}
	}
	return n > 0
}

// englishWords splits normalised text into lower-case words.
func englishWords(s string) []string {
	ws := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
	}) // hyphens split words; parseEnglish joins them back for EDICT's hyphenated keys
	for i, w := range ws {
		ws[i] = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "'")
	}
	return ws
}

// lemmas returns w and its likely singular or base forms.
func lemmas(w string) []string {
	out := []string{w}
	add := func(s string) {
		if len(s) > 2 {
			out = append(out, s)
		}
	}
	switch {
	case strings.HasSuffix(w, "ies"):
		add(w[:len(w)-3] + "y")
	case strings.HasSuffix(w, "ses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		add(w[:len(w)-2]) // buses, taxes, matches
		add(w[:len(w)-1]) // courses, caches
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		add(w[:len(w)-1])
	case strings.HasSuffix(w, "ion"):
	case strings.HasSuffix(w, "ing"):
		add(w[:len(w)-3])
		add(w[:len(w)-3] + "e")
	case strings.HasSuffix(w, "ed"):
		add(w[:len(w)-2])
		add(w[:len(w)-1])
	}
	// A verb's noun is how plan prose says it (inspect → 点検 via
	// inspection, clean → 清掃 via cleaning).
	for _, l := range slices.Clone(out) {
		if !strings.HasSuffix(l, "ion") && !strings.HasSuffix(l, "ing") && !strings.HasSuffix(l, "s") {
			add(strings.TrimSuffix(l, "e") + "ion")
			add(strings.TrimSuffix(l, "e") + "ing")
		}
	}
	return out
}

// parse analyses a question into weighted word groups.
func (ix *Index) parse(raw string) *question {
	q := &question{raw: raw, norm: normalize(strings.TrimSpace(raw))}
	q.lang = detectLang(q.norm)
	q.kana = kanaOnly(q.norm)
	if q.lang == English {
		q.words = englishWords(q.norm)
		ix.parseEnglish(q)
	} else {
		q.ms, _ = morphemes(q.norm)
		ix.parseJapanese(q)
	}
	return q
}

func (ix *Index) parseJapanese(q *question) {
	if q.kana {
		// The words found by reading are the question's words. A katakana
		// word the readings do not wholly explain is a word as written
		// (テレワーク is not グループワーク's ワーク), matched as in a mixed
		// question, typos and all.
		var words [][]string
		unknown, from := 0, 0
		segment := func(s string) {
			ws, u := ix.parseKana(s)
			words = append(words, ws...)
			unknown += u
		}
		for _, run := range runs(q.norm, isKatakana) {
			w := q.norm[run[0]:run[1]]
			if _, u := ix.parseKana(w); u == 0 {
				continue
			}
			segment(q.norm[from:run[0]])
			words = append(words, []string{w})
			from = run[1]
		}
		segment(q.norm[from:])
		q.ms = q.ms[:0]
		for _, ws := range words {
			q.ms = append(q.ms, morpheme{base: ws[0], surface: ws[0]})
		}
		ix.addWords(q, words)
		q.unread = unknown
		if unknown > 0 {
			q.groups = append(q.groups, group{word: "?", weight: ix.maxIDF() * min(1, float64(unknown)/3)})
		}
		return
	}
	ms := q.ms
	used := make([]bool, len(ms))
	ix.kanaWords(q, used)
	// Compounds first: two or three adjacent words that form a known
	// synonym (学童保育) count as one, as do two joined by の that form one
	// without it when one alone would be a question word (窓口の対応 is
	// 窓口対応; ごみの分別 stays two topics).
	for n := 3; n >= 2; n-- {
		for i := 0; i+n <= len(ms); i++ {
			if anyUsed(used[i : i+n]) {
				continue
			}
			forms := []string{q.norm[ms[i].start:ms[i+n-1].end]}
			if n == 2 && q.norm[ms[i].end:ms[i+1].start] == "の" && (jaStop[ms[i].base] || jaStop[ms[i+1].base]) {
				forms = append(forms, ms[i].surface+ms[i+1].surface)
			}
			for _, surface := range forms {
				if !ix.lex.synonyms.Has(surface) || !isCompact(surface) {
					continue
				}
				if g, ok := ix.wordGroup(surface, surface, 1); ok && len(g.variants) > 1 {
					q.groups = append(q.groups, g)
					for j := i; j < i+n; j++ {
						used[j] = true
					}
					break
				}
			}
		}
	}
	for i, m := range ms {
		unused := ix.dfMorph[m.base] == 0 // asker, mood and action words are such only where the plan lacks them
		if used[i] || jaStop[m.base] || jaStop[m.surface] || askerWords[m.base] && unused {
			continue
		}
		weight := 1.0
		mood := moodWords[m.base] && unused
		if m.verbal || mood || actionWords[m.base] && unused {
			weight = 0.4
		}
		if g, ok := ix.wordGroup(m.base, m.surface, weight); ok {
			if mood {
				g.variants = g.variants[:1]
			}
			q.groups = append(q.groups, g)
		}
	}
}

// kanaWords finds the plan's words that a mixed question writes in kana
// (はざーどまっぷの担当), which kagome splits into nonsense: a kana run that
// segments wholly into known words replaces the morphemes it holds, unless
// kagome found content words there and the plan knows them all. It marks
// the morphemes it replaces used.
func (ix *Index) kanaWords(q *question, used []bool) {
	for _, run := range runs(q.norm, isKana) {
		var in []int
		unknownToPlan := 0
		for i, m := range q.ms {
			if m.start >= run[0] && m.end <= run[1] {
				in = append(in, i)
				if ix.dfMorph[ix.planSpelling(m.base, m.surface)] == 0 { // bigrams say little of two kana
					unknownToPlan++
				}
			}
		}
		if len(in) > 0 && unknownToPlan == 0 || isGrammar(q.norm[run[0]:run[1]]) {
			continue // kagome's words there are the plan's, or grammar (している)
		}
		words, unknown := ix.parseKana(q.norm[run[0]:run[1]])
		if unknown > 0 || len(words) == 0 {
			continue
		}
		for _, i := range in {
			used[i] = true
		}
		ix.addWords(q, words)
	}
}

// asking reports whether a word asks rather than names a topic: a question
// word, or a word of a contact question (市役所, 電話番号).
func asking(w string) bool { return jaStop[w] || contactWords[w] }

// addWords adds the groups of the topic words among words found by their
// readings: one group for the words read alike, any of which may be meant.
func (ix *Index) addWords(q *question, words [][]string) {
	for _, ws := range words {
		if asking(ws[0]) {
			continue
		}
		g, _ := ix.wordGroup(ws[0], ws[0], 1)
		for _, w := range ws[1:] {
			h, _ := ix.wordGroup(w, w, 1)
			for _, v := range h.variants {
				if !slices.ContainsFunc(g.variants, func(x variant) bool { return x.base == v.base }) {
					g.variants = append(g.variants, v)
				}
			}
			g.weight = max(g.weight, h.weight)
		}
		q.groups = append(q.groups, g)
	}
}

// runs returns the byte ranges of the runs of at least three kana of a
// kind (isKana, isKatakana) in s; long-vowel marks belong to any run.
func runs(s string, kind func(rune) bool) [][2]int {
	var out [][2]int
	start, n := -1, 0
	for i, r := range s + "." {
		if kind(r) || r == 'ー' {
			if start < 0 {
				start, n = i, 0
			}
			n++
			continue
		}
		if start >= 0 && n >= 3 {
			out = append(out, [2]int{start, i})
		}
		start = -1
	}
	return out
}

func anyUsed(bs []bool) bool {
	for _, b := range bs {
		if b {
			return true
		}
	}
	return false
}

// isCompact reports whether s has no spaces or punctuation inside.
func isCompact(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// wordGroup makes the group of a Japanese word: the word itself and those
// of its synonyms that the plan uses.
func (ix *Index) wordGroup(base, surface string, weight float64) (group, bool) {
	g := group{word: surface}
	best := 0
	addVariant := func(b, s string, boost float64) {
		f := fold(s)
		for _, v := range g.variants {
			if v.base == b || v.folded == f {
				return
			}
		}
		df, ok := ix.known(b, f)
		if boost < 1 && !ok {
			return // a synonym the plan never uses adds nothing
		}
		if ok && (best == 0 || df < best) {
			best = df
		}
		g.variants = append(g.variants, variant{base: b, folded: f, boost: boost})
	}
	addVariant(ix.planSpelling(base, surface), surface, 1)
	for _, k := range dedupe([]string{base, surface}) {
		for _, s := range ix.lex.synonyms.Get(k) {
			addVariant(s, s, 0.7)
		}
	}
	if best == 0 {
		g.weight = ix.maxIDF() * weight
	} else {
		g.weight = ix.idf(best) * weight
	}
	return g, true
}

// planSpelling returns the plan's base form for a word the question writes
// in the other kana (the plan's ごみ for ゴミ): kagome gives each script its
// own base form, and the question's would match no term of the index.
func (ix *Index) planSpelling(base, surface string) string {
	f := fold(surface)
	if ix.dfMorph[base] > 0 || !isAllKana(f) {
		return base
	}
	for _, w := range ix.readings[f] {
		if fold(w) == f && ix.dfMorph[w] > 0 {
			return w
		}
	}
	return base
}

func (ix *Index) parseEnglish(q *question) {
	ws := q.words
	tries := 0 // spelling corrections tried: they cost, and a question has few typos
	for i := 0; i < len(ws); {
		found := false
		for n := min(4, len(ws)-i); n >= 1 && !found; n-- {
			if enStop[ws[i+n-1]] && (n == 1 || enStop[ws[i]]) {
				continue // a phrase may end in a question word (civic hall), not be one
			}
			var phrases []string
			for _, last := range lemmas(ws[i+n-1]) {
				words := append(slices.Clone(ws[i:i+n-1]), last)
				phrases = append(phrases, strings.Join(words, " "))
				if n > 1 {
					phrases = append(phrases, strings.Join(words, "-")) // long-term
				}
			}
			g, ok := ix.translate(phrases)
			if n == 1 && !enStop[ws[i]] {
				// Plan words written in Latin letters (RST, BCP, AI) match as they are.
				if df, known := ix.known(ws[i], fold(ws[i])); known && len(ws[i]) > 1 {
					v := variant{base: ws[i], folded: fold(ws[i]), boost: 1}
					g = group{word: ws[i], weight: ix.idf(df), variants: append([]variant{v}, g.variants...)}
					ok = true
				}
			}
			if ok && n > 1 && !enStop[ws[i+n-1]] && ix.sameAsHead(g, ws[i:i+n]) {
				ok = false // read word by word: "garbage collection" keeps "garbage"
			}
			if ok && (len(g.variants) > 0 || (n == 1 && !enStop[ws[i]])) {
				q.groups = append(q.groups, g)
				i += n
				found = true
			}
		}
		if !found {
			if tries < maxSpell {
				tries++
				if c, ok := ix.spell(ws[i]); ok {
					ws[i] = c // read the word as corrected
					continue
				}
			}
			if !enStop[ws[i]] {
				// A word the plan cannot use: it still counts against coverage.
				q.groups = append(q.groups, group{word: ws[i], weight: ix.maxIDF() * 0.8})
			}
			i++
		}
	}
}

// maxSpell bounds the spelling corrections tried in one question.
const maxSpell = 3

// spell corrects an English word that neither EDICT nor the plan knows
// by one edit (libary → library, garbge → garbage): a deletion, swap,
// substitution or insertion that gives a word EDICT translates into the
// plan's words, else one that EDICT or the question words know. Ties go
// to the first in that order, so the same typo always reads the same.
func (ix *Index) spell(w string) (string, bool) {
	if len(w) < 4 || len(w) > 20 || !isASCIIWord(w) || ix.inEDICT(w) {
		return "", false
	}
	if _, known := ix.known(w, fold(w)); known {
		return "", false
	}
	var cands []string
	for i := range len(w) {
		cands = append(cands, w[:i]+w[i+1:])
	}
	for i := 0; i+1 < len(w); i++ {
		cands = append(cands, w[:i]+w[i+1:i+2]+w[i:i+1]+w[i+2:])
	}
	for i := range len(w) + 1 {
		for c := byte('a'); c <= 'z'; c++ {
			if i < len(w) {
				cands = append(cands, w[:i]+string(c)+w[i+1:])
			}
			cands = append(cands, w[:i]+string(c)+w[i:])
		}
	}
	fallback := ""
	for _, c := range cands {
		if c == w || !enStop[c] && len(ix.lex.enJa.Get(c)) == 0 {
			continue
		}
		if g, ok := ix.translate(lemmas(c)); ok && len(g.variants) > 0 {
			return c, true
		}
		if fallback == "" {
			fallback = c
		}
	}
	return fallback, fallback != ""
}

func (ix *Index) inEDICT(w string) bool {
	return slices.ContainsFunc(lemmas(w), func(l string) bool { return len(ix.lex.enJa.Get(l)) > 0 })
}

func isASCIIWord(w string) bool {
	return !strings.ContainsFunc(w, func(r rune) bool { return r < 'a' || r > 'z' })
}

// sameAsHead reports whether a phrase, translated as g, says no more than
// its words one by one: every plan word of g is also a translation of its
// last word alone, and each other word has plan words of its own (garbage
// collection: 収集, and garbage: ごみ; but generative AI is 生成AI).
func (ix *Index) sameAsHead(g group, phrase []string) bool {
	last := len(phrase) - 1
	h, ok := ix.translate(lemmas(phrase[last]))
	if !ok || len(g.variants) == 0 {
		return false
	}
	for _, v := range g.variants {
		if !slices.ContainsFunc(h.variants, func(w variant) bool { return w.folded == v.folded }) {
			return false
		}
	}
	for _, w := range phrase[:last] {
		if enStop[w] {
			continue
		}
		if m, ok := ix.translate(lemmas(w)); !ok || len(m.variants) == 0 {
			return false
		}
	}
	return true
}

// translate looks an English phrase up in EDICT and the curated synonyms
// and keeps the Japanese words that the current plan uses, so translation
// follows reindexes.
func (ix *Index) translate(phrases []string) (group, bool) {
	var cands []string
	for _, p := range phrases {
		cands = append(cands, ix.lex.enJa.Get(p)...)
		cands = append(cands, ix.lex.synonyms.Get(p)...) // English in the curated table
	}
	if len(cands) == 0 {
		return group{}, false
	}
	g := group{word: phrases[0]}
	best := 0
	add := func(w string, boost float64) {
		f := fold(w)
		if utf8.RuneCountInString(w) < 2 && (boost < 0.9 || ix.dfMorph[w] == 0) {
			return // a one-character synonym is too loose
		}
		for _, v := range g.variants {
			if v.folded == f {
				return
			}
		}
		if df, ok := ix.known(w, f); ok {
			if best == 0 || df < best {
				best = df
			}
			g.variants = append(g.variants, variant{base: w, folded: f, boost: boost})
		}
	}
	for _, c := range cands {
		n := normalize(c)
		add(n, 0.9)
		if stem, ok := strings.CutSuffix(n, "的"); ok {
			add(stem, 0.8) // 財政的 (financial) → 財政
		}
		for _, s := range ix.lex.synonyms.Get(n) {
			add(s, 0.6)
		}
	}
	if len(g.variants) == 0 {
		// EDICT knows the phrase, but the plan uses none of its words.
		g.weight = ix.maxIDF()
		return g, true
	}
	g.weight = ix.idf(best)
	return g, true
}
