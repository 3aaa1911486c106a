// A decision trace (the `trace` member of an answer to a call with
// `"trace": true`) as a collapsible tree: one <details> per rule function
// call (arguments, where it was called, what it returned or why it failed),
// with the tables it asked and the rules it fired inside. Shared by the
// playground and the agent console. Values are shortened on the line; the
// whole value is in the tooltip.

// Characters shown of an argument, and of a result, a table's output or facts.
const SHOWN_ARG = 40;
const SHOWN = 80;

function short(value, max = SHOWN) {
  const text = value === undefined ? "" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function place(loc) {
  return loc && loc.file ? `${loc.file}:${loc.line}:${loc.col}` : "";
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A value shown short, whole in its tooltip. */
function valueSpan(value, max = SHOWN) {
  const s = el("span", "trace-value", short(value, max));
  s.title = JSON.stringify(value, null, 2) ?? "";
  return s;
}

/** A location that calls `onLocation(loc)` when clicked (the playground opens the file there). */
function locationLink(loc, onLocation, prefix = "") {
  const text = `${prefix}${place(loc)}`;
  if (!onLocation || !loc?.file) return el("span", "muted", text);
  const a = el("a", "trace-loc", text);
  a.href = "#";
  a.addEventListener("click", (e) => { e.preventDefault(); onLocation(loc); });
  return a;
}

function stepNode(step, depth, onLocation) {
  if (step.step === "call") {
    const d = el("details", "trace-call");
    d.open = depth < 2 || Boolean(step.error);
    const summary = el("summary");
    summary.append(el("b", "", step.function), "(");
    (step.args ?? []).forEach((a, i) => { if (i) summary.append(", "); summary.append(valueSpan(a, SHOWN_ARG)); });
    summary.append(")  ");
    summary.append(locationLink(step.location, onLocation));
    if (step.called_at) summary.append(" ", locationLink(step.called_at, onLocation, "from "));
    if (step.error) summary.append(el("span", "error", `  ✗ ${step.error}`));
    // `()` (a function run for its effect on the decision) returns nothing worth showing.
    else if (step.returned !== undefined && step.returned !== null) { summary.append("  = "); summary.append(valueSpan(step.returned)); }
    d.append(summary);
    const inner = el("div", "trace-steps");
    for (const s of step.steps ?? []) inner.append(stepNode(s, depth + 1, onLocation));
    d.append(inner);
    return d;
  }
  const line = el("div", `trace-${step.step}`);
  if (step.step === "table") {
    const rows = step.lines.length ? `row${step.lines.length > 1 ? "s" : ""} at line ${step.lines.join(", ")}` : "no row matched";
    line.append(el("span", "tag", "table"), ` ${step.table}: ${rows} → `, valueSpan(step.output));
  } else if (step.step === "fired") {
    line.append(el("span", "tag", "fired"), " ", el("b", "", step.rule), `: ${step.message} `, valueSpan(step.facts));
  } else {
    line.append(valueSpan(step));
  }
  return line;
}

/**
 * The tree of `trace` as a DOM element; `onLocation(loc)` (optional) is
 * called when a file:line:col is clicked.
 */
export function traceTree(trace, { onLocation } = {}) {
  const root = el("div", "trace");
  for (const s of trace?.steps ?? []) root.append(stepNode(s, 0, onLocation));
  if (trace?.dropped) root.append(el("div", "muted", `… ${trace.dropped} more steps not recorded (a trace keeps 2,000)`));
  if (!root.childElementCount) root.append(el("div", "muted", "No rule ran: the call was refused before the rules (see the answer)."));
  return root;
}

/** A failed rule's call stack, innermost first, as lines of text. */
export function stackText(stack) {
  return (stack ?? []).map((f, i) => `${i ? "  called from" : "  in"} ${f.function} (${place(f.location)})`).join("\n");
}
