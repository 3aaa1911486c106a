// Rule bundles: what a new bundle would change, shown before it is
// activated (`POST /v1/bundles?dry_run=true`), then activation; and the
// stored bundles with a rollback button.
const $ = (id) => document.getElementById(id);
let candidate = null; // the chosen file's text

$("key").value = localStorage.getItem("ordex-key") ?? "";
$("key").addEventListener("change", () => { localStorage.setItem("ordex-key", $("key").value.trim()); list(); });

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").className = isError ? "error" : "muted";
}

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { authorization: `Bearer ${$("key").value.trim()}`, ...(init.body ? { "content-type": "application/json" } : {}) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.errors?.map((e) => e.message).join("; ") || `HTTP ${res.status}`);
  return body;
}

const el = (tag, text, attrs = {}) => Object.assign(document.createElement(tag), { textContent: text ?? "" }, attrs);
const short = (id) => `${id.slice(0, 19)}…`;
const money = (minor) => Object.entries(minor ?? {}).map(([c, m]) => new Intl.NumberFormat(undefined, { style: "currency", currency: c }).format(m / 100)).join(", ") || "nothing";

function table(head, rows) {
  const t = document.createElement("table");
  t.append(el("thead"), el("tbody"));
  t.tHead.append(Object.assign(document.createElement("tr"), {}));
  for (const h of head) t.tHead.rows[0].append(el("th", h));
  for (const r of rows) {
    const tr = t.tBodies[0].insertRow();
    for (const c of r) tr.append(el("td", String(c)));
  }
  return t;
}

function showReport(answer) {
  const w = answer.whatif;
  const parts = [
    el("p", `Bundle ${short(answer.id)}: ${answer.tests.passed} of ${answer.tests.total} of its own tests passed.`),
  ];
  const numbers = el("div", "", { className: "numbers" });
  for (const [label, value] of [["decisions evaluated", w.evaluated], ["would change", w.changed], ["actions change", w.actions_changed]]) {
    const d = el("div", label);
    d.prepend(el("b", String(value)));
    numbers.append(d);
  }
  parts.push(numbers);
  if (answer.truncated) parts.push(el("p", "Only the first 10,000 decisions of the period were evaluated.", { className: "muted" }));
  parts.push(el("p", `Order value moving to agents: ${money(w.to_agents_minor)}; to self-healing: ${money(w.to_self_heal_minor)}.`));
  const kinds = Object.entries(w.by_kind).map(([k, c]) => [k.replaceAll("_", " "), c.evaluated, c.changed]);
  if (kinds.length) parts.push(el("h3", "By exception kind"), table(["Kind", "Evaluated", "Would change"], kinds));
  for (const [title, counts] of [["Routes", w.routes], ["Urgencies", w.urgencies], ["Workflows", w.workflows]]) {
    const rows = Object.entries(counts);
    if (rows.length) parts.push(el("h3", title), table(["Change", "Decisions"], rows));
  }
  if (w.examples.length) {
    parts.push(el("h3", "Examples"), table(["Event", "Kind", "Now", "With this bundle"], w.examples.map((x) => [
      x.event_id, x.kind.replaceAll("_", " "),
      `${x.before.route} ${x.before.urgency} ${x.before.workflow} [${x.before.actions.join(", ")}]`,
      `${x.after.route} ${x.after.urgency} ${x.after.workflow} [${x.after.actions.join(", ")}]`,
    ])));
  }
  const activate = el("button", "Activate this bundle", { className: "primary", id: "activate" });
  activate.addEventListener("click", async () => {
    try {
      const done = await api("/v1/bundles", { method: "POST", body: candidate });
      say(`bundle ${short(done.id)} is active`);
      candidate = null;
      $("report").replaceChildren();
      list();
    } catch (e) { say(e.message, true); }
  });
  parts.push(activate);
  $("report").replaceChildren(...parts);
}

$("file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  candidate = f ? await f.text() : null;
  $("try").disabled = !candidate;
  $("report").replaceChildren();
});

$("try").addEventListener("click", async () => {
  if (!candidate) return;
  say("running the bundle's tests and the decisions of the period…");
  try {
    showReport(await api(`/v1/bundles?dry_run=true&since=${encodeURIComponent($("since").value)}`, { method: "POST", body: candidate }));
    say("");
  } catch (e) { say(e.message, true); }
});

async function list() {
  try {
    const { bundles } = await api("/v1/bundles");
    $("bundles").replaceChildren(...bundles.map((b) => {
      const tr = document.createElement("tr");
      tr.append(el("td", short(b.id), { title: b.id }), el("td", new Date(b.uploaded_at).toLocaleString()), el("td", `${b.tests_passed} / ${b.tests_total}`), el("td", b.active ? "active" : b.activated_at ? "was active" : "stored"));
      const cell = el("td");
      if (!b.active) {
        const back = el("button", "Activate", { title: "Make this stored bundle active again (its tests run first)" });
        back.setAttribute("aria-label", `Activate bundle ${short(b.id)}`);
        back.addEventListener("click", async () => {
          try { await api(`/v1/bundles/${encodeURIComponent(b.id)}/activate`, { method: "POST", body: "{}" }); say(`bundle ${short(b.id)} is active`); list(); } catch (e) { say(e.message, true); }
        });
        cell.append(back);
      }
      tr.append(cell);
      return tr;
    }));
  } catch (e) {
    say(`${e.message} (enter the API key from ordex-data/api-key)`, true);
  }
}
list();
