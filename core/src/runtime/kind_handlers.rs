//! One file per exception kind. A triage entry that declares `handlers =
//! "triage"` in `ordex.toml` keeps each kind's rules in
//! `triage/<kind>.rhai` (the module `triage::<kind>`), defining
//! `fn handle(d, event, ctx, facts)` that returns the decision `d` with the
//! kind's rules applied. The core writes the dispatch: a library `triage`
//! whose `triage::handle(d, event, ctx, facts)` calls the handler of the
//! event's typed kind, so a new kind is one new file and no edit
//! elsewhere, and a kind without a file is a compile error rather than a
//! decision that silently skips its rules.
//!
//! The handlers are sub-modules of the dispatch, not libraries of their
//! own: Rhai's function lookup costs a little per registered library on
//! every call it resolves, so twelve more libraries made every triage
//! ~0.3 M Wasm instructions dearer. The price is that Rhai reports the
//! dispatch as the source of a handler's frame; traces put the handler's
//! file back (see `trace.rs`).
//!
//! The generated code is not the author's: stacks and traces leave its
//! frame out (its source starts with [`DISPATCH_SOURCE`]).

use super::compile::module_name;
use super::{Bundle, Diagnostic, EntryKind, Location, Manifest};
use crate::model::ExceptionKind;

/// The source name of generated dispatch code (followed by its directory).
pub(crate) const DISPATCH_SOURCE: &str = "ordex:kind-dispatch:";

/// The source name of the dispatch for handler directory `dir`.
pub(crate) fn dispatch_id(dir: &str) -> String {
    format!("{DISPATCH_SOURCE}{dir}")
}

/// The handler directory of a dispatch's source name, if it is one.
pub(crate) fn dispatch_dir(source: &str) -> Option<&str> {
    source.strip_prefix(DISPATCH_SOURCE)
}

/// How rules name the module of handler file `path` (`triage::credit_hold`
/// for `triage/credit_hold.rhai`), if it is in a handler directory's shape.
pub(crate) fn handler_module(path: &str) -> Option<String> {
    let (dir, file) = path.rsplit_once('/')?;
    let kind = file.strip_suffix(".rhai")?;
    ExceptionKind::parse(kind)?;
    if dir == "lib" || dir.starts_with("lib/") {
        return None;
    }
    let root = dir.rsplit('/').next().unwrap_or(dir);
    Some(format!("{root}::{kind}"))
}

/// The function every handler file defines, and the dispatcher too.
pub const HANDLER_FUNCTION: &str = "handle";

/// A generated dispatch library: its module name (the handler directory's)
/// and its Rhai source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dispatch {
    /// Module name, e.g. `triage`.
    pub module: String,
    /// The handler directory, e.g. `triage`.
    pub dir: String,
    /// Kinds with a handler, and the handler's file.
    pub handlers: Vec<(String, String)>,
}

impl Dispatch {
    /// The generated Rhai, with an arm for each handler `keep` accepts (the
    /// compiler leaves out handlers that failed to compile, so their own
    /// errors are the ones shown).
    pub(crate) fn source(&self, keep: &dyn Fn(&str) -> bool) -> String {
        let kept: Vec<&str> = self
            .handlers
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, _)| k.as_str())
            .collect();
        dispatch_source(&self.module, &kept)
    }
}

