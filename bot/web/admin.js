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

async function api(method, path, body, headers) {
  const r = await fetch(path, { method, body, headers: { ...headers, Authorization: "Bearer " + token() } });
  const data = await r.json().catch(() => ({}));
  if (r.status === 401) { sessionStorage.removeItem("planbot-admin"); $("#panel").hidden = true; $("#login").hidden = false; }
  if (!r.ok) throw new Error((data.error || r.statusText) + (data.line ? ` (line ${data.line})` : ""));
  return data;
}

async function refresh() {
  const st = await api("GET", "/admin/status");
  $("#status").textContent = `${st.title} — 更新日 ${st.updated} — ${st.items} actions` + (st.version ? ` — version ${st.version.id}` : "");
  const vs = await api("GET", "/admin/versions");
  const t = $("#versions");
  t.replaceChildren();
  for (const v of vs.slice().reverse()) {
    const tr = el("tr");
    const current = st.version && st.version.id === v.id;
    tr.append(el("td", "", (current ? "▶ " : "") + v.id), el("td", "", v.updated), el("td", "", String(v.items)),
      el("td", "", new Date(v.loaded_at).toLocaleString()), el("td", "", (v.damaged ? `破損 / DAMAGED (${v.damaged}) ` : "") + v.source));
    const td = el("td");
    if (!current && !v.damaged) {
      const b = el("button", "secondary rollback", "戻す / rollback");
      b.type = "button";
      b.addEventListener("click", () => run(() => api("POST", "/admin/rollback?version=" + encodeURIComponent(v.id))));
      td.append(b);
    }
    tr.append(td);
    t.append(tr);
  }
  const qs = await api("GET", "/admin/unanswered");
  $("#unanswered").replaceChildren(...qs.map((q) => el("li", "", `${new Date(q.at).toLocaleString()} — ${q.text}`)));
  // Counts are kept by each action's text (its key), so they follow it
  // through reindexes; those of actions no longer in the plan stay stored.
  const fb = await api("GET", "/admin/feedback");
  const items = fb.actions.map((a) => el("li", "",
    `${a.id} [${a.departments.join("・")}] ${a.content.length > 40 ? a.content.slice(0, 40) + "…" : a.content}: 👍 ${a.helpful} / 👎 ${a.not_helpful}`));
  if (fb.other_keys > 0) items.push(el("li", "muted", `ほかに現在の計画にない取り組み ${fb.other_keys} 件の評価を保存しています / counts of ${fb.other_keys} actions no longer in the plan are kept`));
  $("#feedback").replaceChildren(...items);
}

async function run(call) {
  const out = $("#report");
  out.textContent = "…";
  try {
    const rep = await call();
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
