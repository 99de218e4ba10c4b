// Web chat: asks /api/ask and renders the answer model as cards.
// All text is inserted with textContent: answers never become markup.
//
// The page speaks the language of the last answer (or the one chosen
// with the language button, or the browser's): every label below comes
// in Japanese and English. What the plan says (actions, their place in
// the plan, department and desk names) is quoted as the plan writes it,
// in Japanese, and marked lang="ja".
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// The page's labels, by language.
const T = {
  ja: {
    doc: "相馬市 実施計画 案内 planbot",
    title: "相馬市 実施計画 案内",
    sub: (title) => ["「", ja(title), "」の担当課をお答えします。"],
    question: "質問",
    placeholder: "例: ハザードマップの担当は？",
    ask: "質問する",
    examples: "質問の例",
    related: "関連する質問",
    chips: ["ハザードマップの担当は？", "ごみの分別について知りたい", "総務課は何をしていますか", "この計画の問い合わせ先は？"],
    footer: "planbot — 回答は市が公開した実施計画に基づきます。保存するのは、計画で答えられなかった質問の文面と日時（電話番号・メールアドレス・郵便番号・12桁の番号は伏せ字にして、30日間・最新200件まで）と、評価の集計（二重投票を防ぐため、接続元アドレスを元に戻せない形にして30日間）だけです。氏名や住所は入力しないでください。",
    inCharge: "担当",
    source: (a) => ["出典: ", ja(a.plan.title), `（更新日 ${a.plan.updated}）`],
    more: (n) => `ほかの候補（${n}件）`,
    helpful: "👍 役に立った",
    notHelpful: "👎 役に立たなかった",
    thanks: "ありがとうございました。",
    desk: "この計画についてのお問い合わせ先（計画の窓口）: ",
    phone: "電話: ",
    loading: "回答を探しています…",
    retry: "もう一度",
    errors: {
      busy: "質問が続いたため、少しお待ちください。数秒後にもう一度お試しください。",
      starting: "ただいま準備中です。しばらくしてからもう一度お試しください。",
      long: "質問が長すぎます。短くしてもう一度お試しください。",
      network: "サーバーに接続できませんでした。通信環境を確かめて、もう一度お試しください。",
      other: "エラーが発生しました。しばらくしてからもう一度お試しください。",
      feedback: "送信できませんでした。",
    },
  },
  en: {
    doc: "Soma City plan guide — planbot",
    title: "Soma City plan guide",
    sub: (title) => ["Ask which city division is in charge of an action in Soma City's plan “", ja(title), "”. Questions in Japanese are welcome too."],
    question: "Your question",
    placeholder: "e.g. who handles hazard maps?",
    ask: "Ask",
    examples: "Try asking",
    related: "Related questions",
    chips: ["who handles hazard maps?", "how do I sort my garbage?", "what does the General Affairs Division do?", "who do I contact about the plan?"],
    footer: "planbot — answers come from the plan the city published. Kept: the text and time of questions the plan does not cover (phone numbers, e-mail addresses, postal codes and 12-digit numbers masked; for 30 days, the newest 200) and feedback counts (your address as a one-way hash for 30 days, against double votes). Please do not type your name or address.",
    inCharge: "In charge",
    source: (a) => ["Source: ", ja(a.plan.title), ` (updated ${a.plan.updated})`],
    more: (n) => `More results (${n})`,
    helpful: "👍 Helpful",
    notHelpful: "👎 Not helpful",
    thanks: "Thank you!",
    desk: "The plan's desk, for questions about the plan: ",
    phone: "Phone: ",
    loading: "Looking for the answer…",
    retry: "Try again",
    errors: {
      busy: "Too many questions at once. Please wait a few seconds and try again.",
      starting: "The service is starting up. Please try again shortly.",
      long: "Your question is too long. Please shorten it and try again.",
      network: "Could not reach the service. Check your connection and try again.",
      other: "Something went wrong. Please try again shortly.",
      feedback: "Your feedback could not be sent.",
    },
  },
};

let lang = "ja";
let plan = null; // GET /api/plan: the plan and its desk, in English too
let last = null; // the answer shown, re-framed when the language changes
let planTitle = ""; // the plan's title until /api/plan answers: the page's own

const t = () => T[lang];

