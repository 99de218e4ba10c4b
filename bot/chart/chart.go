// Package chart draws the admin page's charts as SVG on the server: stacked
// columns (questions per day) and stacked horizontal bars (feedback per
// action, frequent words). Nothing is fetched or run in the browser: the
// page inlines the SVG, which works offline and under a strict
// Content-Security-Policy.
//
// The SVG has no script and no style element. Colours are presentation
// attributes, so a chart saved on its own looks the same; classes let the
// page's stylesheet restyle it. Every bar has a <title> with its number,
// shown on hover and read by screen readers, and every text is escaped.
package chart

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Series is one colour of a chart: a value for each of its labels.
type Series struct {
	Name   string
	Color  string // a CSS colour, #rrggbb
	Values []int  // aligned with Chart.Labels; missing values are 0
}

// Chart is what is drawn: labels (days, actions, words) and the series
// stacked over them.
type Chart struct {
	Title  string   // the chart's accessible name
	Labels []string // one per column or row, as shown
	// Hints, when set, are aligned with Labels: a longer text for the
	// tooltip of a label's bars (an action's content).
	Hints  []string
	Series []Series
	Empty  string // shown instead of bars when every value is 0
}

// Geometry, in SVG user units: the charts are drawn 400 wide and scaled
// by the page (width: 100%), to about 360 on a phone and 560 at most.
const (
	width    = 400
	font     = 12
	legendH  = 22
	axisW    = 34 // room for the y-axis numbers
	tickH    = 18 // room for the x-axis labels
	rowH     = 22
	rowGap   = 6
	labelMax = 150 // room for the row labels
)

// Columns draws one column per label, its series stacked bottom up, on a
// y axis from 0 to a round number. Labels are shown under the columns as
// room allows (every one of 7 days, every 5th of 30); all are in the
// tooltips.
func (c Chart) Columns() []byte {
	const plotH = 150
	top := c.legendHeight()
	height := top + plotH + tickH
	var b bytes.Buffer
	c.open(&b, height)
	c.legend(&b)
	if c.empty() {
		c.emptyText(&b, top+plotH/2)
		b.WriteString("</svg>\n")
		return b.Bytes()
	}
	totals := c.totals()
	ymax := niceMax(maxOf(totals))
	y0 := float64(top + plotH)
	scale := float64(plotH-font) / float64(ymax) // leave room for the top grid label
	// Grid lines and their numbers: 0, half and the top.
	for i, v := range []int{0, ymax / 2, ymax} {
		if i == 1 && ymax%2 != 0 {
			continue // no half of 1 or 5
		}
		y := y0 - float64(v)*scale
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%s" y2="%s" stroke="#dde3ea"/>`+"\n", axisW, width, num(y), num(y))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%s" text-anchor="end" fill="#5b6776">%d</text>`+"\n", axisW-4, num(y+4), v)
	}
	n := len(c.Labels)
	band := float64(width-axisW) / float64(n)
	barW := band * 0.7
	every := (n + 7) / 8 // at most 8 labels under the axis
	for i, label := range c.Labels {
		x := float64(axisW) + float64(i)*band + (band-barW)/2
		fmt.Fprintf(&b, `<g class="col"><title>%s: %s</title>`+"\n", esc(c.hint(i)), esc(c.breakdown(i)))
		y := y0
		for _, s := range c.Series {
			v := value(s, i)
			if v == 0 {
				continue
			}
			h := float64(v) * scale
			y -= h
			fmt.Fprintf(&b, `<rect class="bar" data-series="%s" data-value="%d" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s %s: %d</title></rect>`+"\n",
				esc(s.Name), v, num(x), num(y), num(barW), num(h), esc(s.Color), esc(label), esc(s.Name), v)
		}
		b.WriteString("</g>\n")
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%s" y="%d" text-anchor="middle" fill="#5b6776">%s</text>`+"\n",
				num(x+barW/2), top+plotH+tickH-4, esc(label))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// Rows draws one horizontal bar per label, its series stacked left to
// right, with the label on the left (shortened to fit; whole in the
// tooltip) and the total at the bar's end.
func (c Chart) Rows() []byte {
	top := c.legendHeight()
	n := len(c.Labels)
	height := top + max(n, 1)*(rowH+rowGap) + rowGap
	var b bytes.Buffer
	c.open(&b, height)
	c.legend(&b)
	if c.empty() {
		c.emptyText(&b, top+rowH)
		b.WriteString("</svg>\n")
		return b.Bytes()
	}
	totals := c.totals()
	barX := labelMax + 8
	scale := float64(width-barX-40) / float64(maxOf(totals)) // 40: room for the total
	for i, label := range c.Labels {
		y := top + rowGap + i*(rowH+rowGap)
		fmt.Fprintf(&b, `<g class="row"><title>%s: %s</title>`+"\n", esc(c.hint(i)), esc(c.breakdown(i)))
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end" fill="#1d2733">%s</text>`+"\n",
			labelMax, y+rowH/2+font/2-2, esc(fit(label, labelMax)))
		x := float64(barX)
		for _, s := range c.Series {
			v := value(s, i)
			if v == 0 {
				continue
			}
			w := float64(v) * scale
			fmt.Fprintf(&b, `<rect class="bar" data-series="%s" data-value="%d" x="%s" y="%d" width="%s" height="%d" fill="%s"><title>%s %s: %d</title></rect>`+"\n",
				esc(s.Name), v, num(x), y, num(w), rowH, esc(s.Color), esc(label), esc(s.Name), v)
			x += w
		}
		fmt.Fprintf(&b, `<text class="total" x="%s" y="%d" fill="#5b6776">%d</text>`+"\n", num(x+4), y+rowH/2+font/2-2, totals[i])
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func (c Chart) open(b *bytes.Buffer, height int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="system-ui, sans-serif" font-size="%d">`+"\n",
		width, height, width, height, esc(c.Title), font)
	fmt.Fprintf(b, "<title>%s</title>\n", esc(c.Title))
}

// legend writes a swatch and the name of each series, wrapping lines.
func (c Chart) legend(b *bytes.Buffer) {
	x, y := 0, 0
	for _, s := range c.Series {
		w := 14 + textWidth(s.Name) + 14
		if x > 0 && x+w > width {
			x, y = 0, y+legendH
		}
		fmt.Fprintf(b, `<g class="legend"><rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" fill="#1d2733">%s</text></g>`+"\n",
			x, y+4, esc(s.Color), x+14, y+13, esc(s.Name))
		x += w
	}
}

