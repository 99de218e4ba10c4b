package data

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultPlan(t *testing.T) {
	p, err := Parse(DefaultText())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Items); got != 50 {
		t.Errorf("items = %d, want 50", got)
	}
	if got := len(p.Departments()); got != 29 {
		t.Errorf("departments = %d, want 29: %v", got, p.Departments())
	}
	if p.Title != "第6次行財政改革大綱に基づく実施計画" {
		t.Errorf("title = %q", p.Title)
	}
	want := Contact{Desk: "総務課 行政管理係", Postal: "976-8601", Address: "福島県相馬市中村字北町63-3 市役所庁舎3階", Phone: "0244-37-2120"}
	if p.Contact != want {
		t.Errorf("contact = %+v, want %+v", p.Contact, want)
	}
	if p.Updated != "2023-10-17" {
		t.Errorf("updated = %q", p.Updated)
	}
	first := p.Items[0]
	if first.ID != "1.1.1.1" || first.Departments[0] != "地域防災対策室" ||
		first.Policy != "1 市民参画・市民協働の一層の推進" ||
		first.Measure != "(1)行政情報の積極的開示、市民との共有化" ||
		first.Initiative != "市民が市政に関心を寄せる情報発信の推進" ||
		!strings.Contains(first.Content, "ハザードマップ") {
		t.Errorf("first item = %+v", first)
	}
	multi := map[string][]string{}
	policies := map[string]bool{}
	measures := map[string]bool{}
	initiatives := map[string]bool{}
	for _, it := range p.Items {
		if len(it.Departments) > 1 {
			multi[it.Departments[0]+"…"] = it.Departments
		}
		policies[it.Policy] = true
		measures[it.Policy+it.Measure] = true
		initiatives[it.Policy+it.Measure+it.Initiative] = true
	}
	if len(policies) != 3 || len(measures) != 9 || len(initiatives) != 20 {
		t.Errorf("policies/measures/initiatives = %d/%d/%d, want 3/9/20", len(policies), len(measures), len(initiatives))
	}
	if got := strings.Join(multi["総務課…"], ","); got != "総務課,保健福祉部,教育委員会" {
		t.Errorf("multi-line departments = %q", got)
	}
	if got := strings.Join(multi["中央公民館…"], ","); got != "中央公民館,各地区公民館" {
		t.Errorf("multi-line departments = %q", got)
	}
	if got := p.Items[len(p.Items)-1].ID; got != "3.4.1.3" {
		t.Errorf("last id = %q", got)
	}
	if Default() == nil || len(Default().Items) != 50 {
		t.Error("Default() differs from Parse(DefaultText())")
	}
}

func TestParseTolerant(t *testing.T) {
	text := "\uFEFFタイトル  \r\n\r\n１　方針\r\n（１）施策\r\n取組\r\n実施内容　担当課\r\n道路を直す。\t土木課  \r\n橋を直す。　建設部\r\n下水道課\r\n"
	p, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "タイトル" || len(p.Items) != 2 {
		t.Fatalf("got %+v", p)
	}
	it := p.Items[1]
	if it.ID != "1.1.1.2" || it.Measure != "(1)施策" || it.Content != "橋を直す。" ||
		strings.Join(it.Departments, ",") != "建設部,下水道課" {
		t.Errorf("item = %+v", it)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
	}{
		{"empty", "", 0},
		{"blank", " \n\n", 0},
		{"title only", "タイトル\n", 0},
		{"action outside initiative", "T\n1 方針\n(1)施策\n道路を直す。 土木課\n", 4},
		{"header without rows", "T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n(2)次の施策\n", 5},
		{"header at end", "T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n", 5},
		{"measure before policy", "T\n(1)施策\n取組\n実施内容 担当課\nA B\n", 2},
		{"initiative outside measure", "T\n1 方針\n取組\n実施内容 担当課\nA B\n", 3},
		{"row without department", "T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n道路を直す。 土木課\n橋を直す。\n", 7},
		{"lone header", "T\n実施内容 担当課\n", 2},
		{"invalid utf8", "T\n1 方針\n\xff\n", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tc.line, err)
			}
		})
	}
	if _, err := Parse(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(DefaultText())
	f.Add([]byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA B\nC\n"))
	f.Add([]byte("\uFEFF（１）\r\n実施内容　担当課\r\n"))
	f.Add([]byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n道路を\n直す。\n\n- 3 -\n実施内容 担当課\n総務課、財政課\n更新日:令和元年5月1日\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p *Plan
		var err error
		timed(t, len(b), func() { p, err = Parse(b) })
		checkParsed(t, p, err) // every action has text and a department
	})
}

func TestTables(t *testing.T) {
	groups, err := DefaultSynonyms()
	if err != nil || len(groups) < 20 {
		t.Fatalf("synonyms: %d groups, %v", len(groups), err)
	}
	names, err := DefaultDepartments()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Default().Departments() {
		if names[d] == "" {
			t.Errorf("department %s has no English name", d)
		}
	}
	_, err = ParseSynonyms(strings.NewReader("# c\nごみ\tゴミ\n\n単独\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 4 {
		t.Errorf("lone word: %v", err)
	}
	_, err = ParseDepartments(strings.NewReader("総務課\tGeneral\textra\n"))
	if !errors.As(err, &pe) || pe.Line != 1 {
		t.Errorf("three columns: %v", err)
	}
}

func TestWordClassesAndRewrites(t *testing.T) {
	classes, err := ParseWordClasses(strings.NewReader(string(WordClassesText())))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"ask", "asker", "mood", "procedure", "detail", "contact", "contact-trigger", "dept-what", "en-stop"} {
		if len(classes[c]) == 0 {
			t.Errorf("class %s is empty", c)
		}
	}
	var pe *ParseError
	_, err = ParseWordClasses(strings.NewReader("# c\nask\tどこ 誰\nask どこ\n"))
	if !errors.As(err, &pe) || pe.Line != 3 {
		t.Errorf("no tab: %v", err)
	}
	rules, err := ParseRewrites(strings.NewReader(string(ColloquialText())))
	if err != nil || len(rules) < 10 {
		t.Fatalf("%d rules, %v", len(rules), err)
	}
	if r := rules[0]; r.Pattern.ReplaceAllString(r.Example, r.Replace) == r.Example {
		t.Errorf("rule on line %d leaves its example %q alone", r.Line, r.Example)
	}
	for in, line := range map[string]int{
		"a\tb\tc\td\n# c\n(\tx\tex\tex\n": 3, // a bad pattern
		"\n\na\tb\tc\n":                   3, // three columns
		"a\t\t\tx\n":                      1, // no example
	} {
		_, err := ParseRewrites(strings.NewReader(in))
		if !errors.As(err, &pe) || pe.Line != line {
			t.Errorf("%q: %v, want line %d", in, err, line)
		}
	}
	if _, err := ParseRewrites(strings.NewReader("ぇ+\t\tねぇぇ\tね\n")); err != nil {
		t.Errorf("an empty replacement: %v", err)
	}
}
