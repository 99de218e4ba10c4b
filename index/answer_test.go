package index

import (
	"slices"
	"strings"
	"testing"
	"time"

	"planbot/data"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"はざーどまっぷ":    "ハザドマツプ",
		"ハザードマップ":    "ハザドマツプ",
		"ﾊｻﾞｰﾄﾞﾏｯﾌﾟ": "ハザドマツプ",
		"ハザ-ドマップ":    "ハザドマツプ",
		"ＬｏＧｏフォーム":   "logoフオム",
	} {
		if got := fold(normalize(in)); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := strings.Join(bigrams("ゴミ、分別"), " "); got != "ゴミ 分別" {
		t.Errorf("bigrams = %q", got)
	}
	if got := strings.Join(bigrams("防災訓練"), " "); got != "防災 災訓 訓練" {
		t.Errorf("bigrams = %q", got)
	}
}

func TestMorphemes(t *testing.T) {
	ms, reading := morphemes(normalize("ごみの分別を徹底する。"))
	var bases []string
	for _, m := range ms {
		bases = append(bases, m.base)
	}
	if got := strings.Join(bases, " "); got != "ごみ 分別 徹底 する" {
		t.Errorf("bases = %q", got)
	}
	if !strings.HasPrefix(reading, "ゴミノ") {
		t.Errorf("reading = %q", reading)
	}
}

func TestIntents(t *testing.T) {
	ix := seed(t)
	for _, tc := range []struct {
		q      string
		intent Intent
		lang   string
		dept   string // first department of the first answer, or the department asked about
	}{
		{"こんにちは", IntentGreeting, Japanese, ""},
		{"hello!", IntentGreeting, English, ""},
		{"ありがとうございました", IntentThanks, Japanese, ""},
		{"thank you", IntentThanks, English, ""},
		{"使い方", IntentHelp, Japanese, ""},
		{"help", IntentHelp, English, ""},
		{"", IntentHelp, Japanese, ""},
		{"問い合わせ先は？", IntentContact, Japanese, "総務課"}, // the desk's department
		{"連絡先", IntentContact, Japanese, "総務課"},      // kagome: 連絡 先
		{"れんらくさき", IntentContact, Japanese, "総務課"},
		{"しやくしょのでんわばんごう", IntentContact, Japanese, "総務課"},
		{"what is the phone number?", IntentContact, English, "総務課"},
		{"question for the plan, which office and adress?", IntentContact, English, "総務課"}, // a typo read as a question word before any word
		{"この実施計画について質問したい。どこに聞けばいいの？", IntentContact, Japanese, "総務課"},                     // the plan itself and where to ask
		{"この実施計画の事務局はどこ？", IntentContact, Japanese, "総務課"},
		{"行財政改革の実施計画の問い合わせ先、電話番号おしえて", IntentContact, Japanese, "総務課"}, // no 財政課 inside 行財政改革
		{"新採向け接遇研修 主管", IntentWho, Japanese, "総務課"},
		{"総務課は何をしていますか", IntentDepartment, Japanese, "総務課"},
		{"教育部総務課の仕事", IntentDepartment, Japanese, "教育部総務課"},
		{"what does the finance division do?", IntentDepartment, English, "財政課"},
		{"ハザードマップの担当は？", IntentWho, Japanese, "地域防災対策室"},
		{"who handles hazard maps?", IntentWho, English, "地域防災対策室"},
		{"今日の天気は？", IntentNotCovered, Japanese, ""},
		// Katakana words the plan lacks, not its グループワーク's ワーク.
		{"テレワーク", IntentNotCovered, Japanese, ""},
		{"ワクチン", IntentNotCovered, Japanese, ""},
		// The asker's family weighs nothing, but the topic still must be the plan's.
		{"妻が妊娠した", IntentNotCovered, Japanese, ""},
		{"娘の結婚式", IntentNotCovered, Japanese, ""},
		// A typo read as its word: passport is still not the plan's.
		{"pasport application", IntentNotCovered, English, ""},
		{"I want to publish my book", IntentNotCovered, English, ""}, // 本 is no word of 本会議 (a prefix)
		{"where can I park my car near my house", IntentNotCovered, English, ""},
		{"I just moved here, how do I join the neighborhood group", IntentWho, English, "総務課"}, // the asker's move says nothing
		{"my mom is worried about the weather", IntentNotCovered, English, ""},                 // the asker and a feeling: nothing left
		// A procedure weighs less, but the topic must still be the plan's.
		{"予防接種の予約", IntentNotCovered, Japanese, ""},
		{"選挙の投票所はどこ", IntentNotCovered, Japanese, ""},
		{"財布を落とした", IntentNotCovered, Japanese, ""}, // お金 is the city's finances, a wallet is not
		{"近所の騒音", IntentNotCovered, Japanese, ""},   // 近所 is 地域, noise is no action's
		{"窓口の受付時間", IntentNotCovered, Japanese, ""},
		{"プラスチック製品の工場", IntentNotCovered, Japanese, ""},
		{"隣の家がうるさくて困る", IntentNotCovered, Japanese, ""}, // a feeling alone is no topic
		{"ペットが心配", IntentNotCovered, Japanese, ""},
		{"心配です", IntentNotCovered, Japanese, ""},       // not 不安 in 判断能力に不安がある高齢者
		{"近くのコンビニはどこ", IntentNotCovered, Japanese, ""}, // not コンビニ納付
		{"交通量が多い", IntentNotCovered, Japanese, ""},
		{"what's the weather tomorrow?", IntentNotCovered, English, ""},
	} {
		a, err := ix.Ask(tc.q)
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		if tc.intent == IntentNotCovered && a.Intent == IntentSuggest && len(a.Answers) == 0 {
			a.Intent = IntentNotCovered // no answer; suggestions at most
		}
		if a.Intent != tc.intent || a.Lang != tc.lang {
			t.Errorf("%q: intent %s lang %s, want %s %s", tc.q, a.Intent, a.Lang, tc.intent, tc.lang)
			continue
		}
		got := a.Department
		if got == "" && len(a.Answers) > 0 {
			got = a.Answers[0].Departments[0]
		}
		if got != tc.dept {
			t.Errorf("%q: department %q, want %q", tc.q, got, tc.dept)
		}
		if a.Plan.Title != data.Default().Title || a.Plan.Updated != "2023-10-17" {
			t.Errorf("%q: plan info %+v", tc.q, a.Plan)
		}
		if a.Text == "" {
			t.Errorf("%q: empty reply text", tc.q)
		}
	}
}