func (c Chart) legendHeight() int {
	lines, x := 1, 0
	for _, s := range c.Series {
		w := 14 + textWidth(s.Name) + 14
		if x > 0 && x+w > width {
			lines, x = lines+1, 0
		}
		x += w
	}
	return lines*legendH + 4
}

func (c Chart) emptyText(b *bytes.Buffer, y int) {
	fmt.Fprintf(b, `<text class="empty" x="%d" y="%d" text-anchor="middle" fill="#5b6776">%s</text>`+"\n", width/2, y, esc(c.Empty))
}

func (c Chart) empty() bool { return maxOf(c.totals()) == 0 }

func (c Chart) totals() []int {
	t := make([]int, len(c.Labels))
	for i := range t {
		for _, s := range c.Series {
			t[i] += value(s, i)
		}
	}
	return t
}

func (c Chart) hint(i int) string {
	if i < len(c.Hints) && c.Hints[i] != "" {
		return c.Hints[i]
	}
	return c.Labels[i]
}

// breakdown is a label's numbers for its tooltip: "web 3, line 1".
func (c Chart) breakdown(i int) string {
	parts := make([]string, 0, len(c.Series))
	for _, s := range c.Series {
		parts = append(parts, s.Name+" "+strconv.Itoa(value(s, i)))
	}
	return strings.Join(parts, ", ")
}

func value(s Series, i int) int {
	if i < len(s.Values) && s.Values[i] > 0 {
		return s.Values[i]
	}
	return 0
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// niceMax rounds n up to 1, 2 or 5 times a power of ten, for the y axis.
func niceMax(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// textWidth estimates the width of s at the chart's font size: the
// browser measures the real text, this only has to keep labels apart.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r < 0x1100 {
			w += font * 6 / 10
		} else {
			w += font
		}
	}
	return w
}

// fit shortens s with an ellipsis to about px wide.
func fit(s string, px int) string {
	if textWidth(s) <= px {
		return s
	}
	w := textWidth("…")
	for i, r := range s {
		if w += textWidth(string(r)); w > px {
			return s[:i] + "…"
		}
	}
	return s
}

// esc escapes text for XML: html.EscapeString covers the five characters
// XML needs escaped (its &#39; and &#34; are valid XML); control
// characters, which XML does not allow at all, are dropped.
func esc(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return html.EscapeString(s)
}

// num writes a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
