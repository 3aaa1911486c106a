//! The function definitions and call sites of a Rhai file, read from the
//! tokens of [`super::rhai_scan`], for the static checks of `ordex check`
//! ([`super::call_check`]).
//!
//! Rhai offers no public walk over its syntax tree without its `internals`
//! feature, and the checks need only what a call looks like: its name, its
//! namespace or receiver, and how many arguments it passes. Arguments are
//! counted at the call's own nesting level, and a closure's parameter list
//! (`|a, b| …`) is not mistaken for two arguments.

use std::collections::BTreeSet;

use super::rhai_scan::{Tok, lex};

/// How a function is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallForm {
    /// `name(…)`.
    Plain,
    /// `module::name(…)`.
    Namespaced(String),
    /// `receiver.name(…)`.
    Method,
}

/// One call site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// Function name.
    pub name: String,
    /// Plain, namespaced or method.
    pub form: CallForm,
    /// Arguments passed, the receiver of a method not counted.
    pub args: usize,
    /// Byte offset of the name.
    pub offset: usize,
}

/// One `fn` definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FnDef {
    /// Function name.
    pub name: String,
    /// Parameter names.
    pub params: Vec<String>,
    /// Declared `private`.
    pub private: bool,
    /// Byte offset of the name.
    pub offset: usize,
}

/// What a file defines and calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileCalls {
    /// Function definitions, in source order.
    pub defs: Vec<FnDef>,
    /// Call sites, in source order.
    pub calls: Vec<Call>,
    /// Names bound as variables anywhere (`let`, `const`, parameters,
    /// closure parameters, loop variables, `catch`): a call through one of
    /// them is a call of a function pointer, which no check can resolve.
    pub variables: BTreeSet<String>,
    /// Names used as map keys (`#{ name: … }`) or assigned as properties
    /// (`x.name = …`): a method call of one of them may be a function
    /// pointer kept in a map.
    pub properties: BTreeSet<String>,
    /// String literals, which may name functions (`Fn("name")`).
    pub strings: BTreeSet<String>,
}

/// Words that may stand before `(` without being a call.
const KEYWORDS: &[&str] = &[
    "if", "else", "while", "loop", "do", "until", "for", "in", "switch", "return", "throw", "try",
    "catch", "let", "const", "fn", "private", "import", "export", "as", "break", "continue",
    "true", "false", "this", "global",
];

fn is_other(t: Option<&(Tok, usize, usize)>, c: char) -> bool {
    matches!(t, Some((Tok::Other(x), _, _)) if *x == c)
}

fn ident(t: Option<&(Tok, usize, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(s), _, _)) => Some(s),
        _ => None,
    }
}

/// Scans `src` for its definitions and calls.
pub(crate) fn scan_calls(src: &str) -> FileCalls {
    let toks = lex(src);
    let mut out = FileCalls::default();
    for k in 0..toks.len() {
        let at = |i: usize| toks.get(i);
        let prev = |n: usize| k.checked_sub(n).and_then(|i| toks.get(i));
        match &toks[k].0 {
            Tok::Str(s) => {
                out.strings.insert(s.clone());
            }
            Tok::Ident(word) if word == "let" || word == "const" || word == "for" => {
                // `for (x, i) in …` binds both names.
                let mut j = k + 1;
                if matches!(at(j), Some((Tok::OpenParen, _, _))) {
                    j += 1;
                }
                while let Some(name) = ident(at(j)) {
                    out.variables.insert(name.to_owned());
                    if !is_other(at(j + 1), ',') {
                        break;
                    }
                    j += 2;
                }
            }
            Tok::Ident(word) if word == "catch" => {
                if let Some(name) = ident(at(k + 2)) {
                    out.variables.insert(name.to_owned());
                }
            }
            Tok::Ident(name) => {
                if is_other(at(k + 1), ':') && !is_other(at(k + 2), ':') && !is_other(prev(1), ':')
                {
                    out.properties.insert(name.clone());
                }
                if is_other(prev(1), '.') && is_other(at(k + 1), '=') && !is_other(at(k + 2), '=') {
                    out.properties.insert(name.clone());
                }
                if !matches!(at(k + 1), Some((Tok::OpenParen, _, _))) {
                    continue;
                }
                if ident(prev(1)) == Some("fn") {
                    let params = parameters(&toks, k + 2);
                    out.variables.extend(params.iter().cloned());
                    out.defs.push(FnDef {
                        name: name.clone(),
                        params,
                        private: ident(prev(2)) == Some("private"),
                        offset: toks[k].1,
                    });
                    continue;
                }
                if KEYWORDS.contains(&name.as_str()) {
                    continue;
                }
                let form = if is_other(prev(1), '.') {
                    CallForm::Method
                } else if is_other(prev(1), ':') && is_other(prev(2), ':') {
                    // `a::b::f(…)`: the namespace is every `ident ::` before
                    // the name (a library in a directory is `dir::file`).
                    let mut segments = Vec::new();
                    let mut n = 3;
                    while let Some(seg) = ident(prev(n)) {
                        segments.push(seg);
                        if !(is_other(prev(n + 1), ':') && is_other(prev(n + 2), ':')) {
                            break;
                        }
                        n += 3;
                    }
                    if segments.is_empty() {
                        continue;
                    }
                    segments.reverse();
                    CallForm::Namespaced(segments.join("::"))
                } else {
                    CallForm::Plain
                };
                let Some(args) = count_args(&toks, k + 2, &mut out.variables) else {
                    continue;
                };
                out.calls.push(Call {
                    name: name.clone(),
                    form,
                    args,
                    offset: toks[k].1,
                });
            }
            _ => {}
        }
    }
    out
}

