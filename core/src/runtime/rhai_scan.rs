//! A small scanner for Rhai source: the top-level functions of a file (with
//! their byte spans) and the names each piece of code mentions.
//!
//! It exists to cut a pack down to what some entries need (see
//! [`super::subset`]), which only needs to *over*-approximate what code
//! refers to: every identifier and every string literal counts as a possible
//! reference. Comments are skipped, strings are read with their escapes, and
//! back-tick strings contribute both their text and the code inside `${…}`,
//! so braces in strings or comments never confuse the function boundaries.

/// One top-level `fn` item of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FnItem {
    /// The function's name.
    pub name: String,
    /// Byte span from the first line of its doc comment (or `private`/`fn`)
    /// to just past its closing `}`.
    pub span: (usize, usize),
    /// Names its body and parameters mention (identifiers and string contents).
    pub mentions: Vec<String>,
}

/// What [`scan`] found in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scanned {
    /// Top-level functions in source order.
    pub functions: Vec<FnItem>,
    /// Names mentioned by top-level code outside any function (constants,
    /// statements a module runs when it loads).
    pub top_level_mentions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Open,
    Close,
    OpenParen,
    /// Any other character outside strings and comments (punctuation,
    /// digits, operators).
    Other(char),
}

/// Tokens with their byte offsets (start, end).
pub(super) fn lex(src: &str) -> Vec<(Tok, usize, usize)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    lex_code(src, bytes, &mut i, &mut out, 0);
    out
}

/// Interpolations nested deeper than this are read as string text: the
/// scanner runs on untrusted packs before any sandbox, so its recursion is
/// bounded (Rhai's own parser refuses such nesting anyway).
const MAX_NESTING: usize = 32;

/// Lexes code from `*i`; inside an interpolation (`nesting` > 0), stops after
/// the `}` that closes it.
fn lex_code(
    src: &str,
    bytes: &[u8],
    i: &mut usize,
    out: &mut Vec<(Tok, usize, usize)>,
    nesting: usize,
) {
    let nested = nesting > 0;
    let mut depth = 0usize;
    while *i < bytes.len() {
        let start = *i;
        let c = bytes[*i];
        match c {
            b'/' if bytes.get(*i + 1) == Some(&b'/') => {
                while *i < bytes.len() && bytes[*i] != b'\n' {
                    *i += 1;
                }
            }
            b'/' if bytes.get(*i + 1) == Some(&b'*') => {
                // Rhai block comments nest.
                let mut level = 0usize;
                while *i < bytes.len() {
                    if bytes[*i] == b'/' && bytes.get(*i + 1) == Some(&b'*') {
                        level += 1;
                        *i += 2;
                    } else if bytes[*i] == b'*' && bytes.get(*i + 1) == Some(&b'/') {
                        level -= 1;
                        *i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        *i += 1;
                    }
                }
            }
            b'"' | b'\'' => {
                *i += 1;
                let mut text = String::new();
                while *i < bytes.len() && bytes[*i] != c {
                    if bytes[*i] == b'\\' {
                        *i += 1;
                    }
                    if let Some(ch) = src.get(*i..).and_then(|s| s.chars().next()) {
                        text.push(ch);
                        *i += ch.len_utf8();
                    } else {
                        *i += 1;
                    }
                }
                *i += 1;
                out.push((Tok::Str(text), start, (*i).min(bytes.len())));
            }
            b'`' => {
                *i += 1;
                let mut text = String::new();
                while *i < bytes.len() && bytes[*i] != b'`' {
                    if bytes[*i] == b'$'
                        && bytes.get(*i + 1) == Some(&b'{')
                        && nesting < MAX_NESTING
                    {
                        *i += 2;
                        lex_code(src, bytes, i, out, nesting + 1);
                        continue;
                    }
                    if let Some(ch) = src.get(*i..).and_then(|s| s.chars().next()) {
                        text.push(ch);
                        *i += ch.len_utf8();
                    } else {
                        *i += 1;
                    }
                }
                *i += 1;
                out.push((Tok::Str(text), start, (*i).min(bytes.len())));
            }
            b'{' => {
                depth += 1;
                *i += 1;
                out.push((Tok::Open, start, *i));
            }
            b'}' => {
                *i += 1;
                if nested && depth == 0 {
                    return;
                }
                depth = depth.saturating_sub(1);
                out.push((Tok::Close, start, *i));
            }
            b'(' => {
                *i += 1;
                out.push((Tok::OpenParen, start, *i));
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                while *i < bytes.len() && (bytes[*i] == b'_' || bytes[*i].is_ascii_alphanumeric()) {
                    *i += 1;
                }
                out.push((Tok::Ident(src[start..*i].to_owned()), start, *i));
            }
            c if c.is_ascii_whitespace() => *i += 1,
            _ => {
                // Skip a whole UTF-8 character (non-ASCII appears in strings
                // and comments only, but be safe anywhere).
                let ch = src.get(*i..).and_then(|s| s.chars().next());
                *i += ch.map_or(1, char::len_utf8);
                out.push((Tok::Other(ch.unwrap_or('?')), start, *i));
            }
        }
    }
}

fn mention(tok: &Tok) -> Option<&str> {
    match tok {
        Tok::Ident(s) | Tok::Str(s) => Some(s),
        _ => None,
    }
}