// TestSameQuestion asks questions that differ only in how they are written:
// each must get the answer its plainer twin gets.
func TestSameQuestion(t *testing.T) {
	ix := seed(t)
	for _, tc := range []struct{ q, twin string }{
		{"ゴミ収集", "ごみ収集"}, // the other kana: kagome gives ゴミ its own base form
		{"ゴミの分別", "ごみの分別"},
		{"はざーどまっぷの担当", "ハザードマップの担当"}, // a word in kana beside kanji
		{"ぜいきんの担当", "税金の担当"},
		{"としょかんの読み聞かせ", "図書館の読み聞かせ"},
		{"ハザードマップほしいんだけど", "ハザードマップ"}, // a kana question's grammar
		{"はざーどまっぷはどこでもらえますか", "ハザードマップはどこでもらえますか"},
		{"ぶんべつ", "分別"}, // read フンベツ by kagome, ブンベツ too by the dictionary
		{"ごみのぶんべつ", "ごみの分別"},
		{"こそだてしえん", "子育て支援"}, // kagome's stray する is no request for help
		{"のうぜい", "納税"},
		{"かいごほけん", "介護保険"},                           // read alike: 保健, 保険
		{"ごみのしゅうしゅう", "ごみの収集"},                       // not 議会BCP's 情報収集 by its reading
		{"議会だよりはどこが出している？", "議会だより"},                 // している is grammar, not 指定
		{"成年こうけん", "成年後見"},                           // こう and けん are kana words, not the plan's
		{"きゅうめいこうしゅうはどこでうけられますか", "救命講習はどこで受けられますか"}, // られる is grammar
		{"防災くんれん", "防災訓練"},                           // and くん (来る) れん is none
		{"市民会館を借りる料金を見直して", "市民会館の使用料"},
		{"父が亡くなったので手続きをまとめて相談したい", "おくやみの手続き"}, // the asker's family and "all at once" are not topics
		{"祖母の葬儀の後の手続き", "葬儀の後の手続き"},
		{"自宅で介護している", "介護"},
		{"学童保育に空きはある？", "学童保育について"},
		{"障害のある子の親の相談先", "障がい者の相談先"},      // 障害 is the plan's 障がい
		{"ハザードマップの担当は！？", "ハザードマップの担当は？"}, // punctuation kagome leaves untagged
		{"ゴミ出しのルールが知りたいです！！", "ごみ出し"},
		{"ﾔｸｼｮ行かないでｽﾏﾎから申請できるやつ", "オンライン申請"}, // スマホから holds no ほか; スマホから申請 is スマホ申請
		{"ネットで申請できるの？", "オンライン申請"},
		{"窓口の態度悪すぎ", "窓口の態度"}, // 悪すぎ is an adjective, no thing the plan lacks

		{"市営住宅の入居", "市営住宅"}, // what one does with the topic weighs less
		{"市税の減免", "市税"},
		{"ハザードマップの配布", "ハザードマップ"},
		{"税金の滞納が心配", "市税の未収金"},                       // municipal words: 滞納 is the plan's 未収金
		{"市役所の職員採用試験", "職員の採用"},                      // 市役所 is where one asks, not what about
		{"who handles garbage collection?", "ごみの収集"}, // not EDICT's 収集 alone
		{"civic hall fees", "市民会館の使用料"},              // a phrase may end in a stop word
		{"traffic safety campaign", "交通安全の普及活動"},
		{"Who supports voluntary disaster prevention groups?", "自主防災組織の支援"}, // curated English
		{"disaster manual for district heads", "行政区長の災害対応マニュアル"},
		{"national health insurance checkups", "国保の特定健診"},
		{"use of generative AI", "生成AIの活用"}, // generative says nothing alone
		{"How do I separate recyclables?", "ごみの分別"},
		{"I'd like to watch city council meetings online", "市議会の中継"}, // I'd asks
		{"AEDの使い方を習いたい", "救命講習"},                                     // 使い方 asks
		{"子どもの本の読み聞かせに参加したい", "図書館の読み聞かせ"},                           // a book: the plan's 絵本
		{"体育館の利用料金", "社会教育施設の利用料金"},                                  // a gym is a 社会教育施設
		{"町内で避難訓練をやりたい", "地域の防災訓練"},
		{"認知症の親が心配", "判断能力に不安がある高齢者"},
		{"school playground is broken", "学校の遊具"},
		{"市役所の窓口の対応が悪かった", "職員の接遇"}, // 窓口 alone asks where; 窓口の対応 is 窓口対応
		{"電話の対応が悪い", "職員の接遇"},
		{"新人職員の研修", "新規採用職員への接遇研修"}, // not the digital training of 情報政策課
		{"プラスチックごみの出し方", "ごみの分別"},
		{"空き缶の捨て方", "ごみの分別"},
		{"who publishes the city's financial situation", "市の財政状況の公表"},
		{"hiring of city employees", "職員の採用"},
		{"storytelling for children at the library", "図書館の読み聞かせ"},
		{"市営住宅がぼろぼろ", "市営住宅の管理"}, // what one feels weighs less than the topic
		{"市の借金が増えてないか心配", "地方債"},
		{"心臓マッサージのやり方を習いたい", "救命講習"},
		{"避難場所はどこ？", "ハザードマップ"}, // the hazard maps show them
		{"会社を相馬に移転したい", "企業誘致"},
		{"おばあちゃんに体操を教えてほしい", "骨太けんこう体操"}, // the asker's family
		{"認知症の親の財産管理", "成年後見制度"},
		{"最近ゴミの量が増えて困ってる", "ごみの減量"},
		{"高齢の親が虐待されていないか心配", "高齢者の権利擁護"},
		{"市役所で働きたい", "職員の採用"},
		{"I want to take a CPR class", "救命講習"}, // a class is a 講習, not EDICT's 部門
		{"where do I complain about rude staff", "職員の接遇"},
		{"how is the city's money spent", "歳出の適正化"},
		{"who do I talk to after a family member dies", "おくやみコーナー"},
		{"the city apartment I live in needs repairs", "市営住宅の改修"},
		{"libary reading", "図書館の読み聞かせ"},          // one edit from library
		{"garbge sorting", "ごみの分別"},              // garbage, not garage: the plan's word wins
		{"役所の人の研修", "職員の研修"},                     // the everyday name of the city's staff
		{"新しいITの技術を勉強してる？", "新しいデジタルの技術を勉強してる？"}, // IT among Japanese is no English "it"
	} {
		want, _ := ix.Ask(tc.twin)
		got, _ := ix.Ask(tc.q)
		if top(want) == "" {
			t.Fatalf("%q: %s, no answer or suggestion", tc.twin, want.Intent)
		}
		if got.Intent != want.Intent || top(got) != top(want) {
			t.Errorf("%q: %s %s, want %s %s as for %q", tc.q, got.Intent, top(got), want.Intent, top(want), tc.twin)
		}
	}
}

