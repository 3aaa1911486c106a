//! The `ordex` binary as a rule author and a host script use it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn ordex(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ordex"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ordex");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ordex-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn check_summarises_the_default_pack() {
    let o = ordex(&["check", "rules"], None);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("ok: ordex-default"), "{out}");
    assert!(out.contains("triage") && out.contains("checkout") && out.contains("retry"));
    assert!(out.contains("sha256:"));
}

#[test]
fn check_shows_the_offending_line_with_a_caret_and_a_hint() {
    let dir = scratch("syntax");
    std::fs::write(
        dir.join("ordex.toml"),
        "name = \"x\"\nversion = \"1\"\n[entries.triage]\nfile = \"triage.rhai\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("triage.rhai"),
        "fn triage(event, ctx) {\n    let score = 10\n    score\n}\n",
    )
    .expect("write");
    let o = ordex(&["check", dir.to_str().expect("utf8")], None);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("--> triage.rhai:3:5"), "{err}");
    assert!(err.contains("3 |     score"), "{err}");
    assert!(err.contains("|     ^"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn test_runs_the_pack_and_a_filter_selects_cases() {
    let o = ordex(&["test", "rules"], None);
    let (out, _) = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.trim_end().ends_with("0 failed"), "{out}");
    let o = ordex(
        &[
            "test",
            "rules",
            "--filter",
            "carrier_exception.test.json::lost",
            "--verbose",
        ],
        None,
    );
    let (out, _) = text(&o);
    assert!(
        out.contains("PASS triage/carrier_exception.test.json::lost low-value"),
        "{out}"
    );
    assert!(out.contains("2 passed, 0 failed"), "{out}");
}

#[test]
fn test_fails_with_a_readable_diff() {
    let dir = scratch("failing");
    std::fs::write(
        dir.join("ordex.toml"),
        "name = \"x\"\nversion = \"1\"\n[entries.score]\nfile = \"s.rhai\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("s.rhai"),
        "fn score(input, ctx) { #{ total: input.a + input.b } }\n",
    )
    .expect("write");
    std::fs::create_dir_all(dir.join("tests")).expect("mkdir");
    std::fs::write(
        dir.join("tests/score.json"),
        r#"{"entry": "score", "now": "2026-01-01T00:00:00Z", "base": {"a": 1, "b": 2},
            "cases": [{"name": "adds", "expect": {"total": 3}}, {"name": "wrong", "patch": {"b": 5}, "expect": {"total": 3}}]}"#,
    )
    .expect("write");
    let o = ordex(&["test", dir.to_str().expect("utf8")], None);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL tests/score.json::wrong"), "{out}");
    assert!(out.contains("at .total: expected 3, got 6"), "{out}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
}

#[test]
fn eval_prints_a_decision() {
    let event = std::fs::read_to_string(repo().join("rules/examples/payment_declined.json"))
        .expect("example");
    let o = ordex(
        &[
            "eval",
            "rules",
            "--entry",
            "triage",
            "--now",
            "2026-11-27T10:00:00Z",
        ],
        Some(&event),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["ok"]["route"], "self_heal");
}

#[test]
fn ndjson_answers_every_line_and_a_bad_line_does_not_stop_the_stream() {
    let event = std::fs::read_to_string(repo().join("rules/examples/payment_declined.json"))
        .expect("example");
    let one_line: serde_json::Value = serde_json::from_str(&event).expect("json");
    let mut bad = one_line.clone();
    bad["order"]["lines"][0]["quantity"] = serde_json::json!("two");
    let input = format!("{one_line}\n{{not json\n\n{bad}\n{one_line}\n");
    let o = ordex(
        &[
            "eval",
            "rules",
            "--entry",
            "triage",
            "--now",
            "2026-11-27T10:00:00Z",
            "--ndjson",
        ],
        Some(&input),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let answers: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(answers.len(), 4, "{out}");
    assert_eq!(answers[0]["line"], 1);
    assert!(answers[0]["ok"].is_object());
    assert_eq!(answers[1]["line"], 2);
    assert_eq!(answers[1]["errors"][0]["code"], "input_json_syntax");
    assert!(
        answers[1]["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("line 2:"))
    );
    assert_eq!(answers[2]["line"], 4);
    assert_eq!(
        answers[2]["errors"][0]["location"]["path"],
        "input.order.lines[0].quantity"
    );
    assert_eq!(answers[3]["line"], 5);
    assert!(answers[3]["ok"].is_object());
}

#[test]
fn bundle_writes_a_file_that_evaluates_like_the_directory() {
    let dir = scratch("bundle");
    let path = dir.join("bundle.json");
    let o = ordex(
        &["bundle", "rules", "-o", path.to_str().expect("utf8")],
        None,
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("bundle")).expect("json");
    assert!(bundle["files"]["triage.rhai"].is_string());
    assert!(
        bundle["files"]
            .get("examples/payment_declined.json")
            .is_none(),
        "examples stay out of bundles"
    );
    let event = std::fs::read_to_string(repo().join("rules/examples/payment_declined.json"))
        .expect("example");
    let from_dir = ordex(
        &[
            "eval",
            "rules",
            "--entry",
            "triage",
            "--now",
            "2026-11-27T10:00:00Z",
        ],
        Some(&event),
    );
    let from_file = ordex(
        &[
            "eval",
            path.to_str().expect("utf8"),
            "--entry",
            "triage",
            "--now",
            "2026-11-27T10:00:00Z",
        ],
        Some(&event),
    );
    assert_eq!(from_dir.stdout, from_file.stdout);
    let tests = ordex(&["test", path.to_str().expect("utf8")], None);
    assert!(tests.status.success(), "a bundle carries its tests");
}

#[test]
fn a_missing_manifest_is_explained() {
    let dir = scratch("empty");
    let o = ordex(&["check", dir.to_str().expect("utf8")], None);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("no ordex.toml here"), "{err}");
}