// ja is quoted plan text: Japanese whatever the page's language.
function ja(text, tag = "span", cls) {
  const e = el(tag, cls, text);
  e.lang = "ja";
  return e;
}

// JP matches Japanese script: kana, kanji, CJK and full-width punctuation.
const JP = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef";
const JP_RUN = new RegExp(`[${JP}](?:[${JP}\\s\\d()\\-‐–・›.,:!?]*[${JP}])?`, "g");
const hasJapanese = (s) => new RegExp(`[${JP}]`).test(s);

// text is an answer's own text in its language (a.lang); in an English
// one, what it quotes from the plan is marked Japanese.
function text(a, s, tag = "p", cls = "message") {
  const e = el(tag, cls);
  e.lang = a.lang === "en" ? "en" : "ja";
  if (a.lang !== "en") {
    e.textContent = s;
    return e;
  }
  let at = 0;
  for (const m of s.matchAll(JP_RUN)) {
    e.append(s.slice(at, m.index), ja(m[0]));
    at = m.index + m[0].length;
  }
  e.append(s.slice(at));
  return e;
}

// setLang frames the page in l: its labels, the document's lang, and the
// language button, which offers the other one.
function setLang(l) {
  lang = l === "en" ? "en" : "ja";
  document.documentElement.lang = lang;
  document.title = t().doc;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t()[e.dataset.t];
  for (const e of document.querySelectorAll("[data-t-placeholder]")) e.placeholder = t()[e.dataset.tPlaceholder];
  const b = $("#lang");
  b.textContent = lang === "en" ? "日本語" : "English";
  b.lang = lang === "en" ? "ja" : "en";
  b.hidden = false;
  $("#sub").replaceChildren(...t().sub(plan ? plan.title : planTitle));
}

// deptNames are an action's departments: in English framing, the English
// name with the plan's Japanese one after it.
function deptNames(m) {
  const f = document.createDocumentFragment();
  m.departments.forEach((d, i) => {
    if (i) f.append(lang === "en" ? ", " : "・");
    const en = lang === "en" && m.departments_en && m.departments_en[i];
    if (en) f.append(`${en} (`, ja(d), ")");
    else f.append(ja(d));
  });
  return f;
}

// deskName is the plan's desk: in English, its English name (from
// /api/plan, or from the answer when it names the desk's division) with
// the Japanese after it.
function deskName(a) {
  const desk = (a.plan.contact || {}).desk || "";
  let en = "";
  if (lang === "en" && plan && plan.contact && plan.contact.desk === desk) en = plan.desk_en || "";
  if (lang === "en" && !en) {
    // Another plan than /api/plan's (a reindex since the page loaded):
    // the division's name, when the answer gives it.
    const division = desk.split(/\s+/)[0];
    for (const m of [...(a.answers || []), ...(a.suggestions || [])]) {
      const i = m.departments.indexOf(division);
      if (i >= 0 && m.departments_en && m.departments_en[i]) {
        en = m.departments_en[i];
        break;
      }
    }
  }
  const f = document.createDocumentFragment();
  if (en) f.append(`${en} (`, ja(desk), ")");
  else f.append(ja(desk));
  return f;
}

function phoneLink(phone) {
  const tel = el("a", "tel", phone);
  tel.href = "tel:" + phone.replace(/[^\d+]/g, "");
  return tel;
}

// contactLine is the plan's desk: the publisher's desk for questions
// about the plan, not the department in charge, and it says so.
function contactLine(a) {
  const c = a.plan.contact || {};
  const p = el("p", "contact");
  p.append(t().desk, deskName(a));
  if (c.phone) p.append(" ", phoneLink(c.phone));
  return p;
}

function planLine(a) {
  const p = el("p", "plan");
  p.append(...t().source(a));
  return p;
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

// deskCard is the answer to a question for the plan's desk: the desk,
// its address and phone, and no feedback (it is no action).
function deskCard(a) {
  const c = a.plan.contact || {};
  const card = el("article", "answer-card desk");
  const h = el("h2", "dept");
  h.append(deskName(a));
  card.append(el("p", "label", t().desk.replace(/[:：]\s*$/, "")), h);
  if (c.address) card.append(ja(`〒${c.postal || ""} ${c.address}`.trim(), "p", "address"));
  if (c.phone) {
    const p = el("p", "phone", t().phone);
    p.append(phoneLink(c.phone));
    card.append(p);
  }
  return card;
}

async function vote(id, helpful) {
  try {
    const r = await fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id, helpful }) });
    return r.ok ? "" : r.status === 429 ? "busy" : "feedback";
  } catch {
    return "network";
  }
}

