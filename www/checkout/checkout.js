// The checkout demo: the active rule bundle, evaluated in the browser by the
// npm package on every change, the way a storefront checkout script would.
import init, { Engine, OrdexError } from "/pkg/web.js";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
let engine = null;

// A storefront page holds no key: it fetches the public checkout bundle
// (only the checkout entry and what it uses; the browser revalidates it by
// ETag, so a newly activated bundle shows up on the next load).
async function start() {
  try {
    await init();
    const response = await fetch("/v1/public/checkout-bundle", { cache: "no-cache" });
    const bundle = await response.text();
    if (!response.ok) throw new Error(JSON.parse(bundle).errors?.[0]?.message ?? `HTTP ${response.status}`);
    engine = Engine.fromBundle(bundle);
    $("message").textContent = `bundle ${engine.bundleId.slice(0, 19)}…`;
    evaluate();
  } catch (e) {
    $("verdict").textContent = "The engine is not loaded";
    $("message").textContent = e.message;
    $("message").className = "error";
  }
}

function cart() {
  const f = Object.fromEntries(new FormData($("form")));
  const address = {
    name: f.name, lines: [f.line1, f.line2].filter((l) => l.trim() !== ""), city: f.city,
    region: f.region || null, postal_code: f.postal_code || null, country: f.country.trim().toUpperCase(),
  };
  return {
    schema_version: 1,
    email: f.email,
    order: {
      id: "demo-cart", channel: "web", currency: f.currency.trim().toUpperCase(),
      lines: [{ sku: "SKU-RED-M", title: "Red tee, M", quantity: Number(f.quantity), unit_price_minor: 2499 }],
      shipping_minor: 500, shipping_address: address, billing_address: address,
      shipping_method: { carrier: f.carrier, service: "ground" },
    },
    payment: {
      method: "card", brand: f.brand, bin_country: f.bin_country.trim().toUpperCase() || null,
      exp_month: Number(f.exp_month), exp_year: Number(f.exp_year), prepaid: f.prepaid === "on",
    },
  };
}

function evaluate() {
  if (!engine) return null;
  const t0 = performance.now();
  try {
    const { ok, warnings } = engine.checkout(cart(), new Date());
    const ms = performance.now() - t0;
    $("verdict").textContent = ok.blocked ? "Blocked: fix the problems below" : ok.findings.length ? "Can be placed, with warnings" : "Ready to place";
    $("verdict").className = ok.blocked ? "error" : "";
    $("findings").innerHTML = ok.findings.map((f) => `<div class="finding ${esc(f.severity)}"><b>${esc(f.code)}</b> <span class="muted">${esc(f.field)}</span><br>${esc(f.message)}${f.suggestion ? `<br><span class="muted">suggestion: ${esc(JSON.stringify(f.suggestion))}</span>` : ""}</div>`).join("");
    $("meta").textContent = `${ms.toFixed(2)} ms in the browser · rules fired: ${ok.rules_fired.join(", ") || "none"}${warnings.length ? ` · ${warnings.length} warning(s)` : ""}`;
    return ok;
  } catch (e) {
    $("verdict").textContent = e instanceof OrdexError ? `${e.name}: ${e.code}` : "Error";
    $("findings").innerHTML = `<div class="finding block">${esc(e.message)}${e.location ? `<br><span class="muted">${esc(JSON.stringify(e.location))}</span>` : ""}</div>`;
    return null;
  }
}

$("form").addEventListener("input", evaluate);
$("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const ok = evaluate();
  if (ok && !ok.blocked) alert("Order placed (demo).");
});
start();
