// The checkout demo, as a storefront would build it: the address form follows
// the chosen country (fields, order, labels and regions from the same
// address metadata the rules check against, through `addressFormat`), and
// the active bundle's checkout rules run in the page on every change. A
// finding shows next to its field in the rules' own shopper wording; a
// blocking one only once the shopper has left that field (or tried to
// place the order), never mid-keystroke. Risk signals (`info` findings
// without a correction) are never shown to the shopper: they are in the
// developer panel only.
import init, { Engine, OrdexError, addressFormat, countries, shopperFindings } from "/pkg/web.js";

const $ = (id) => document.getElementById(id);
let engine = null;
let format = null;
const touched = new Set(); // fields the shopper has left at least once
let submitted = false;
let declined = null; // the gateway's answer to the last attempt, when it declined

const title = (s) => s.toLowerCase().replace(/(^|[\s(-])\p{L}/gu, (m) => m.toUpperCase());

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k in e && typeof v !== "string") e[k] = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  e.append(...children);
  return e;
}

// One labelled input with its message slot (`aria-describedby`).
function field(name, label, { required = false, value = "", placeholder = "", autocomplete = null, options = null } = {}) {
  const id = `f-${name}`;
  const control = options
    ? el("select", { id, name, autocomplete, "aria-describedby": `m-${name}` }, el("option", { value: "" }, "Choose…"),
      ...options.map((o) => el("option", { value: o.key }, o.name)))
    : el("input", { id, name, value, placeholder, autocomplete, "aria-describedby": `m-${name}`, required });
  if (options) control.value = value;
  return el("div", { class: "field" },
    el("label", { for: id }, label, ...(required ? [" ", el("span", { class: "req", "aria-hidden": "true" }, "*")] : [])),
    control, el("div", { class: "field-msg", id: `m-${name}` }));
}

const AUTOCOMPLETE = { name: "name", organization: "organization", city: "address-level2", region: "address-level1", postal_code: "postal-code", district: "address-level3" };

// Lays the address out the way the country writes it, keeping what the
// shopper typed in fields both forms have.
function renderAddress(country, keep = {}) {
  format = addressFormat(country);
  if (!format) return;
  const rows = new Map();
  for (const f of format.fields) {
    if (!rows.has(f.row)) rows.set(f.row, []);
    const row = rows.get(f.row);
    if (f.field === "lines") {
      row.push(field("line1", "Street address", { required: f.required, value: keep.line1 ?? "", autocomplete: "address-line1" }));
      rows.set(f.row + 0.5, [field("line2", "Apartment, suite, unit (optional)", { value: keep.line2 ?? "", autocomplete: "address-line2" })]);
    } else if (f.field === "region" && format.regions.length > 0) {
      row.push(field("region", f.label, { required: f.required, value: keep.region ?? "", autocomplete: "address-level1", options: format.regions }));
    } else {
      const example = f.field === "postal_code" && format.postal_examples[0] ? `e.g. ${format.postal_examples[0]}` : "";
      row.push(field(f.field, f.label, { required: f.required, value: keep[f.field] ?? "", placeholder: example, autocomplete: AUTOCOMPLETE[f.field] }));
    }
  }
  $("address").replaceChildren(...[...rows.keys()].sort((a, b) => a - b).map((k) => el("div", { class: "row" }, ...rows.get(k))));
}

function values() {
  return Object.fromEntries(new FormData($("form")));
}

