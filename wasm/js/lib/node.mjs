// Node.js (ES module): ready on import, the Wasm is read from the package.
import { createRequire } from "node:module";
import { bind } from "./engine.js";

const raw = createRequire(import.meta.url)("./node/ordex_js.js");

export * from "./errors.js";
export { shopperFindings } from "./findings.js";
export const version = raw.version;
export const addressFormat = raw.addressFormat;
export const countries = raw.countries;
export const Engine = bind(raw);
/** Kept for symmetry with the web build: Node needs no initialisation. */
export default async function init() {}
export function initSync() {}