// card shows one action of the plan, with feedback on it.
function card(a, m) {
  const c = el("article", "answer-card");
  const h = el("h2", "dept");
  h.append(deptNames(m));
  c.append(el("p", "label", t().inCharge), h, ja(m.content, "p", "content"),
    ja(`${m.policy} › ${m.measure} › ${m.initiative}`, "p", "path"), planLine(a));
  const fb = el("div", "feedback");
  for (const [label, helpful] of [[t().helpful, true], [t().notHelpful, false]]) {
    const b = el("button", "secondary", label);
    b.type = "button";
    b.addEventListener("click", async () => {
      for (const o of fb.querySelectorAll("button")) o.disabled = true;
      const err = await vote(m.id, helpful);
      if (!err) {
        fb.replaceChildren(el("span", "thanks", t().thanks));
        return;
      }
      for (const o of fb.querySelectorAll("button")) o.disabled = false;
      fb.querySelector(".error")?.remove();
      fb.append(el("span", "error", t().errors[err] || t().errors.feedback));
    });
    fb.append(b);
  }
  c.append(fb);
  return c;
}

// toggle is a button that shows m's card in slot, or hides it again;
// within single, one at a time.
function toggle(a, m, cls, content, slot, single) {
  const b = el("button", cls);
  b.append(...content);
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
  last = a;
  const out = $("#results");
  out.replaceChildren();
  const actions = (a.answers || []).filter((m) => m.id !== CONTACT);
  const l = lead(a);
  if (a.intent === "who" && actions.length && a.followup === "more") {
    // "ほかには？": the page of further results the service chose, each a
    // card, under the line saying which of how many they are.
    out.append(text(a, a.text.split("\n")[0], "p", "message lead"));
    for (const m of actions) out.append(card(a, m));
    out.append(contactLine(a));
  } else if (a.intent === "who" && actions.length) {
    // One card, or one for each topic the question asked about; the other
    // results on demand, above the desk, which stays last.
    if (l) out.append(text(a, l, "p", "message lead"));
    const shown = actions.slice(0, Math.max(a.topics || 1, 1));
    for (const m of shown) out.append(card(a, m));
    const rest = actions.slice(shown.length);
    if (rest.length) {
      const extra = el("div", "more-results");
      const more = el("button", "secondary more", t().more(rest.length));
      more.type = "button";
      more.addEventListener("click", () => {
        extra.replaceChildren(...rest.map((m) => card(a, m)));
        more.remove();
        extra.firstChild.tabIndex = -1;
        extra.firstChild.focus();
      });
      out.append(extra, more);
    }
    out.append(contactLine(a));
  } else if (a.intent === "department" && actions.length) {
    // The summary, then a line per action that opens its card.
    const c = el("article", "answer-card department");
    c.append(text(a, l, "p", "message lead"));
    const list = el("ul", "dept-list");
    for (const m of actions) {
      const li = el("li");
      const slot = el("div", "slot");
      li.append(toggle(a, m, "item", [ja(clip(m.content, 60))], slot), slot);
      list.append(li);
    }
    c.append(list, planLine(a), contactLine(a));
    out.append(c);
  } else if (a.intent === "contact") {
    // A follow-up ("電話番号は？") first names who handles the answer before.
    if (a.followup) out.append(text(a, a.text.split("\n")[0], "p", "message lead"));
    out.append(deskCard(a));
  } else {
    const c = el("article", "answer-card");
    const slot = el("div", "slot");
    const choices = (a.suggestions || []).filter((m) => m.id !== CONTACT);
    if (a.intent === "suggest" && choices.length) {
      // Did you mean: the question, then a chip per choice showing its
      // card below, then the desk.
      c.append(text(a, a.text.split("\n")[0]));
      const box = el("div", "chips suggestions");
      for (const m of choices) box.append(toggle(a, m, "chip suggestion", [deptNames(m), ": ", ja(clip(m.content, 24))], slot, box));
      c.append(box);
    } else {
      // A greeting or help lists its examples as chips: its first line is
      // enough.
      const short = (a.intent === "greeting" || a.intent === "help") && (a.related || []).length;
      c.append(text(a, short ? a.text.split("\n")[0] : a.text));
    }
    if (a.intent === "not_covered" || a.intent === "suggest") c.append(contactLine(a));
    out.append(c, slot);
  }
  chips(a.related && a.related.length ? a.related : null);
}

