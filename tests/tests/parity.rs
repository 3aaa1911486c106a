//! Native and wasmtime give byte-identical answers, errors included, on a
//! seeded corpus of 10,000 calls. A mismatch prints the input and both answers.

use std::path::Path;

use ordex_core::api::{Engine, evaluate_json_str};
use ordex_core::runtime::Bundle;
use ordex_host::wasm_host::{HostLimits, WasmRuntime, locate_module};
use ordex_tests::{corpus, numbers_corpus};

fn pack(dir: &str) -> Bundle {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    ordex_host::pack_dir::load(&root).expect("pack")
}

fn default_bundle() -> Bundle {
    pack("rules")
}

#[test]
fn native_and_wasmtime_answer_the_corpus_identically() {
    let (ok, errors) = compare(default_bundle(), &corpus(20_261_127, 10_000).calls);
    // The corpus must exercise both paths substantially to prove anything.
    assert!(ok > 6_000 && errors > 500, "ok {ok}, errors {errors}");
}

#[test]
fn native_and_wasmtime_compute_decimals_and_tables_identically() {
    let (ok, errors) = compare(
        pack("tests/parity/numbers"),
        &numbers_corpus(20_261_204, 2_000),
    );
    assert!(ok > 1_000 && errors > 100, "ok {ok}, errors {errors}");
}

/// Every call natively and in wasmtime; panics on the first difference.
/// Answers how many calls decided and how many were errors.
fn compare(bundle: Bundle, calls: &[String]) -> (usize, usize) {
    let native = Engine::from_bundle(bundle.clone()).expect("compiles");
    let module = locate_module(None).expect("build the guest first: cargo build -p ordex-abi --target wasm32-unknown-unknown --profile wasm");
    let wasm =
        WasmRuntime::new(&module, bundle.to_json(), HostLimits::default()).expect("wasmtime host");
    assert_eq!(wasm.bundle_id(), native.bundle_id());
    let (mut ok, mut errors, mut mismatches) = (0, 0, Vec::new());
    for call in calls {
        let expected = evaluate_json_str(&native, call);
        let (actual, _) = wasm.evaluate(call).expect("host answers");
        if expected.starts_with("{\"ok\"") {
            ok += 1
        } else {
            errors += 1
        }
        if expected != actual {
            mismatches.push(format!(
                "input:  {call}\nnative: {expected}\nwasm:   {actual}"
            ));
        }
    }
    eprintln!(
        "parity: {} calls, {ok} decisions, {errors} errors, {} differ",
        calls.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} answers differ; first:\n{}",
        mismatches.len(),
        calls.len(),
        mismatches[0]
    );
    (ok, errors)
}

#[test]
fn a_trap_becomes_a_typed_error_and_the_next_call_still_works() {
    let bundle = default_bundle();
    let module = locate_module(None).expect("guest built");
    let tight = HostLimits {
        fuel: 50_000,
        ..HostLimits::default()
    };
    let wasm = WasmRuntime::new(&module, bundle.to_json(), tight).expect("wasmtime host");
    let call = &corpus(1, 3).calls[2];
    let (answer, stats) = wasm.evaluate(call).expect("answers");
    assert!(answer.contains("\"code\":\"limit_exceeded\""), "{answer}");
    assert_eq!(stats.fuel, 50_000);
    let (again, _) = wasm.evaluate(call).expect("a fresh instance answers");
    assert!(again.contains("limit_exceeded"), "{again}");
    let roomy = WasmRuntime::new(&module, bundle.to_json(), HostLimits::default()).expect("host");
    let (fine, stats) = roomy.evaluate(call).expect("answers");
    assert!(!fine.contains("limit_exceeded"), "{fine}");
    assert!(stats.fuel > 10_000 && stats.fuel < 50_000_000, "{stats:?}");
}
