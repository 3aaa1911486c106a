//! `ordex check` catches misspelt and mis-called functions before any rule
//! runs: `Engine::from_bundle_checked` rejects them with file:line:col and
//! a suggestion, and accepts every pack that calls only what exists.

mod common;

use std::collections::BTreeMap;

use ordex_core::api::Engine;
use ordex_core::runtime::{Bundle, BundleError, Location};

fn pack(files: &[(&str, &str)]) -> Bundle {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n";
    Bundle::from_files(
        manifest.to_owned(),
        files
            .iter()
            .map(|(p, s)| ((*p).to_owned(), (*s).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn errors(bundle: Bundle) -> Vec<(String, Option<Location>, Option<String>)> {
    match Engine::from_bundle_checked(bundle) {
        Ok(_) => Vec::new(),
        Err(BundleError::Invalid { diagnostics }) => diagnostics
            .into_iter()
            .map(|d| (d.code, d.location, d.hint))
            .collect(),
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn a_misspelt_library_call_on_a_path_no_test_takes_fails_the_check() {
    let bundle = pack(&[
        (
            "lib/zen.rhai",
            "fn div(a, b) { if b == 0 { 0 } else { a / b } }\n",
        ),
        (
            "main.rhai",
            "fn main(input, ctx) {\n  if input.rare == true {\n    return zen::dvi(input.a, input.b);\n  }\n  zen::div(1, 2)\n}\n",
        ),
    ]);
    // Plain compilation accepts it: Rhai resolves calls only when they run.
    assert!(Engine::from_bundle(bundle.clone()).is_ok());
    let found = errors(bundle);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "unknown_function");
    assert_eq!(
        found[0].1,
        Some(Location::Source {
            file: "main.rhai".into(),
            line: 3,
            col: 17
        })
    );
    assert_eq!(found[0].2.as_deref(), Some("did you mean `zen::div`?"));
}

#[test]
fn registered_functions_are_checked_by_name_and_argument_count() {
    let found = errors(pack(&[(
        "main.rhai",
        "fn main(input, ctx) {\n  let t = mentionz(\"x\", [\"a\"]);\n  let k = kind_of(input, 1);\n  let ok = mentions(\"x\", [\"a\"]) && is_null(input.x) && \"ab\".len() == 2 && [3, 1].sort() == ();\n  #{}\n}\n",
    )]));
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(codes, ["unknown_function", "wrong_arity"], "{found:?}");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `mentions`?"));
}

#[test]
fn the_default_pack_passes_and_unused_library_functions_are_warnings() {
    let engine = Engine::from_bundle_checked(common::default_bundle()).expect("default pack");
    assert!(
        engine
            .pack()
            .warnings()
            .iter()
            .all(|w| w.code != "unused_function"),
        "{:?}",
        engine.pack().warnings()
    );
    let with_unused = pack(&[
        ("lib/util.rhai", "fn used(x) { x }\nfn spare(x) { x }\n"),
        ("main.rhai", "fn main(input, ctx) { util::used(1) }\n"),
    ]);
    let engine = Engine::from_bundle_checked(with_unused).expect("unused is not an error");
    let unused: Vec<&str> = engine
        .pack()
        .warnings()
        .iter()
        .filter(|w| w.code == "unused_function")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(unused, ["`util::spare` is never called"]);
}

#[test]
fn two_libraries_with_one_name_are_rejected() {
    let found = errors(pack(&[
        ("lib/a/fees.rhai", "fn fee() { 1 }\n"),
        ("lib/b/fees.rhai", "fn fee() { 2 }\n"),
        ("main.rhai", "fn main(input, ctx) { fees::fee() }\n"),
    ]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "module_collision");
}

#[test]
fn a_misspelt_input_field_in_a_typed_entry_fails_the_check() {
    let mut bundle = common::default_bundle();
    let triage = bundle.files.get_mut("triage.rhai").expect("triage.rhai");
    let at = triage.find("event.order,").expect("reads the order");
    triage.replace_range(at..at + "event.order".len(), "event.ordr");
    let bundle = Bundle::from_files(bundle.manifest.clone(), bundle.files.clone());
    let found = errors(bundle);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "unknown_field");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `event.order`?"));
}
