// Web chat: asks /api/ask and renders the answer model as cards.
// All text is inserted with textContent: answers never become markup.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function en(a) { return a.lang === "en"; }

function deptNames(a, m) {
  if (!en(a) || !m.departments_en) return m.departments.join("・");
  return m.departments.map((d, i) => (m.departments_en[i] ? `${m.departments_en[i]} (${d})` : d)).join(", ");
}

function contactLine(a) {
  const c = a.plan.contact || {};
  const p = el("p", "contact");
  p.append((en(a) ? "Contact: " : "お問い合わせ: ") + (c.desk || "") + " ");
  if (c.phone) {
    const tel = el("a", "tel", c.phone);
    tel.href = "tel:" + c.phone;
    p.append(tel);
  }
  return p;
}

function planLine(a) {
  return el("p", "plan", en(a) ? `Source: ${a.plan.title} (updated ${a.plan.updated})` : `出典: ${a.plan.title}（更新日 ${a.plan.updated}）`);
}

// The id of the plan's enquiry desk in a contact answer: no action.
const CONTACT = "contact";

function clip(s, n) {
  const r = Array.from(s);
  return r.length > n ? r.slice(0, n).join("") + "…" : s;
}

// lead is what a.text says before the matches, for answers shown as cards:
// the note on a message too long to read whole, the line saying the
// question asked about two things, a department answer's summary.
function lead(a) {
  let n = a.truncated ? 1 : 0;
  if (a.intent === "department" || (a.intent === "who" && a.topics > 1)) n++;
  return n ? a.text.split("\n").slice(0, n).join("\n").trim() : "";
}

// card shows one action of the plan, with feedback on it. The contact desk
// is no action: it gets the desk, address and phone, and no feedback.
function card(a, m) {
  const c = el("article", "answer-card");
  if (m.id === CONTACT) {
    c.append(el("h2", "dept", deptNames(a, m)), el("p", "message", m.content));
    return c;
  }
  c.append(el("h2", "dept", deptNames(a, m)), el("p", "content", m.content),
    el("p", "path", `${m.policy} › ${m.measure} › ${m.initiative}`), planLine(a));
  const fb = el("div", "feedback");
  for (const [label, helpful] of [[en(a) ? "👍 Helpful" : "👍 役に立った", true], [en(a) ? "👎 Not helpful" : "👎 役に立たなかった", false]]) {
    const b = el("button", "secondary", label);
    b.type = "button";
    b.addEventListener("click", async () => {
      await fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: m.id, helpful }) });
      fb.replaceChildren(el("span", "thanks", en(a) ? "Thank you!" : "ありがとうございました。"));
    });
    fb.append(b);
  }
  c.append(fb);
  return c;
}

// toggle is a button that shows m's card in slot, or hides it again.
function toggle(a, m, cls, text, slot, single) {
  const b = el("button", cls, text);
  b.type = "button";
  b.setAttribute("aria-expanded", "false");
  b.addEventListener("click", () => {
    const open = b.getAttribute("aria-expanded") === "true";
    if (single) {
      for (const o of single.querySelectorAll("[aria-expanded=true]")) o.setAttribute("aria-expanded", "false");
    }
    slot.replaceChildren();
    if (!open) {
      slot.append(card(a, m));
      b.setAttribute("aria-expanded", "true");
    }
  });
  return b;
}

function render(a) {
  const out = $("#results");
  out.replaceChildren();
  const actions = (a.answers || []).filter((m) => m.id !== CONTACT);
  const l = lead(a);
  if (a.intent === "who" && actions.length) {
    // One card, or one for each topic the question asked about.
    if (l) out.append(el("p", "message lead", l));
    const shown = actions.slice(0, Math.max(a.topics || 1, 1));
    for (const m of shown) out.append(card(a, m));
    const rest = actions.slice(shown.length);
    if (rest.length) {
      const more = el("button", "secondary more", en(a) ? `More results (${rest.length})` : `ほかの候補（${rest.length}件）`);
      more.type = "button";
      more.addEventListener("click", () => { more.remove(); for (const m of rest) out.insertBefore(card(a, m), out.lastChild); });
      out.append(more);
    }
    out.append(contactLine(a));
  } else if (a.intent === "department" && actions.length) {
    // The summary, then a line per action that opens its card.
    const c = el("article", "answer-card department");
    c.append(el("p", "message lead", l));
    const list = el("ul", "dept-list");
    for (const m of actions) {
      const li = el("li");
      const slot = el("div", "slot");
      li.append(toggle(a, m, "item", clip(m.content, 60), slot), slot);
      list.append(li);
    }
    c.append(list, planLine(a), contactLine(a));
    out.append(c);
  } else {
    const c = el("article", "answer-card");
    c.append(el("p", "message", a.text));
    const slot = el("div", "slot");
    if (a.intent === "suggest" && (a.suggestions || []).length) {
      // Did you mean: a chip per choice, showing its card below.
      const box = el("div", "chips suggestions");
      for (const m of a.suggestions) {
        if (m.id === CONTACT) continue;
        box.append(toggle(a, m, "chip suggestion", `${deptNames(a, m)}: ${clip(m.content, 24)}`, slot, box));
      }
      c.append(box);
    }
    if (a.intent === "not_covered" || a.intent === "contact" || a.intent === "suggest") c.append(contactLine(a));
    out.append(c, slot);
  }
  chips(a.related || []);
}

function chips(list) {
  const box = $("#chips");
  box.replaceChildren();
  for (const q of list) {
    const b = el("button", "chip", q);
    b.type = "button";
    b.addEventListener("click", () => { $("#q").value = q; ask(q); });
    box.append(b);
  }
}

async function ask(q) {
  const out = $("#results");
  out.replaceChildren(el("p", "plan", "…"));
  try {
    const r = await fetch("/api/ask?q=" + encodeURIComponent(q));
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    render(body);
  } catch (e) {
    out.replaceChildren(el("p", "message error", "エラー / Error: " + e.message));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#ask-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("#q").value.trim();
    if (q) ask(q);
  });
  chips(["ハザードマップの担当は？", "ごみの分別について知りたい", "who handles hazard maps?", "総務課は何をしていますか"]);
  $("#footer").textContent = "planbot — 回答は市の公開した実施計画に基づきます。個人情報は保存しません。";
});
