// The playground's code editor: CodeMirror 6 with line numbers, Rhai, TOML
// and JSON highlighting, Tab that indents, and the compiler's errors marked
// at their line:col (the message on hover). Bundled by scripts/build-www
// into www/playground/vendor/editor.js; the page falls back to a plain text
// area when the bundle is not there.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { EditorState, Compartment } from "@codemirror/state";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentUnit } from "@codemirror/language";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { lintGutter, setDiagnostics } from "@codemirror/lint";

const RHAI_KEYWORDS = new Set(["fn", "let", "const", "if", "else", "while", "loop", "for", "in", "do", "until", "return", "throw", "try", "catch", "switch", "break", "continue", "import", "export", "as", "private", "this", "global", "is_shared", "Fn", "call", "curry"]);
const ATOMS = new Set(["true", "false", "null", "()"]);

/** Rhai, token by token: comments, strings and templates, numbers, keywords, calls. */
const rhai = StreamLanguage.define({
  name: "rhai",
  startState: () => ({ comment: false, template: false }),
  token(stream, state) {
    if (state.comment) {
      if (stream.skipTo("*/")) { stream.next(); stream.next(); state.comment = false; } else stream.skipToEnd();
      return "comment";
    }
    if (state.template) {
      while (!stream.eol()) { if (stream.next() === "`") { state.template = false; break; } }
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) { stream.skipToEnd(); return "comment"; }
    if (stream.match("/*")) { state.comment = true; return "comment"; }
    if (stream.eat("`")) { state.template = true; return "string"; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)'/)) return "string";
    if (stream.match(/^\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?/)) return "number";
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
      const word = stream.current();
      if (RHAI_KEYWORDS.has(word)) return "keyword";
      if (ATOMS.has(word)) return "atom";
      if (stream.match(/^\s*::/, false)) return "namespace";
      if (stream.match(/^\s*\(/, false)) return "variableName.function";
      return "variableName";
    }
    if (stream.match(/^(==|!=|<=|>=|&&|\|\||\?\?|[-+*/%<>=!?.:])/)) return "operator";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
});

/** TOML: comments, tables, keys, strings, numbers and booleans. */
const toml = StreamLanguage.define({
  name: "toml",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match("#")) { stream.skipToEnd(); return "comment"; }
    if (stream.sol() && stream.match(/^\[\[?[^\]]*\]\]?/)) return "heading";
    if (stream.sol() && stream.match(/^[A-Za-z0-9_."-]+(?=\s*=)/)) return "propertyName";
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'[^']*'?/)) return "string";
    if (stream.match(/^(true|false)\b/)) return "atom";
    if (stream.match(/^[+-]?\d[\d_]*(\.\d+)?([eE][+-]?\d+)?/)) return "number";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
});

/** JSON: member names, strings, numbers, literals. */
const json = StreamLanguage.define({
  name: "json",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^"(?:[^"\\]|\\.)*"/)) return stream.match(/^\s*:/, false) ? "propertyName" : "string";
    if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return "number";
    if (stream.match(/^(true|false|null)\b/)) return "atom";
    stream.next();
    return null;
  },
});

const languageFor = (file) => (file.endsWith(".rhai") ? rhai : file.endsWith(".toml") ? toml : file.endsWith(".json") ? json : []);

/**
 * An editor in `parent`. `onChange(text)` after every edit. Returns
 * `{setFile(name, text), text(), mark(problems), reveal(line), focus()}`;
 * `problems` are `{line, col, message, severity}` for the open file.
 */
export function createEditor(parent, { onChange, label }) {
  const language = new Compartment();
  const extensions = (file) => [
    lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(), bracketMatching(),
    indentUnit.of("    "), EditorState.tabSize.of(4), lintGutter(),
    keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap]),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    language.of(languageFor(file)),
    // An explicit tab stop, so checkers see the scrolled region holds a focusable element.
    EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
    EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
    EditorView.theme({ "&": { height: "100%", fontSize: "12px" }, ".cm-scroller": { fontFamily: "ui-monospace, monospace" } }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: "", extensions: extensions("") }) });
  const at = (line, col) => {
    const doc = view.state.doc;
    const l = doc.line(Math.min(Math.max(1, line), doc.lines));
    return Math.min(l.from + Math.max(0, (col ?? 1) - 1), l.to);
  };
  return {
    view,
    // A new state per file: its own undo history and language.
    setFile(file, text) { view.setState(EditorState.create({ doc: text, extensions: extensions(file) })); },
    text: () => view.state.doc.toString(),
    mark(problems) {
      const diagnostics = problems.map((p) => {
        const from = at(p.line, p.col);
        const lineEnd = view.state.doc.lineAt(from).to;
        return { from, to: Math.max(from, Math.min(lineEnd, from + 1) || from), severity: p.severity === "warning" ? "warning" : "error", message: p.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    reveal(line) {
      const pos = at(line, 1);
      view.dispatch({ selection: { anchor: pos, head: view.state.doc.lineAt(pos).to }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      view.focus();
    },
    focus: () => view.focus(),
  };
}
