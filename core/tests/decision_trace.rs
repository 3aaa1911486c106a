//! The decision trace: a traced call gives the same answer as an untraced
//! one and records, as a tree, the rule functions it entered (arguments,
//! where they were called, what they returned), the table rows that
//! matched and the rules that fired; a failing call keeps what it did up
//! to the failure, and its error names the functions that were running.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ordex_core::api::{Engine, evaluate_json_str};
use ordex_core::runtime::{Bundle, EvalError, Location, Trace, TraceCall, TraceStep};
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    "2026-11-27T10:00:00Z".parse().expect("time")
}

const MANIFEST: &str = "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n[tables.bands]\nfile = \"tables/bands.csv\"\nhit = \"first\"\n";

const BANDS: &str = "in:usd:number,out:band:string\n< 50,low\n[50..500],mid\n-,high\n";

const LIB: &str = "\
fn usd(minor) {
  minor / 100
}

fn band(minor) {
  let usd = usd(minor);
  if usd < 0 { throw \"negative amount\"; }
  table(\"bands\", #{ usd: usd }).band
}
";

const MAIN: &str = "\
fn main(input, ctx) {
  let d = #{ band: money::band(input.total), rules_fired: [], reasons: [] };
  if d.band == \"high\" { d.fire(\"big_order\", \"Order over $500\", #{ band: d.band }); }
  d
}
";

fn engine() -> Engine {
    Engine::from_bundle(Bundle::from_files(
        MANIFEST.to_owned(),
        BTreeMap::from([
            ("main.rhai".to_owned(), MAIN.to_owned()),
            ("lib/money.rhai".to_owned(), LIB.to_owned()),
            ("tables/bands.csv".to_owned(), BANDS.to_owned()),
        ]),
    ))
    .expect("compiles")
}

fn calls(steps: &[TraceStep]) -> Vec<&TraceCall> {
    steps
        .iter()
        .filter_map(|s| match s {
            TraceStep::Call(c) => Some(&**c),
            _ => None,
        })
        .collect()
}

fn line_of(location: &Location) -> usize {
    match location {
        Location::Source { line, .. } => *line,
        other => panic!("not a source location: {other:?}"),
    }
}

fn traced(input: Value) -> (Result<Value, EvalError>, Trace) {
    let (engine, slot) = engine().traced();
    let answer = engine.evaluate("main", input, None, now()).map(|e| e.value);
    (answer, slot.take().expect("a trace"))
}

#[test]
fn a_trace_nests_library_calls_tables_and_fired_rules_under_the_entry() {
    let (answer, trace) = traced(json!({"total": 90_000}));
    let answer = answer.expect("evaluates");
    assert_eq!(trace.dropped, 0);

    let top = calls(&trace.steps);
    assert_eq!(top.len(), 1, "{trace:#?}");
    let main = top[0];
    assert_eq!(main.function, "main");
    assert!(main.args.is_empty(), "the entry's arguments are the input");
    assert_eq!(main.returned.as_ref(), Some(&answer));

    // Native calls (`/`, `<`, indexing) are not rule functions: not in the tree.
    let inner = calls(&main.steps);
    assert_eq!(inner.len(), 1, "{:#?}", main.steps);
    let band = inner[0];
    assert_eq!(band.function, "money::band");
    assert_eq!(band.args, vec![json!(90_000)]);
    assert_eq!(band.returned, Some(json!("high")));
    assert_eq!(line_of(band.called_at.as_ref().expect("called at")), 2);
    assert!(matches!(&band.location, Location::Source { file, .. } if file == "lib/money.rhai"));

    let usd = calls(&band.steps);
    assert_eq!(usd.len(), 1);
    assert_eq!(usd[0].function, "money::usd");
    assert_eq!(usd[0].returned, Some(json!(900)));
    let table = band.steps.iter().find_map(|s| match s {
        TraceStep::Table {
            table,
            lines,
            output,
        } => Some((table, lines, output)),
        _ => None,
    });
    let (name, lines, output) = table.expect("the table's answer is in band()");
    assert_eq!(name, "bands");
    assert_eq!(lines, &vec![4], "the third row, on line 4 of the file");
    assert_eq!(output, &json!({"band": "high"}));

    let fired = main.steps.iter().find_map(|s| match s {
        TraceStep::Fired { rule, facts, .. } => Some((rule, facts)),
        _ => None,
    });
    assert_eq!(
        fired,
        Some((&"big_order".to_owned(), &json!({"band": "high"})))
    );
}

#[test]
fn tracing_does_not_change_the_answer() {
    for total in [1_000, 9_000, 90_000] {
        let plain = engine()
            .evaluate("main", json!({ "total": total }), None, now())
            .expect("evaluates")
            .value;
        let (answer, _) = traced(json!({ "total": total }));
        assert_eq!(answer.expect("evaluates"), plain);
    }
}

#[test]
fn a_failing_call_keeps_its_partial_trace_and_names_the_stack() {
    let (answer, trace) = traced(json!({"total": -500}));
    let err = answer.expect_err("a negative amount throws");
    let stack: Vec<&str> = err.stack().iter().map(|f| f.function.as_str()).collect();
    assert_eq!(stack, ["money::band", "main"], "{err}");

    let main = calls(&trace.steps)[0];
    assert!(main.returned.is_none());
    let band = calls(&main.steps)[0];
    assert_eq!(band.function, "money::band");
    assert!(
        band.error
            .as_deref()
            .is_some_and(|e| e.contains("negative amount")),
        "{band:?}"
    );
    assert_eq!(calls(&band.steps)[0].returned, Some(json!(-5)));
}

#[test]
fn the_json_face_adds_a_trace_member_only_when_asked() {
    let bundle = Bundle::from_files(
        MANIFEST.to_owned(),
        BTreeMap::from([
            ("main.rhai".to_owned(), MAIN.to_owned()),
            ("lib/money.rhai".to_owned(), LIB.to_owned()),
            ("tables/bands.csv".to_owned(), BANDS.to_owned()),
        ]),
    );
    let engine = Engine::from_bundle(bundle).expect("compiles");
    let call = |envelope: Value| -> Value {
        serde_json::from_str(&evaluate_json_str(&engine, &envelope.to_string()))
            .expect("json answer")
    };
    let plain =
        call(json!({"entry": "main", "input": {"total": 90_000}, "now": "2026-11-27T10:00:00Z"}));
    assert!(plain.get("trace").is_none(), "{plain}");
    let traced = call(
        json!({"entry": "main", "input": {"total": 90_000}, "now": "2026-11-27T10:00:00Z", "trace": true}),
    );
    assert_eq!(traced["ok"], plain["ok"]);
    assert_eq!(traced["trace"]["steps"][0]["function"], "main");

    let bad =
        call(json!({"entry": "main", "input": {}, "now": "2026-11-27T10:00:00Z", "trace": 3}));
    assert_eq!(bad["errors"][0]["code"], "input_invalid", "{bad}");
    assert!(bad.get("trace").is_none());
    let message = bad["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("trace"), "{bad}");
}

#[test]
fn an_error_in_the_entry_itself_has_a_one_frame_stack() {
    let engine = Engine::from_bundle(Bundle::from_files(
        "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n".to_owned(),
        BTreeMap::from([(
            "main.rhai".to_owned(),
            "fn main(input, ctx) {\n  let x = input.n / 0;\n  x\n}\n".to_owned(),
        )]),
    ))
    .expect("compiles");
    let err = engine
        .evaluate("main", json!({"n": 1}), None, now())
        .expect_err("division by zero");
    assert_eq!(err.stack().len(), 1, "{err}");
    assert_eq!(err.stack()[0].function, "main");
    assert_eq!(line_of(&err.stack()[0].location), 2);
}