/// The handler directories the manifest declares and their dispatches,
/// with what is wrong with them (the pack does not compile then).
pub(crate) fn dispatches(manifest: &Manifest, bundle: &Bundle) -> (Vec<Dispatch>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    for (name, entry) in &manifest.entries {
        let Some(dir) = entry.handlers.as_deref() else {
            continue;
        };
        let dir = dir.trim_matches('/');
        let at = handlers_location(&bundle.manifest, name);
        if manifest.entry_kind(name) != Some(EntryKind::Triage) {
            diagnostics.push(Diagnostic {
                code: "handlers_not_triage".to_owned(),
                message: format!(
                    "entry `{name}` declares `handlers`, which only a triage entry dispatches (by exception kind)"
                ),
                location: Some(at),
                hint: Some("remove `handlers`, or make the entry `kind = \"triage\"`".to_owned()),
            });
            continue;
        }
        let prefix = format!("{dir}/");
        let kinds: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.as_str()).collect();
        let mut found = Vec::new();
        for (path, source) in &bundle.files {
            let Some(file) = path.strip_prefix(&prefix) else {
                continue;
            };
            let Some(stem) = file.strip_suffix(".rhai") else {
                continue;
            };
            if stem.contains('/') {
                continue;
            }
            if !kinds.contains(&stem) {
                diagnostics.push(Diagnostic {
                    code: "unknown_kind_handler".to_owned(),
                    message: format!(
                        "`{path}` is in the handler directory `{dir}`, but `{stem}` is not an exception kind"
                    ),
                    location: Some(Location::Source {
                        file: path.clone(),
                        line: 1,
                        col: 1,
                    }),
                    hint: Some(match super::call_check::closest_name(stem, &kinds) {
                        Some(k) => format!("did you mean `{dir}/{k}.rhai`?"),
                        None => format!("the kinds are {}", kinds.join(", ")),
                    }),
                });
                continue;
            }
            let takes_four = super::rhai_calls::scan_calls(source)
                .defs
                .iter()
                .any(|d| d.name == HANDLER_FUNCTION && d.params.len() == 4 && !d.private);
            if !takes_four {
                diagnostics.push(Diagnostic {
                    code: "kind_handler_signature".to_owned(),
                    message: format!(
                        "`{path}` handles `{stem}` but defines no `fn {HANDLER_FUNCTION}(d, event, ctx, facts)`"
                    ),
                    location: Some(Location::Source {
                        file: path.clone(),
                        line: 1,
                        col: 1,
                    }),
                    hint: Some(
                        "a handler takes the decision, the event, the context and the entry's facts, and returns the decision"
                            .to_owned(),
                    ),
                });
                continue;
            }
            found.push((stem.to_owned(), path.clone()));
        }
        let missing: Vec<&str> = kinds
            .iter()
            .copied()
            .filter(|k| !found.iter().any(|(s, _)| s == k))
            .collect();
        if !missing.is_empty() {
            diagnostics.push(Diagnostic {
                code: "missing_kind_handler".to_owned(),
                message: format!(
                    "entry `{name}` dispatches by kind to `{dir}/`, which has no handler for {}",
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                location: Some(handlers_location(&bundle.manifest, name)),
                hint: Some(format!(
                    "`ordex new kind {} <pack>` writes a handler and its tests; a handler that leaves the kind to the shared rules returns `d`",
                    missing[0]
                )),
            });
        }
        // Even with problems, the dispatch of the handlers that are fine is
        // built: the entry that calls it then compiles, and the problems
        // above are the only errors shown.
        {
            out.push(Dispatch {
                module: module_name(&format!("{dir}.rhai")),
                dir: dir.to_owned(),
                handlers: found,
            });
        }
    }
    (out, diagnostics)
}

/// The generated dispatcher: one `switch` arm per kind, in kind order.
fn dispatch_source(module: &str, kinds: &[&str]) -> String {
    let mut s = String::from(
        "// Generated by ordex from the manifest's `handlers`: the handler of the event's kind.\n",
    );
    s.push_str(&format!(
        "fn {HANDLER_FUNCTION}(d, event, ctx, facts) {{\n    switch event.exception.kind {{\n"
    ));
    for kind in kinds {
        s.push_str(&format!(
            "        \"{kind}\" => {module}::{kind}::{HANDLER_FUNCTION}(d, event, ctx, facts),\n"
        ));
    }
    s.push_str("        _ => d\n    }\n}\n");
    s
}

