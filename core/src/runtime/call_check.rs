//! Static checks of a pack's function calls, run by `ordex check`, `ordex
//! test` and bundle uploads before any rule runs: unknown functions, wrong
//! argument counts, calls of a library's private functions, two libraries
//! with one module name, and (as warnings) library functions nothing calls.
//!
//! Rhai resolves calls only when they run, so without these a misspelt
//! `zen::dvi(…)` passes `check` and fails on the first order that takes
//! that path. The checks are conservative: a call they cannot resolve
//! statically (a function pointer in a variable or a map) is left alone.

use std::collections::{BTreeMap, BTreeSet};

use super::rhai_calls::{Call, CallForm, FileCalls, scan_calls};
use super::{Diagnostic, Location};

/// Functions Rhai handles as keywords, not as registered functions; any
/// number of arguments is theirs to check.
const LANGUAGE_FUNCTIONS: &[&str] = &[
    "Fn",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "is_def_fn",
    "is_def_var",
    "is_shared",
    "eval",
];

/// The argument counts and signatures of every function a name has.
#[derive(Debug, Clone, Default)]
pub(crate) struct Known {
    /// Name → argument count → a signature to show.
    by_name: BTreeMap<String, BTreeMap<usize, String>>,
}

impl Known {
    /// Adds one overload.
    pub(crate) fn add(&mut self, name: &str, params: usize, signature: String) {
        self.by_name
            .entry(name.to_owned())
            .or_default()
            .entry(params)
            .or_insert(signature);
    }

    fn arities(&self, name: &str) -> Option<&BTreeMap<usize, String>> {
        self.by_name.get(name)
    }

