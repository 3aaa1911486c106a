// The rule playground: edit a rule file of the active bundle, rebuild the
// bundle in the page (content id recomputed as `ordex bundle` does), and run
// an entry point on an input with the npm package. Errors point at file:line:col.
import init, { Engine, OrdexError } from "/pkg/web.js";
import { traceTree, stackText } from "/console/trace-tree.js";
import { tableGrid } from "./table-grid.js";

const $ = (id) => document.getElementById(id);
let original = null; // the active bundle as fetched
let edited = {};     // file -> edited text
let samples = [];    // {entry, name, input} from the bundle's test files

$("key").value = localStorage.getItem("ordex-key") ?? "";
$("key").addEventListener("change", () => { localStorage.setItem("ordex-key", $("key").value.trim()); start(); });
$("now").value = new Date().toISOString().replace(/\.\d+Z$/, "Z");

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").className = isError ? "error" : "muted";
}

// sha256 of the canonical JSON {format, manifest, files (sorted)}: the bundle id.
async function rebundle(b) {
  const files = Object.fromEntries(Object.entries(b.files).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  const canonical = JSON.stringify({ format: b.format, manifest: b.manifest, files });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  const hex = [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join("");
  return { format: b.format, id: `sha256:${hex}`, manifest: b.manifest, files };
}

// The file picker, the samples and the entries, from `original`.
async function listFiles() {
  // Rules first, then the manifest (params included), tables and tests.
  const editable = Object.keys(original.files).filter((f) => /\.(rhai|csv|json)$/.test(f));
  const order = (f) => (f.endsWith(".rhai") ? 0 : f.endsWith(".csv") ? 2 : 3);
  editable.sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
  $("file").replaceChildren(...editable.filter((f) => order(f) === 0).map((f) => new Option(f, f)),
    new Option(MANIFEST, MANIFEST), ...editable.filter((f) => order(f) > 0).map((f) => new Option(f, f)));
  samples = [];
  for (const [path, text] of Object.entries(original.files)) {
    if (!path.endsWith(".json")) continue;
    try {
      const t = JSON.parse(text);
      for (const c of t.cases ?? []) {
        let input = c.input ?? (t.base && c.patch ? merge(structuredClone(t.base), c.patch) : structuredClone(t.base));
        // `set` writes values (null included) after the patch; a case whose path cannot be followed is skipped.
        try { for (const step of c.set ?? []) input = setPath(input ?? {}, step.path, step.value); } catch { continue; }
        const context = t.context && c.context ? merge(structuredClone(t.context), c.context) : (c.context ?? t.context);
        if (input) samples.push({ entry: t.entry, name: c.name, input, context, now: c.now ?? t.now });
      }
    } catch { /* not a test file */ }
  }
  const engine = Engine.fromBundle(original);
  $("entry").replaceChildren(...engine.entries.map((e) => new Option(e, e)));
  engine.free();
  showFile();
  showSamples();
}

async function start() {
  try {
    await init();
    const headers = { authorization: `Bearer ${$("key").value.trim()}` };
    const active = await (await fetch("/v1/bundles/active", { headers })).json();
    if (!active.id) throw new Error(active.errors?.[0]?.message ?? "no active bundle");
    original = await (await fetch(`/v1/bundles/${encodeURIComponent(active.id)}`, { headers })).json();
    edited = {};
    await listFiles();
    say(`bundle ${original.id.slice(0, 19)}…, ${samples.length} sample inputs from its tests`);
    await applySharedLink();
  } catch (e) {
    say(`${e.message} (enter the API key from ordex-data/api-key)`, true);
  }
}

// JSON merge patch (RFC 7396), as the test files use it.
function merge(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = target && typeof target === "object" && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

// A test case's `set` step: the value at a dotted path (or a list of
// segments), creating objects on the way, as `ordex test` applies it.
function setPath(doc, path, value) {
  const segs = Array.isArray(path) ? path.map(String) : String(path).split(".");
  let at = doc;
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (Array.isArray(at)) {
      const n = Number(seg);
      if (!Number.isInteger(n) || n < 0 || n > at.length) throw new Error(`bad index ${seg}`);
      if (last) at[n] = value;
      else at = at[n] ??= {};
    } else if (at && typeof at === "object") {
      if (last) at[seg] = value;
      else at = (at[seg] ??= {});
    } else throw new Error(`cannot set ${seg}`);
  });
  return doc;
}

const MANIFEST = "ordex.toml";

let editor = null;     // the CodeMirror editor, when its bundle is there (else the text area)
let grid = null;       // the open table's grid, when a .csv file is shown as one
let asText = false;    // the author chose to edit tables as text
let checkTimer = 0;

// The editor when its bundle loads (line numbers, highlighting, error
// marks); the plain text area stays, hidden, as the page's record of the text.
async function loadEditor() {
  try {
    const { createEditor } = await import("./vendor/editor.js");
    editor = createEditor($("editor"), {
      label: "The chosen file's text",
      onChange: (text) => { edited[$("file").value] = text; $("source").value = text; scheduleCheck(); },
    });
  } catch {
    editor = null; // no bundle: the text area is the editor
  }
}

function showFile() {
  const f = $("file").value;
  const text = edited[f] ?? (f === MANIFEST ? original.manifest : original.files[f]);
  $("source").value = text;
  const isTable = f.endsWith(".csv");
  $("grid-toggle").hidden = !isTable;
  grid = isTable && !asText ? tableGrid(f, text, (t) => { edited[f] = t; $("source").value = t; scheduleCheck(); }) : null;
  $("grid-toggle").textContent = grid || !isTable ? "Edit as text" : "Edit as grid";
  $("grid").replaceChildren(...(grid ? [grid.element] : []));
  $("grid").hidden = !grid;
  if (editor) editor.setFile(f, text);
  $("editor").hidden = !editor || !!grid;
  $("source").hidden = !!editor || !!grid;
  scheduleCheck();
}

// Compiles the edited pack shortly after an edit and marks what the
// errors and warnings name: the open table's rows, or the open file's
// line:col in the editor.
function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(async () => {
    if (!grid && !editor) return;
    const shown = grid;
    const file = $("file").value;
    let found;
    try {
      const engine = Engine.fromBundle(await editedBundle());
      found = engine.warnings.map((w) => ({ ...w, severity: "warning" }));
      engine.free();
    } catch (e) {
      found = (e.errors ?? []).map((x) => ({ ...x, severity: "error" }));
    }
    if (shown && shown === grid) grid.mark(found);
    if (editor && !grid && file === $("file").value) {
      const here = found.filter((d) => d.location?.file === (file === MANIFEST ? "ordex.toml" : file) && d.location.line);
      editor.mark(here.map((d) => ({ line: d.location.line, col: d.location.col, message: d.message + (d.hint ? `\nhint: ${d.hint}` : ""), severity: d.severity })));
    }
  }, 200);
}

