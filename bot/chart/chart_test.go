package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"planbot/bot/chart"
)

// node is an element of a parsed chart.
type node struct {
	name  string
	attr  map[string]string
	class string
	text  string // the element's own character data
	title string // its <title> child's text
}

// parse reads an SVG as XML (so it must be well formed) and returns its
// elements in document order.
func parse(t *testing.T, svg []byte) []*node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out, stack []*node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: tk.Name.Local, attr: map[string]string{}}
			for _, a := range tk.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			n.class = n.attr["class"]
			out, stack = append(out, n), append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text += string(tk)
				if top.name == "title" && len(stack) > 1 {
					stack[len(stack)-2].title += string(tk)
				}
			}
		}
	}
	if len(out) == 0 || out[0].name != "svg" {
		t.Fatalf("no svg root:\n%s", svg)
	}
	return out
}

func with(ns []*node, class string) []*node {
	var out []*node
	for _, n := range ns {
		if n.class == class {
			out = append(out, n)
		}
	}
	return out
}

func attrF(t *testing.T, n *node, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr[name], 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, n.attr[name], err)
	}
	return f
}

func TestColumns(t *testing.T) {
	days := make([]string, 30)
	for i := range days {
		days[i] = "12/" + strconv.Itoa(i+1)
	}
	web, line := make([]int, 30), make([]int, 30)
	web[0], web[10], web[29] = 3, 8, 1
	line[10], line[20] = 2, 5
	c := chart.Chart{Title: "questions per day by channel", Labels: days,
		Series: []chart.Series{{Name: "web", Color: "#0b6bcb", Values: web}, {Name: "LINE", Color: "#06c755", Values: line}}}
	ns := parse(t, c.Columns())
	if ns[0].attr["aria-label"] != c.Title || ns[0].attr["role"] != "img" || ns[0].title != c.Title {
		t.Errorf("root: %v %q", ns[0].attr, ns[0].title)
	}
	if cols := with(ns, "col"); len(cols) != 30 || !strings.Contains(cols[10].title, "web 8, LINE 2") {
		t.Errorf("%d columns, the 11th says %q", len(cols), cols[10].title)
	}
	bars := with(ns, "bar")
	if len(bars) != 5 { // one per value above 0
		t.Fatalf("%d bars, want 5", len(bars))
	}
	// The tallest column (10 at 12/11) reaches the same height as its
	// value on the axis: heights are proportional, stacked bottom up.
	var h10 float64
	for _, b := range bars {
		if strings.HasPrefix(b.title, "12/11 ") {
			h10 += attrF(t, b, "height")
		}
		if b.attr["data-series"] == "LINE" && b.attr["data-value"] == "5" && b.title != "12/21 LINE: 5" {
			t.Errorf("bar title %q", b.title)
		}
	}
	h3 := attrF(t, bars[0], "height")
	if r := h10 / h3; r < 3.3 || r > 3.4 {
		t.Errorf("10 is drawn %.2f times as high as 3", r)
	}
	// The web part of 12/11 sits on the axis, LINE's on top of it.
	if web, line := bars[1], bars[2]; attrF(t, line, "y")+attrF(t, line, "height") != attrF(t, web, "y") {
		t.Errorf("not stacked: web y=%v, LINE y=%v h=%v", web.attr["y"], line.attr["y"], line.attr["height"])
	}
	var axis []string
	for _, n := range with(ns, "axis") {
		axis = append(axis, n.text)
	}
	if strings.Join(axis, " ") != "0 5 10" {
		t.Errorf("y axis %v, want 0 5 10", axis)
	}
	if ticks := with(ns, "tick"); len(ticks) != 8 || ticks[0].text != "12/1" {
		t.Errorf("%d day labels", len(ticks))
	}
	if legend := with(ns, "legend"); len(legend) != 2 {
		t.Errorf("%d legend entries", len(legend))
	}
}

func TestRows(t *testing.T) {
	c := chart.Chart{Title: "feedback", Labels: []string{"1.1.1.1 地域防災対策室", "2.3.1.1 総務課", "<script>alert(1)</script>"},
		Hints:  []string{"市民一人一人が水害の危険箇所を認識し", "", ""},
		Series: []chart.Series{{Name: "👍", Color: "#2e7d32", Values: []int{4, 0, 1}}, {Name: "👎", Color: "#c62828", Values: []int{1, 2}}}}
	svg := c.Rows()
	if bytes.Contains(svg, []byte("<script")) {
		t.Fatalf("label not escaped:\n%s", svg)
	}
	ns := parse(t, svg)
	rows := with(ns, "row")
	if len(rows) != 3 || !strings.HasPrefix(rows[0].title, "市民一人一人が") || !strings.Contains(rows[2].title, "<script>") {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	if bars := with(ns, "bar"); len(bars) != 4 {
		t.Errorf("%d bars, want 4", len(bars))
	}
	var totals []string
	for _, n := range with(ns, "total") {
		totals = append(totals, n.text)
	}
	if strings.Join(totals, " ") != "5 2 1" {
		t.Errorf("totals %v", totals)
	}
	// The longest bar is the row with the most votes, and a long label is
	// shortened with an ellipsis.
	long := chart.Chart{Labels: []string{strings.Repeat("とても長い言葉", 10)}, Series: []chart.Series{{Name: "n", Values: []int{1}}}}
	if l := with(parse(t, long.Rows()), "label")[0].text; !strings.HasSuffix(l, "…") || len([]rune(l)) > 20 {
		t.Errorf("long label %q", l)
	}
}

func TestEmptyAndOdd(t *testing.T) {
	c := chart.Chart{Title: "t", Labels: []string{"a", "b"}, Empty: "まだデータがありません / no data yet",
		Series: []chart.Series{{Name: "x", Values: []int{0}}}}
	for _, svg := range [][]byte{c.Columns(), c.Rows()} {
		ns := parse(t, svg)
		if e := with(ns, "empty"); len(e) != 1 || e[0].text != c.Empty || len(with(ns, "bar")) != 0 {
			t.Errorf("empty chart:\n%s", svg)
		}
	}
	// Control characters (not allowed in XML) and invalid UTF-8 in a label
	// leave the SVG well formed.
	odd := chart.Chart{Title: "a\x00b\xff", Labels: []string{"x\x1by"}, Series: []chart.Series{{Name: "n\x07", Values: []int{2}}}}
	parse(t, odd.Columns())
	parse(t, odd.Rows())

	// The y axis reaches a round number: 1 for a single question, 5 for 4.
	for top, want := range map[int]string{1: "0 1", 4: "0 5", 17: "0 10 20", 120: "0 100 200"} {
		c := chart.Chart{Labels: []string{"a"}, Series: []chart.Series{{Name: "n", Values: []int{top}}}}
		var axis []string
		for _, n := range with(parse(t, c.Columns()), "axis") {
			axis = append(axis, n.text)
		}
		if got := strings.Join(axis, " "); got != want {
			t.Errorf("%d: y axis %q, want %q", top, got, want)
		}
	}
}
