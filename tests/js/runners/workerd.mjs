// Parity runner, workerd (Cloudflare's open-source Workers runtime, npm
// `workerd`): a worker on 127.0.0.1 with the npm package's web build and the
// bundle bound in; the corpus is POSTed in chunks of NDJSON and answered the
// same way, one answer per line, in order.
//   node workerd.mjs <bundle.json> <corpus.ndjson> <answers.ndjson>
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyPackage, freePort, startWorkerd } from "../workerd-worker.mjs";

const [bundlePath, corpusPath, outPath] = process.argv.slice(2);

const dir = mkdtempSync(join(tmpdir(), "ordex-workerd-"));
const packageModules = copyPackage(dir);
copyFileSync(bundlePath, join(dir, "bundle.json"));
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
const port = await freePort();
writeFileSync(join(dir, "config.capnp"), `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    ${packageModules}
    (name = "bundle.json", json = embed "bundle.json"),
  ],
  compatibilityDate = "2025-01-01",
);
`);
const child = await startWorkerd(join(dir, "config.capnp"), `http://127.0.0.1:${port}/`);
try {
  const bundleId = await (await fetch(`http://127.0.0.1:${port}/`)).text();
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
