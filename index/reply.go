package index

import (
	"fmt"
	"strings"
)

// Stage 6 of the question path: the reply text.

// render writes the reply text of a in the question's language. The text
// starts with the department(s) when there are any.
func (ix *Index) render(a *Answer) string {
	var b strings.Builder
	if a.Truncated {
		if a.Lang == English {
			b.WriteString("(Your message was long: this answers its beginning.)\n")
		} else {
			b.WriteString("（長いメッセージのため、前半の内容にお答えします。）\n")
		}
	}
	en := a.Lang == English
	c := a.Plan.Contact
	desk := strings.TrimSpace(c.Desk + " " + c.Phone)
	source := fmt.Sprintf("出典: %s（更新日 %s）", a.Plan.Title, a.Plan.Updated)
	if en {
		source = fmt.Sprintf("Source: %s (updated %s)", a.Plan.Title, a.Plan.Updated)
	}
	switch a.Intent {
	case IntentWho:
		top := a.Answers[0]
		if a.Topics > 1 {
			if en {
				fmt.Fprintf(&b, "You asked about %d things.\n", a.Topics)
			} else {
				fmt.Fprintf(&b, "%d つのことをお尋ねですね。\n", a.Topics)
			}
			for _, m := range a.Answers[:a.Topics] {
				if en {
					fmt.Fprintf(&b, "・%s: %s\n", ix.deptList(m.Departments, true), m.Content)
				} else {
					fmt.Fprintf(&b, "・%sが担当しています: %s\n", ix.deptList(m.Departments, false), m.Content)
				}
			}
			if rest := a.Answers[a.Topics:]; len(rest) > 0 {
				if en {
					b.WriteString("\nAlso related:\n")
				} else {
					b.WriteString("\n関連する取り組み:\n")
				}
				for _, m := range rest {
					fmt.Fprintf(&b, "・%s: %s\n", ix.deptList(m.Departments, en), clip(m.Content, 40))
				}
			}
			b.WriteString("\n" + source)
			break
		}
		if en {
			fmt.Fprintf(&b, "%s is in charge.\n%s\n(%s)\n", ix.deptList(top.Departments, true), top.Content, top.Path())
		} else {
			fmt.Fprintf(&b, "%sが担当しています。\n%s\n（%s）\n", ix.deptList(top.Departments, false), top.Content, top.Path())
		}
		if len(a.Answers) > 1 {
			if en {
				b.WriteString("\nAlso related:\n")
			} else {
				b.WriteString("\n関連する取り組み:\n")
			}
			for _, m := range a.Answers[1:] {
				fmt.Fprintf(&b, "・%s: %s\n", ix.deptList(m.Departments, en), clip(m.Content, 40))
			}
		}
		b.WriteString("\n" + source)
	case IntentDepartment:
		if en {
			fmt.Fprintf(&b, "%s is in charge of %s in the plan.\n", ix.lex.englishName(a.Department), count(len(a.Answers), "action"))
		} else {
			fmt.Fprintf(&b, "%sの担当は%d件です。\n", a.Department, len(a.Answers))
		}
		for _, m := range a.Answers {
			fmt.Fprintf(&b, "・%s\n", clip(m.Content, 60))
		}
		b.WriteString("\n" + source)
	case IntentContact:
		if c.Desk == "" {
			if en {
				b.WriteString("The plan names no enquiry desk.")
			} else {
				b.WriteString("この計画にはお問い合わせ先が載っていません。")
			}
			break
		}
		if en {
			fmt.Fprintf(&b, "Enquiries about the plan: %s\n〒%s %s\nPhone: %s", ix.deskEN(c.Desk), c.Postal, c.Address, c.Phone)
		} else {
			fmt.Fprintf(&b, "計画についてのお問い合わせ先: %s\n〒%s %s\n電話番号: %s", c.Desk, c.Postal, c.Address, c.Phone)
		}
	case IntentSuggest:
		if en {
			b.WriteString("I am not sure the plan covers that. Did you mean one of these?\n")
		} else {
			b.WriteString("はっきりとは分かりませんでした。もしかして、次のどれかですか？\n")
		}
		for _, m := range a.Suggestions {
			fmt.Fprintf(&b, "・%s: %s\n", ix.deptList(m.Departments, en), clip(m.Content, 40))
		}
		if en {
			fmt.Fprintf(&b, "Otherwise, please ask %s.", ix.deskEN(desk))
		} else {
			fmt.Fprintf(&b, "違う場合は%sへお問い合わせください。", desk)
		}
	case IntentGreeting, IntentHelp:
		if en {
			b.WriteString("Hello! Ask me who handles something in Soma City's plan, e.g. \"who handles hazard maps?\"")
		} else {
			b.WriteString("こんにちは。相馬市の実施計画について、どの課が担当しているかをお答えします。例:「ハザードマップの担当は？」")
		}
		if len(a.Related) > 0 {
			if en {
				b.WriteString("\nYou can also ask: " + strings.Join(a.Related, " / "))
			} else {
				b.WriteString("\nほかに: " + strings.Join(a.Related, " / "))
			}
		}
	case IntentThanks:
		if en {
			b.WriteString("You're welcome. Ask again any time.")
		} else {
			b.WriteString("どういたしまして。またいつでもお尋ねください。")
		}
	case IntentNotCovered:
		if en {
			fmt.Fprintf(&b, "Sorry, the plan (%s) does not cover that. Please ask %s.", a.Plan.Title, ix.deskEN(desk))
		} else {
			fmt.Fprintf(&b, "申し訳ありません。その内容は「%s」には載っていません。%sへお問い合わせください。", a.Plan.Title, desk)
		}
	}
	return b.String()
}

// deskEN writes the desk in English with its Japanese name, which the
// resident will see on the door: "General Affairs Division, Administrative
// Management Section (総務課 行政管理係)".
func (ix *Index) deskEN(desk string) string {
	if en := ix.DeskEnglish(desk); en != "" {
		return en + " (" + desk + ")"
	}
	return desk
}

// DeskEnglish names a desk ("総務課 行政管理係") in English, unit by unit,
// as far as data/departments.tsv names them: "General Affairs Division,
// Administrative Management Section"; "" when it names none.
func (ix *Index) DeskEnglish(desk string) string {
	var out []string
	for _, unit := range strings.Fields(desk) {
		if en := ix.lex.English[unit]; en != "" {
			out = append(out, en)
		}
	}
	return strings.Join(out, ", ")
}

// deptList joins department names; in English each is "English (日本語)".
func (ix *Index) deptList(depts []string, en bool) string {
	if !en {
		return strings.Join(depts, "・")
	}
	names := make([]string, len(depts))
	for i, d := range depts {
		names[i] = ix.lex.englishName(d)
	}
	return strings.Join(names, ", ")
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// count says n things in English: 1 action, 3 actions.
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