// TestSameAnswerEveryBuild: a question whose matches tie (ぎょうせいく names
// four actions alike) gets them in the same order from every index built
// from the same plan, whatever order bleve numbered the documents in.
func TestSameAnswerEveryBuild(t *testing.T) {
	lex, err := DefaultLexicon()
	if err != nil {
		t.Fatal(err)
	}
	const q = "ぎょうせいく" // four actions of 総務課 use 行政区
	first, _ := seed(t).Ask(q)
	if len(first.Answers) < 2 || first.Answers[0].Score != first.Answers[1].Score {
		t.Fatalf("%q: %v, want two matches that tie", q, first.Answers)
	}
	for range 8 {
		ix, err := New(data.Default(), lex)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := ix.Ask(q); !slices.Equal(ids(a.Answers), ids(first.Answers)) {
			t.Fatalf("%q: %v, then %v", q, ids(first.Answers), ids(a.Answers))
		}
	}
}

// top is the ID of the first answer, or of the first suggestion.
func top(a Answer) string {
	switch {
	case len(a.Answers) > 0:
		return a.Answers[0].ID
	case len(a.Suggestions) > 0:
		return a.Suggestions[0].ID
	}
	return ""
}

func ids(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestReplyText(t *testing.T) {
	ix := seed(t)
	a, _ := ix.Ask("ハザードマップの担当は？")
	if !strings.HasPrefix(a.Text, "地域防災対策室") || !strings.Contains(a.Text, "更新日 2023-10-17") {
		t.Errorf("ja text: %q", a.Text)
	}
	m := a.Answers[0]
	if m.ID != "1.1.1.1" || m.Policy == "" || m.Measure == "" || m.Initiative == "" || m.Score <= 0 {
		t.Errorf("match: %+v", m)
	}
	a, _ = ix.Ask("who handles hazard maps?")
	if !strings.HasPrefix(a.Text, "Community Disaster Prevention Office (地域防災対策室)") {
		t.Errorf("en text: %q", a.Text)
	}
	a, _ = ix.Ask("今日の天気は？")
	if len(a.Answers) != 0 || !strings.Contains(a.Text, "0244-37-2120") || !strings.Contains(a.Text, "総務課 行政管理係") {
		t.Errorf("not covered: %+v", a)
	}
	a, _ = ix.Ask("税務課の取り組み")
	if a.Intent != IntentDepartment || len(a.Answers) != len(data.Default().ItemsOf("税務課")) {
		t.Errorf("department: %+v", a)
	}
}

// TestTranslationFollowsPlan checks that English words are kept only when
// the current plan uses their Japanese translation: after a reindex with
// new text, new words become answerable without touching the dictionary.
func TestTranslationFollowsPlan(t *testing.T) {
	lex, err := DefaultLexicon()
	if err != nil {
		t.Fatal(err)
	}
	plan := "新しい計画\n1 方針\n(1)施策\n取組\n実施内容 担当課\n公園の清掃活動を支援する。 公園緑地課\n図書館の蔵書を増やす。 図書館\n"
	p, err := data.Parse([]byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := New(p, lex)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ix.Ask("who cleans the park?")
	if len(a.Answers) == 0 || a.Answers[0].Departments[0] != "公園緑地課" {
		t.Errorf("park: %+v", a.Answers)
	}
	a, _ = ix.Ask("hazard map")
	if len(a.Answers) != 0 {
		t.Errorf("hazard map on a plan without it: %+v", a.Answers)
	}
	seedAns, _ := seed(t).Ask("who cleans the park?")
	if len(seedAns.Answers) != 0 {
		t.Errorf("park on the seed plan: %+v", seedAns.Answers)
	}
}

func TestLiveSwap(t *testing.T) {
	var l Live
	if _, err := l.Ask("x"); err != ErrNotReady {
		t.Errorf("empty Live: %v", err)
	}
	ix := seed(t)
	l.Swap(ix)
	if a, err := l.Ask("地方債"); err != nil || len(a.Answers) == 0 {
		t.Errorf("after swap: %v %+v", err, a)
	}
}

// FuzzAsk feeds arbitrary text to the question path: it must answer
// without panicking and in bounded time, and an answer with matches must
// name departments.
func FuzzAsk(f *testing.F) {
	for _, q := range append(benchQuestions, "", "　", "ー", "ｰｰｰ", "\x00", "ﾊｻﾞｰﾄﾞ", "who", "the the the", "総務課総務課", "?!") {
		f.Add(q)
	}
	for _, q := range longQuestions() {
		f.Add(q)
	}
	ix := seed(f)
	f.Fuzz(func(t *testing.T, q string) {
		start := time.Now()
		a, err := ix.answer(q)
		if err != nil {
			t.Fatal(err)
		}
		// A question costs milliseconds (BenchmarkAskLong); a second is a
		// blow-up like the cubic kana scan that once took 12 s.
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%d bytes took %v", len(q), d)
		}
		if a.Text == "" {
			t.Fatalf("%q: empty reply", q)
		}
		for _, m := range a.Answers {
			if len(m.Departments) == 0 {
				t.Fatalf("%q: match without department", q)
			}
		}
	})
}

func TestLemmas(t *testing.T) {
	lex, err := DefaultLexicon()
	if err != nil {
		t.Fatal(err)
	}
	for w, want := range map[string]string{"courses": "course", "buses": "bus", "taxes": "tax", "libraries": "library", "inspects": "inspection",
		"children": "child", "went": "go"} {
		if got := lex.lemmas(w); !slices.Contains(got, want) {
			t.Errorf("lemmas(%q) = %v, want %q among them", w, got, want)
		}
	}
}

// TestMatches: a conversation's actions are found again by ID, in the
// order kept, and those a reindex removed are skipped.
func TestMatches(t *testing.T) {
	ix := seed(t)
	ms := ix.Matches([]string{"2.1.4.1", "9.9.9.9", "1.1.1.1"})
	if len(ms) != 2 || ms[0].ID != "2.1.4.1" || ms[1].ID != "1.1.1.1" || ms[0].Departments[0] != "財政課" || ms[0].DepartmentsEN[0] == "" {
		t.Errorf("matches: %+v", ms)
	}
	if m, ok := ix.Desk(); !ok || m.ID != ContactID || m.Departments[0] != "総務課" || !strings.Contains(m.Content, "0244-37-2120") {
		t.Errorf("desk: %+v %v", m, ok)
	}
}