/// The `handlers` line of entry `entry` in the manifest, else its header.
fn handlers_location(manifest: &str, entry: &str) -> Location {
    let header = format!("[entries.{entry}]");
    let mut in_entry = false;
    let mut header_line = 1;
    for (i, line) in manifest.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_entry = t == header;
            if in_entry {
                header_line = i + 1;
            }
        } else if in_entry && t.starts_with("handlers") {
            return Location::Source {
                file: "ordex.toml".to_owned(),
                line: i + 1,
                col: 1,
            };
        }
    }
    Location::Source {
        file: "ordex.toml".to_owned(),
        line: header_line,
        col: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn bundle(handlers: &[(String, String)]) -> Bundle {
        let manifest = "name = \"t\"\nversion = \"1\"\n[entries.triage]\nfile = \"triage.rhai\"\nhandlers = \"triage\"\n";
        let mut files = BTreeMap::from([(
            "triage.rhai".to_owned(),
            "fn triage(event, ctx) { triage::handle(#{}, event, ctx, #{}) }\n".to_owned(),
        )]);
        files.extend(handlers.iter().cloned());
        Bundle::from_files(manifest.to_owned(), files)
    }

    fn all_kinds() -> Vec<(String, String)> {
        ExceptionKind::ALL
            .iter()
            .map(|k| {
                (
                    format!("triage/{}.rhai", k.as_str()),
                    "fn handle(d, event, ctx, facts) { d }\n".to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn every_kind_with_a_handler_gets_a_dispatch_arm() {
        let files = all_kinds();
        let b = bundle(&files);
        let (d, diags) = dispatches(&b.parse_manifest().expect("manifest"), &b);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].module, "triage");
        assert!(d[0].source(&|_| true).contains(
            "\"payment_declined\" => triage::payment_declined::handle(d, event, ctx, facts),"
        ));
        assert_eq!(
            d[0].source(&|_| true).matches("=>").count(),
            ExceptionKind::ALL.len() + 1
        );
    }

    #[test]
    fn a_missing_kind_a_misspelt_file_and_a_wrong_signature_are_errors() {
        let mut files = all_kinds();
        files.retain(|(p, _)| {
            !p.ends_with("/credit_hold.rhai") && !p.ends_with("/split_shipment.rhai")
        });
        files.push((
            "triage/credit_hld.rhai".into(),
            "fn handle(d, event, ctx, facts) { d }\n".into(),
        ));
        files.push((
            "triage/split_shipment.rhai".into(),
            "fn handle(d, event) { d }\n".into(),
        ));
        let b = bundle(&files);
        let (d, diags) = dispatches(&b.parse_manifest().expect("manifest"), &b);
        assert_eq!(
            d[0].source(&|_| true).matches("=>").count(),
            ExceptionKind::ALL.len() - 2 + 1
        );
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "unknown_kind_handler",
                "kind_handler_signature",
                "missing_kind_handler"
            ]
        );
        assert_eq!(
            diags[0].hint.as_deref(),
            Some("did you mean `triage/credit_hold.rhai`?")
        );
        assert!(
            diags[2].message.contains("`credit_hold`")
                && diags[2].message.contains("`split_shipment`")
        );
        assert!(
            matches!(&diags[2].location, Some(Location::Source { file, line: 5, .. }) if file == "ordex.toml")
        );
    }

    #[test]
    fn handler_files_are_named_as_sub_modules_of_their_directory() {
        assert_eq!(
            handler_module("triage/credit_hold.rhai").as_deref(),
            Some("triage::credit_hold")
        );
        assert_eq!(
            handler_module("rules/kinds/credit_hold.rhai").as_deref(),
            Some("kinds::credit_hold")
        );
        assert_eq!(handler_module("lib/credit_hold.rhai"), None);
        assert_eq!(handler_module("triage/helpers.rhai"), None);
        assert_eq!(dispatch_dir(&dispatch_id("triage")), Some("triage"));
    }
}
