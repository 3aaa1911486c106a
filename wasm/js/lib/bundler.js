// Bundlers (webpack, Vite, Rollup with Wasm ES-module integration): ready on import.
import * as raw from "./bundler/ordex_js.js";
import { bind } from "./engine.js";

export * from "./errors.js";
export { shopperFindings } from "./findings.js";
export const version = raw.version;
export const addressFormat = raw.addressFormat;
export const countries = raw.countries;
export const Engine = bind(raw);
/** Kept for symmetry with the web build: bundlers instantiate on import. */
export default async function init() {}
export function initSync() {}