function cart() {
  const f = values();
  const has = (name) => format?.fields.some((x) => x.field === name);
  const text = (name) => (f[name] ?? "").trim() || null;
  const address = {
    name: has("name") ? text("name") : null, organization: has("organization") ? text("organization") : null,
    lines: [f.line1 ?? "", f.line2 ?? ""].filter((l) => l.trim() !== ""),
    district: has("district") ? text("district") : null, city: has("city") ? text("city") : null,
    region: has("region") ? text("region") : null, postal_code: has("postal_code") ? text("postal_code") : null,
    sorting_code: has("sorting_code") ? text("sorting_code") : null, country: f.country, phone: text("phone"),
  };
  const quantity = Math.max(1, Math.min(999, Math.trunc(Number(f.quantity)) || 1));
  return {
    schema_version: 1,
    email: f.email,
    order: {
      id: "demo-cart", channel: "web", currency: f.currency,
      lines: [{ sku: "SKU-RED-M", title: "Red tee, M", quantity, unit_price_minor: 2499 }],
      shipping_minor: { ground: 500, express: 1500, overnight: 3000 }[f.service] ?? 500,
      shipping_address: address, billing_address: address,
      shipping_method: { carrier: f.carrier, service: f.service },
    },
    payment: { method: "card", brand: f.brand, bin_country: f.country, exp_month: Number(f.exp_month), exp_year: Number(f.exp_year), prepaid: false, decline: declined },
  };
}

// Which input a finding's JSON path belongs to.
function slotOf(path) {
  const p = path.replace(/\[\d+\]/g, "");
  if (p === "email") return "email";
  if (p === "payment" || p.startsWith("payment.exp")) return "payment";
  if (p === "order.lines.quantity") return "quantity";
  const m = p.match(/^order\.shipping_address\.(\w+)/);
  if (m) return m[1] === "lines" ? "line1" : m[1];
  return null;
}

// What the shopper can do after a decline, as the rules decided it.
const NEXT_STEP = {
  try_again: "Try again in a few minutes.",
  authenticate: "Place the order again to confirm it with your bank.",
  check_card_details: "Check the card details and try again.",
  use_another_method: "Choose another card or payment method.",
};

