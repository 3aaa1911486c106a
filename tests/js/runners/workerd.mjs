// Parity runner, workerd (Cloudflare's open-source Workers runtime, npm
// `workerd`): a worker on 127.0.0.1 with the npm package's web build and the
// bundle bound in; the corpus is POSTed in chunks of NDJSON and answered the
// same way, one answer per line, in order.
//   node workerd.mjs <bundle.json> <corpus.ndjson> <answers.ndjson>
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [bundlePath, corpusPath, outPath] = process.argv.slice(2);
const pkg = fileURLToPath(new URL("../../../wasm/js/pkg/", import.meta.url));
const workerdBin = fileURLToPath(new URL("../node_modules/.bin/workerd", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "ordex-workerd-"));
for (const f of ["web.js", "engine.js", "errors.js", "findings.js"]) copyFileSync(join(pkg, f), join(dir, f));
copyFileSync(join(pkg, "web", "ordex_js.js"), join(dir, "ordex_js.js"));
copyFileSync(join(pkg, "web", "ordex_js_bg.wasm"), join(dir, "ordex_js_bg.wasm"));
copyFileSync(bundlePath, join(dir, "bundle.json"));
// web.js imports ./web/ordex_js.js; in the worker everything sits side by side.
writeFileSync(join(dir, "web.js"), readFileSync(join(dir, "web.js"), "utf8").replaceAll("./web/ordex_js.js", "./ordex_js.js"));
writeFileSync(join(dir, "worker.js"), `
import { initSync, Engine } from "./web.js";
import wasm from "./ordex_js_bg.wasm";
import bundle from "./bundle.json";
initSync({ module: wasm });
const engine = Engine.fromBundle(bundle);
export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response(engine.bundleId);
    const calls = (await request.text()).split("\\n").filter((l) => l.length > 0);
    return new Response(calls.map((c) => engine.evaluateJson(c)).join("\\n"));
  },
};
`);
const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
});
writeFileSync(join(dir, "config.capnp"), `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "web.js", esModule = embed "web.js"),
    (name = "engine.js", esModule = embed "engine.js"),
    (name = "errors.js", esModule = embed "errors.js"),
    (name = "findings.js", esModule = embed "findings.js"),
    (name = "ordex_js.js", esModule = embed "ordex_js.js"),
    (name = "ordex_js_bg.wasm", wasm = embed "ordex_js_bg.wasm"),
    (name = "bundle.json", json = embed "bundle.json"),
  ],
  compatibilityDate = "2025-01-01",
);
`);
const child = spawn(workerdBin, ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "inherit", "inherit"] });
try {
  let bundleId = null;
  for (let i = 0; i < 300 && !bundleId; i++) {
    try { bundleId = await (await fetch(`http://127.0.0.1:${port}/`)).text(); } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  if (!bundleId) throw new Error("workerd did not start");
  const calls = readFileSync(corpusPath, "utf8").split("\n").filter((l) => l.length > 0);
  const answers = [];
  for (let i = 0; i < calls.length; i += 250) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: calls.slice(i, i + 250).join("\n") });
    if (!res.ok) throw new Error(`workerd answered ${res.status}: ${await res.text()}`);
    answers.push(...(await res.text()).split("\n"));
  }
  writeFileSync(outPath, answers.join("\n") + "\n");
  console.log(`workerd: ${answers.length} answers, bundle ${bundleId}`);
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
