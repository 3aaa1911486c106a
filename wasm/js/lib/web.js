// Browsers and edge workers (ES module, explicit initialisation):
//   import init, { Engine } from "ordex";            await init();               // fetches ordex_js_bg.wasm
//   import { initSync, Engine } from "ordex";         initSync({ module });       // a compiled WebAssembly.Module (workers)
import init, { initSync, version, addressFormat, countries } from "./web/ordex_js.js";
import * as raw from "./web/ordex_js.js";
import { bind } from "./engine.js";

export * from "./errors.js";
export { shopperFindings } from "./findings.js";
export { init as default, initSync, version, addressFormat, countries };
export const Engine = bind(raw);
