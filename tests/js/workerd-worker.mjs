// A worker directory for workerd with the npm package's web build in it
// (everything side by side, as a worker bundles it), a free loopback port,
// and workerd started on a config: shared by the parity runner and the edge
// worker's test.
import { spawn } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../../wasm/js/pkg/", import.meta.url));
const workerdBin = fileURLToPath(new URL("./node_modules/.bin/workerd", import.meta.url));

/**
 * Copies the package's web build into `dir`; answers the capnp `modules`
 * entries for it (the worker's own modules go before them).
 */
export function copyPackage(dir) {
  for (const f of ["engine.js", "errors.js", "findings.js"]) copyFileSync(join(pkg, f), join(dir, f));
  // web.js imports ./web/ordex_js.js; in the worker everything sits side by side.
  writeFileSync(join(dir, "web.js"), readFileSync(join(pkg, "web.js"), "utf8").replaceAll("./web/ordex_js.js", "./ordex_js.js"));
  copyFileSync(join(pkg, "web", "ordex_js.js"), join(dir, "ordex_js.js"));
  copyFileSync(join(pkg, "web", "ordex_js_bg.wasm"), join(dir, "ordex_js_bg.wasm"));
  return ["web.js", "engine.js", "errors.js", "findings.js", "ordex_js.js"]
    .map((m) => `(name = "${m}", esModule = embed "${m}"),`)
    .concat(['(name = "ordex_js_bg.wasm", wasm = embed "ordex_js_bg.wasm"),'])
    .join("\n    ");
}

/** A free port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/** Starts workerd on `config` and waits until `url` answers; the child process. */
export async function startWorkerd(config, url) {
  const child = spawn(workerdBin, ["serve", config], { stdio: ["ignore", "inherit", "inherit"] });
  for (let i = 0; i < 300; i++) {
    try { await fetch(url); return child; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  child.kill();
  throw new Error("workerd did not start");
}
