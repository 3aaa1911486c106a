// A decision table (`tables/*.csv`) edited as a grid: a heading per column
// (`in:path:type`, `out:path:type`), a row per rule, the file's leading
// comments kept as they are. The grid writes the same CSV text `ordex
// bundle` reads, and marks the rows the compiler complains about.

/**
 * Parses table text into its lines' items: `{comment}` for a `#` line,
 * `{cells, line}` for a record (its first file line; comments count as
 * lines, as the core counts them). Blank lines are dropped.
 */
export function parseCsv(text) {
  const items = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const atLineStart = i === 0 || text[i - 1] === "\n";
    if (atLineStart && text[i] === "#") {
      const end = text.indexOf("\n", i);
      items.push({ comment: text.slice(i, end < 0 ? text.length : end).replace(/\r$/, "") });
      i = end < 0 ? text.length : end + 1;
      line++;
      continue;
    }
    if (atLineStart && (text[i] === "\n" || text.startsWith("\r\n", i))) {
      i += text[i] === "\n" ? 1 : 2;
      line++;
      continue;
    }
    const start = line;
    const cells = [];
    let cell = "";
    let quoted = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (c === '"') quoted = false;
        else { if (c === "\n") line++; cell += c; }
      } else if (c === '"' && cell === "") quoted = true;
      else if (c === ",") { cells.push(cell); cell = ""; }
      else if (c === "\n") { i++; line++; break; }
      else if (c !== "\r") cell += c;
    }
    if (quoted) return { ok: false, reason: `a quote opened on line ${start} is not closed` };
    cells.push(cell);
    items.push({ cells, line: start });
  }
  if (!items.some((x) => x.cells)) return { ok: false, reason: "the table has no heading row" };
  return { ok: true, items };
}

