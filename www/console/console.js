// The agent console: the case queue of `ordex serve`, worked through its HTTP API.
import { traceTree, stackText } from "./trace-tree.js";
const KINDS = ["payment_declined", "address_invalid", "address_change_requested", "inventory_shortage",
  "carrier_exception", "cancellation_requested", "return_requested", "split_shipment",
  "marketplace_seller_late", "contract_price_dispute", "credit_hold", "customer_message"];
const OUTCOMES = ["recovered", "refunded", "partially_refunded", "reshipped", "replaced", "cancelled",
  "address_corrected", "customer_contacted", "carrier_resolved", "credit_issued", "no_action_needed",
  "duplicate", "other"];

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
let cursor = null;
let selected = null;
let loadToken = 0; // the latest load: answers of superseded loads are dropped
let pages = 0;     // pages shown; live refresh only reloads a queue still on its first page

for (const k of KINDS) $("kind").append(new Option(k.replaceAll("_", " "), k));
$("key").value = localStorage.getItem("ordex-key") ?? "";
$("key").addEventListener("change", () => { localStorage.setItem("ordex-key", $("key").value.trim()); load(true); });
for (const id of ["status", "route", "kind", "tier", "sort"]) $(id).addEventListener("change", () => load(true));
$("assignee").addEventListener("change", () => load(true));
$("refresh").addEventListener("click", () => load(true));
$("more").addEventListener("click", () => load(false));

async function api(path, body) {
  const init = { headers: { authorization: `Bearer ${$("key").value.trim()}` } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((data.errors ?? []).map((e) => e.message).join("; ") || `HTTP ${res.status}`);
  return data;
}

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").className = isError ? "error" : "muted";
}

// "due in 2 h 5 min" / "overdue by 12 min", and its state: due-soon within the hour.
function sla(due, now = Date.now()) {
  const ms = Date.parse(due) - now;
  const mins = Math.round(Math.abs(ms) / 60000);
  const span = mins >= 1440 ? `${Math.floor(mins / 1440)} d ${Math.floor((mins % 1440) / 60)} h` : mins >= 60 ? `${Math.floor(mins / 60)} h ${mins % 60} min` : `${mins} min`;
  if (ms < 0) return { text: `overdue by ${span}`, state: "overdue" };
  return { text: `due in ${span}`, state: ms < 3600000 ? "due-soon" : "" };
}

function slaCell(due) {
  const s = sla(due);
  return `<span class="sla ${s.state}" data-due="${esc(due)}" title="${esc(new Date(due).toLocaleString())}">${esc(s.text)}</span>`;
}

// SLA countdowns move on their own.
setInterval(() => {
  for (const el of document.querySelectorAll(".sla[data-due]")) {
    const s = sla(el.dataset.due);
    el.textContent = s.text;
    el.className = `sla ${s.state}`;
  }
}, 30000);