// The bundle as edited: the manifest and files with the page's changes.
async function editedBundle() {
  const { [MANIFEST]: manifest, ...files } = edited;
  return rebundle({ ...original, manifest: manifest ?? original.manifest, files: { ...original.files, ...files } });
}

function showCompileErrors(e) {
  const where = (e.errors ?? []).map((x) => (x.location?.file ? `${x.location.file}:${x.location.line}:${x.location.col}: ` : "") + x.message).join("\n");
  $("answer").textContent = `${e.name}: ${e.code}\n${where}`;
  $("answer").className = "error";
}

// The pack's own test cases, run in the page by the core's runner.
async function runTests() {
  if (!original) return;
  let engine;
  try { engine = Engine.fromBundle(await editedBundle()); } catch (e) { showCompileErrors(e); return; }
  try {
    const t0 = performance.now();
    const run = engine.runTests();
    $("timing").textContent = `${(performance.now() - t0).toFixed(0)} ms for ${run.cases.length} cases`;
    const failed = run.cases.filter((c) => !c.passed);
    const lines = [`${run.cases.length - failed.length} passed, ${failed.length} failed`];
    for (const f of run.file_errors) lines.push(`test file ${f.file}: ${f.message}`);
    for (const c of failed) lines.push("", `FAIL ${c.file}::${c.name}`, ...c.mismatches.map((m) => `  ${m}`));
    $("answer").textContent = lines.join("\n");
    $("answer").className = failed.length || run.file_errors.length ? "error" : "";
    $("trace-out").replaceChildren();
  } finally { engine.free(); }
}