    /// The registered functions of an engine, from its metadata (standard
    /// packages included).
    pub(crate) fn from_engine(engine: &rhai::Engine) -> Self {
        let mut known = Self::default();
        let json: serde_json::Value = engine
            .gen_fn_metadata_to_json(true)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        for f in json["functions"].as_array().into_iter().flatten() {
            let (Some(name), Some(n)) = (f["name"].as_str(), f["numParams"].as_u64()) else {
                continue;
            };
            if !is_identifier(name) {
                continue;
            }
            let signature = f["signature"].as_str().unwrap_or(name).to_owned();
            known.add(name, n as usize, signature);
        }
        known
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// One rule file to check.
pub(crate) struct RuleFile<'a> {
    /// Path in the pack.
    pub path: &'a str,
    /// Source text.
    pub source: &'a str,
    /// Module name when the file is a library.
    pub module: Option<String>,
}

/// Errors and warnings.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Checks every call in `files` against `registered` and the files' own
/// definitions.
pub(crate) fn check(files: &[RuleFile<'_>], registered: &Known) -> Findings {
    let scanned: Vec<FileCalls> = files.iter().map(|f| scan_calls(f.source)).collect();
    let mut findings = Findings::default();
    let mut libraries: BTreeMap<&str, (usize, Known, BTreeSet<&str>)> = BTreeMap::new();
    for (i, (file, calls)) in files.iter().zip(&scanned).enumerate() {
        let Some(module) = &file.module else {
            continue;
        };
        if let Some((first, _, _)) = libraries.get(module.as_str()) {
            findings.errors.push(Diagnostic {
                code: "module_collision".to_owned(),
                message: format!(
                    "`{}` and `{}` are both the library `{module}`",
                    files[*first].path, file.path
                ),
                location: Some(location(file.path, file.source, 0)),
                hint: Some("libraries are named by file name: rename one of the files".to_owned()),
            });
            continue;
        }
        let mut public = Known::default();
        let mut private = BTreeSet::new();
        for d in &calls.defs {
            if d.private {
                private.insert(d.name.as_str());
            } else {
                public.add(&d.name, d.params.len(), signature_of(&d.name, &d.params));
            }
        }
        libraries.insert(module.as_str(), (i, public, private));
    }

    for (file, calls) in files.iter().zip(&scanned) {
        let mut own = Known::default();
        for d in &calls.defs {
            own.add(&d.name, d.params.len(), signature_of(&d.name, &d.params));
        }
        for call in &calls.calls {
            // Checked before the work: a suggestion costs a pass over every name.
            if findings.errors.len() >= super::static_check::MAX_ERRORS {
                break;
            }
            let problem = match &call.form {
                CallForm::Namespaced(ns) => {
                    let Some((_, public, private)) = libraries.get(ns.as_str()) else {
                        // Not a pack library: the compiler reports unknown modules.
                        continue;
                    };
                    if private.contains(call.name.as_str()) && public.arities(&call.name).is_none()
                    {
                        Some((
                            "private_function",
                            format!("`{ns}::{}` is private to its library", call.name),
                            Some(format!(
                                "remove `private` from `fn {}` in the library `{ns}`, or call a public function",
                                call.name
                            )),
                        ))
                    } else {
                        resolve(call, &[public], &format!("{ns}::"), 0)
                    }
                }
                CallForm::Plain => {
                    if LANGUAGE_FUNCTIONS.contains(&call.name.as_str())
                        || calls.variables.contains(&call.name)
                    {
                        continue;
                    }
                    resolve(call, &[&own, registered], "", 0).map(|(code, message, hint)| {
                        // The most common slip: a library function called without its module.
                        let home = (code == "unknown_function")
                            .then(|| {
                                libraries
                                    .iter()
                                    .find(|(_, (_, public, _))| public.arities(&call.name).is_some())
                            })
                            .flatten()
                            .map(|(ns, _)| format!("`{ns}::{}` is in the library `{ns}`; call it with its module name", call.name));
                        (code, message, home.or(hint))
                    })
                }
                CallForm::Method => {
                    if LANGUAGE_FUNCTIONS.contains(&call.name.as_str())
                        || calls.properties.contains(&call.name)
                    {
                        continue;
                    }
                    // A script function called as a method takes the receiver
                    // as `this`; a registered one as its first argument.
                    if own
                        .arities(&call.name)
                        .is_some_and(|a| a.contains_key(&call.args))
                    {
                        continue;
                    }
                    resolve(call, &[registered, &own], "", 1)
                }
            };
            if let Some((code, message, hint)) = problem {
                findings.errors.push(Diagnostic {
                    code: code.to_owned(),
                    message,
                    location: Some(location(file.path, file.source, call.offset)),
                    hint,
                });
            }
        }
    }

    // Library functions nothing calls: by module, inside their own file, or
    // by name in a string (`Fn("name")`).
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    let mut strings: BTreeSet<&str> = BTreeSet::new();
    for (file, calls) in files.iter().zip(&scanned) {
        strings.extend(calls.strings.iter().map(String::as_str));
        for call in &calls.calls {
            match (&call.form, &file.module) {
                (CallForm::Namespaced(ns), _) => {
                    used.insert((ns.clone(), call.name.clone()));
                }
                (_, Some(module)) => {
                    used.insert((module.clone(), call.name.clone()));
                }
                _ => {}
            }
        }
    }
    for (module, (i, _, _)) in &libraries {
        let file = &files[*i];
        for d in &scanned[*i].defs {
            let qualified = format!("{module}::{}", d.name);
            if used.contains(&((*module).to_owned(), d.name.clone()))
                || strings.contains(d.name.as_str())
                || strings.contains(qualified.as_str())
            {
                continue;
            }
            findings.warnings.push(Diagnostic {
                code: "unused_function".to_owned(),
                message: format!("`{qualified}` is never called"),
                location: Some(location(file.path, file.source, d.offset)),
                hint: Some("remove it, or call it from a rule".to_owned()),
            });
        }
    }
    findings
}

fn signature_of(name: &str, params: &[String]) -> String {
    format!("fn {name}({})", params.join(", "))
}

/// `None` when some overload in `scopes` takes the call's arguments (plus
/// `receiver`, 1 for a method); else the finding.
fn resolve(
    call: &Call,
    scopes: &[&Known],
    prefix: &str,
    receiver: usize,
) -> Option<(&'static str, String, Option<String>)> {
    let wanted = call.args + receiver;
    let mut overloads: BTreeMap<usize, &str> = BTreeMap::new();
    for scope in scopes {
        if let Some(a) = scope.arities(&call.name) {
            if a.contains_key(&wanted) {
                return None;
            }
            for (n, sig) in a {
                overloads.entry(*n).or_insert(sig);
            }
        }
    }
    let shown = if receiver == 1 {
        format!(".{}(…)", call.name)
    } else {
        format!("{prefix}{}(…)", call.name)
    };
    if !overloads.is_empty() {
        let counts: Vec<String> = overloads
            .keys()
            .filter(|n| **n >= receiver)
            .map(|n| (n - receiver).to_string())
            .collect();
        let sigs: Vec<&str> = overloads.values().copied().take(4).collect();
        return Some((
            "wrong_arity",
            format!(
                "`{shown}` is called with {} argument(s){}; it takes {}",
                call.args,
                if receiver == 1 {
                    " besides the receiver"
                } else {
                    ""
                },
                if counts.is_empty() {
                    "a different number".to_owned()
                } else {
                    counts.join(" or ")
                }
            ),
            Some(format!("signatures: {}", sigs.join("; "))),
        ));
    }
    let names: Vec<&str> = scopes
        .iter()
        .flat_map(|s| s.by_name.keys().map(String::as_str))
        .collect();
    let hint = closest_name(&call.name, &names)
        .map(|n| format!("did you mean `{prefix}{n}`?"))
        .or_else(|| {
            Some("see docs/rules-reference.md for the functions rules can call".to_owned())
        });
    Some((
        "unknown_function",
        format!("there is no function `{shown}`"),
        hint,
    ))
}

/// The candidate nearest to `name` by edit distance, if it is close enough
/// to be a misspelling (at most a third of the name's length, at least 1).
pub fn closest_name<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = name.chars().count();
    if len > 64 {
        // Not a misspelling of any function: and the distance is quadratic.
        return None;
    }
    let limit = (len / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance with adjacent transpositions (optimal string alignment),
/// so `dvi` is one slip from `div`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

pub(crate) fn location(file: &str, source: &str, offset: usize) -> Location {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    Location::Source {
        file: file.to_owned(),
        line: before.matches('\n').count() + 1,
        col: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered() -> Known {
        let mut k = Known::default();
        k.add("money", 2, "money(amount, currency)".into());
        k.add("round", 1, "round(x)".into());
        k.add("round", 2, "round(x, places)".into());
        k.add("len", 1, "len(x)".into());
        k
    }

    fn run(files: &[(&str, &str)]) -> Findings {
        let files: Vec<RuleFile<'_>> = files
            .iter()
            .map(|(path, source)| RuleFile {
                path,
                source,
                module: path
                    .starts_with("lib/")
                    .then(|| crate::runtime::compile::module_name(path)),
            })
            .collect();
        check(&files, &registered())
    }

    fn codes(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_misspelt_library_function_is_an_error_with_a_suggestion() {
        let f = run(&[
            ("lib/zen.rhai", "fn div(a, b) { a / b }"),
            ("main.rhai", "fn main(input, ctx) {\n  zen::dvi(1, 2)\n}"),
        ]);
        assert_eq!(codes(&f.errors), ["unknown_function"]);
        let e = &f.errors[0];
        assert_eq!(e.hint.as_deref(), Some("did you mean `zen::div`?"));
        assert_eq!(
            e.location,
            Some(Location::Source {
                file: "main.rhai".into(),
                line: 2,
                col: 8
            })
        );
    }

    #[test]
    fn wrong_argument_counts_name_what_the_function_takes() {
        let f = run(&[(
            "main.rhai",
            "fn main(input, ctx) { money(5); round(1.5, 2); round(1, 2, 3); input.len(2); helper(1) }\nfn helper(a, b) { a }",
        )]);
        assert_eq!(
            codes(&f.errors),
            ["wrong_arity", "wrong_arity", "wrong_arity", "wrong_arity"]
        );
        assert!(
            f.errors[0].message.contains("takes 2"),
            "{}",
            f.errors[0].message
        );
        assert!(
            f.errors[1].message.contains("takes 1 or 2"),
            "{}",
            f.errors[1].message
        );
        assert!(
            f.errors[2].message.contains("besides the receiver"),
            "{}",
            f.errors[2].message
        );
    }

    #[test]
    fn valid_calls_pass() {
        let f = run(&[
            (
                "lib/common.rhai",
                "fn tier(c) { helper(c) }\nprivate fn helper(c) { c.len() }",
            ),
            (
                "main.rhai",
                "fn main(input, ctx) { let f = Fn(\"x\"); f.call(1, 2); f(3); let m = #{go: || 1}; m.go(); \
                 common::tier(input); type_of(input); input.round(); input.round(2); [1].reduce(|a, b| a + b, 0).len(); this_one(); 2.twice() }\n\
                 fn this_one() { 1 }\nfn twice() { this * 2 }",
            ),
        ]);
        // `reduce` is not in this test's registry: everything else resolves.
        assert_eq!(codes(&f.errors), ["unknown_function"], "{:?}", f.errors);
        assert!(f.errors[0].message.contains(".reduce"));
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }

    #[test]
    fn private_calls_collisions_and_unused_functions() {
        let f = run(&[
            (
                "lib/a.rhai",
                "private fn secret() { 1 }\nfn unused() { 2 }\nfn named() { 3 }",
            ),
            ("lib/b/a.rhai", "fn other() { 1 }"),
            (
                "main.rhai",
                "fn main(input, ctx) { a::secret(); let f = Fn(\"a::named\"); tier(1) }",
            ),
        ]);
        assert_eq!(
            codes(&f.errors),
            ["module_collision", "private_function", "unknown_function"]
        );
        assert_eq!(codes(&f.warnings), ["unused_function"]);
        assert!(f.warnings[0].message.contains("a::unused"));
    }

    #[test]
    fn a_library_function_called_without_its_module_says_where_it_is() {
        let f = run(&[
            ("lib/common.rhai", "fn tier(c) { c }"),
            ("main.rhai", "fn main(input, ctx) { tier(input) }"),
        ]);
        assert_eq!(codes(&f.errors), ["unknown_function"]);
        assert!(
            f.errors[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("common::tier")),
            "{:?}",
            f.errors[0].hint
        );
    }

    #[test]
    fn a_wrong_count_keeps_the_signatures_even_when_a_library_shares_the_name() {
        let f = run(&[
            ("lib/util.rhai", "fn money(a) { a }"),
            (
                "main.rhai",
                "fn main(input, ctx) { money(1, 2, 3) + util::money(1) }",
            ),
        ]);
        assert_eq!(codes(&f.errors), ["wrong_arity"]);
        assert_eq!(
            f.errors[0].hint.as_deref(),
            Some("signatures: money(amount, currency)")
        );
    }

    #[test]
    fn findings_stop_at_the_cap() {
        let many = "nope(); ".repeat(200);
        let source = format!("fn main(input, ctx) {{ {many} }}");
        let f = run(&[("main.rhai", &source)]);
        assert_eq!(f.errors.len(), super::super::static_check::MAX_ERRORS);
    }

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("dvi", "div"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(
            closest_name("mentionz", &["mentions", "money"]),
            Some("mentions")
        );
        assert_eq!(closest_name("zzz", &["mentions"]), None);
    }

    proptest::proptest! {
        // Whatever the source, scanning and checking end with findings:
        // never a panic, whatever the brackets, quotes or pipes.
        #[test]
        fn arbitrary_source_never_panics(src in "[a-z_:.,=()\\[\\]{}|#\"'`$ 0-9\n]{0,300}") {
            let _ = run(&[("lib/l.rhai", &src), ("main.rhai", &src)]);
        }
    }
}
