//! The pack's decision tables as functions rules call: `table(name, input)`
//! for the answer, `table_match(name, input)` for the answer and the rows
//! that gave it (for traces and tests).

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, INT, Map, NativeCallContext};
use serde_json::Value;

use super::{Res, reg};
use crate::runtime::View;
use crate::table::{DecisionTable, Outcome, Scalar};

const S: &str = "Tables";

/// The pack's decision tables, by manifest name.
pub(crate) type Tables = Arc<BTreeMap<String, Arc<DecisionTable>>>;

fn json_scalar(v: &Value) -> Scalar {
    match v {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Number(n) => match crate::number::from_json(n) {
            Some(Ok(i)) => Scalar::Int(i),
            Some(Err(d)) => Scalar::Decimal(d),
            None => Scalar::Other,
        },
        Value::String(s) => Scalar::Str(s.clone()),
        Value::Array(_) | Value::Object(_) => Scalar::Other,
    }
}

fn json_at<'a>(mut v: &'a Value, path: &[String]) -> &'a Value {
    for key in path {
        v = v.get(key.as_str()).unwrap_or(&Value::Null);
    }
    v
}

/// The value at `path` below a rule value (a map, an input view, or maps
/// holding views), as a table reads it: missing is null.
fn read(input: &Dynamic, path: &[String]) -> Scalar {
    if let Some(view) = input.read_lock::<View>() {
        return json_scalar(json_at(view.value(), path));
    }
    let Some((first, rest)) = path.split_first() else {
        return dynamic_scalar(input);
    };
    match input.read_lock::<Map>() {
        Some(map) => map
            .get(first.as_str())
            .map_or(Scalar::Null, |v| read(v, rest)),
        None => Scalar::Null,
    }
}

fn dynamic_scalar(v: &Dynamic) -> Scalar {
    if v.is_unit() {
        Scalar::Null
    } else if let Ok(b) = v.as_bool() {
        Scalar::Bool(b)
    } else if let Ok(i) = v.as_int() {
        Scalar::Int(i)
    } else if let Ok(d) = v.as_decimal() {
        Scalar::Decimal(d)
    } else if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        Scalar::Str(s.to_string())
    } else {
        Scalar::Other
    }
}

fn to_dynamic(s: &Scalar) -> Dynamic {
    match s {
        Scalar::Null | Scalar::Other => Dynamic::UNIT,
        Scalar::Bool(b) => Dynamic::from_bool(*b),
        Scalar::Int(i) => Dynamic::from_int(*i),
        Scalar::Decimal(d) => Dynamic::from_decimal(*d),
        Scalar::Str(t) => Dynamic::from(t.clone()),
    }
}

/// Sets `value` at `path` in `map`, creating the maps on the way.
fn set_path(map: &mut Map, path: &[String], value: Dynamic) {
    match path {
        [] => {}
        [last] => {
            map.insert(last.as_str().into(), value);
        }
        [key, rest @ ..] => {
            let mut inner = map
                .remove(key.as_str())
                .and_then(|d| d.try_cast::<Map>())
                .unwrap_or_default();
            set_path(&mut inner, rest, value);
            map.insert(key.as_str().into(), Dynamic::from_map(inner));
        }
    }
}

/// The outputs of row `r` as a map.
fn row_output(table: &DecisionTable, r: usize) -> Dynamic {
    let mut out = Map::new();
    for (column, value) in table.outputs.iter().zip(&table.rows[r].outputs) {
        if let Some(v) = value {
            set_path(&mut out, &column.path, to_dynamic(v));
        }
    }
    Dynamic::from_map(out)
}

fn lookup<'a>(tables: &'a Tables, name: &str) -> Res<&'a DecisionTable> {
    tables.get(name).map(Arc::as_ref).ok_or_else(|| {
        let known: Vec<&str> = tables.keys().map(String::as_str).collect();
        let known = if known.is_empty() {
            "it declares none".to_owned()
        } else {
            format!("its tables: {}", known.join(", "))
        };
        format!(
            "this pack has no table `{name}` ({known}): declare it under [tables] in ordex.toml"
        )
        .into()
    })
}

/// Evaluates a table on a rule value: its answer and the matching rows.
fn run(table: &DecisionTable, input: &Dynamic) -> Res<(Dynamic, Vec<usize>)> {
    run_with(table, |path| read(input, path))
}

/// A path of a plain map, as `read` reads a map value.
fn read_map(map: &Map, path: &[String]) -> Scalar {
    match path.split_first() {
        Some((first, rest)) => map
            .get(first.as_str())
            .map_or(Scalar::Null, |v| read(v, rest)),
        None => Scalar::Other,
    }
}