// chips offers questions to ask next: an answer's related questions, or
// the examples of the page's language. An English page asks about a
// topic the plan names in Japanese in English, so that the answer stays
// English.
function chips(related) {
  const box = $("#chips");
  box.replaceChildren();
  $("#chips-label").textContent = related ? t().related : t().examples;
  for (const q of related || t().chips) {
    const b = el("button", "chip");
    b.type = "button";
    let ask = q;
    if (lang === "en" && hasJapanese(q)) {
      b.append("Who is in charge of “", ja(q), "”?");
      ask = `Which division is in charge of "${q}"?`;
    } else {
      b.textContent = q;
    }
    b.addEventListener("click", () => { $("#q").value = ask; send(ask); });
    box.append(b);
  }
}

// langOf is the language a question is evidently in, else the page's.
function langOf(q) {
  if (hasJapanese(q)) return "ja";
  return /[a-z]/i.test(q) ? "en" : lang;
}

// failure shows an error in the page's language, with a way to ask again
// (after the wait the service asked for, when it is busy).
function failure(kind, q, wait) {
  const c = el("article", "answer-card error");
  c.setAttribute("role", "alert");
  c.append(el("p", "message", t().errors[kind] || t().errors.other));
  const b = el("button", "secondary retry", t().retry);
  b.type = "button";
  b.addEventListener("click", () => send(q));
  if (wait > 0) {
    b.disabled = true;
    setTimeout(() => { b.disabled = false; }, wait * 1000);
  }
  c.append(b);
  $("#results").replaceChildren(c);
}

// chatID names this tab's conversation, so that /api/ask answers a
// follow-up ("電話番号は？", "ほかには？") about the tab's last answer: random,
// made afresh with each page load, sent as a header (no cookie, nothing
// stored in the browser).
const chatID = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

async function send(q) {
  setLang(langOf(q));
  const out = $("#results");
  out.replaceChildren(el("p", "plan loading", t().loading));
  let r, body;
  try {
    r = await fetch("/api/ask?q=" + encodeURIComponent(q), { headers: { "X-Planbot-Chat": chatID } });
    body = await r.json().catch(() => null);
  } catch {
    failure("network", q);
    return;
  }
  if (!r.ok || !body) {
    const kind = { 429: "busy", 503: "starting", 413: "long" }[r.status] || "other";
    failure(kind, q, kind === "busy" ? Number(r.headers.get("Retry-After")) || 1 : 0);
    return;
  }
  setLang(body.lang);
  render(body);
  if (plan && (plan.title !== body.plan.title || plan.updated !== body.plan.updated)) {
    // The plan was reindexed since the page loaded: name its desk afresh.
    loadPlan().then(() => { if (last === body) render(body); });
  }
}

async function loadPlan() {
  try {
    const r = await fetch("/api/plan");
    if (r.ok) plan = await r.json();
  } catch {
    // The page works without it: the desk is then named as the plan writes it.
  }
  if (plan) $("#sub").replaceChildren(...t().sub(plan.title));
}

// initialLang is the browser's preferred language of the two.
function initialLang() {
  for (const l of navigator.languages || [navigator.language || ""]) {
    if (/^ja\b/i.test(l)) return "ja";
    if (/^en\b/i.test(l)) return "en";
  }
  return "ja";
}

document.addEventListener("DOMContentLoaded", () => {
  planTitle = $("#plan-title").textContent;
  $("#ask-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("#q").value.trim();
    if (q) send(q);
  });
  $("#lang").addEventListener("click", () => {
    setLang(lang === "en" ? "ja" : "en");
    if (last) render(last);
    else chips(null);
  });
  setLang(initialLang());
  chips(null);
  loadPlan();
});