// An amount in minor units, for people: 18000 USD is $180.00.
function money(minor, currency) {
  if (typeof minor !== "number" || !currency) return String(minor ?? "?");
  try {
    const f = new Intl.NumberFormat(undefined, { style: "currency", currency });
    return f.format(minor / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  } catch { return `${minor} ${currency}`; }
}

// {"open": 1, "resolved": 3} as "1 open, 3 resolved" ("none" when empty).
function counts(m) {
  const parts = Object.entries(m ?? {}).filter(([, n]) => n).map(([k, n]) => `${n} ${k.replaceAll("_", " ")}`);
  return parts.length ? parts.join(", ") : "none";
}

// "3 h ago" / "in 20 min", beside the absolute time.
function when(at) {
  const ms = Date.parse(at) - Date.now();
  if (!Number.isFinite(ms)) return esc(at ?? "");
  const m = Math.round(Math.abs(ms) / 60000);
  const span = m >= 2880 ? `${Math.round(m / 1440)} d` : m >= 120 ? `${Math.round(m / 60)} h` : `${m} min`;
  return `<span title="${esc(new Date(at).toLocaleString())}">${ms < 0 ? `${span} ago` : `in ${span}`}</span>`;
}

// The event as a person reads it: what happened, the order, the customer,
// and the exception's own fields (amounts with their currency).
function eventSummary(e) {
  if (!e || typeof e !== "object") return "<p class='muted'>none</p>";
  const o = e.order ?? {};
  const cur = o.currency;
  const total = (o.lines ?? []).reduce((s, l) => s + (l.unit_price_minor ?? 0) * (l.quantity ?? 0), o.shipping_minor ?? 0);
  const ex = e.exception ?? {};
  const field = (k, v) => {
    if (v === null || v === undefined || typeof v === "object") return "";
    const shown = k.endsWith("_minor") && typeof v === "number" ? money(v, ex.currency ?? ex.payment?.currency ?? cur) : String(v);
    return `<tr><td class="muted">${esc(k.replace(/_minor$/, "").replaceAll("_", " "))}</td><td>${esc(shown)}</td></tr>`;
  };
  const nested = Object.entries(ex).filter(([, v]) => v && typeof v === "object" && !Array.isArray(v));
  return `<div><b>${esc(String(ex.kind ?? "").replaceAll("_", " "))}</b> · ${when(e.occurred_at)} · event ${esc(e.id)}</div>
    <div>Order <b>${esc(o.id)}</b> (${esc(o.channel ?? "")}) · ${(o.lines ?? []).length} line(s) · ${esc(money(total, cur))} · placed ${when(o.placed_at)}</div>
    ${e.customer ? `<div>Customer <b>${esc(e.customer.id)}</b> · ${esc(e.customer.tier ?? "")}</div>` : ""}
    <table>${Object.entries(ex).map(([k, v]) => (k === "kind" ? "" : field(k, v))).join("")}
    ${nested.map(([name, obj]) => Object.entries(obj).map(([k, v]) => field(`${name} ${k}`, v)).join("")).join("")}</table>`;
}

function caseRow(c) {
  const tr = document.createElement("tr");
  tr.className = "case";
  tr.dataset.id = c.id;
  tr.tabIndex = 0;
  tr.setAttribute("role", "button");
  tr.innerHTML = `<td class="urgency ${esc(c.urgency)}">${esc(c.urgency)}<div class="muted">${c.priority_score}</div></td>
    <td><b>${esc(c.category.replaceAll("_", " "))}</b><div class="muted">${esc(c.order_id)} · ${c.kinds.map((k) => `<span class="tag">${esc(k)}</span>`).join("")}</div>
    <div class="muted">${esc(c.customer_tier ?? "")} ${esc(c.route)}</div></td>
    <td>${c.status === "open" ? slaCell(c.sla_due) : esc(c.status)}</td><td>${esc(c.assignee ?? "—")}</td>`;
  tr.addEventListener("click", () => show(c.id));
  tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); show(c.id); } });
  if (c.id === selected) tr.classList.add("selected");
  return tr;
}

// `reset` starts from the first page; rows are replaced only when the
// answer arrives, and an answer to a superseded load is dropped, so
// overlapping loads never duplicate rows.
async function load(reset, quiet = false) {
  const token = ++loadToken;
  const q = new URLSearchParams({ status: $("status").value, sort: $("sort").value, limit: "50" });
  for (const id of ["route", "kind", "tier", "assignee"]) if ($(id).value.trim()) q.set(id, $(id).value.trim());
  if (!reset && cursor) q.set("cursor", cursor);
  try {
    const page = await api(`/v1/cases?${q}`);
    if (token !== loadToken) return;
    const focused = document.activeElement?.closest?.("#rows tr.case")?.dataset.id;
    const rows = page.cases.map(caseRow);
    if (reset) { $("rows").replaceChildren(...rows); pages = 1; } else { $("rows").append(...rows); pages += 1; }
    if (focused) $("rows").querySelector(`tr[data-id="${focused}"]`)?.focus();
    cursor = page.next_cursor;
    $("more").hidden = !cursor;
    $("live").textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (!quiet) say(`${$("rows").children.length} case(s)`);
  } catch (e) { if (token === loadToken) say(e.message, true); }
}

// Live queue: the first page reloads every 20 s while the page is visible
// (`ordex-poll-ms` in localStorage changes the period).
setInterval(() => {
  if ($("key").value && pages <= 1 && document.visibilityState === "visible") load(true, true);
}, Number(localStorage.getItem("ordex-poll-ms")) || 20000);

function actionRow(a) {
  const buttons = [];
  if (a.status === "proposed") buttons.push(`<button data-act="approve" data-id="${a.id}">Approve</button>`);
  if (a.status === "held") buttons.push(`<button data-act="approve" data-id="${a.id}" title="Do not wait for the incident">Release now</button>`);
  if (a.status === "proposed" || a.status === "pending" || a.status === "held") buttons.push(`<button data-act="cancel" data-id="${a.id}">Cancel</button>`);
  if (a.status === "dead") buttons.push(`<button data-act="redeliver" data-id="${a.id}">Redeliver</button>`);
  return `<tr><td><b>${esc(a.type)}</b><div class="muted">${esc(a.idempotency_key)}</div></td><td>${esc(a.status)}${a.last_error ? `<div class="error">${esc(a.last_error)}</div>` : ""}</td>
    <td>${esc(new Date(a.due_at).toLocaleString())}</td><td>${buttons.join(" ")}</td></tr>`;
}