/// Where the comment lines directly above byte `at` begin (the doc comment
/// of the item that starts there), or the start of `at`'s line.
fn doc_start(src: &str, at: usize) -> usize {
    let mut line_start = src[..at].rfind('\n').map_or(0, |p| p + 1);
    if !src[line_start..at].trim().is_empty() {
        // Other code shares the line: the item starts where it starts.
        return at;
    }
    while line_start > 0 {
        let prev_start = src[..line_start - 1].rfind('\n').map_or(0, |p| p + 1);
        let prev = src[prev_start..line_start - 1].trim_start();
        if prev.starts_with("//") {
            line_start = prev_start;
        } else {
            break;
        }
    }
    line_start
}

/// Scans `src` for its top-level functions and the names its code mentions.
pub(crate) fn scan(src: &str) -> Scanned {
    let toks = lex(src);
    let mut out = Scanned::default();
    let mut depth = 0usize;
    let mut k = 0;
    while k < toks.len() {
        let (tok, start, _) = &toks[k];
        let is_fn = depth == 0
            && matches!(tok, Tok::Ident(s) if s == "fn")
            && matches!(toks.get(k + 1), Some((Tok::Ident(_), _, _)))
            && matches!(toks.get(k + 2), Some((Tok::OpenParen, _, _)));
        if !is_fn {
            match tok {
                Tok::Open => depth += 1,
                Tok::Close => depth = depth.saturating_sub(1),
                other => {
                    if let Some(m) = mention(other)
                        && m != "private"
                    {
                        out.top_level_mentions.push(m.to_owned());
                    }
                }
            }
            k += 1;
            continue;
        }
        let name = match &toks[k + 1].0 {
            Tok::Ident(s) => s.clone(),
            _ => unreachable!("checked above"),
        };
        let mut from = *start;
        if k > 0
            && let (Tok::Ident(p), pstart, _) = &toks[k - 1]
            && p == "private"
        {
            from = *pstart;
        }
        let from = doc_start(src, from);
        // The body: from the first `{` after the parameters to its match.
        let mut j = k + 2;
        let mut mentions = Vec::new();
        while j < toks.len() && toks[j].0 != Tok::Open {
            if let Some(m) = mention(&toks[j].0) {
                mentions.push(m.to_owned());
            }
            j += 1;
        }
        let mut body_depth = 0usize;
        let mut end = src.len();
        while j < toks.len() {
            match &toks[j].0 {
                Tok::Open => body_depth += 1,
                Tok::Close => {
                    body_depth -= 1;
                    if body_depth == 0 {
                        end = toks[j].2;
                        break;
                    }
                }
                other => {
                    if let Some(m) = mention(other) {
                        mentions.push(m.to_owned());
                    }
                }
            }
            j += 1;
        }
        out.functions.push(FnItem {
            name,
            span: (from, end),
            mentions,
        });
        k = j + 1;
    }
    out
}

/// `src` with the byte spans removed except for their line breaks, so every
/// line that stays keeps its line number (errors still point at the same
/// `file:line` as in the full pack).
pub(crate) fn blank_spans(src: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    let mut sorted = spans.to_vec();
    sorted.sort_unstable();
    for (from, to) in sorted {
        if from < at {
            continue;
        }
        out.push_str(&src[at..from]);
        out.extend(src[from..to].chars().filter(|c| *c == '\n'));
        at = to;
    }
    out.push_str(&src[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_functions_with_their_doc_comments() {
        let src = "// header\nconst X = 1;\n\n/// Adds.\n/// Really.\nfn add(a, b) { if a { `x{${b}}` } else { \"}\" } }\nprivate fn hidden() { common::rate(\"usd_rates\") }\n";
        let s = scan(src);
        let names: Vec<_> = s.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["add", "hidden"]);
        assert_eq!(
            &src[s.functions[0].span.0..s.functions[0].span.0 + 9],
            "/// Adds."
        );
        assert!(src[..s.functions[0].span.1].ends_with("} }"));
        assert!(src[s.functions[1].span.0..].starts_with("private fn hidden"));
        assert!(s.functions[1].mentions.contains(&"common".to_owned()));
        assert!(s.functions[1].mentions.contains(&"usd_rates".to_owned()));
        assert!(s.functions[0].mentions.contains(&"b".to_owned()));
        assert!(s.top_level_mentions.contains(&"X".to_owned()));
        assert!(!s.top_level_mentions.contains(&"header".to_owned()));
    }

    #[test]
    fn braces_in_comments_and_strings_do_not_end_a_function() {
        let src = "fn a() { /* } /* nested } */ */ let s = '}'; // }\n \"{\" }\nfn b() { 1 }";
        let s = scan(src);
        assert_eq!(s.functions.len(), 2);
        assert_eq!(s.functions[1].name, "b");
    }

    #[test]
    fn blanking_keeps_line_numbers() {
        let src = "fn a() {\n  1\n}\nfn b() { 2 }\n";
        let s = scan(src);
        let kept = blank_spans(src, &[s.functions[0].span]);
        assert_eq!(kept, "\n\n\nfn b() { 2 }\n");
    }

    #[test]
    fn deeply_nested_interpolations_do_not_exhaust_the_stack() {
        let src = "`${".repeat(100_000);
        let _ = scan(&src);
        let _ = lex(&src);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for src in [
            "fn a(",
            "fn a() {",
            "\"abc",
            "`${",
            "/* x",
            "fn",
            "fn a() { `${ }` ",
        ] {
            let _ = scan(src);
        }
    }
}
