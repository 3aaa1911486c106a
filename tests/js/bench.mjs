// Benchmarks of the npm package, in Node and in headless Chromium: evaluations
// per second per entry point (the same samples and `now` as `ordex bench`),
// checkout latency percentiles, cold start (compile + instantiate + load the
// bundle) and the .wasm size. `--json` writes the results for `ordex bench
// --js-results`, which puts them beside native and wasmtime in
// docs/benchmarks.md (scripts/bench runs both); `--output` writes markdown.
//   node tests/js/bench.mjs [--seconds 2] [--json results.json] [--output file.md]
import { execFileSync, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { launchChromium } from "./chromium.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = join(root, "wasm", "js", "pkg");
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const seconds = Number(arg("seconds", "2"));
const output = arg("output", null);
const jsonOut = arg("json", null);
const ordex = join(root, "target", process.env.ORDEX_PROFILE ?? "release", "ordex");

const bundleFile = join(mkdtempSync(join(tmpdir(), "ordex-bench-")), "bundle.json");
execFileSync(ordex, ["bundle", "rules", "--output", bundleFile], { cwd: root });
const bundleText = readFileSync(bundleFile, "utf8");
const SAMPLES = [["checkout", "checkout_request"], ["triage", "payment_declined"], ["triage", "carrier_exception"], ["triage", "return_requested"], ["retry", "retry_request"]];
const calls = SAMPLES.map(([entry, file]) => ({
  name: `${entry} (${file})`,
  call: JSON.stringify({ entry, now: "2026-11-27T10:00:00Z", input: JSON.parse(readFileSync(join(root, "rules", "examples", `${file}.json`), "utf8")) }),
}));

// The measuring code runs unchanged in Node and in the page.
const measure = (Engine, bundleText, calls, seconds) => {
  const engine = Engine.fromBundle(bundleText);
  const rows = [];
  for (const { name, call } of calls) {
    for (let i = 0; i < 20; i++) engine.evaluateJson(call); // warm up
    const times = [];
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const t = performance.now();
      engine.evaluateJson(call);
      times.push(performance.now() - t);
    }
    const elapsed = performance.now() - start;
    times.sort((a, b) => a - b);
    const pct = (p) => times[Math.min(times.length - 1, Math.round((times.length - 1) * p))];
    rows.push({ name, perSecond: times.length / (elapsed / 1000), p50: pct(0.5), p99: pct(0.99) });
  }
  return rows;
};

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

// Node: throughput in this process; cold start in fresh processes.
const { Engine } = await import(join(pkg, "node.mjs"));
const node = measure(Engine, bundleText, calls, seconds);
const nodeCold = [];
for (let i = 0; i < 5; i++) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `
    const t0 = performance.now();
    const { Engine } = await import(${JSON.stringify(join(pkg, "node.mjs"))});
    const { readFileSync } = await import("node:fs");
    Engine.fromBundle(readFileSync(${JSON.stringify(bundleFile)}, "utf8"));
    console.log(performance.now() - t0);`], { encoding: "utf8" });
  nodeCold.push(Number(r.stdout.trim()));
}

// Chromium: the web build served on 127.0.0.1.
const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/index.html") { res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>bench</title>"); return; }
  const file = normalize(join(pkg, path));
  if (!file.startsWith(pkg)) { res.writeHead(404).end(); return; }
  let body;
  try { body = readFileSync(file); } catch { res.writeHead(404).end(); return; }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
let chrome, chromeCold = [], userAgent;
try {
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage();
    await page.goto(`${base}/index.html`);
    // The bytes are fetched first: cold start counts compile, instantiate and bundle load.
    const ms = await page.evaluate(async (bundleText) => {
      const mod = await import("/web.js");
      const bytes = await (await fetch("/web/ordex_js_bg.wasm")).arrayBuffer();
      const t0 = performance.now();
      await mod.default({ module_or_path: bytes });
      mod.Engine.fromBundle(bundleText);
      return performance.now() - t0;
    }, bundleText);
    chromeCold.push(ms);
    if (i === 4) {
      userAgent = await page.evaluate(() => navigator.userAgent);
      chrome = await page.evaluate(async ({ bundleText, calls, seconds, src }) => {
        const { Engine } = await import("/web.js");
        return (0, eval)(src)(Engine, bundleText, calls, seconds);
      }, { bundleText, calls, seconds, src: measure.toString() });
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

const wasm = readFileSync(join(pkg, "web", "ordex_js_bg.wasm"));
const kb = (n) => `${Math.round(n / 1024)} KB`;
const sizes = { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length, brotli: brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
const fmt = (x) => x.toFixed(x < 10 ? 2 : 0);
let md = `# Benchmarks: the npm package\n\nRegenerate with \`node tests/js/bench.mjs --output docs/benchmarks-js.md\` after \`bash wasm/js/build.sh\` and a release \`ordex\`.\n`;
md += `Single thread, default rule pack, the same samples and \`now\` as \`ordex bench\` ([benchmarks.md](benchmarks.md)), each call through \`evaluateJson\` (JSON text in and out, as the host ABI), ${seconds} s per cell, on a shared 2-core machine. Node ${process.version}; ${userAgent}.\n\n`;
md += `| entry (sample) | Node evals/s | Node p50 / p99 ms | Chromium evals/s | Chromium p50 / p99 ms |\n|---|---|---|---|---|\n`;
for (let i = 0; i < calls.length; i++) {
  md += `| ${calls[i].name} | ${Math.round(node[i].perSecond)} | ${fmt(node[i].p50)} / ${fmt(node[i].p99)} | ${Math.round(chrome[i].perSecond)} | ${fmt(chrome[i].p50)} / ${fmt(chrome[i].p99)} |\n`;
}
md += `\nCold start (compile and instantiate the module, load the bundle; median of 5): Node ${fmt(median(nodeCold))} ms (a fresh process importing the package), Chromium ${fmt(median(chromeCold))} ms (a fresh page, bytes already fetched).\n\n`;
md += `| module | raw | gzip | brotli |\n|---|---|---|---|\n| JS face (\`ordex_js_bg.wasm\`, wasm-opt -Oz) | ${kb(sizes.raw)} | ${kb(sizes.gzip)} | ${kb(sizes.brotli)} |\n`;
console.log(md);
if (output) writeFileSync(join(root, output), md);
if (jsonOut) {
  const byName = (rows) => Object.fromEntries(rows.map((r) => [r.name, { per_second: r.perSecond, p50_ms: r.p50, p99_ms: r.p99 }]));
  writeFileSync(jsonOut, JSON.stringify({
    node_version: process.version,
    user_agent: userAgent,
    node: byName(node),
    chromium: byName(chrome),
    cold_start_ms: { node: median(nodeCold), chromium: median(chromeCold) },
    wasm_bytes: sizes,
  }, null, 1));
}
