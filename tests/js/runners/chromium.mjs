// Parity runner, headless Chromium (Debian's `chromium`, driven by
// playwright-core): serves the npm package's web build on 127.0.0.1, answers
// the corpus inside the page, one answer per line, in order.
//   node chromium.mjs <bundle.json> <corpus.ndjson> <answers.ndjson>
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../chromium.mjs";

const [bundlePath, corpusPath, outPath] = process.argv.slice(2);
const pkg = fileURLToPath(new URL("../../../wasm/js/pkg/", import.meta.url));
const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".html": "text/html" };
const files = {
  "/bundle.json": readFileSync(bundlePath),
  "/corpus.ndjson": readFileSync(corpusPath),
  "/index.html": Buffer.from("<!doctype html><title>ordex parity</title>"),
};
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  let body = files[path];
  if (!body && path.startsWith("/pkg/")) {
    const file = normalize(join(pkg, path.slice(5)));
    if (file.startsWith(pkg)) {
      try { body = readFileSync(file); } catch { body = undefined; }
    }
  }
  if (!body) { res.writeHead(404).end(); return; }
  res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(`${base}/index.html`);
  const result = await page.evaluate(async () => {
    const { default: init, Engine } = await import("/pkg/web.js");
    await init();
    const engine = Engine.fromBundle(await (await fetch("/bundle.json")).text());
    const calls = (await (await fetch("/corpus.ndjson")).text()).split("\n").filter((l) => l.length > 0);
    const answers = calls.map((c) => engine.evaluateJson(c));
    return { bundleId: engine.bundleId, answers: answers.join("\n"), userAgent: navigator.userAgent };
  });
  writeFileSync(outPath, result.answers + "\n");
  console.log(`chromium: ${result.answers.split("\n").length} answers, bundle ${result.bundleId}, ${result.userAgent}`);
} finally {
  await browser.close();
  server.close();
}
