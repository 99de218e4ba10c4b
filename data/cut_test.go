package data

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// refusedWithLine fails unless err is a *ParseError naming a line.
func refusedWithLine(t *testing.T, what string, p *Plan, err error) {
	t.Helper()
	var pe *ParseError
	switch {
	case err == nil:
		t.Errorf("%s: loaded %d items (last %+v), want refused", what, len(p.Items), p.Items[len(p.Items)-1])
	case !errors.As(err, &pe) || pe.Line == 0:
		t.Errorf("%s: %v, want a *ParseError with a line", what, err)
	case p != nil:
		t.Errorf("%s: a plan with the error %v", what, err)
	}
}

// TestCutText cuts the seed text after every line: every prefix but the
// whole text is refused with a line, never loaded with made-up
// departments.
func TestCutText(t *testing.T) {
	text := string(DefaultText())
	lines := strings.SplitAfter(text, "\n")
	for i := 1; i <= len(lines); i++ {
		prefix := strings.Join(lines[:i], "")
		p, err := ParseSource([]byte(prefix), "")
		if prefix == text || prefix == strings.TrimSuffix(text, "\n") {
			if err != nil {
				t.Errorf("whole text: %v", err)
			}
			continue
		}
		refusedWithLine(t, "cut after line "+strconv.Itoa(i), p, err)
	}
	// Cut anywhere inside a line, too (every 7th byte, and all of the
	// last lines, where the footer is).
	for i := 1; i < len(text)-1; i++ {
		if i%7 != 0 && i < len(text)-600 {
			continue
		}
		p, err := ParseSource([]byte(text[:i]), "")
		refusedWithLine(t, "cut at byte "+strconv.Itoa(i), p, err)
	}
}

// TestCutTextLenient: Parse reads texts without their footer, but a text
// cut after a line still never gets a department or an action that is
// not in the seed: it is refused, or it is the seed's first actions. (Cut
// inside a line, "…周知する。 地域防災" ends in a department Parse cannot
// tell from a new one; ParseSource refuses it for want of the footer.)
func TestCutTextLenient(t *testing.T) {
	text := string(DefaultText())
	seed := Default().Items
	lines := strings.SplitAfter(text, "\n")
	check := func(what string, prefix string) {
		p, err := Parse([]byte(prefix))
		if err != nil {
			return
		}
		for k, it := range p.Items {
			w := seed[k]
			if it.ID != w.ID || it.Initiative != w.Initiative {
				t.Errorf("%s: item %d = %s %s, want %s %s", what, k, it.ID, it.Initiative, w.ID, w.Initiative)
			}
			last := k == len(p.Items)-1
			if it.Content != w.Content && !(last && strings.HasPrefix(w.Content, it.Content)) {
				t.Errorf("%s: item %d content %q", what, k, clip(it.Content))
			}
			for _, d := range it.Departments {
				if !contains(w.Departments, d) {
					t.Errorf("%s: item %s has a made-up department %q (seed: %v)", what, it.ID, d, w.Departments)
				}
			}
		}
	}
	for i := 1; i <= len(lines); i++ {
		check("cut after line "+strconv.Itoa(i), strings.Join(lines[:i], ""))
	}
}

// TestCutPage cuts each fixture page after every line: every prefix but
// the whole page is refused with a line.
func TestCutPage(t *testing.T) {
	for _, f := range []string{"soma-plan.html", "soma-plan-variant.html", "soma-plan-sjis.html"} {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			page := readFixture(t, f)
			lines := strings.SplitAfter(string(page), "\n")
			for i := 1; i <= len(lines); i++ {
				prefix := strings.Join(lines[:i], "")
				for _, ct := range []string{"", "text/html"} {
					if ct != "" && i%10 != 0 {
						continue
					}
					p, err := ParseSource([]byte(prefix), ct)
					if prefix == string(page) || prefix == strings.TrimSuffix(string(page), "\n") {
						if err != nil {
							t.Errorf("whole page: %v", err)
						}
						continue
					}
					refusedWithLine(t, "cut after line "+strconv.Itoa(i)+" "+ct, p, err)
				}
			}
			for i := 1; i < len(page)-1; i += 97 {
				p, err := ParseSource(page[:i], "")
				refusedWithLine(t, "cut at byte "+strconv.Itoa(i), p, err)
			}
			for i := len(page) - 40; i < len(page)-1; i++ {
				p, err := ParseSource(page[:i], "")
				refusedWithLine(t, "cut at byte "+strconv.Itoa(i), p, err)
			}
		})
	}
}
