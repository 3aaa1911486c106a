// The pages as a rule author and an agent meet them, in headless Chromium
// against a real `ordex serve` on 127.0.0.1: the playground runs an entry
// with a trace and shows it as a tree; the console replays a case's stored
// decision in the page and explains it with its trace.
// Run with `node --test tests/js/pages.test.mjs` after wasm/js/build.sh and
// `cargo build -p ordex-host`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ordex = join(root, "target", process.env.ORDEX_PROFILE ?? "debug", "ordex");
const KEY = "ordex_pages_test_key_0123456789abcdef";
// Screenshots are test artifacts (target/ is ignored by git).
const shots = process.env.ORDEX_SCREENSHOTS ?? join(root, "target", "screenshots");
mkdirSync(shots, { recursive: true });
let server;
let base;
let browser;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "ordex-pages-"));
  server = spawn(ordex, ["serve", "rules", "--addr", "127.0.0.1:0", "--api-key", KEY, "--max-event-age-days", "36500",
    "--database", join(dir, "ordex.db")], { cwd: root, env: { ...process.env, ORDEX_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout });
    const timer = setTimeout(() => reject(new Error("ordex serve did not start")), 180_000);
    lines.on("line", (line) => {
      const m = line.match(/^ordex serve listening on (\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on("exit", (code) => reject(new Error(`ordex serve exited (${code})`)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

async function post(event) {
  const res = await fetch(`${base}/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).results[0];
}

async function get(path) {
  return (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${KEY}` } })).json();
}

const sample = (name, id, order) => {
  const e = JSON.parse(readFileSync(join(root, "rules", "examples", `${name}.json`), "utf8"));
  e.id = id;
  e.order.id = order;
  return e;
};

// The playground's text: the CodeMirror editor when its bundle is built
// (scripts/build-www), else the plain text area.
async function setText(p, text) {
  if (await p.locator("#editor .cm-content").count()) await p.locator("#editor .cm-content").fill(text);
  else await p.fill("#source", text);
}

async function page() {
  const p = await browser.newPage();
  await p.addInitScript((key) => { localStorage.setItem("ordex-key", key); localStorage.setItem("ordex-poll-ms", "500"); }, KEY);
  const problems = [];
  p.on("pageerror", (e) => problems.push(e.message));
  return { p, problems };
}

test("the playground runs triage with a trace and shows it as a tree", async () => {
  const { p, problems } = await page();
  await p.goto(`${base}/playground/`);
  await p.waitForFunction(() => document.querySelector("#entry")?.options.length > 0);
  await p.selectOption("#entry", "triage");
  await p.waitForFunction(() => document.querySelector("#sample")?.options.length > 0);
  // A sample the rules decide (some test cases are inputs refused before any rule runs).
  const sample = await p.$eval("#sample", (s) => [...s.options].find((o) => /decline/i.test(o.text) && !/refused|unknown/i.test(o.text))?.value);
  assert.ok(sample !== undefined, "a payment decline sample");
  await p.selectOption("#sample", sample);
  await p.click("#run");
  await p.waitForSelector("#trace-out .trace details");
  const top = await p.textContent("#trace-out .trace > details > summary");
  assert.match(top, /^triage\(\)/);
  const answer = JSON.parse(await p.textContent("#answer"));
  assert.ok(answer.ok.category, JSON.stringify(answer));
  // A location in the trace opens its file.
  await p.click("#trace-out .trace details details a.trace-loc");
  const file = await p.inputValue("#file");
  assert.ok(file.endsWith(".rhai"), file);
  assert.deepEqual(problems, []);
  await p.close();
});

test("the console explains a case's decision by replaying it with a trace", async () => {
  await post(sample("payment_declined", "evt-pages-1", "ord-pages-1"));
  const { p, problems } = await page();
  await p.goto(`${base}/console/`);
  await p.click("#rows tr.case");
  await p.click("#why");
  await p.waitForSelector("#why-out .trace details");
  const note = await p.textContent("#why-out > div");
  assert.match(note, /the same decision/);
  const top = await p.textContent("#why-out .trace > details > summary");
  assert.match(top, /^triage\(\)/);
  const fired = await p.$$eval("#why-out .trace-fired b", (bs) => bs.map((b) => b.textContent));
  assert.ok(fired.length > 0, "the rules that fired are in the trace");
  assert.deepEqual(problems, []);
  await p.close();
});

test("an agent works the queue from the keyboard, sees SLA countdowns and live updates, and is warned before resolving cancels actions", async () => {
  const first = await post(sample("payment_declined", "evt-pages-k1", "ord-pages-k1"));
  const { p, problems } = await page();
  await p.goto(`${base}/console/`);
  await p.waitForSelector("#rows tr.case");
  // Every open case shows its SLA as a countdown.
  const slas = await p.$$eval("#rows .sla", (xs) => xs.map((x) => x.textContent));
  assert.ok(slas.length > 0 && slas.every((t) => /^(due in|overdue by) /.test(t)), slas.join(" | "));
  // A case posted now appears without a reload.
  const later = await post(sample("payment_declined", "evt-pages-k2", "ord-pages-k2"));
  await p.waitForSelector(`#rows tr.case[data-id="${later.case_id}"]`, { timeout: 10_000 });
  // j opens the first case; rows are focusable.
  await p.locator("body").press("j");
  await p.waitForSelector("#detail h2");
  const focused = await p.evaluate(() => document.activeElement?.dataset?.id);
  assert.ok(focused, "a queue row has the focus");
  // Open the first posted case with the keyboard: focus its row, Enter.
  await p.focus(`#rows tr.case[data-id="${first.case_id}"]`);
  await p.keyboard.press("Enter");
  await p.waitForFunction((id) => document.querySelector("#detail h2")?.textContent.startsWith(`Case ${id}:`), first.case_id);
  // Its planned payment retry is undelivered: resolving warns, and keeping it works.
  const warning = await p.textContent("#resolve-warning");
  assert.match(warning, /retry_payment/);
  await p.check("#keep-actions");
  await p.selectOption("#outcome", "recovered");
  await p.click("#resolve");
  await p.waitForFunction(() => /resolved/.test(document.querySelector("#message")?.textContent ?? ""));
  const actions = (await get(`/v1/cases/${first.case_id}`)).actions;
  assert.ok(actions.some((a) => a.type === "retry_payment" && a.status !== "cancelled"), JSON.stringify(actions));
  // Every input in the detail has a label.
  const unlabelled = await p.$$eval("#detail input, #detail textarea, #detail select", (xs) => xs.filter((x) => !x.closest("label") && !x.labels?.length).map((x) => x.id));
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await p.close();
});

test("the playground runs the pack's own tests, a param changed in ordex.toml changes the outcome, and the edit travels in a share link; a bundle file opens", async () => {
  const { p, problems } = await page();
  await p.goto(`${base}/playground/`);
  await p.waitForFunction(() => document.querySelector("#entry")?.options.length > 0);
  await p.click("#tests");
  await p.waitForFunction(() => /passed, \d+ failed/.test(document.querySelector("#answer")?.textContent ?? ""), null, { timeout: 60_000 });
  assert.match(await p.textContent("#answer"), /^\d{3} passed, 0 failed/);
  await p.selectOption("#file", "ordex.toml");
  const manifest = await p.inputValue("#source");
  assert.match(manifest, /high_value_order_usd = 500/);
  await setText(p, manifest.replace("high_value_order_usd = 500", "high_value_order_usd = 5"));
  await p.click("#tests");
  await p.waitForFunction(() => /FAIL /.test(document.querySelector("#answer")?.textContent ?? ""), null, { timeout: 60_000 });
  assert.match(await p.textContent("#answer"), /passed, [1-9]\d* failed/);
  // A share link carries the edit: another page opened on it has the changed param.
  await p.click("#share");
  await p.waitForFunction(() => location.hash.startsWith("#pack="));
  const link = await p.evaluate(() => location.href);
  const { p: q, problems: qProblems } = await page();
  await q.goto(link);
  await q.waitForFunction(() => /opened a shared pack: 1 edited file/.test(document.querySelector("#message")?.textContent ?? ""));
  await q.selectOption("#file", "ordex.toml");
  assert.match(await q.inputValue("#source"), /high_value_order_usd = 5\n/);
  // A bundle file opens in the page too.
  const file = join(mkdtempSync(join(tmpdir(), "ordex-open-")), "zen-fraud.json");
  execFileSync(ordex, ["bundle", join("tests", "peers", "zen", "fraud"), "--output", file], { cwd: root });
  await q.setInputFiles("#open", file);
  await q.waitForFunction(() => /opened zen-fraud\.json/.test(document.querySelector("#message")?.textContent ?? ""));
  assert.ok(await q.evaluate(() => [...document.querySelectorAll("#file option")].some((o) => o.value === "tables/suspicious_activity.csv")));
  assert.deepEqual([...problems, ...qProblems], []);
  await q.close();
  await p.close();
});

test("the playground edits a decision table as a grid and marks the row the compiler refuses", async () => {
  const { p, problems } = await page();
  await p.goto(`${base}/playground/`);
  await p.waitForFunction(() => [...document.querySelectorAll("#file option")].some((o) => o.value === "tables/message_routes.csv"));
  await p.selectOption("#file", "tables/message_routes.csv");
  await p.waitForSelector(".table-grid tbody tr");
  const rows = await p.locator(".table-grid tbody tr").count();
  assert.ok(rows >= 5, `${rows} rows`);
  assert.equal(await p.inputValue('.table-grid thead input[data-col="0"]'), "in:intent:string");
  await p.waitForFunction(() => /No problems/.test(document.querySelector(".grid-status")?.textContent ?? ""));
  assert.deepEqual(await axe(p), [], "the table grid");
  await p.screenshot({ path: join(shots, "playground-table-grid.png") });
  // A cell the table compiler cannot read marks its row, with the message.
  const cell = p.locator('.table-grid tbody tr:first-child input[data-col="0"]');
  await cell.fill("< 'open");
  await p.waitForSelector(".table-grid tbody tr.bad");
  assert.match(await p.textContent(".grid-status"), /^line \d+: .*quote is not closed/);
  assert.equal(await cell.getAttribute("aria-invalid"), "true");
  await cell.fill("'track_order'");
  await p.waitForFunction(() => !document.querySelector(".table-grid tr.bad"));
  // A new row and a move; the text view shows the CSV the grid wrote.
  await p.click("text=+ Row");
  assert.equal(await p.locator(".table-grid tbody tr").count(), rows + 1);
  await p.click('button[aria-label="Move row 2 up"]');
  await p.click("#grid-toggle");
  const text = await p.inputValue("#source");
  assert.ok(text.indexOf("'track_refund',return_or_refund") < text.indexOf("track_order"), "the moved row comes first");
  assert.match(text, /\n-,,,,,,,\n$/, "a new row matches anything and sets nothing");
  assert.match(text, /^# Account, newsletter and review messages/m, "comments between rows are kept");
  // The edited table still runs: the pack's own tests see the grid's text.
  await p.click("#tests");
  await p.waitForFunction(() => /passed, \d+ failed/.test(document.querySelector("#answer")?.textContent ?? ""), null, { timeout: 60_000 });
  assert.deepEqual(problems, []);
  await p.close();
});

test("the checkout form follows the country, shows findings by their field once it is left, and corrects in one click", async () => {
  const { p, problems } = await page();
  await p.goto(`${base}/checkout/`);
  await p.waitForFunction(() => /Ready to place/.test(document.querySelector("#verdict")?.textContent ?? ""));
  const label = (name) => p.textContent(`label[for="f-${name}"]`);
  assert.match(await label("postal_code"), /ZIP code/);
  assert.match(await label("region"), /State/);
  assert.equal(await p.evaluate(() => document.querySelector("#f-region").tagName), "SELECT", "US states are a choice");
  // Japan: a prefecture, and the postal code comes first.
  await p.selectOption("#f-country", "JP");
  assert.match(await label("region"), /Prefecture/);
  const order = await p.evaluate(() => [...document.querySelectorAll("#address [name]")].map((e) => e.name));
  assert.ok(order.indexOf("postal_code") < order.indexOf("region"), order.join(","));
  assert.match(await p.getAttribute("#f-postal_code", "placeholder"), /^e\.g\. \d{3}-\d{4}$/);
  // Back to the US: a malformed ZIP code says nothing while typing, and blocks once left.
  await p.selectOption("#f-country", "US");
  await p.fill("#f-line1", "12 Main St");
  await p.fill("#f-city", "Springfield");
  await p.selectOption("#f-region", "IL");
  await p.fill("#f-postal_code", "6270");
  assert.equal(await p.textContent("#m-postal_code"), "", "no block mid-keystroke");
  await p.press("#f-postal_code", "Tab");
  await p.waitForFunction(() => document.querySelector("#m-postal_code")?.textContent.length > 0);
  assert.equal(await p.getAttribute("#f-postal_code", "aria-invalid"), "true");
  assert.doesNotMatch(await p.textContent("#m-postal_code"), /postal_code_|order\./, "shopper words, no internal codes");
  // A ZIP+4 without its hyphen: the rules suggest the written form, one click applies it.
  await p.fill("#f-postal_code", "627011234");
  await p.press("#f-postal_code", "Tab");
  await p.click("#m-postal_code button");
  assert.equal(await p.inputValue("#f-postal_code"), "62701-1234");
  await p.waitForFunction(() => /Ready to place/.test(document.querySelector("#verdict")?.textContent ?? ""));
  // Express to a PO box: the carrier refuses it, next to the street field.
  await p.fill("#f-line1", "PO Box 123");
  await p.selectOption("#f-carrier", "ups");
  await p.selectOption("#f-service", "express");
  await p.press("#f-line1", "Tab");
  await p.waitForFunction(() => /cannot deliver/.test(document.querySelector("#m-line1")?.textContent ?? ""));
  // A simulated decline: the rules' shopper-safe message and next step, never the reason for a suspected fraud.
  await p.fill("#f-line1", "12 Main St");
  await p.selectOption("#f-test-card", "stripe:stolen_card");
  await p.click("button[type=submit]");
  await p.waitForFunction(() => /Payment declined/.test(document.querySelector("#verdict")?.textContent ?? ""));
  const said = await p.textContent("#m-payment");
  assert.match(said, /Your card was declined\..*Choose another card/);
  assert.doesNotMatch(said, /stolen|fraud/i);
  await p.selectOption("#f-test-card", "braintree:2038");
  await p.click("button[type=submit]");
  await p.waitForFunction(() => /Try again in a few minutes/.test(document.querySelector("#m-payment")?.textContent ?? ""));
  await p.selectOption("#f-test-card", "");
  await p.click("button[type=submit]");
  await p.waitForFunction(() => /Order placed/.test(document.querySelector("#verdict")?.textContent ?? ""));
  // Risk signals never reach the shopper: a card from elsewhere shows nothing.
  assert.doesNotMatch(await p.textContent("#form"), /issued in|Prepaid|Throwaway/);
  await p.setViewportSize({ width: 390, height: 800 });
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390), "no sideways scroll at 390 px");
  assert.deepEqual(await axe(p), [], "checkout");
  await p.screenshot({ path: join(shots, "checkout-390.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await p.close();
});

test("the playground's editor numbers lines, indents with Tab and marks a compile error at its line:col", async () => {
  const { p, problems } = await page();
  await p.goto(`${base}/playground/`);
  await p.waitForFunction(() => document.querySelector("#entry")?.options.length > 0);
  await p.waitForSelector("#editor .cm-lineNumbers");
  await p.selectOption("#file", "checkout.rhai");
  assert.match(await p.inputValue("#source"), /fn checkout\(cart, ctx\)/);
  await setText(p, "fn checkout(input, ctx) {\n    let x = ;\n}\n");
  await p.waitForSelector("#editor .cm-lintRange-error");
  const marked = await p.evaluate(() => {
    const range = document.querySelector("#editor .cm-lintRange-error");
    return [...document.querySelectorAll("#editor .cm-line")].findIndex((l) => l.contains(range)) + 1;
  });
  assert.equal(marked, 2, "the error is marked on the line the compiler names");
  assert.ok(await p.locator("#editor .cm-lint-marker-error").count() > 0, "and in the gutter");
  await p.hover("#editor .cm-lintRange-error");
  await p.waitForSelector(".cm-tooltip-lint");
  assert.match(await p.textContent(".cm-tooltip-lint"), /Unexpected ';'/, "the compiler's message on hover");
  // Tab indents inside the editor instead of leaving it.
  await p.click("#editor .cm-line >> nth=2");
  await p.keyboard.press("Home");
  await p.keyboard.press("Tab");
  assert.match(await p.inputValue("#source"), /\n {4}\}\n$/);
  assert.equal(await p.evaluate(() => document.activeElement?.classList.contains("cm-content")), true);
  assert.deepEqual(problems, []);
  await p.close();
});

test("every page fits a 390 px phone: nothing wider than the screen", async () => {
  await post(sample("carrier_exception", "evt-pages-390", "ord-pages-390"));
  const { p, problems } = await page();
  await p.setViewportSize({ width: 390, height: 844 });
  const wide = () => p.evaluate(() => {
    // Wide content inside its own scrolling box (a table, code) is fine; the page itself must not scroll sideways.
    const scrolls = (e) => { for (let a = e.parentElement; a; a = a.parentElement) { if (/auto|scroll|hidden/.test(getComputedStyle(a).overflowX) && a.getBoundingClientRect().right <= window.innerWidth + 1) return true; } return false; };
    const over = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null && !scrolls(e));
    return { scroll: document.documentElement.scrollWidth, over: over.slice(0, 3).map((e) => e.tagName + (e.id ? `#${e.id}` : "")) };
  });
  for (const [path, ready] of [["/", "body"], ["/console/", "#rows tr.case"], ["/playground/", "#entry option"], ["/checkout/", "#f-country option"]]) {
    await p.goto(`${base}${path}`);
    await p.waitForSelector(ready, { state: "attached" });
    if (path === "/console/") { await p.click("#rows tr.case"); await p.waitForSelector("#detail h2"); }
    const w = await wide();
    assert.ok(w.scroll <= 390 && w.over.length === 0, `${path}: ${JSON.stringify(w)}`);
    await p.screenshot({ path: join(shots, `390${path.replaceAll("/", "-") || "-home"}.png`), fullPage: true });
  }
  assert.deepEqual(problems, []);
  await p.close();
});

// axe-core in the page: no serious or critical violation.
async function axe(p) {
  await p.addScriptTag({ path: join(root, "tests", "js", "node_modules", "axe-core", "axe.min.js") });
  const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

test("the console, the playground and the checkout have no serious accessibility violation (axe-core)", async () => {
  await post(sample("payment_declined", "evt-pages-axe", "ord-pages-axe"));
  const { p, problems } = await page();
  await p.goto(`${base}/console/`);
  await p.click("#rows tr.case");
  await p.waitForSelector("#detail h2");
  assert.deepEqual(await axe(p), [], "console");
  await p.goto(`${base}/playground/`);
  await p.waitForFunction(() => document.querySelector("#entry")?.options.length > 0);
  assert.deepEqual(await axe(p), [], "playground");
  await p.goto(`${base}/checkout/`);
  await p.waitForLoadState("networkidle");
  assert.deepEqual(await axe(p), [], "checkout");
  assert.deepEqual(problems, []);
  await p.close();
});

test("a rule author sees what a new bundle would change before activating it, activates it, and rolls back", async () => {
  await post(sample("payment_declined", "evt-pages-whatif", "ord-pages-whatif"));
  // A candidate that sends a first decline to an agent (the case pinning the old threshold removed).
  const dir = mkdtempSync(join(tmpdir(), "ordex-whatif-"));
  cpSync(join(root, "rules"), join(dir, "pack"), { recursive: true });
  const manifest = join(dir, "pack", "ordex.toml");
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace("max_declines_before_agent = 3", "max_declines_before_agent = 1"));
  rmSync(join(dir, "pack", "triage", "payment_declined.test.json"));
  const file = join(dir, "candidate.json");
  execFileSync(ordex, ["bundle", join(dir, "pack"), "--output", file], { cwd: root });
  const before = (await get("/v1/bundles/active")).id;
  const { p, problems } = await page();
  await p.goto(`${base}/console/bundles.html`);
  await p.waitForSelector("#bundles tr");
  const active = await p.textContent("#bundles");
  assert.match(active, /active/);
  await p.setInputFiles("#file", file);
  await p.click("#try");
  await p.waitForSelector("#activate", { timeout: 60_000 });
  const report = await p.textContent("#report");
  assert.match(report, /of its own tests passed/);
  assert.match(report, /self_heal → agent/);
  assert.match(report, /evt-pages-whatif/);
  assert.deepEqual(await axe(p), [], "bundles page with a what-if report");
  await p.click("#activate");
  await p.waitForFunction(() => /is active/.test(document.querySelector("#message")?.textContent ?? ""));
  assert.equal((await get("/v1/bundles/active")).id, JSON.parse(readFileSync(file, "utf8")).id);
  // Roll back to the bundle that was active before, with its own button.
  await p.waitForFunction((id) => [...document.querySelectorAll("#bundles tr")].some((tr) => tr.cells[0]?.title === id && tr.querySelector("button")), before);
  await p.evaluate((id) => [...document.querySelectorAll("#bundles tr")].find((tr) => tr.cells[0]?.title === id).querySelector("button").click(), before);
  await p.waitForFunction((id) => [...document.querySelectorAll("#bundles tr")].some((tr) => tr.cells[0]?.title === id && tr.cells[3]?.textContent === "active"), before, { timeout: 60_000 });
  assert.equal((await get("/v1/bundles/active")).id, before, "rolled back");
  assert.deepEqual(problems, []);
  await p.close();
});
