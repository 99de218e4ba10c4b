package chat

import (
	"strings"

	"planbot/index"
)

// Description is what a card says about one action, the same on LINE and
// Slack, in the answer's language: each field is one line, labelled where
// a reader needs the label.
type Description struct {
	Charge string // the department(s) in charge: "担当: 財政課" / "In charge: Finance Division (財政課)"
	Action string // the action, as the plan words it
	Path   string // where it sits: "分類: policy › measure › initiative" / "In the plan: …"
	Plan   string // the plan and its date: "出典: title（更新日 2023-10-17）" / "Source: title (updated 2023-10-17)"
	// Desk is the plan's contact, said to be the desk for questions about
	// the plan (it is the publisher's, not the department's); empty when
	// the plan names none.
	Desk string
}

// Describe is the description of m, an action of the answer a.
func Describe(a index.Answer, m index.Match) Description {
	en := a.Lang == index.English
	d := Description{Action: m.Content}
	if en {
		d.Charge = "In charge: " + Departments(a, m)
		d.Path = "In the plan: " + m.Path()
	} else {
		d.Charge = "担当: " + Departments(a, m)
		d.Path = "分類: " + m.Path()
	}
	d.Plan = Source(a)
	c := a.Plan.Contact
	desk := strings.TrimSpace(c.Desk)
	if en && desk != "" && a.Plan.DeskEN != "" {
		desk = a.Plan.DeskEN + " (" + desk + ")" // the Japanese name is the one on the door
	}
	switch {
	case desk == "":
	case en && c.Phone != "":
		d.Desk = "Questions about the plan: " + desk + ", phone " + c.Phone
	case en:
		d.Desk = "Questions about the plan: " + desk
	case c.Phone != "":
		d.Desk = "計画についてのお問い合わせ: " + desk + "（電話 " + c.Phone + "）"
	default:
		d.Desk = "計画についてのお問い合わせ: " + desk
	}
	return d
}

// Source names a's plan and its date: "出典: title（更新日 2023-10-17）" or
// "Source: title (updated 2023-10-17)".
func Source(a index.Answer) string {
	if a.Lang == index.English {
		return "Source: " + a.Plan.Title + " (updated " + a.Plan.Updated + ")"
	}
	return "出典: " + a.Plan.Title + "（更新日 " + a.Plan.Updated + "）"
}

// Departments names m's departments in a's language: "財政課・税務課", or
// in English "Finance Division (財政課), …" where a name is known.
func Departments(a index.Answer, m index.Match) string {
	if a.Lang != index.English {
		return strings.Join(m.Departments, "・")
	}
	names := make([]string, len(m.Departments))
	for i, d := range m.Departments {
		names[i] = d
		if i < len(m.DepartmentsEN) && m.DepartmentsEN[i] != "" {
			names[i] = m.DepartmentsEN[i] + " (" + d + ")"
		}
	}
	return strings.Join(names, ", ")
}