fn run_with(
    table: &DecisionTable,
    read_at: impl Fn(&[String]) -> Scalar,
) -> Res<(Dynamic, Vec<usize>)> {
    let values: Vec<Scalar> = table
        .inputs
        .iter()
        .map(|c| read_at(&c.path))
        .chain(table.refs.iter().map(|path| read_at(path)))
        .collect();
    let (outcome, rows) = table.evaluate(&values).map_err(|e| e.to_string())?;
    let answer = match outcome {
        Outcome::Nothing => Dynamic::UNIT,
        Outcome::Row(r) => row_output(table, r),
        Outcome::Rows(rs) => {
            Dynamic::from_array(rs.iter().map(|r| row_output(table, *r)).collect())
        }
        Outcome::Number(n) => to_dynamic(&n),
    };
    Ok((answer, rows))
}

/// Records a table's answer in the call's trace, when it is traced.
fn trace_rows(ctx: &NativeCallContext, table: &DecisionTable, rows: &[usize], output: &Dynamic) {
    super::values::trace_from(ctx, |t| {
        let lines = rows.iter().map(|r| table.rows[*r].line).collect();
        t.table(&table.name, lines, output);
    });
}

/// Deepest nesting `merge` follows: a table's outputs are a few levels
/// deep, and a merge is not a way around the input depth limit.
const MAX_MERGE_DEPTH: usize = 32;

/// A map member as a plain map, when it is one (an input view is copied).
fn as_map(v: &Dynamic) -> Option<Map> {
    if let Some(view) = v.read_lock::<View>() {
        return crate::runtime::json_to_dynamic(view.value()).try_cast::<Map>();
    }
    v.read_lock::<Map>().map(|m| m.clone())
}

/// Merges `patch` into `target` the way a ZEN pass-through node does: a
/// member that is a map on both sides is merged member by member, any other
/// member is replaced.
pub(crate) fn merge(target: &mut Map, patch: &Map, depth: usize) -> Res<()> {
    if depth > MAX_MERGE_DEPTH {
        return Err(format!("merge: nested deeper than {MAX_MERGE_DEPTH} levels").into());
    }
    for (key, value) in patch {
        let merged = match (target.get(key).and_then(as_map), as_map(value)) {
            (Some(mut inner), Some(sub)) => {
                merge(&mut inner, &sub, depth + 1)?;
                Dynamic::from_map(inner)
            }
            _ => value.clone(),
        };
        target.insert(key.clone(), merged);
    }
    Ok(())
}

