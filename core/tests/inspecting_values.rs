//! `kind_of`, `is_object`/`is_array`/`is_null` and `get(path, default)`:
//! rules inspect inputs and read paths that may be missing.

mod common;

use ordex_core::api::Engine;
use ordex_core::runtime::{EvalError, Location};
use serde_json::{Value, json};

fn run(source: &str, input: Value) -> Value {
    let engine = Engine::from_bundle(common::generic_pack(source, "")).expect("compiles");
    let now = "2026-11-27T10:00:00Z".parse().expect("time");
    match engine.evaluate("main", input, None, now) {
        Ok(evaluated) => evaluated.value,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn kinds_tell_input_objects_arrays_and_scalars_apart() {
    let out = run(
        "fn main(input, ctx) {\n  #{ o: kind_of(input.order), a: kind_of(input.order.lines), n: kind_of(input.nothing),\n     s: kind_of(input.order.id), i: kind_of(input.order.qty), f: kind_of(input.order.rate), b: kind_of(input.flag),\n     m: kind_of(#{}), r: kind_of([]), io: is_object(input.order), ia: is_array(input.order.lines),\n     ia2: is_array(input.order), nul: is_null(input.missing), nul2: is_null(input.order.id), rt: type_of(input.order) }\n}\n",
        json!({"order": {"id": "A1", "qty": 2, "rate": 0.5, "lines": [1]}, "flag": true, "nothing": null}),
    );
    assert_eq!(
        out,
        json!({"o": "object", "a": "array", "n": "null", "s": "string", "i": "integer", "f": "decimal", "b": "bool",
               "m": "object", "r": "array", "io": true, "ia": true, "ia2": false, "nul": true, "nul2": false, "rt": "View"})
    );
}

#[test]
fn get_reads_paths_through_inputs_maps_and_arrays_with_a_default() {
    let out = run(
        "fn main(input, ctx) {\n  let m = #{ a: [#{ b: 5 }] };\n  #{ country: get(input, \"order.shipping_address.country\", \"US\"),\n     sku: get(input, \"order.lines.0.sku\", \"\"), last: get(input, \"order.lines.-1.sku\", \"\"),\n     deep_missing: get(input, \"customer.history.returns_365d\", 0), past_end: get(input, \"order.lines.9.sku\", \"none\"),\n     through_scalar: get(input, \"order.id.x\", \"d\"), map: get(m, \"a.0.b\", 0), odd: get(input, [\"odd.key\", 1], ()),\n     null_member: get(input, \"order.note\", \"no note\"), zero: get(input, \"order.qty\", 7) }\n}\n",
        json!({"order": {"id": "A1", "qty": 0, "note": null, "lines": [{"sku": "S1"}, {"sku": "S2"}]}, "odd.key": ["x", "y"]}),
    );
    assert_eq!(
        out,
        json!({"country": "US", "sku": "S1", "last": "S2", "deep_missing": 0, "past_end": "none",
               "through_scalar": "d", "map": 5, "odd": "y", "null_member": "no note", "zero": 0})
    );
}

#[test]
fn a_path_that_is_neither_text_nor_an_array_is_a_located_rule_error() {
    let engine = Engine::from_bundle(common::generic_pack(
        "fn main(input, ctx) {\n  get(input, 5, 0)\n}\n",
        "",
    ))
    .expect("compiles");
    let now = "2026-11-27T10:00:00Z".parse().expect("time");
    match engine.evaluate("main", json!({}), None, now) {
        Err(EvalError::Runtime {
            message, location, ..
        }) => {
            assert!(message.contains("the path must be"), "{message}");
            assert!(
                matches!(location, Location::Source { line: 2, .. }),
                "{location:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
