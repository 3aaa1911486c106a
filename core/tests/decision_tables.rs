//! Decision tables declared in a pack: compiled with the pack, checked with
//! located errors and warnings, and called from rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ordex_core::api::Engine;
use ordex_core::runtime::{Bundle, Location};
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-11-27T10:00:00Z".parse().expect("time")
}

const MANIFEST: &str = "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n[tables.fees]\nfile = \"tables/fees.csv\"\nhit = \"first\"\n[tables.surcharges]\nfile = \"tables/surcharges.csv\"\nhit = \"collect_sum\"\n";

const FEES: &str = "\
in:zone:string,in:parcel.kg:number,out:ship.carrier:string,out:ship.fee:number
domestic,< 2,usps,4.99
domestic,[2..20],ups,9.99
\"'eu','uk'\",-,dhl,19.5
";

const SURCHARGES: &str = "in:zone,in:remote:bool,out:extra:number\n-,true,7\neu,-,2.5\n-,-,0\n";

fn pack(main: &str, fees: &str) -> Bundle {
    Bundle::from_files(
        MANIFEST.to_owned(),
        BTreeMap::from([
            ("main.rhai".to_owned(), main.to_owned()),
            ("tables/fees.csv".to_owned(), fees.to_owned()),
            ("tables/surcharges.csv".to_owned(), SURCHARGES.to_owned()),
        ]),
    )
}

const MAIN: &str = "fn main(input, ctx) {\n  let m = table_match(\"fees\", input);\n  #{ ship: m.output, lines: m.lines, extra: table(\"surcharges\", input) }\n}\n";

#[test]
fn rules_call_tables_with_views_and_get_rows_and_sums() {
    let e = Engine::from_bundle(pack(MAIN, FEES)).expect("compiles");
    let out = e
        .evaluate(
            "main",
            json!({"zone": "domestic", "parcel": {"kg": 3}}),
            None,
            now(),
        )
        .expect("evaluates")
        .value;
    assert_eq!(
        out,
        json!({"ship": {"ship": {"carrier": "ups", "fee": 9.99}}, "lines": [3], "extra": 0})
    );
    let out = e
        .evaluate("main", json!({"zone": "eu", "remote": true}), None, now())
        .expect("evaluates")
        .value;
    assert_eq!(out["ship"]["ship"]["carrier"], "dhl");
    assert_eq!(out["extra"], json!(9.5), "7 + 2.5 + 0, in row order");
    let out = e
        .evaluate("main", json!({"zone": "mars"}), None, now())
        .expect("evaluates")
        .value;
    assert_eq!(out["ship"], json!(null), "no row: ()");
    assert_eq!(out["lines"], json!([]));
}

#[test]
fn a_broken_table_fails_compilation_at_its_line_and_column() {
    let broken = FEES.replace("[2..20]", "[20..2]");
    let err = Engine::from_bundle(pack(MAIN, &broken)).expect_err("bad range");
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, "table_invalid");
    assert_eq!(
        d.location,
        Some(Location::Source {
            file: "tables/fees.csv".into(),
            line: 3,
            col: 10
        }),
        "{d}"
    );
    assert!(d.message.contains("empty"), "{d}");
}

#[test]
fn an_unknown_table_is_a_clear_rule_error() {
    let e = Engine::from_bundle(pack(
        "fn main(input, ctx) { table(\"fess\", input) }\n",
        FEES,
    ))
    .expect("compiles");
    let err = e
        .evaluate("main", json!({}), None, now())
        .expect_err("unknown");
    let text = err.to_string();
    assert!(
        text.contains("no table `fess`") && text.contains("fees, surcharges"),
        "{text}"
    );
}

#[test]
fn shadowed_rows_are_warnings_not_errors() {
    let shadowed = format!("{FEES}domestic,[3..4],fedex,7\n");
    let e = Engine::from_bundle(pack(MAIN, &shadowed)).expect("still compiles");
    let w = e.pack().warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].code, "table_unreachable_row");
    assert!(
        matches!(&w[0].location, Some(Location::Source { line: 5, .. })),
        "{w:?}"
    );
}