const needsQuotes = (cell) => /[",\n\r]/.test(cell) || cell !== cell.trim();

/** The CSV text of a grid's items: one line each (cells quoted only when they must be). */
export function toCsv(items) {
  const quote = (cell) => (needsQuotes(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  return items.map((x) => (x.cells ? x.cells.map(quote).join(",") : x.comment)).join("\n") + "\n";
}

const el = (tag, attrs = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), attrs);
  e.append(...children);
  return e;
};

/**
 * A grid editor for one table file. `onChange(text)` gets the new CSV text
 * after every edit. Returns `{element, mark(diagnostics)}`; `mark` shows the
 * compiler's errors and warnings for this file on their rows. Comment lines
 * stay where they are, shown between the rows.
 */
export function tableGrid(file, text, onChange) {
  const parsed = parseCsv(text);
  if (!parsed.ok) return null;
  // One item per line of the written file, so an item's line is its index + 1.
  const items = parsed.items.map((x) => (x.cells ? { cells: [...x.cells] } : { comment: x.comment }));
  const records = () => items.map((x, i) => (x.cells ? i : -1)).filter((i) => i >= 0);
  const heading = () => items[records()[0]].cells;
  const width = () => heading().length;
  const status = el("div", { className: "grid-status", role: "status" });
  status.setAttribute("aria-live", "polite");
  const table = el("table", { className: "table-grid" });
  const caption = el("caption", { className: "muted", textContent: `${file}: a row per rule, in order; "-" matches anything` });
  const changed = () => onChange(toCsv(items));
  // Each column as wide as its longest cell (within reason), so cells read whole.
  const columnSize = (c) => Math.min(48, Math.max(6, ...records().map((i) => (items[i].cells[c] ?? "").length + 1)));

  // `r` counts records (0 is the heading), `at` is the item's index.
  function cellInput(r, at, c) {
    const head = heading()[c] ?? "";
    const label = r === 0 ? `Column ${c + 1} heading` : `Row ${r}, ${head.split(":")[1] ?? `column ${c + 1}`}`;
    const input = el("input", { value: items[at].cells[c] ?? "", spellcheck: false, size: columnSize(c) });
    input.setAttribute("aria-label", label);
    input.dataset.row = r;
    input.dataset.col = c;
    input.addEventListener("input", () => {
      items[at].cells[c] = input.value;
      changed();
      if (r === 0) { render(); table.querySelector(`input[data-row="0"][data-col="${c}"]`)?.focus(); }
    });
    input.addEventListener("keydown", (e) => {
      const to = e.key === "ArrowDown" || e.key === "Enter" ? r + 1 : e.key === "ArrowUp" ? r - 1 : null;
      if (to === null || e.altKey || e.ctrlKey || e.metaKey) return;
      const next = table.querySelector(`input[data-row="${to}"][data-col="${c}"]`);
      if (next) { e.preventDefault(); next.focus(); next.select(); }
    });
    return input;
  }

  function rowTools(r, at) {
    const up = el("button", { type: "button", textContent: "↑", title: "Move this row up (under hit policy first, the first match decides)" });
    up.setAttribute("aria-label", `Move row ${r} up`);
    up.disabled = r <= 1;
    up.addEventListener("click", () => {
      const above = records()[r - 1];
      [items[above], items[at]] = [items[at], items[above]];
      changed();
      render();
    });
    const del = el("button", { type: "button", textContent: "✕", title: "Delete this row" });
    del.setAttribute("aria-label", `Delete row ${r}`);
    del.addEventListener("click", () => { items.splice(at, 1); changed(); render(); });
    return el("td", { className: "row-tools" }, up, del);
  }

  function render() {
    const kind = (c) => (heading()[c] ?? "").split(":")[0];
    const head = [];
    const body = [];
    let r = 0;
    items.forEach((item, at) => {
      const line = String(at + 1);
      let tr;
      if (item.comment !== undefined) {
        tr = el("tr", { className: "comment" }, el("td", { className: "line muted", textContent: line }),
          el("td", { colSpan: width() + 1, className: "muted", textContent: item.comment }));
      } else {
        const n = r++;
        tr = el("tr", {}, el(n === 0 ? "th" : "td", { className: "line muted", textContent: line }),
          ...item.cells.map((_, c) => el(n === 0 ? "th" : "td", { className: `col-${kind(c)}` }, cellInput(n, at, c))),
          n === 0 ? el("th") : rowTools(n, at));
      }
      tr.dataset.line = line;
      // The heading and the comments above it are the table's head.
      const inHead = item.comment === undefined ? r === 1 : r === 0;
      (inHead ? head : body).push(tr);
    });
    table.replaceChildren(caption, el("thead", {}, ...head), el("tbody", {}, ...body));
  }

  const addRow = el("button", { type: "button", textContent: "+ Row" });
  addRow.addEventListener("click", () => {
    // Inputs match anything, outputs are left unset, until the author fills them.
    items.push({ cells: heading().map((h) => (h.startsWith("in:") ? "-" : "")) });
    changed();
    render();
    table.querySelector(`input[data-row="${records().length - 1}"][data-col="0"]`)?.focus();
  });
  const addColumn = (prefix) => () => {
    const at = prefix === "in" ? heading().filter((h) => h.startsWith("in:")).length : width();
    records().forEach((i, r) => items[i].cells.splice(at, 0, r === 0 ? `${prefix}:field:string` : prefix === "in" ? "-" : ""));
    changed();
    render();
  };
  const addIn = el("button", { type: "button", textContent: "+ Input column" });
  addIn.addEventListener("click", addColumn("in"));
  const addOut = el("button", { type: "button", textContent: "+ Output column" });
  addOut.addEventListener("click", addColumn("out"));
  render();
  const normalised = toCsv(items);
  const reformatted = normalised !== text;

  function mark(diagnostics) {
    for (const tr of table.querySelectorAll("tr.bad")) { tr.classList.remove("bad"); tr.removeAttribute("title"); }
    for (const i of table.querySelectorAll('input[aria-invalid="true"]')) i.removeAttribute("aria-invalid");
    const mine = diagnostics.filter((d) => d.location?.file === file);
    for (const d of mine) {
      const tr = table.querySelector(`tr[data-line="${d.location.line}"]`);
      if (!tr) continue;
      tr.classList.add("bad");
      tr.title = d.message;
      for (const i of tr.querySelectorAll("input")) i.setAttribute("aria-invalid", "true");
    }
    status.replaceChildren(...mine.map((d) => el("div", { className: d.severity === "error" ? "error" : "warn", textContent: `line ${d.location.line}: ${d.message}` })));
    if (mine.length === 0) status.textContent = reformatted ? "No problems in this table (rewritten one row per line; Reset file restores it)." : "No problems in this table.";
  }

  const element = el("div", { className: "grid-pane" }, el("div", { className: "bar" }, addRow, addIn, addOut), el("div", { className: "grid-scroll" }, table), status);
  // Blank lines or a cell spanning lines would put rows off their line numbers.
  if (reformatted) onChange(normalised);
  return { element, mark };
}
