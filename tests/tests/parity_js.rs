//! The npm package gives the same answers as the native core, byte for byte,
//! errors included, in Node, in headless Chromium and in workerd, on the
//! seeded 10,000-call parity corpus. A mismatch prints the input and both
//! answers.
//!
//! These need the package built (`wasm/js/build.sh`), `npm ci` in `tests/js`
//! and Debian's `chromium`; `scripts/test` does all of that and then runs
//! them with `cargo test -p ordex-tests --test parity_js -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use ordex_core::api::{Engine, evaluate_json_str};
use ordex_tests::{corpus, numbers_corpus};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The default pack on the 10,000-call corpus.
fn run(runtime: &str) {
    let (ok, errors) = run_pack(runtime, "rules", &corpus(20_261_127, 10_000).calls);
    assert!(ok > 6_000 && errors > 500, "ok {ok}, errors {errors}");
}

/// The numbers pack (decimals, division, rounding, tables) on its corpus.
fn run_numbers(runtime: &str) {
    let calls = numbers_corpus(20_261_204, 2_000);
    let (ok, errors) = run_pack(runtime, "tests/parity/numbers", &calls);
    assert!(ok > 1_000 && errors > 100, "ok {ok}, errors {errors}");
}

/// `calls` on the pack in `dir` through the runtime's runner, against the
/// native core; panics on the first difference. Answers (decisions, errors).
fn run_pack(runtime: &str, dir: &str, calls: &[String]) -> (usize, usize) {
    let bundle = ordex_host::pack_dir::load(&repo().join(dir)).expect("pack");
    let native = Engine::from_bundle(bundle.clone()).expect("compiles");
    let name = dir.replace('/', "-");
    let dir = std::env::temp_dir().join(format!(
        "ordex-parity-{runtime}-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (bundle_path, corpus_path, out_path) = (
        dir.join("bundle.json"),
        dir.join("corpus.ndjson"),
        dir.join("answers.ndjson"),
    );
    std::fs::write(&bundle_path, bundle.to_json()).expect("write bundle");
    std::fs::write(&corpus_path, calls.join("\n") + "\n").expect("write corpus");
    let runner = repo()
        .join("tests/js/runners")
        .join(format!("{runtime}.mjs"));
    let status = Command::new("node")
        .arg(&runner)
        .args([&bundle_path, &corpus_path, &out_path])
        .status()
        .expect("node is installed");
    assert!(status.success(), "{} failed", runner.display());
    let text = std::fs::read_to_string(&out_path).expect("answers");
    let answers: Vec<&str> = text.lines().collect();
    assert_eq!(
        answers.len(),
        calls.len(),
        "{runtime} answered {} of {} calls",
        answers.len(),
        calls.len()
    );
    let (mut ok, mut errors, mut mismatches) = (0, 0, Vec::new());
    for (call, actual) in calls.iter().zip(&answers) {
        let expected = evaluate_json_str(&native, call);
        if expected.starts_with("{\"ok\"") {
            ok += 1;
        } else {
            errors += 1;
        }
        if expected != *actual {
            mismatches.push(format!(
                "input:  {call}\nnative: {expected}\n{runtime}: {actual}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "parity {runtime}: {} calls, {ok} decisions, {errors} errors, {} differ",
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
#[ignore = "needs the npm package and Node: scripts/test runs it"]
fn node_answers_the_corpus_like_native() {
    run("node");
    run_numbers("node");
}

#[test]
#[ignore = "needs the npm package, Node and Debian's chromium: scripts/test runs it"]
fn chromium_answers_the_corpus_like_native() {
    run("chromium");
    run_numbers("chromium");
}

#[test]
#[ignore = "needs the npm package and npm workerd: scripts/test runs it"]
fn workerd_answers_the_corpus_like_native() {
    run("workerd");
    run_numbers("workerd");
}