async function show(id) {
  selected = id;
  for (const tr of $("rows").children) tr.classList.toggle("selected", tr.dataset.id == id);
  try {
    const c = await api(`/v1/cases/${id}`);
    const d = c.decision?.answer?.ok;
    const errors = c.decision?.answer?.errors;
    // Actions not yet delivered: resolving the case cancels them unless kept.
    const undelivered = c.actions.filter((a) => ["proposed", "pending", "held"].includes(a.status));
    const reasons = (d?.reasons ?? []).map((r) => `<li>${esc(r.message)} <span class="muted">(${esc(r.rule)})</span></li>`).join("");
    $("detail").innerHTML = `
      <section><h2>Case ${c.id}: ${esc(c.category.replaceAll("_", " "))}</h2>
        <div><span class="urgency ${esc(c.urgency)}">${esc(c.urgency)}</span> · priority ${c.priority_score} · ${esc(c.route)} · ${esc(c.status)}${c.outcome ? ` (${esc(c.outcome)})` : ""}</div>
        <div class="muted">Order ${esc(c.order_id)} · SLA due ${esc(new Date(c.sla_due).toLocaleString())} · assignee ${esc(c.assignee ?? "none")}</div>
        ${c.incident_id ? `<div class="incident-link">Part of incident ${c.incident_id} (see the banner above)</div>` : ""}</section>
      <section><h3>Decision</h3>${d ? `<div>${esc(d.workflow)} <span class="muted">by bundle ${esc(d.bundle_id.slice(0, 19))}…</span></div><ul>${reasons}</ul>` : `<div class="error">The rules failed: ${esc((errors ?? []).map((e) => e.message).join("; "))}</div>`}
        ${c.decision?.retry_plan?.ok ? `<div class="muted">Retry plan: ${esc((c.decision.retry_plan.ok.next_attempts ?? []).join(", ") || "no retry")}; ${esc((c.decision.retry_plan.ok.compliance_notes ?? []).join("; "))}</div>` : ""}
        ${c.decision?.call ? `<div class="row"><button id="why">Why? Replay with a trace</button></div><div id="why-out"></div>` : ""}</section>
      <section><h3>Actions</h3><table>${c.actions.map(actionRow).join("") || "<tr><td class='muted'>none</td></tr>"}</table></section>
      <section><h3>Customer</h3>${c.customer ? `<div><b>${esc(c.customer.id)}</b> · ${esc(c.customer.as_reported?.tier ?? "")} · lifetime value ${esc(money(c.customer.as_reported?.lifetime_value_minor, c.customer.as_reported?.currency))} · ${c.customer.orders_with_exceptions} order(s) with exceptions</div>
        <div class="muted">cases: ${esc(counts(c.customer.cases_by_status))} · outcomes: ${esc(counts(c.customer.outcomes))}</div>` : "<span class='muted'>unknown</span>"}</section>
      <section><h3>Order timeline</h3><table>${c.timeline.map((t) => `<tr><td>${esc(new Date(t.occurred_at).toLocaleString())}</td><td>${esc(t.kind)}</td><td class="muted">${esc(t.source)} · case ${t.case_id} · ${esc(t.route)}</td></tr>`).join("")}</table></section>
      <section><h3>Notes</h3>${c.notes.map((n) => `<p><b>${esc(n.author)}</b> <span class="muted">${esc(new Date(n.at).toLocaleString())}</span><br>${esc(n.text)}</p>`).join("") || "<p class='muted'>none</p>"}
        <div class="row"><label>Your name <input id="author" placeholder="you" size="10" value="${esc(localStorage.getItem("ordex-agent") ?? "")}"></label><label>Note <textarea id="note" rows="2" cols="40" placeholder="Add a note"></textarea></label><button id="add-note">Add note</button></div></section>
      ${c.status === "open" ? `<section><h3>Work it</h3><div class="row">
        <button id="take">Assign to me</button>
        <label>Outcome <select id="outcome">${OUTCOMES.map((o) => `<option>${o}</option>`).join("")}</select></label>
        ${undelivered.length ? `<label class="warning"><span><input type="checkbox" id="keep-actions"> keep the ${undelivered.length} undelivered action(s)</span></label>` : ""}
        <button class="primary" id="resolve">Resolve</button></div>
        ${undelivered.length ? `<div class="warning" id="resolve-warning">Resolving cancels ${undelivered.map((a) => `${esc(a.type)} (${esc(a.status)})`).join(", ")} unless you keep them.</div>` : ""}</section>` : ""}
      <section><h3>Latest event</h3>${eventSummary(c.latest_event)}
        <details><summary>Raw event</summary><pre>${esc(JSON.stringify(c.latest_event, null, 2))}</pre></details></section>`;
    if ($("why")) $("why").onclick = () => why(c.decision, $("why-out"));
    const me = () => { const a = $("author").value.trim(); localStorage.setItem("ordex-agent", a); return a; };
    $("add-note").onclick = async () => {
      try { await api(`/v1/cases/${id}/notes`, { author: me(), text: $("note").value }); say("Note added"); show(id); } catch (e) { say(e.message, true); }
    };
    if ($("take")) $("take").onclick = async () => {
      try { await api(`/v1/cases/${id}/assign`, { assignee: me() || null }); say(`Case ${id} assigned to ${me() || "nobody"}`); show(id); load(true, true); } catch (e) { say(e.message, true); }
    };
    if ($("resolve")) $("resolve").onclick = async () => {
      const keep = Boolean($("keep-actions")?.checked);
      try {
        await api(`/v1/cases/${id}/resolve`, { outcome: $("outcome").value, by: me() || "agent", keep_actions: keep });
        say(`Case ${id} resolved (${$("outcome").value})${undelivered.length ? (keep ? `; ${undelivered.length} action(s) kept` : `; ${undelivered.length} action(s) cancelled`) : ""}`);
        show(id); load(true, true);
      } catch (e) { say(e.message, true); }
    };
    for (const b of $("detail").querySelectorAll("button[data-act]")) {
      b.onclick = async () => {
        try { await api(`/v1/actions/${b.dataset.id}/${b.dataset.act}`, {}); say(`Action ${b.dataset.id}: ${b.dataset.act} done`); show(id); } catch (e) { say(e.message, true); }
      };
    }
  } catch (e) { say(e.message, true); }
}