// A share link carries the edits (not the whole bundle) in the URL
// fragment, deflated and base64url-encoded, with the id of the bundle they
// were made on; the fragment never reaches a server.
async function packEdits() {
  const json = JSON.stringify({ base: original.id, edited });
  const stream = new Blob([json]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function unpackEdits(text) {
  const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const shared = JSON.parse(await new Response(stream).text());
  if (!shared || typeof shared.edited !== "object") throw new Error("not a playground link");
  return shared;
}

/** Bytes a share link may carry (browsers and chat tools cut longer URLs). */
const MAX_LINK = 60_000;

async function share() {
  if (!original) return;
  const packed = await packEdits();
  const url = `${location.origin}${location.pathname}#pack=${packed}`;
  if (url.length > MAX_LINK) { say(`the edits are too large for a link (${url.length} characters): use Download bundle`, true); return; }
  history.replaceState(null, "", url);
  try { await navigator.clipboard.writeText(url); say(`share link copied (${Object.keys(edited).length} edited file(s))`); }
  catch { say("share link in the address bar (the clipboard is not available here)"); }
}

// Edits from a share link, applied over the active bundle once it is loaded.
async function applySharedLink() {
  const m = location.hash.match(/^#pack=([A-Za-z0-9_-]+)$/);
  if (!m || !original) return;
  try {
    const shared = await unpackEdits(m[1]);
    edited = Object.fromEntries(Object.entries(shared.edited).filter(([, v]) => typeof v === "string"));
    showFile();
    const note = shared.base === original.id ? "" : " (made on another bundle than the active one)";
    say(`opened a shared pack: ${Object.keys(edited).length} edited file(s)${note}`);
  } catch (e) {
    say(`the share link cannot be read: ${e.message}`, true);
  }
}

// A bundle file replaces the page's bundle: its files become the ones edited.
async function openFile(file) {
  try {
    const bundle = JSON.parse(await file.text());
    const engine = Engine.fromBundle(bundle);
    engine.free();
    original = bundle;
    edited = {};
    await listFiles();
    say(`opened ${file.name}: bundle ${bundle.id?.slice(0, 19) ?? "(no id)"}…`);
  } catch (e) {
    say(`${file.name} is not a bundle this engine can load: ${e.errors?.[0]?.message ?? e.message}`, true);
  }
}

async function download() {
  if (!original) return;
  const bundle = await editedBundle();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(bundle)], { type: "application/json" }));
  a.download = `bundle-${bundle.id.slice(7, 19)}.json`;
  a.click();
  URL.revokeObjectURL(a.href);
}

function showSamples() {
  const mine = samples.filter((s) => s.entry === $("entry").value);
  $("sample").replaceChildren(...mine.map((s, i) => new Option(s.name, i)));
  showSample();
}

function showSample() {
  const mine = samples.filter((s) => s.entry === $("entry").value);
  const s = mine[Number($("sample").value)];
  if (!s) return;
  $("input").value = JSON.stringify(s.input, null, 2);
  if (s.now) $("now").value = s.now;
}

