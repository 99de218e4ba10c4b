// Admin page: every call carries the token as a bearer; nothing is stored
// beyond this browser tab (sessionStorage).
"use strict";

const $ = (sel) => document.querySelector(sel);
const token = () => sessionStorage.getItem("planbot-admin") || "";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function call(method, path, body, headers) {
  const r = await fetch(path, { method, body, headers: { ...headers, Authorization: "Bearer " + token() } });
  if (r.status === 401) { sessionStorage.removeItem("planbot-admin"); $("#panel").hidden = true; $("#login").hidden = false; }
  return r;
}

async function api(method, path, body, headers) {
  const r = await call(method, path, body, headers);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((data.error || r.statusText) + (data.line ? ` (line ${data.line})` : ""));
  return data;
}

// chart puts the server's SVG chart in box. It is parsed as XML, so its
// text (the words residents typed, escaped by the server) stays text.
async function chart(box) {
  const r = await call("GET", "/admin/charts/" + box.dataset.chart);
  const svg = new DOMParser().parseFromString(await r.text(), "image/svg+xml").documentElement;
  if (!r.ok || svg.nodeName !== "svg") {
    box.replaceChildren(el("p", "muted", "グラフを表示できません / cannot show the chart"));
    return;
  }
  box.replaceChildren(document.importNode(svg, true));
}

async function insight() {
  const st = await api("GET", "/admin/stats");
  const sum = (key) => st.days.reduce((n, d) => n + Object.values(d[key]).reduce((a, b) => a + b, 0), 0);
  const out = (o) => st.days.reduce((n, d) => n + (d.outcomes[o] || 0), 0);
  $("#summary").textContent = `質問 ${sum("channels")} 件（回答 ${out("answered")}・候補 ${out("suggested")}・対象外 ${out("not_covered")}） / ` +
    `${sum("channels")} questions (${out("answered")} answered, ${out("suggested")} suggested, ${out("not_covered")} not covered)`;
  await Promise.all([...document.querySelectorAll("[data-chart]")].map(chart));
}

function cell(label, text, cls) {
  const td = el("td", cls, text);
  td.dataset.label = label;
  return td;
}

async function refresh() {
  const st = await api("GET", "/admin/status");
  $("#status").textContent = `${st.title} — 更新日 ${st.updated} — ${st.items} actions` + (st.version ? ` — version ${st.version.id}` : "");
  const vs = await api("GET", "/admin/versions");
  const rows = [];
  for (const v of vs.slice().reverse()) {
    const current = st.version && st.version.id === v.id;
    const tr = el("tr", current ? "current" : "");
    tr.append(cell("版 / version", (current ? "▶ " : "") + v.id + (current ? " （配信中 / served）" : "")),
      cell("更新日 / updated", v.updated), cell("取り組み / actions", String(v.items)),
      cell("読み込み / loaded", new Date(v.loaded_at).toLocaleString()),
      cell("出所 / source", (v.damaged ? `破損 / DAMAGED (${v.damaged}) ` : "") + v.source, v.damaged ? "damaged" : ""));
    const td = el("td");
    if (!current && !v.damaged) {
      const b = el("button", "secondary rollback", "戻す / rollback");
      b.type = "button";
      b.dataset.version = v.id;
      b.addEventListener("click", () => rollback(v));
      td.append(b);
    }
    tr.append(td);
    rows.push(tr);
  }
  $("#versions tbody").replaceChildren(...rows);
  const qs = await api("GET", "/admin/unanswered");
  $("#unanswered").replaceChildren(...qs.map((q) => el("li", "", `${new Date(q.at).toLocaleString()} — ${q.text}`)));
  // Counts are kept by each action's text (its key), so they follow it
  // through reindexes; those of actions no longer in the plan stay stored.
  const fb = await api("GET", "/admin/feedback");
  const items = fb.actions.map((a) => el("li", "",
    `${a.id} [${a.departments.join("・")}] ${a.content.length > 40 ? a.content.slice(0, 40) + "…" : a.content}: 👍 ${a.helpful} / 👎 ${a.not_helpful}`));
  if (fb.other_keys > 0) items.push(el("li", "muted", `ほかに現在の計画にない取り組み ${fb.other_keys} 件の評価を保存しています / counts of ${fb.other_keys} actions no longer in the plan are kept`));
  $("#feedback").replaceChildren(...items);
  await insight().catch((e) => { $("#summary").textContent = "利用状況を読めません / cannot read the statistics: " + e.message; });
}

// rollback asks first: the version is served to everyone at once.
function rollback(v) {
  const d = $("#confirm");
  $("#confirm-text").textContent = `版 ${v.id}（更新日 ${v.updated}、${v.items} 件）に戻しますか？ すぐに全員への回答に使われます。 / ` +
    `Roll back to version ${v.id} (updated ${v.updated}, ${v.items} actions)? It answers everyone at once.`;
  d.returnValue = "";
  d.onclose = () => {
    if (d.returnValue === "ok") run(() => api("POST", "/admin/rollback?version=" + encodeURIComponent(v.id)));
  };
  d.showModal();
}

async function run(req) {
  const out = $("#report");
  out.textContent = "…";
  try {
    const rep = await req();
    out.textContent = `version ${rep.version.id} (${rep.version.items} actions)\n${rep.text}`;
    await refresh();
  } catch (e) {
    out.textContent = "エラー / error: " + e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#login").addEventListener("submit", async (e) => {
    e.preventDefault();
    sessionStorage.setItem("planbot-admin", $("#token").value);
    await open();
  });
  $("#reindex").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = $("#file").files[0];
    if (!f) return;
    // The file as it is: a page or a text, in whatever charset; the
    // browser sends its type and the service reads it.
    run(() => api("POST", "/admin/reindex" + ($("#force").checked ? "?force=1" : ""), f, { "X-Plan-Source": encodeURIComponent("admin page: " + f.name) }));
  });
  $("#reload").addEventListener("click", () =>
    run(() => api("POST", "/admin/reindex?reload=1" + ($("#force").checked ? "&force=1" : ""))));
  if (token()) open();
});

async function open() {
  try {
    await refresh();
    $("#login").hidden = true;
    $("#panel").hidden = false;
  } catch (e) {
    $("#status").textContent = e.message;
    alert("管理トークンが正しくありません / " + e.message);
  }
}