function showFindings(findings) {
  for (const msg of document.querySelectorAll(".field-msg")) { msg.replaceChildren(); msg.className = "field-msg"; }
  for (const input of $("form").querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const notices = [];
  const spoken = [];
  // Risk signals are for the merchant, never the shopper (the package's rule).
  for (const f of shopperFindings(findings)) {
    const slot = slotOf(f.field);
    const msgEl = slot && $(`m-${slot}`);
    const left = slot && (touched.has(slot) || submitted || (slot === "payment" && (touched.has("exp_month") || touched.has("exp_year"))));
    if (!msgEl) { if (f.severity !== "block" || submitted) notices.push(f); continue; }
    if (f.severity === "block" && !left) continue; // not mid-keystroke
    msgEl.className = `field-msg ${f.severity}`;
    msgEl.append(f.message);
    const suggestion = typeof f.suggestion === "string" ? f.suggestion : null;
    const input = $(`f-${slot}`);
    if (suggestion && input) {
      const use = el("button", { type: "button" }, `Use “${suggestion}”`);
      use.addEventListener("click", () => { input.value = suggestion; touched.add(slot); evaluate(); input.focus(); });
      msgEl.append(use);
    }
    if (f.next_step && NEXT_STEP[f.next_step]) msgEl.append(" ", el("strong", {}, NEXT_STEP[f.next_step]));
    if (f.severity === "block") {
      for (const target of slot === "payment" ? [$("f-exp-month"), $("f-exp-year")] : [input]) target?.setAttribute("aria-invalid", "true");
      spoken.push(f.message);
    }
  }
  $("notices").replaceChildren(...notices.map((f) => el("div", { class: "notice" }, f.message)));
  const said = spoken.join(" ");
  if ($("live").textContent !== said) $("live").textContent = said;
}

function evaluate() {
  if (!engine) return null;
  try {
    const request = cart();
    const t0 = performance.now();
    const { ok, warnings } = engine.checkout(request, new Date());
    const ms = performance.now() - t0;
    const blocking = ok.findings.filter((f) => f.severity === "block");
    const refused = blocking.some((f) => f.code === "payment_declined");
    $("verdict").textContent = refused ? "Payment declined" : blocking.length ? (submitted ? "Please fix the highlighted fields" : "Almost there") : "Ready to place";
    $("verdict").className = blocking.length && submitted ? "error" : "";
    const q = request.order;
    const total = (q.lines[0].quantity * 2499 + q.shipping_minor) / 100;
    $("summary").textContent = `${q.lines[0].quantity} × Red tee, M · delivery ${(q.shipping_minor / 100).toFixed(2)} · total ${total.toFixed(2)} ${q.currency}`;
    showFindings(ok.findings);
    $("meta").textContent = `bundle ${engine.bundleId.slice(0, 19)}… · ${ms.toFixed(2)} ms per evaluation · rules fired: ${ok.rules_fired.join(", ") || "none"}${warnings.length ? ` · ${warnings.length} warning(s)` : ""}`;
    $("raw").textContent = ok.findings.map((f) => `${f.severity} ${f.code} at ${f.field}${f.suggestion ? ` (suggests ${JSON.stringify(f.suggestion)})` : ""}`).join("\n") || "no findings";
    return ok;
  } catch (e) {
    // A value the rules cannot read is the page's fault, not the shopper's.
    $("verdict").textContent = "Something went wrong checking your order";
    $("verdict").className = "error";
    $("meta").textContent = e instanceof OrdexError ? `${e.name} ${e.code}${e.location ? ` at ${e.location.path ?? JSON.stringify(e.location)}` : ""}: ${e.message}` : String(e);
    $("dev").open = true;
    return null;
  }
}

function fillStatic() {
  const list = countries().map((c) => el("option", { value: c.code }, title(c.name)));
  $("f-country").replaceChildren(...list);
  $("f-country").value = "US";
  $("f-exp-month").replaceChildren(...Array.from({ length: 12 }, (_, i) => el("option", { value: String(i + 1) }, String(i + 1).padStart(2, "0"))));
  $("f-exp-month").value = "8";
  const year = new Date().getUTCFullYear();
  $("f-exp-year").replaceChildren(...Array.from({ length: 12 }, (_, i) => el("option", { value: String(year - 1 + i) }, String(year - 1 + i))));
  $("f-exp-year").value = String(year + 2);
}

// A storefront page holds no key: it fetches the public checkout bundle
// (only the checkout entry and what it uses; revalidated by ETag).
async function start() {
  try {
    await init();
    fillStatic();
    renderAddress("US", { name: "Ada Lovelace", line1: "12 Main St", city: "Springfield", region: "IL", postal_code: "62701" });
    const response = await fetch("/v1/public/checkout-bundle", { cache: "no-cache" });
    const bundle = await response.text();
    if (!response.ok) throw new Error(JSON.parse(bundle).errors?.[0]?.message ?? `HTTP ${response.status}`);
    engine = Engine.fromBundle(bundle);
    $("message").textContent = "";
    evaluate();
  } catch (e) {
    $("verdict").textContent = "Checkout is unavailable right now";
    $("message").textContent = e.message;
    $("message").className = "error";
  }
}

$("form").addEventListener("input", evaluate);
$("form").addEventListener("change", (e) => {
  if (["test_card", "brand", "exp_month", "exp_year"].includes(e.target.name)) declined = null; // a new card, a new attempt
  if (e.target.name === "country") {
    const keep = values();
    delete keep.region;
    delete keep.postal_code;
    renderAddress(e.target.value, keep);
  }
  evaluate();
});
$("form").addEventListener("focusout", (e) => {
  if (e.target.name) { touched.add(e.target.name); evaluate(); }
});
$("form").addEventListener("submit", (e) => {
  e.preventDefault();
  submitted = true;
  declined = null;
  let ok = evaluate();
  if (ok && !ok.findings.some((f) => f.severity === "block") && values().test_card) {
    // The (simulated) gateway declines: the rules decide what the shopper reads.
    const [gateway, code] = values().test_card.split(":");
    declined = { gateway, code };
    touched.add("payment");
    ok = evaluate();
  }
  if (ok && !ok.findings.some((f) => f.severity === "block")) {
    $("verdict").textContent = "Order placed (demo)";
    $("live").textContent = "Order placed.";
  } else {
    $("form").querySelector('[aria-invalid="true"]')?.focus();
  }
});
start();