// ── Why: the decision replayed in this page, with its trace ──────────────────

let wasmReady = null;
const engines = new Map(); // bundle id -> Engine

// The stored call runs again here, on the bundle that decided it, with the
// npm package: the same bundle, input and `now` give the same decision in
// every runtime, so the trace explains the stored answer (and says so when
// it does not match).
async function why(decision, out) {
  out.replaceChildren(document.createTextNode("Replaying…"));
  try {
    wasmReady ??= import("/pkg/web.js").then(async (m) => { await m.default(); return m; });
    const { Engine } = await wasmReady;
    if (!engines.has(decision.bundle_id)) {
      const bundle = await api(`/v1/bundles/${encodeURIComponent(decision.bundle_id)}`);
      engines.set(decision.bundle_id, Engine.fromBundle(bundle));
    }
    const answer = JSON.parse(engines.get(decision.bundle_id).evaluateJson(JSON.stringify({ ...decision.call, trace: true })));
    const same = JSON.stringify(answer.ok ?? answer.errors) === JSON.stringify(decision.answer.ok ?? decision.answer.errors);
    const note = document.createElement("div");
    note.className = same ? "muted" : "error";
    note.textContent = same
      ? `Replayed in this page on bundle ${decision.bundle_id.slice(0, 19)}…: the same decision. What the rules did:`
      : "Replayed in this page, the rules answered differently from the stored decision (was the bundle changed?). What they did now:";
    out.replaceChildren(note);
    for (const e of answer.errors ?? []) {
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = `${e.message}${e.stack ? `\n${stackText(e.stack)}` : ""}`;
      out.append(pre);
    }
    out.append(traceTree(answer.trace));
  } catch (e) {
    out.replaceChildren(Object.assign(document.createElement("div"), { className: "error", textContent: `Could not replay: ${e.message}` }));
  }
}

// ── Incidents: a banner over the queue with each open incident's series ──────

const incidentCharts = new Map();

