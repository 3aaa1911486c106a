//! Human-readable rendering of diagnostics: the location, the offending
//! line with a caret under the column, and the hint.

use ordex_core::runtime::{Bundle, Diagnostic, Location};

/// Renders one diagnostic against the bundle's sources.
pub fn diagnostic(bundle: &Bundle, d: &Diagnostic) -> String {
    let mut out = format!("error[{}]: {}\n", d.code, d.message);
    if let Some(loc) = &d.location {
        out.push_str(&format!("  --> {loc}\n"));
        if let Location::Source { file, line, col } = loc {
            let text = if file == "ordex.toml" {
                Some(&bundle.manifest)
            } else {
                bundle.files.get(file)
            };
            if let Some(src) = text.and_then(|t| t.lines().nth(line.saturating_sub(1))) {
                let gutter = line.to_string().len();
                let caret_pad: String = src
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!(
                    "{:gutter$} |\n{line} | {src}\n{:gutter$} | {caret_pad}^\n",
                    "", ""
                ));
            }
        }
    }
    if let Some(h) = &d.hint {
        out.push_str(&format!("  = hint: {h}\n"));
    }
    out
}
