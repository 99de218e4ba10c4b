package data

import (
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	old, err := Parse([]byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n道路を直す。 土木課\n橋を直す。 土木課\n川を掃除する。 下水道課\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A new first action shifts positions; 橋 changes department; 川 goes.
	new, err := Parse([]byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\n公園を作る。 公園課\n道路を直す。 土木課\n橋を直す。 建設課\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(old, new)
	if len(d.Added) != 1 || len(d.Removed) != 1 || len(d.Changed) != 1 {
		t.Fatalf("diff = %+v", d)
	}
	if d.Added[0].Content != "公園を作る。" || d.Removed[0].Content != "川を掃除する。" ||
		d.Changed[0].Old.Departments[0] != "土木課" || d.Changed[0].New.Departments[0] != "建設課" {
		t.Errorf("diff = %s", d)
	}
	names := []string{}
	for _, dc := range d.Departments {
		names = append(names, dc.Name)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "公園課") || !strings.Contains(got, "下水道課") {
		t.Errorf("departments = %s", got)
	}
	if same := Compare(old, old); !same.Empty() || !strings.Contains(same.String(), "変更なし") {
		t.Errorf("self diff = %+v", same)
	}
	if s := d.String(); !strings.Contains(s, "担当課の変化") {
		t.Errorf("report = %s", s)
	}
}

func TestCompareAddRemove(t *testing.T) {
	a, _ := Parse([]byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA。 甲課\n"))
	b, _ := Parse([]byte("T\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA。 甲課\nB。 乙課\n"))
	if d := Compare(a, b); len(d.Added) != 1 || d.Added[0].Content != "B。" || len(d.Removed)+len(d.Changed) != 0 {
		t.Errorf("add: %+v", d)
	}
	if d := Compare(b, a); len(d.Removed) != 1 || d.Removed[0].Departments[0] != "乙課" {
		t.Errorf("remove: %+v", d)
	}
}