async function run() {
  if (!original) return;
  let engine;
  try {
    engine = Engine.fromBundle(await editedBundle());
  } catch (e) {
    showCompileErrors(e);
    return;
  }
  $("trace-out").replaceChildren();
  try {
    const mine = samples.filter((s) => s.entry === $("entry").value);
    const context = mine[Number($("sample").value)]?.context;
    if ($("trace").checked) return runTraced(engine, context);
    const t0 = performance.now();
    const answer = engine.evaluate($("entry").value, $("input").value, $("now").value, context ?? null);
    $("timing").textContent = `${(performance.now() - t0).toFixed(2)} ms`;
    $("answer").textContent = JSON.stringify(answer, null, 2);
    $("answer").className = "";
  } catch (e) {
    const loc = e.location ? (e.location.file ? ` at ${e.location.file}:${e.location.line}:${e.location.col}` : ` at ${e.location.path}`) : "";
    const stack = e instanceof OrdexError && e.ruleStack?.length ? `\n${stackText(e.ruleStack)}` : "";
    $("answer").textContent = e instanceof OrdexError ? `${e.name} ${e.code}${loc}\n${e.message}${stack}${e.hint ? `\nhint: ${e.hint}` : ""}` : String(e);
    $("answer").className = "error";
  } finally {
    engine.free();
  }
}

// The same call through the envelope API with `"trace": true`: the answer
// (or the errors with their rule call stacks) and the trace as a tree.
function runTraced(engine, context) {
  let input;
  try { input = JSON.parse($("input").value); } catch (e) {
    $("answer").textContent = `The input is not JSON: ${e.message}`;
    $("answer").className = "error";
    return;
  }
  const call = { entry: $("entry").value, now: $("now").value, input, trace: true };
  if (context) call.context = context;
  const t0 = performance.now();
  const answer = JSON.parse(engine.evaluateJson(JSON.stringify(call)));
  $("timing").textContent = `${(performance.now() - t0).toFixed(2)} ms, traced`;
  if (answer.errors) {
    $("answer").textContent = answer.errors.map((e) => {
      const loc = e.location ? (e.location.file ? ` at ${e.location.file}:${e.location.line}:${e.location.col}` : ` at ${e.location.path}`) : "";
      return `${e.code}${loc}\n${e.message}${e.stack ? `\n${stackText(e.stack)}` : ""}${e.hint ? `\nhint: ${e.hint}` : ""}`;
    }).join("\n\n");
    $("answer").className = "error";
  } else {
    $("answer").textContent = JSON.stringify({ ok: answer.ok, warnings: answer.warnings }, null, 2);
    $("answer").className = "";
  }
  if (answer.trace) $("trace-out").replaceChildren(traceTree(answer.trace, { onLocation: openAt }));
}

// Opens a rule file at a line (from a trace or a stack).
function openAt(loc) {
  if (![...$("file").options].some((o) => o.value === loc.file)) return;
  $("file").value = loc.file;
  showFile();
  if (editor) { editor.reveal(loc.line); return; }
  const text = $("source").value;
  let start = 0;
  for (let line = 1; line < loc.line && start !== -1; line++) start = text.indexOf("\n", start) + 1 || -1;
  if (start < 0) return;
  const end = text.indexOf("\n", start);
  $("source").focus();
  $("source").setSelectionRange(start, end < 0 ? text.length : end);
  // Scroll the line into view: textareas do not do it for a selection alone.
  $("source").scrollTop = Math.max(0, (loc.line - 5) * 16.8);
}

$("file").addEventListener("change", showFile);
$("source").addEventListener("input", () => { edited[$("file").value] = $("source").value; });
$("reset").addEventListener("click", () => { delete edited[$("file").value]; showFile(); });
$("grid-toggle").addEventListener("click", () => { asText = !!grid; showFile(); });
$("entry").addEventListener("change", showSamples);
$("sample").addEventListener("change", showSample);
$("run").addEventListener("click", run);
$("tests").addEventListener("click", runTests);
$("download").addEventListener("click", download);
$("share").addEventListener("click", share);
$("open").addEventListener("change", (e) => { if (e.target.files[0]) openFile(e.target.files[0]); e.target.value = ""; });
document.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
loadEditor().then(start);