pub(super) fn register(engine: &mut Engine, tables: &Tables) {
    reg(
        engine,
        S,
        "merge",
        &["doc: &mut Map", "answer: Dynamic", "()"],
        "`doc.merge(answer)`: merges a map (a table's answer, say) into `doc` the way a pass-through node does: members that\nare maps on both sides merge member by member, others are replaced; `()` (no row matched) changes nothing.\n`doc.merge(table(\"fees\", doc))` chains tables as ZEN's pass-through does.",
        |doc: &mut Map, answer: Dynamic| -> Res<()> {
            if answer.is_unit() {
                return Ok(());
            }
            let patch = as_map(&answer).ok_or_else(|| -> Box<rhai::EvalAltResult> {
                format!("merge: the answer is {}, not a map", answer.type_name()).into()
            })?;
            merge(doc, &patch, 0)
        },
    );
    let t = tables.clone();
    reg(
        engine,
        S,
        "merge_table",
        &["doc: &mut Map", "name: &str", "Dynamic"],
        "`doc.merge_table(\"fees\")`: the table's answer for `doc`, merged into `doc` (as `doc.merge(table(\"fees\", doc))`,\nwithout copying `doc` for the call); answers the table's own answer. Chains tables as ZEN's pass-through nodes do.",
        move |ctx: NativeCallContext, doc: &mut Map, name: &str| -> Res<Dynamic> {
            let table = lookup(&t, name)?;
            let (output, rows) = run_with(table, |path| read_map(doc, path))?;
            trace_rows(&ctx, table, &rows, &output);
            if let Some(patch) = output.read_lock::<Map>() {
                merge(doc, &patch, 0)?;
            } else if !output.is_unit() {
                return Err(format!(
                    "merge_table: table `{name}` answers {} (hit policy {:?}), not one row to merge",
                    output.type_name(),
                    table.hit
                )
                .into());
            }
            Ok(output)
        },
    );
    let t = tables.clone();
    reg(
        engine,
        S,
        "table",
        &["name: &str", "input: Map", "Dynamic"],
        "The answer of the pack's decision table `name` (declared under [tables] in ordex.toml) for `input`, a map or an input\nview whose members the table's `in:` columns read by path. By hit policy: `first` and `unique` give the matching row's\noutputs as a map (`()` when no row matches; two matching rows of a `unique` table are an error), `collect` an array of\nmaps in row order, `collect_sum`/`collect_min`/`collect_max` a number from the one output column, `collect_count` a count.",
        move |ctx: NativeCallContext, name: &str, input: Dynamic| -> Res<Dynamic> {
            let table = lookup(&t, name)?;
            let (output, rows) = run(table, &input)?;
            trace_rows(&ctx, table, &rows, &output);
            Ok(output)
        },
    );
    let t = tables.clone();
    reg(
        engine,
        S,
        "table_match",
        &["name: &str", "input: Map", "Map"],
        "As `table(name, input)`, with the rows that matched: `#{output, matched, lines: [line, …]}`, the lines of the table\nfile's matching rows in order (for a `first` table at most one), so a decision can record which row decided it.",
        move |ctx: NativeCallContext, name: &str, input: Dynamic| -> Res<Map> {
            let table = lookup(&t, name)?;
            let (output, rows) = run(table, &input)?;
            trace_rows(&ctx, table, &rows, &output);
            let lines: Array = rows
                .iter()
                .map(|r| Dynamic::from_int(table.rows[*r].line as INT))
                .collect();
            let mut m = Map::new();
            m.insert("matched".into(), Dynamic::from_bool(!lines.is_empty()));
            m.insert("output".into(), output);
            m.insert("lines".into(), Dynamic::from_array(lines));
            Ok(m)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::HitPolicy;

    #[test]
    fn reads_maps_views_and_nested_paths() {
        let input = serde_json::json!({"order": {"country": "US", "kg": 2.5}});
        let view = Dynamic::from(View::new(Arc::new(input)));
        let path = ["order".to_owned(), "country".to_owned()];
        assert_eq!(read(&view, &path), Scalar::Str("US".into()));
        let mut inner = Map::new();
        inner.insert("order".into(), view.clone());
        let map = Dynamic::from_map(inner);
        let deep = ["order".to_owned(), "order".to_owned(), "kg".to_owned()];
        assert_eq!(
            read(&map, &deep),
            Scalar::Decimal(crate::number::Decimal::new(25, 1))
        );
        assert_eq!(read(&map, &["missing".to_owned()]), Scalar::Null);
    }

    #[test]
    fn outputs_nest_by_path() {
        let t = DecisionTable::from_csv(
            "t",
            "t.csv",
            HitPolicy::First,
            "in:a,out:ship.carrier,out:ship.fee:number,out:note\nx,ups,4.5,\n",
        )
        .unwrap();
        let mut input = Map::new();
        input.insert("a".into(), Dynamic::from("x".to_owned()));
        let (out, rows) = run(&t, &Dynamic::from_map(input)).unwrap();
        assert_eq!(rows, [0]);
        let json = crate::runtime::to_json(&out).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ship": {"carrier": "ups", "fee": 4.5}})
        );
    }

    #[test]
    fn merge_joins_maps_member_by_member_and_replaces_the_rest() {
        let engine = rhai::Engine::new();
        let map = |src: &str| engine.eval::<Map>(src).unwrap();
        let mut doc = map("#{a: #{x: 1, y: 2}, b: 3, c: [1]}");
        merge(&mut doc, &map("#{a: #{y: 20, z: 30}, b: #{n: 1}, d: 4}"), 0).unwrap();
        let a = doc["a"].clone().cast::<Map>();
        assert_eq!(a["x"].as_int(), Ok(1));
        assert_eq!(a["y"].as_int(), Ok(20));
        assert_eq!(a["z"].as_int(), Ok(30));
        assert!(doc["b"].is_map(), "a number is replaced by a map");
        assert_eq!(doc["d"].as_int(), Ok(4));
        assert!(doc["c"].is_array());
        // A self-nesting patch is refused past the depth limit, not followed.
        let mut deep = Map::new();
        for _ in 0..40 {
            let mut outer = Map::new();
            outer.insert("k".into(), Dynamic::from_map(deep));
            deep = outer;
        }
        let mut target = deep.clone();
        assert!(merge(&mut target, &deep, 0).is_err());
    }
}
