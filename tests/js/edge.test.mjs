// The edge worker (www/edge/worker.js) in workerd on 127.0.0.1, in front of
// a stand-in origin: real HTTP requests, well-formed and not.
// Run with `node --test tests/js/edge.test.mjs` after wasm/js/build.sh and
// `cargo build -p ordex-host`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyPackage, freePort, startWorkerd } from "./workerd-worker.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ordex = join(root, "target", process.env.ORDEX_PROFILE ?? "debug", "ordex");
let dir;
let child;
let base;

const cart = () => JSON.parse(JSON.stringify({
  schema_version: 1,
  email: "ada@example.com",
  order: {
    id: "edge-1", channel: "web", currency: "USD",
    lines: [{ sku: "SKU-1", quantity: 1, unit_price_minor: 2499 }], shipping_minor: 500,
    shipping_address: { name: "Ada Lovelace", lines: ["12 Main St"], city: "Springfield", region: "IL", postal_code: "62701", country: "US" },
  },
  payment: { method: "card", brand: "visa", bin_country: "NG", exp_month: 8, exp_year: 2030 },
}));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ordex-edge-"));
  const packageModules = copyPackage(dir);
  copyFileSync(join(root, "www", "edge", "worker.js"), join(dir, "worker.js"));
  // The public checkout bundle, as `GET /v1/public/checkout-bundle` serves it.
  execFileSync(ordex, ["bundle", "rules", "--entries", "checkout", "--output", join(dir, "bundle.json")], { cwd: root });
  writeFileSync(join(dir, "origin.js"), `
export default {
  async fetch(request) {
    const body = await request.text();
    const seen = Object.fromEntries([...request.headers].filter(([k]) => k.startsWith("x-ordex")));
    return Response.json({ origin: true, method: request.method, path: new URL(request.url).pathname, bytes: body.length, seen });
  },
};`);
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "edge", worker = .edge), (name = "origin", worker = .origin) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "edge") ],
);
const edge :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    ${packageModules}
    (name = "bundle.json", json = embed "bundle.json"),
  ],
  bindings = [ (name = "ORIGIN", service = "origin"), (name = "MAX_BODY_BYTES", text = "65536") ],
  compatibilityDate = "2025-01-01",
);
const origin :Workerd.Worker = (
  modules = [ (name = "origin.js", esModule = embed "origin.js") ],
  compatibilityDate = "2025-01-01",
);
`);
  base = `http://127.0.0.1:${port}`;
  child = await startWorkerd(join(dir, "config.capnp"), `${base}/health`);
});

after(() => {
  child?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (body, type = "application/json") =>
  fetch(`${base}/checkout`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });

test("a cart the rules accept reaches the origin, marked with the bundle and its findings", async () => {
  const res = await post(cart());
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.origin, true);
  assert.match(body.seen["x-ordex-bundle"], /^sha256:[0-9a-f]{64}$/);
  assert.equal(body.seen["x-ordex-findings"], "1", "the card-country signal is counted, not shown");
});

test("a blocked cart is answered at the edge with the shopper's findings, risk signals left out", async () => {
  const c = cart();
  c.order.shipping_address.postal_code = "6270";
  const res = await post(c);
  assert.equal(res.status, 422);
  const body = await res.json();
  assert.equal(body.blocked, true);
  assert.ok(body.findings.some((f) => f.field === "order.shipping_address.postal_code" && f.severity === "block"));
  assert.ok(!body.findings.some((f) => f.code === "bin_country_mismatch"), "risk signals stay with the merchant");
});

test("a gateway decline is answered with the rules' shopper-safe message", async () => {
  const c = cart();
  c.payment.decline = { gateway: "stripe", code: "stolen_card" };
  const res = await post(c);
  assert.equal(res.status, 422);
  const f = (await res.json()).findings.find((x) => x.code === "payment_declined");
  assert.equal(f.next_step, "use_another_method");
  assert.doesNotMatch(f.message, /stolen|fraud/i);
});

test("malformed bodies get a typed 4xx, never the origin", async () => {
  let res = await post("{\"schema_version\": 1, ");
  assert.equal(res.status, 400);
  assert.equal((await res.json()).errors[0].code, "input_json_syntax");
  const c = cart();
  c.payment.exp_month = "August";
  res = await post(c);
  assert.equal(res.status, 400);
  const e = (await res.json()).errors[0];
  assert.equal(e.code, "input_invalid");
  assert.match(JSON.stringify(e.location), /exp_month/);
  res = await post("x".repeat(70_000));
  assert.equal(res.status, 413);
  res = await post(JSON.stringify(cart()), "text/plain");
  assert.equal(res.status, 415);
});

test("other requests pass through to the origin unchanged", async () => {
  const res = await fetch(`${base}/products/1`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual([body.origin, body.method, body.path, body.seen], [true, "GET", "/products/1", {}]);
});
