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

function card(a, m) {
  const c = el("article", "answer-card");
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

function render(a) {
  const out = $("#results");
  out.replaceChildren();
  if (a.intent === "who" || a.intent === "department") {
    const shown = a.intent === "department" ? a.answers : a.answers.slice(0, 1);
    for (const m of shown) out.append(card(a, m));
    const rest = a.answers.slice(shown.length);
    if (rest.length) {
      const more = el("button", "secondary more", en(a) ? `More results (${rest.length})` : `ほかの候補（${rest.length}件）`);
      more.type = "button";
      more.addEventListener("click", () => { more.remove(); for (const m of rest) out.append(card(a, m)); });
      out.append(more);
    }
    out.append(contactLine(a));
  } else {
    const c = el("article", "answer-card");
    c.append(el("p", "message", a.text));
    if (a.intent === "not_covered" || a.intent === "contact") c.append(contactLine(a));
    out.append(c);
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