async function loadIncidents() {
  let list;
  try { list = (await api("/v1/incidents?status=open")).incidents; } catch { return; }
  const box = $("incidents");
  box.hidden = list.length === 0;
  box.replaceChildren();
  for (const i of list) {
    const row = document.createElement("div");
    row.className = "incident";
    row.innerHTML = `<b>Incident ${i.id}: ${esc(i.kind.replaceAll("_", " "))}</b><span>${esc(i.scope)}</span>
      <span class="muted">since ${esc(new Date(i.started_at).toLocaleString())} · ${esc(i.status)}${i.acknowledged_by ? ` by ${esc(i.acknowledged_by)}` : ""} · ${i.cases} case(s)</span>
      <button data-i="chart">Chart</button>${i.status === "open" ? `<button data-i="acknowledge">Acknowledge</button>` : ""}<button data-i="resolve">Resolve</button>`;
    const chart = document.createElement("div");
    chart.className = "chart";
    chart.hidden = !incidentCharts.has(i.id);
    row.querySelector('[data-i="chart"]').onclick = async () => {
      if (incidentCharts.has(i.id)) { incidentCharts.delete(i.id); chart.hidden = true; return; }
      incidentCharts.set(i.id, true);
      chart.hidden = false;
      drawIncident(i.id, chart);
    };
    for (const act of ["acknowledge", "resolve"]) {
      const b = row.querySelector(`[data-i="${act}"]`);
      if (b) b.onclick = async () => {
        const by = localStorage.getItem("ordex-agent") || "agent";
        try { await api(`/v1/incidents/${i.id}/${act}`, { by }); loadIncidents(); load(true); } catch (e) { say(e.message, true); }
      };
    }
    box.append(row, chart);
    if (incidentCharts.has(i.id)) drawIncident(i.id, chart);
  }
}

// The series per bucket, the detector's baseline and score, and the change point.
async function drawIncident(id, el) {
  let d;
  try { d = await api(`/v1/incidents/${id}`); } catch (e) { el.textContent = e.message; return; }
  const pts = d.series ?? d.evidence?.series ?? [];
  const xs = pts.map((p) => Date.parse(p.at) / 1000);
  const counts = pts.map((p) => p.count);
  const base = pts.map((p) => p.baseline);
  const score = pts.map((p) => (d.direction === "down" ? p.down : p.up));
  const change = Date.parse(d.evidence?.change_point ?? d.started_at) / 1000;
  el.replaceChildren();
  const title = document.createElement("div");
  title.className = "muted";
  title.textContent = `${d.metric} ${d.scope}: events per ${d.evidence?.bucket_seconds ?? "?"} s, the detector's baseline, and its score (1 = alarm); the line marks the change point.`;
  el.append(title);
  if (!window.uPlot || xs.length < 2) { el.append(document.createTextNode(xs.length < 2 ? "Not enough buckets yet." : "Chart library not loaded (run scripts/run to fetch uPlot).")); return; }
  const marker = { hooks: { draw: [(u) => {
    const x = u.valToPos(change, "x", true);
    if (!Number.isFinite(x)) return;
    const c = u.ctx;
    c.save(); c.strokeStyle = "#b42318"; c.setLineDash([4, 4]); c.lineWidth = 1.5;
    c.beginPath(); c.moveTo(x, u.bbox.top); c.lineTo(x, u.bbox.top + u.bbox.height); c.stroke(); c.restore();
  }] } };
  new window.uPlot({
    width: Math.min(900, el.clientWidth - 16 || 800), height: 220, plugins: [marker],
    scales: { x: { time: true }, score: { range: [0, 1.05] } },
    series: [{}, { label: "events", stroke: "#2952cc", width: 1.5 }, { label: "baseline", stroke: "#667085", dash: [6, 4] },
      { label: "score", stroke: "#c4320a", scale: "score" }],
    axes: [{}, { label: "events" }, { side: 1, scale: "score", label: "score", grid: { show: false } }],
  }, [xs, counts, base, score], el);
}

if ($("key").value) { loadIncidents(); setInterval(loadIncidents, 30000); }
$("refresh").addEventListener("click", loadIncidents);

// Keyboard: j/k move through the queue (and open), Enter opens the focused
// row, a assigns, n goes to the note, r to the resolve button, w asks why.
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.("input, textarea, select")) return;
  const rows = [...$("rows").children];
  const at = rows.findIndex((r) => r === document.activeElement || r.dataset.id == selected);
  const go = (i) => { const r = rows[Math.max(0, Math.min(rows.length - 1, i))]; if (r) { r.focus(); show(Number(r.dataset.id)); } };
  const keys = {
    j: () => go(at + 1), k: () => go(at < 0 ? 0 : at - 1),
    a: () => $("take")?.click(), n: () => $("note")?.focus(), r: () => $("resolve")?.focus(), w: () => $("why")?.click(),
  };
  if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
});

if ($("key").value) load(true); else say("Enter the API key printed when ordex serve started (ordex-data/api-key).");
