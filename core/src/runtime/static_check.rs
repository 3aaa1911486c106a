//! The checks `ordex check`, `ordex test` and bundle uploads run on a pack's
//! source before any rule runs: every call resolved ([`super::call_check`])
//! and every input field a typed entry reads ([`super::field_check`]).
//!
//! Text only: no Rhai is compiled or evaluated and no model or table is
//! read, so a host may run this on an untrusted upload in its own process;
//! the scan is linear in the source and the findings are capped.

use super::call_check::{Known, RuleFile, check};
use super::compile::{build_engine, module_name};
use super::{Bundle, BundleError, Diagnostic, EntryKind, Limits};
use crate::model::{SchemaDocument, json_schema};

/// At most this many errors are reported: enough to fix a pack, and a bound
/// on the work an upload can cause.
pub(crate) const MAX_ERRORS: usize = 50;

/// The pack's static findings: `Err` with the errors (calls that cannot
/// resolve, unknown input fields, library name collisions), else the
/// warnings (library functions nothing calls).
pub fn static_check(bundle: &Bundle) -> Result<Vec<Diagnostic>, BundleError> {
    let manifest = bundle.parse_manifest()?;
    let tests_prefix = format!("{}/", manifest.tests.trim_end_matches('/'));
    let entry_files: Vec<&str> = manifest.entries.values().map(|e| e.file.as_str()).collect();
    // The generated kind dispatchers are checked as libraries too: their
    // calls are what uses the handlers (the compiler reports what is wrong
    // with the handler directory itself).
    let (dispatches, _) = super::kind_handlers::dispatches(&manifest, bundle);
    let sources: Vec<(String, String)> = dispatches
        .iter()
        .map(|d| {
            (
                super::kind_handlers::dispatch_id(&d.dir),
                d.source(&|_| true),
            )
        })
        .collect();
    // A handler is the module `triage::<kind>`, not a library of its own.
    let dispatched_module = |path: &str| {
        dispatches.iter().find_map(|d| {
            d.handlers
                .iter()
                .find(|(_, p)| p == path)
                .map(|(k, _)| format!("{}::{k}", d.module))
        })
    };
    let files: Vec<RuleFile<'_>> = bundle
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".rhai") && !p.starts_with(&tests_prefix))
        .map(|(path, source)| RuleFile {
            path,
            source,
            module: (!entry_files.contains(&path.as_str()))
                .then(|| dispatched_module(path).unwrap_or_else(|| module_name(path))),
        })
        .chain(
            dispatches
                .iter()
                .zip(&sources)
                .map(|(d, (id, source))| RuleFile {
                    path: id,
                    source,
                    module: Some(d.module.clone()),
                }),
        )
        .collect();
    // The functions every pack's engine registers: their names and argument
    // counts do not depend on the pack's models or tables.
    let engine = build_engine(&Limits::default(), &Default::default(), &Default::default());
    let mut findings = check(&files, &Known::from_engine(&engine));

    for (name, entry) in &manifest.entries {
        let doc = match manifest.entry_kind(name) {
            Some(EntryKind::Checkout) => SchemaDocument::CheckoutRequest,
            Some(EntryKind::Triage) => SchemaDocument::ExceptionEvent,
            Some(EntryKind::Retry) => SchemaDocument::RetryRequest,
            _ => continue,
        };
        let function = entry.function_name(name);
        findings
            .errors
            .extend(param_fields(bundle, &entry.file, function, 0, doc));
    }
    // Kind handlers read the event too (their second parameter).
    for d in &dispatches {
        for (_, path) in &d.handlers {
            findings.errors.extend(param_fields(
                bundle,
                path,
                super::kind_handlers::HANDLER_FUNCTION,
                1,
                SchemaDocument::ExceptionEvent,
            ));
        }
    }
    if findings.errors.is_empty() {
        Ok(findings.warnings)
    } else {
        findings.errors.truncate(MAX_ERRORS);
        Err(BundleError::Invalid {
            diagnostics: findings.errors,
        })
    }
}

/// The unknown-field errors of what `function` in `file` reads from its
/// parameter number `param` (an input of schema `doc`); none when the file
/// or the function is not there.
fn param_fields(
    bundle: &Bundle,
    file: &str,
    function: &str,
    param: usize,
    doc: SchemaDocument,
) -> Vec<Diagnostic> {
    let Some(source) = bundle.files.get(file) else {
        return Vec::new();
    };
    let Some(item) = super::rhai_scan::scan(source)
        .functions
        .into_iter()
        .find(|f| f.name == function)
    else {
        return Vec::new();
    };
    let Some(param) = super::rhai_calls::scan_calls(source)
        .defs
        .into_iter()
        .find(|d| d.name == function)
        .and_then(|d| d.params.into_iter().nth(param))
    else {
        return Vec::new();
    };
    super::field_check::check_entry(file, source, item.span, &param, &json_schema(doc))
}
