// ordex at the edge: an ES-module worker (Cloudflare Workers, workerd, or
// any runtime with the WinterCG fetch API) that checks checkout POST bodies
// with the same `.wasm` and the same public checkout bundle the storefront
// page runs, before they reach the origin.
//
//   POST <CHECKOUT_PATH> with a checkout request (JSON):
//     blocked by the rules  -> 422 {blocked: true, findings}  (the shopper's findings only)
//     not JSON / too large  -> 400 / 413 / 415 with a typed error
//     otherwise             -> forwarded to the origin, with `x-ordex-bundle`
//                              and `x-ordex-findings` (how many non-blocking findings)
//   anything else           -> forwarded unchanged
//
// Bindings (see www/edge/README.md): `ORIGIN` (a service binding or fetcher
// for the origin), `CHECKOUT_PATH` (default `/checkout`), `MAX_BODY_BYTES`
// (default 262144). The bundle and the module are imported beside this file.
import { initSync, Engine, OrdexError, shopperFindings } from "./web.js";
import wasm from "./ordex_js_bg.wasm";
import bundle from "./bundle.json";

initSync({ module: wasm });
// One engine per isolate: compiling the bundle is the expensive part.
const engine = Engine.fromBundle(bundle);

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "x-ordex-bundle": engine.bundleId, ...headers } });

const problem = (status, code, message, extra = {}) => json(status, { errors: [{ code, message, ...extra }] });

/** Reads at most `limit` bytes of the body; `null` when it is larger. */
async function readBounded(request, limit) {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.byteLength; }
  return new TextDecoder("utf-8", { fatal: true }).decode(all);
}

/** The edge check for one checkout POST; `forward(body)` sends it on to the origin. */
export async function checkCheckout(request, env, forward) {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return problem(415, "input_media_type", "a checkout request is JSON: send content-type application/json");
  }
  const limit = Number(env.MAX_BODY_BYTES ?? 262144);
  let text;
  try {
    text = await readBounded(request, limit);
  } catch {
    return problem(400, "input_json_syntax", "the body is not UTF-8 text");
  }
  if (text === null) return problem(413, "limit_exceeded", `the body is larger than ${limit} bytes`);
  let cart;
  try {
    cart = JSON.parse(text);
  } catch (e) {
    return problem(400, "input_json_syntax", `the body is not JSON: ${e.message}`);
  }
  let decision;
  try {
    decision = engine.checkout(cart, new Date()).ok;
  } catch (e) {
    if (e instanceof OrdexError && e.code.startsWith("input_")) {
      return problem(400, e.code, e.message, e.location ? { location: e.location } : {});
    }
    // The rules failed: let the origin decide rather than block a sale.
    return forward(text, { "x-ordex-error": e instanceof OrdexError ? e.code : "internal" });
  }
  if (decision.blocked) {
    return json(422, { blocked: true, findings: shopperFindings(decision.findings) });
  }
  return forward(text, { "x-ordex-findings": String(decision.findings.length) });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = env.CHECKOUT_PATH ?? "/checkout";
    if (request.method !== "POST" || url.pathname !== path) return env.ORIGIN.fetch(request);
    const forward = (body, headers) => {
      const h = new Headers(request.headers);
      h.set("x-ordex-bundle", engine.bundleId);
      for (const [k, v] of Object.entries(headers)) h.set(k, v);
      return env.ORIGIN.fetch(new Request(request.url, { method: "POST", headers: h, body }));
    };
    return checkCheckout(request, env, forward);
  },
};