/// Parameters of a definition whose `(` is just before `from`.
fn parameters(toks: &[(Tok, usize, usize)], from: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut j = from;
    while let Some((tok, _, _)) = toks.get(j) {
        match tok {
            Tok::Ident(s) => names.push(s.clone()),
            Tok::Other(')') => break,
            Tok::Other(',') => {}
            // Not a parameter list after all (unterminated source).
            _ => break,
        }
        j += 1;
    }
    names
}

/// Counts the arguments of a call whose `(` is just before `from`; `None`
/// when the parentheses do not close (the parser reports that).
fn count_args(
    toks: &[(Tok, usize, usize)],
    from: usize,
    variables: &mut BTreeSet<String>,
) -> Option<usize> {
    let mut depth = 0usize;
    let mut commas = 0;
    let mut any = false;
    let mut arg_start = true;
    let mut last_comma = false;
    let mut j = from;
    while let Some((tok, _, _)) = toks.get(j) {
        match tok {
            Tok::OpenParen | Tok::Open | Tok::Other('[') => depth += 1,
            Tok::Other(')') if depth == 0 => {
                let args = if any { commas + 1 } else { 0 };
                return Some(if last_comma && any { args - 1 } else { args });
            }
            Tok::Close if depth == 0 => return None,
            Tok::Other(')') | Tok::Close | Tok::Other(']') => depth = depth.saturating_sub(1),
            Tok::Other(',') if depth == 0 => {
                commas += 1;
                arg_start = true;
                last_comma = true;
                j += 1;
                continue;
            }
            Tok::Other('|') if depth == 0 && arg_start => {
                // A closure's parameters, up to the closing `|`.
                j += 1;
                while let Some((t, _, _)) = toks.get(j) {
                    match t {
                        Tok::Other('|') => break,
                        Tok::Ident(s) => {
                            variables.insert(s.clone());
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
            _ => {}
        }
        any = true;
        arg_start = false;
        last_comma = false;
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(src: &str) -> Vec<(String, CallForm, usize)> {
        scan_calls(src)
            .calls
            .into_iter()
            .map(|c| (c.name, c.form, c.args))
            .collect()
    }

    #[test]
    fn counts_arguments_at_the_calls_own_level() {
        let found = calls("fn f(a, b) { g(h(1, 2), [3, 4], #{x: 5, y: 6}, \"a,b\") }");
        assert_eq!(
            found,
            vec![
                ("g".to_owned(), CallForm::Plain, 4),
                ("h".to_owned(), CallForm::Plain, 2),
            ]
        );
    }

    #[test]
    fn tells_plain_namespaced_and_method_calls_apart() {
        let found = calls("let x = zen::div(a, b); x.round(2); y.len(); f();");
        assert_eq!(
            found,
            vec![
                ("div".to_owned(), CallForm::Namespaced("zen".to_owned()), 2),
                ("round".to_owned(), CallForm::Method, 1),
                ("len".to_owned(), CallForm::Method, 0),
                ("f".to_owned(), CallForm::Plain, 0),
            ]
        );
    }

    #[test]
    fn closure_parameters_are_not_arguments() {
        let found = calls("xs.reduce(|sum, x| sum + x, 0); ys.map(|| 1); zs.filter(|v| v > 1)");
        assert_eq!(
            found,
            vec![
                ("reduce".to_owned(), CallForm::Method, 2),
                ("map".to_owned(), CallForm::Method, 1),
                ("filter".to_owned(), CallForm::Method, 1),
            ]
        );
    }

    #[test]
    fn definitions_keywords_and_bindings() {
        let s = scan_calls(
            "private fn helper(a, b) { if (a) { return (b); } }\nfn main(input, ctx) { let f = 1; for (x, i) in xs { } try { } catch (err) { } switch (x) { } m(#{go: 1}); }",
        );
        assert_eq!(
            s.defs,
            vec![
                FnDef {
                    name: "helper".into(),
                    params: vec!["a".into(), "b".into()],
                    private: true,
                    offset: 11
                },
                FnDef {
                    name: "main".into(),
                    params: vec!["input".into(), "ctx".into()],
                    private: false,
                    offset: 54
                },
            ]
        );
        assert_eq!(s.calls.len(), 1, "{:?}", s.calls);
        for v in ["a", "b", "input", "ctx", "f", "x", "i", "err"] {
            assert!(s.variables.contains(v), "{v}");
        }
        assert!(s.properties.contains("go"));
    }

    #[test]
    fn calls_in_comments_and_strings_do_not_count_and_bad_source_does_not_panic() {
        assert!(calls("// f(1)\n/* g(2) */ \"h(3)\"").is_empty());
        for src in ["f(", "f(1, [", "fn (", "x.", "a::", "::f(", "f(|a", "g(1,)"] {
            let _ = scan_calls(src);
        }
        assert_eq!(calls("g(1,)"), vec![("g".to_owned(), CallForm::Plain, 1)]);
    }
}
