//! Money is exact: numbers with a fraction are decimals in rule text,
//! inputs, tables and answers; `/` is exact and integer division is said
//! out loud; rounding names its mode.

mod common;

use std::collections::BTreeMap;

use ordex_core::api::{Engine, evaluate_json_str};
use ordex_core::runtime::Bundle;
use serde_json::{Value, json};

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-27T10:00:00Z".parse().expect("time")
}

fn run(source: &str, input: Value) -> Result<Value, String> {
    let engine =
        Engine::from_bundle(common::generic_pack(source, "")).map_err(|e| e.to_string())?;
    engine
        .evaluate("main", input, None, now())
        .map(|e| e.value)
        .map_err(|e| e.to_string())
}

#[test]
fn arithmetic_on_prices_is_exact_and_prints_what_was_computed() {
    let out = run(
        "fn main(input, ctx) {\n  let p = input.price;\n  #{ off: p * 0.8, sum: 0.1 + 0.2, same: 0.1 + 0.2 == 0.3, third: 1 / 3, half: 7 / 2, even: 6 / 2,\n     whole: div(7, 2), neg: div(-7, 2), fee: round(p * 0.15, 2, \"half_up\"), bankers: round(2.345, 2, \"half_even\"),\n     up: round(2.345, 2, \"half_up\"), floor: round(-2.341, 2, \"floor\"), mixed: 2.50 * 2, kind: kind_of(p),\n     major: to_major(input.minor, \"KWD\"), minor: to_minor(p * 0.85, \"USD\", \"half_even\"), shown: money(1999.0, \"USD\") }\n}\n",
        json!({"price": 249.99, "minor": 12345}),
    )
    .expect("runs");
    assert_eq!(
        out,
        json!({"off": 199.992, "sum": 0.3, "same": true, "third": 0.3333333333333333, "half": 3.5, "even": 3,
               "whole": 3, "neg": -3, "fee": 37.5, "bankers": 2.34, "up": 2.35, "floor": -2.35, "mixed": 5,
               "kind": "decimal", "major": 12.345, "minor": 21249, "shown": "USD 19.99"})
    );
    // 249.99 × 0.8 in binary floats is 199.99200000000002: not here.
    assert_eq!(out["off"].to_string(), "199.992");
}

#[test]
fn mistakes_with_numbers_are_errors_that_say_what_to_do() {
    let err = run("fn main(input, ctx) { let x = 10; x /= 4; x }\n", json!({})).unwrap_err();
    assert!(
        err.contains("main.rhai:1:37") && err.contains("x = x / y"),
        "{err}"
    );
    let err = run("fn main(input, ctx) { 1 / input.n }\n", json!({"n": 0})).unwrap_err();
    assert!(err.contains("division by zero"), "{err}");
    let err = run(
        "fn main(input, ctx) { round(1.5, 0, \"nearest\") }\n",
        json!({}),
    )
    .unwrap_err();
    assert!(err.contains("half_even"), "{err}");
    let err = run(
        "fn main(input, ctx) { money(1999.5, \"USD\") }\n",
        json!({}),
    )
    .unwrap_err();
    assert!(err.contains("round it first"), "{err}");
    // i64::MIN / -1 does not fit an integer: it is a decimal, not a panic.
    let out = run(
        "fn main(input, ctx) { input.n / -1 }\n",
        json!({"n": i64::MIN}),
    )
    .unwrap();
    assert_eq!(out, json!(9.223372036854776e18));
}

#[test]
fn a_number_beyond_the_decimal_range_is_refused_at_the_boundary() {
    let engine = Engine::from_bundle(common::generic_pack(
        "fn main(input, ctx) { input.x }\n",
        "",
    ))
    .unwrap();
    let answer: Value = serde_json::from_str(&evaluate_json_str(
        &engine,
        r#"{"entry":"main","now":"2026-11-27T10:00:00Z","input":{"x":1e30}}"#,
    ))
    .unwrap();
    assert_eq!(answer["errors"][0]["code"], "input_json_syntax", "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("7.9e28"),
        "{answer}"
    );
}

fn table_pack(csv: &str, source: &str) -> Bundle {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n[tables.t]\nfile = \"t.csv\"\nhit = \"collect_sum\"\n[tables.f]\nfile = \"f.csv\"\n";
    Bundle::from_files(
        manifest.to_owned(),
        BTreeMap::from([
            ("main.rhai".to_owned(), source.to_owned()),
            ("t.csv".to_owned(), csv.to_owned()),
            (
                "f.csv".to_owned(),
                "in:amount:number,in:country:string,out:fee.rate:number,out:fee.review:bool\n> limits.high * 2,-,0.5,true\n[0..29.9999],!= home,0.1,false\n-,-,0.25,false\n".to_owned(),
            ),
        ]),
    )
}

#[test]
fn tables_compare_and_add_decimals_exactly_and_read_other_inputs() {
    let engine = Engine::from_bundle(table_pack(
        "in:k:string,out:v:number\n-,0.1\n-,0.2\n",
        "fn main(input, ctx) {\n  let d = copy(input);\n  let answer = d.merge_table(\"f\");\n  #{ sum: table(\"t\", #{k: \"x\"}), doc: d, answer: answer }\n}\n",
    ))
    .expect("compiles");
    let eval = |input: Value| engine.evaluate("main", input, None, now()).unwrap().value;
    let out = eval(
        json!({"amount": 29.9999, "country": "FR", "home": "DE", "limits": {"high": 100}, "fee": {"currency": "EUR"}}),
    );
    assert_eq!(out["sum"], json!(0.3), "0.1 + 0.2 is 0.3 in a table too");
    assert_eq!(
        out["doc"]["fee"],
        json!({"currency": "EUR", "rate": 0.1, "review": false}),
        "merged member by member"
    );
    assert_eq!(out["answer"]["fee"]["rate"], json!(0.1));
    // 30 is outside [0..29.9999]; above 2 × limits.high is the first row.
    assert_eq!(
        eval(json!({"amount": 30, "country": "FR", "home": "DE", "limits": {"high": 100}}))["doc"]
            ["fee"]["rate"],
        json!(0.25)
    );
    assert_eq!(
        eval(json!({"amount": 200.01, "limits": {"high": 100}}))["doc"]["fee"]["rate"],
        json!(0.5)
    );
    // The operand is missing: `> limits.high * 2` fails, `!= home` holds.
    assert_eq!(
        eval(json!({"amount": 5, "country": "FR"}))["doc"]["fee"]["rate"],
        json!(0.1)
    );
}
