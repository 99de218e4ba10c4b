// Package data holds the plan as data: its domain types, the parser for the
// published text, and the embedded default plan with its companion tables.
package data

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
)

// Plan is one published version of the implementation plan.
type Plan struct {
	Title   string  `json:"title"`
	Updated string  `json:"updated"` // 更新日, as YYYY-MM-DD; empty when the text has none
	Contact Contact `json:"contact"`
	Items   []Item  `json:"items"`
}

// Contact is the plan's enquiry desk, from the page footer.
type Contact struct {
	Desk    string `json:"desk"`
	Postal  string `json:"postal,omitempty"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// Item is one action (実施内容) with the departments in charge (担当課) and
// its place in the plan's hierarchy.
type Item struct {
	// ID is policy.measure.initiative.action, numbered from 1 by position.
	ID          string   `json:"id"`
	Departments []string `json:"departments"`
	Content     string   `json:"content"`
	Policy      string   `json:"policy"`     // 基本方針, e.g. "1 市民参画・市民協働の一層の推進"
	Measure     string   `json:"measure"`    // 施策, e.g. "(1)行政情報の積極的開示、市民との共有化"
	Initiative  string   `json:"initiative"` // 取組
	// Line is where the action is in the source: in a text, the line its
	// text starts on; in a page (HTML), the line of its row's <tr> in the
	// page's source. Line numbers count CRLF, LF and CR line ends.
	Line int `json:"line"`
}

// Key identifies an action across versions of the plan, whatever its
// position: a hash of its text with spacing and width normalised.
// Feedback and statistics are kept by it, so a reindex that moves the
// action keeps its counts with it.
func (it Item) Key() string {
	t := strings.Join(strings.Fields(norm.NFKC.String(it.Content)), "")
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:8])
}

// Departments returns the distinct department names of the plan, sorted.
func (p *Plan) Departments() []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range p.Items {
		for _, d := range it.Departments {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ItemsOf returns the items a department is in charge of, in plan order.
func (p *Plan) ItemsOf(dept string) []Item {
	var out []Item
	for _, it := range p.Items {
		for _, d := range it.Departments {
			if d == dept {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

// DefaultFile is the name of the embedded default plan.
const DefaultFile = "soma-gyozaisei-6-jisshi-keikaku.txt"

//go:embed soma-gyozaisei-6-jisshi-keikaku.txt
var defaultText []byte

// DefaultText returns the published plan text embedded in the binary.
func DefaultText() []byte { return defaultText }

// Default returns the embedded plan, parsed once. It panics only if the
// embedded file is broken, which a test rules out.
var Default = sync.OnceValue(func() *Plan {
	p, err := Parse(defaultText)
	if err != nil {
		panic("data: embedded plan: " + err.Error())
	}
	return p
})
