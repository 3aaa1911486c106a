// The agent console: the case queue of `ordex serve`, worked through its HTTP API.
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

async function load(reset) {
  if (reset) { cursor = null; $("rows").replaceChildren(); }
  const q = new URLSearchParams({ status: $("status").value, sort: $("sort").value, limit: "50" });
  for (const id of ["route", "kind", "tier", "assignee"]) if ($(id).value.trim()) q.set(id, $(id).value.trim());
  if (cursor) q.set("cursor", cursor);
  try {
    const page = await api(`/v1/cases?${q}`);
    for (const c of page.cases) {
      const tr = document.createElement("tr");
      tr.className = "case";
      tr.dataset.id = c.id;
      tr.innerHTML = `<td class="urgency ${esc(c.urgency)}">${esc(c.urgency)}<div class="muted">${c.priority_score}</div></td>
        <td><b>${esc(c.category.replaceAll("_", " "))}</b><div class="muted">${esc(c.order_id)} · ${c.kinds.map((k) => `<span class="tag">${esc(k)}</span>`).join("")}</div>
        <div class="muted">${esc(c.customer_tier ?? "")} ${esc(c.route)}</div></td>
        <td>${esc(new Date(c.sla_due).toLocaleString())}</td><td>${esc(c.assignee ?? "—")}</td>`;
      tr.addEventListener("click", () => show(c.id));
      $("rows").append(tr);
    }
    cursor = page.next_cursor;
    $("more").hidden = !cursor;
    say(`${$("rows").children.length} case(s)`);
  } catch (e) { say(e.message, true); }
}

function actionRow(a) {
  const buttons = [];
  if (a.status === "proposed") buttons.push(`<button data-act="approve" data-id="${a.id}">Approve</button>`);
  if (a.status === "proposed" || a.status === "pending") buttons.push(`<button data-act="cancel" data-id="${a.id}">Cancel</button>`);
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
    const reasons = (d?.reasons ?? []).map((r) => `<li>${esc(r.message)} <span class="muted">(${esc(r.rule)})</span></li>`).join("");
    $("detail").innerHTML = `
      <section><h2>Case ${c.id}: ${esc(c.category.replaceAll("_", " "))}</h2>
        <div><span class="urgency ${esc(c.urgency)}">${esc(c.urgency)}</span> · priority ${c.priority_score} · ${esc(c.route)} · ${esc(c.status)}${c.outcome ? ` (${esc(c.outcome)})` : ""}</div>
        <div class="muted">Order ${esc(c.order_id)} · SLA due ${esc(new Date(c.sla_due).toLocaleString())} · assignee ${esc(c.assignee ?? "none")}</div></section>
      <section><h3>Decision</h3>${d ? `<div>${esc(d.workflow)} <span class="muted">by bundle ${esc(d.bundle_id.slice(0, 19))}…</span></div><ul>${reasons}</ul>` : `<div class="error">The rules failed: ${esc((errors ?? []).map((e) => e.message).join("; "))}</div>`}
        ${c.decision?.retry_plan?.ok ? `<div class="muted">Retry plan: ${esc((c.decision.retry_plan.ok.next_attempts ?? []).join(", ") || "no retry")}; ${esc((c.decision.retry_plan.ok.compliance_notes ?? []).join("; "))}</div>` : ""}</section>
      <section><h3>Actions</h3><table>${c.actions.map(actionRow).join("") || "<tr><td class='muted'>none</td></tr>"}</table></section>
      <section><h3>Customer</h3>${c.customer ? `<div><b>${esc(c.customer.id)}</b> · ${esc(c.customer.as_reported?.tier ?? "")} · lifetime value ${esc(c.customer.as_reported?.lifetime_value_minor ?? "?")} · ${c.customer.orders_with_exceptions} order(s) with exceptions</div>
        <div class="muted">cases: ${esc(JSON.stringify(c.customer.cases_by_status))} · outcomes: ${esc(JSON.stringify(c.customer.outcomes))}</div>` : "<span class='muted'>unknown</span>"}</section>
      <section><h3>Order timeline</h3><table>${c.timeline.map((t) => `<tr><td>${esc(new Date(t.occurred_at).toLocaleString())}</td><td>${esc(t.kind)}</td><td class="muted">${esc(t.source)} · case ${t.case_id} · ${esc(t.route)}</td></tr>`).join("")}</table></section>
      <section><h3>Notes</h3>${c.notes.map((n) => `<p><b>${esc(n.author)}</b> <span class="muted">${esc(new Date(n.at).toLocaleString())}</span><br>${esc(n.text)}</p>`).join("") || "<p class='muted'>none</p>"}
        <div class="row"><input id="author" placeholder="you" size="10" value="${esc(localStorage.getItem("ordex-agent") ?? "")}"><textarea id="note" rows="2" cols="40" placeholder="Add a note"></textarea><button id="add-note">Add note</button></div></section>
      ${c.status === "open" ? `<section><h3>Work it</h3><div class="row">
        <button id="take">Assign to me</button>
        <select id="outcome">${OUTCOMES.map((o) => `<option>${o}</option>`).join("")}</select>
        <button class="primary" id="resolve">Resolve</button></div></section>` : ""}
      <section><h3>Latest event</h3><pre>${esc(JSON.stringify(c.latest_event, null, 2))}</pre></section>`;
    const me = () => { const a = $("author").value.trim(); localStorage.setItem("ordex-agent", a); return a; };
    $("add-note").onclick = async () => {
      try { await api(`/v1/cases/${id}/notes`, { author: me(), text: $("note").value }); show(id); } catch (e) { say(e.message, true); }
    };
    if ($("take")) $("take").onclick = async () => {
      try { await api(`/v1/cases/${id}/assign`, { assignee: me() || null }); show(id); load(true); } catch (e) { say(e.message, true); }
    };
    if ($("resolve")) $("resolve").onclick = async () => {
      try { await api(`/v1/cases/${id}/resolve`, { outcome: $("outcome").value, by: me() || "agent" }); show(id); load(true); } catch (e) { say(e.message, true); }
    };
    for (const b of $("detail").querySelectorAll("button[data-act]")) {
      b.onclick = async () => {
        try { await api(`/v1/actions/${b.dataset.id}/${b.dataset.act}`, {}); show(id); } catch (e) { say(e.message, true); }
      };
    }
  } catch (e) { say(e.message, true); }
}

if ($("key").value) load(true); else say("Enter the API key printed when ordex serve started (ordex-data/api-key).");
