// The npm package as a Node user meets it: the API, the error classes, `now`.
// Run with `node --test tests/js/` after wasm/js/build.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { Engine, OrdexBundleError, OrdexError, OrdexInputError, OrdexLimitError, OrdexRuleError, version, addressFormat, countries, shopperFindings } from "../../wasm/js/pkg/node.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ordex = join(root, "target", process.env.ORDEX_PROFILE ?? "debug", "ordex");
const bundleFile = join(mkdtempSync(join(tmpdir(), "ordex-js-")), "bundle.json");
execFileSync(ordex, ["bundle", "rules", "--output", bundleFile], { cwd: root });
const bundleText = readFileSync(bundleFile, "utf8");
const bundle = JSON.parse(bundleText);
const example = (name) => JSON.parse(readFileSync(join(root, "rules", "examples", `${name}.json`), "utf8"));
const NOW = "2026-11-27T10:00:00Z";

/** The bundle with its content id recomputed, as `ordex bundle` does (sha256 of the canonical JSON). */
function rebundle(b) {
  const files = Object.fromEntries(Object.entries(b.files).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  const canonical = JSON.stringify({ format: b.format, manifest: b.manifest, files });
  return { format: b.format, id: `sha256:${createHash("sha256").update(canonical).digest("hex")}`, manifest: b.manifest, files };
}

test("a bundle compiles from text or object, with the id ordex computed", () => {
  const a = Engine.fromBundle(bundleText);
  const b = Engine.fromBundle(bundle);
  assert.equal(a.bundleId, bundle.id);
  assert.equal(b.bundleId, bundle.id);
  assert.deepEqual([...a.entries].sort(), ["checkout", "retry", "triage"]);
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

test("the typed entry points answer {ok, warnings} with the bundle id", () => {
  const engine = Engine.fromBundle(bundle);
  const t = engine.triage(example("payment_declined"), { queue_depth: 3 }, NOW);
  assert.equal(t.ok.kind, "payment_declined");
  assert.equal(t.ok.bundle_id, bundle.id);
  assert.ok(Array.isArray(t.warnings));
  const c = engine.checkout(example("checkout_request"), NOW);
  assert.ok(Array.isArray(c.ok.findings));
  const r = example("retry_request");
  const plan = engine.retry(r.failure, r.history, NOW, { recurring: r.recurring ?? false });
  assert.equal(typeof plan.ok.retry, "boolean");
  const g = engine.evaluate("triage", example("carrier_exception"), NOW);
  assert.equal(g.ok.kind, "carrier_exception");
});

test("a Date and its RFC 3339 text give the same decision, equal to evaluateJson", () => {
  const engine = Engine.fromBundle(bundle);
  const event = example("return_requested");
  const a = engine.triage(event, null, new Date(NOW));
  const b = engine.triage(event, null, "2026-11-27T10:00:00.000Z");
  assert.deepEqual(a, b);
  const text = engine.evaluateJson(JSON.stringify({ entry: "triage", now: "2026-11-27T10:00:00.000Z", input: event }));
  assert.deepEqual(JSON.parse(text), a);
});

test("evaluateJson with trace: true adds the trace of the rules beside the same answer", () => {
  const engine = Engine.fromBundle(bundle);
  const call = { entry: "triage", now: NOW, input: example("payment_declined") };
  const plain = JSON.parse(engine.evaluateJson(JSON.stringify(call)));
  const traced = JSON.parse(engine.evaluateJson(JSON.stringify({ ...call, trace: true })));
  assert.equal(plain.trace, undefined);
  assert.deepEqual(traced.ok, plain.ok);
  const [entry] = traced.trace.steps;
  assert.equal(entry.step, "call");
  assert.equal(entry.function, "triage");
  const called = entry.steps.filter((s) => s.step === "call").map((s) => s.function);
  assert.ok(called.includes("triage::payment_declined::handle"), called.join(", "));
  const bad = JSON.parse(engine.evaluateJson(JSON.stringify({ ...call, trace: "yes" })));
  assert.equal(bad.errors[0].code, "input_invalid");
});

test("runTests runs the bundle's own cases with the core's runner, failures with their differences", () => {
  const run = Engine.fromBundle(bundle).runTests();
  assert.deepEqual(run.file_errors, []);
  assert.ok(run.cases.length >= 200, `${run.cases.length}`);
  assert.ok(run.cases.every((c) => c.passed), JSON.stringify(run.cases.find((c) => !c.passed)));
  const changed = structuredClone(bundle);
  changed.manifest = changed.manifest.replace("high_value_order_usd = 500", "high_value_order_usd = 5");
  const after = Engine.fromBundle(rebundle(changed)).runTests();
  const failed = after.cases.filter((c) => !c.passed);
  assert.ok(failed.length > 0 && failed.every((c) => c.mismatches.length > 0));
});

test("bad input throws OrdexInputError naming the JSON path", () => {
  const engine = Engine.fromBundle(bundle);
  const event = example("payment_declined");
  event.exception.payment.amount_minor = "12.00";
  assert.throws(() => engine.triage(event, null, NOW), (e) => {
    assert.ok(e instanceof OrdexInputError && e instanceof OrdexError && e instanceof Error);
    assert.equal(e.name, "OrdexInputError");
    assert.equal(e.code, "input_invalid");
    assert.deepEqual(e.location, { path: "input.exception.payment.amount_minor" });
    assert.equal(e.errors.length, 1);
    return true;
  });
  assert.throws(() => engine.triage(example("payment_declined"), null, undefined), OrdexInputError);
  assert.throws(() => engine.triage(example("payment_declined"), null, new Date("garbage")), OrdexInputError);
  assert.throws(() => engine.triage("{not json", null, NOW), (e) => e instanceof OrdexInputError && e.code === "input_json_syntax");
});

test("a rule that fails throws OrdexRuleError at file:line:col; an endless loop OrdexLimitError", () => {
  const broken = structuredClone(bundle);
  broken.files["retry.rhai"] = "fn retry(request, ctx) {\n  let x = request.failure.amount_minor / 0;\n  x\n}\n";
  broken.files["checkout.rhai"] = "fn checkout(cart, ctx) {\n  loop { }\n}\n";
  for (const f of Object.keys(broken.files)) if (f.startsWith("tests/")) delete broken.files[f];
  const engine = Engine.fromBundle(rebundle(broken));
  const r = example("retry_request");
  assert.throws(() => engine.retry(r.failure, r.history, NOW), (e) => {
    assert.ok(e instanceof OrdexRuleError);
    assert.equal(e.location.file, "retry.rhai");
    assert.equal(e.location.line, 2);
    assert.deepEqual(e.ruleStack.map((f) => f.function), ["retry"]);
    return true;
  });
  assert.throws(() => engine.checkout(example("checkout_request"), NOW), OrdexLimitError);
});

test("a bundle with a syntax error throws OrdexBundleError with every diagnostic", () => {
  const broken = structuredClone(bundle);
  broken.files["triage.rhai"] = "fn triage(event, ctx) {\n  let = 3;\n}\n";
  assert.throws(() => Engine.fromBundle(broken), (e) => e instanceof OrdexBundleError && e.code === "bundle_id_mismatch");
  assert.throws(() => Engine.fromBundle(rebundle(broken)), (e) => {
    assert.ok(e instanceof OrdexBundleError);
    assert.match(e.code, /^rule_/);
    assert.equal(e.errors[0].location.file, "triage.rhai");
    assert.equal(e.errors[0].location.line, 2);
    return true;
  });
  assert.throws(() => Engine.fromBundle("{}"), (e) => e instanceof OrdexBundleError && e.code === "bundle_malformed");
});

test("addressFormat gives a country's form from the metadata the address rules check", () => {
  const jp = addressFormat("JP");
  const field = (form, name) => form.fields.find((f) => f.field === name);
  assert.equal(field(jp, "region").label, "Prefecture");
  assert.ok(jp.fields.indexOf(field(jp, "postal_code")) < jp.fields.indexOf(field(jp, "region")), "postal code first in Japan");
  const us = addressFormat("us");
  assert.deepEqual([field(us, "postal_code").label, field(us, "postal_code").required], ["ZIP code", true]);
  assert.ok(us.regions.some((r) => r.key === "CA"));
  assert.equal(addressFormat("HK").fields.some((f) => f.field === "postal_code"), false);
  assert.equal(addressFormat("XX"), null);
  const all = countries();
  assert.ok(all.length > 200 && all.some((c) => c.code === "DE"));
});

test("an engine lists what compiling its bundle warned about", () => {
  const file = join(mkdtempSync(join(tmpdir(), "ordex-warn-")), "bundle.json");
  execFileSync(ordex, ["bundle", join("tests", "peers", "zen", "payment"), "--output", file], { cwd: root });
  const bundle = JSON.parse(readFileSync(file, "utf8"));
  const engine = Engine.fromBundle(bundle);
  const unreachable = engine.warnings.filter((w) => w.code === "table_unreachable_row");
  assert.equal(unreachable.length, 3);
  assert.equal(unreachable[0].location.file, "tables/amount_processing.csv");
  engine.free();
});

test("shopperFindings keeps what a shopper may see and leaves risk signals out", () => {
  const findings = [
    { code: "postal_code_malformed", severity: "block" },
    { code: "bin_country_mismatch", severity: "info" },
    { code: "postal_code_format", severity: "info", suggestion: "62701-1234" },
    { code: "quantity_unusual", severity: "warn" },
  ];
  assert.deepEqual(shopperFindings(findings).map((f) => f.code), ["postal_code_malformed", "postal_code_format", "quantity_unusual"]);
});
