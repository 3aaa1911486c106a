//! Inspecting values: what kind a value is, and reading a path that may be
//! missing without a hand-written null check at every step.
//!
//! Inputs reach rules as read-only views, so Rhai's own `type_of` says
//! `"View"` for an input object and an input array alike; `kind_of` answers
//! in JSON's terms for views and plain values the same way.

use rhai::{Array, Dynamic, Engine, INT, Map};

use super::{Res, reg};
use crate::runtime::View;

const S: &str = "Inspecting values";

/// Deepest path `get` follows (a path is rule text, but may be built at run time).
const MAX_PATH_STEPS: usize = 64;

/// The JSON kind of a value: `null`, `bool`, `integer`, `decimal`, `string`,
/// `object`, `array`, or Rhai's type name for anything else (`char`, `Fn`).
pub(crate) fn kind_of(value: &Dynamic) -> String {
    if let Some(view) = value.read_lock::<View>() {
        return match view.value() {
            serde_json::Value::Object(_) => "object",
            serde_json::Value::Array(_) => "array",
            // Views hold containers only; scalars become Rhai values.
            _ => "null",
        }
        .to_owned();
    }
    if value.is_unit() {
        "null"
    } else if value.is_bool() {
        "bool"
    } else if value.is_int() {
        "integer"
    } else if value.is_decimal() {
        "decimal"
    } else if value.is_string() {
        "string"
    } else if value.is_map() {
        "object"
    } else if value.is_array() {
        "array"
    } else {
        return value.type_name().to_owned();
    }
    .to_owned()
}

/// One step of a path: a member name or an array index (negative from the end).
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(INT),
}

/// `"order.lines.0.sku"` → steps; a segment of digits (or `-digits`) is an index.
fn parse_dotted(path: &str) -> Vec<Step> {
    path.split('.')
        .map(|seg| match seg.parse::<INT>() {
            Ok(i) if !seg.starts_with('+') => Step::Index(i),
            _ => Step::Key(seg.to_owned()),
        })
        .collect()
}

fn steps_of(path: &Dynamic) -> Res<Vec<Step>> {
    let steps = if let Some(text) = path.read_lock::<rhai::ImmutableString>() {
        parse_dotted(text.as_str())
    } else if let Some(parts) = path.read_lock::<Array>() {
        parts
            .iter()
            .map(|p| {
                if let Ok(i) = p.as_int() {
                    Ok(Step::Index(i))
                } else if let Some(s) = p.read_lock::<rhai::ImmutableString>() {
                    Ok(Step::Key(s.to_string()))
                } else {
                    Err(format!(
                        "get: a path element must be a string or an integer, not {}",
                        kind_of(p)
                    ))
                }
            })
            .collect::<Result<_, _>>()?
    } else {
        return Err(format!(
            "get: the path must be a string like \"order.lines.0.sku\" or an array like [\"order\", \"lines\", 0], not {}",
            kind_of(path)
        )
        .into());
    };
    if steps.len() > MAX_PATH_STEPS {
        return Err(format!("get: a path has at most {MAX_PATH_STEPS} steps").into());
    }
    Ok(steps)
}

fn index_of(i: INT, len: usize) -> Option<usize> {
    let len_i = INT::try_from(len).ok()?;
    let at = if i < 0 { len_i.checked_add(i)? } else { i };
    (0..len_i)
        .contains(&at)
        .then(|| usize::try_from(at).ok())
        .flatten()
}

fn step(value: &Dynamic, step: &Step) -> Dynamic {
    if let Some(view) = value.read_lock::<View>() {
        let mut view = view.clone();
        return match step {
            Step::Key(k) => view.get_key(k),
            Step::Index(i) => match view.value() {
                serde_json::Value::Array(a) => index_of(*i, a.len())
                    .and_then(|at| INT::try_from(at).ok())
                    .and_then(|at| view.get_index(at).ok())
                    .unwrap_or(Dynamic::UNIT),
                _ => Dynamic::UNIT,
            },
        };
    }
    match step {
        Step::Key(k) => value
            .read_lock::<Map>()
            .and_then(|m| m.get(k.as_str()).cloned())
            .unwrap_or(Dynamic::UNIT),
        Step::Index(i) => value
            .read_lock::<Array>()
            .and_then(|a| index_of(*i, a.len()).map(|at| a[at].clone()))
            .unwrap_or(Dynamic::UNIT),
    }
}

/// The value at `path` below `value`, or `default` when any step is missing
/// or null (or reads a member of something that has none).
pub(crate) fn get_path(value: &Dynamic, path: &Dynamic, default: Dynamic) -> Res<Dynamic> {
    let mut at = value.clone();
    for s in steps_of(path)? {
        if at.is_unit() {
            break;
        }
        at = step(&at, &s);
    }
    Ok(if at.is_unit() { default } else { at })
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "kind_of",
        &["value: &mut Dynamic", "String"],
        "What a value is, in JSON's terms, for input views and plain values alike: `null`, `bool`, `integer`, `decimal`,\n`string`, `object`, `array` (Rhai's `type_of` says `View` for any input object or array).",
        |v: &mut Dynamic| kind_of(v),
    );
    reg(
        engine,
        S,
        "is_object",
        &["value: &mut Dynamic", "bool"],
        "Whether a value is an object (an input object or a map).",
        |v: &mut Dynamic| kind_of(v) == "object",
    );
    reg(
        engine,
        S,
        "is_array",
        &["value: &mut Dynamic", "bool"],
        "Whether a value is an array (an input array or a Rhai array).",
        |v: &mut Dynamic| kind_of(v) == "array",
    );
    reg(
        engine,
        S,
        "is_null",
        &["value: &mut Dynamic", "bool"],
        "Whether a value is missing or JSON `null` (both read as `()`).",
        |v: &mut Dynamic| v.is_unit(),
    );
    reg(
        engine,
        S,
        "is_number",
        &["value: &mut Dynamic", "bool"],
        "Whether a value is a number: an integer or a decimal.",
        |v: &mut Dynamic| v.is_int() || v.is_decimal(),
    );
    reg(
        engine,
        S,
        "get",
        &[
            "value: &mut Dynamic",
            "path: Dynamic",
            "default: Dynamic",
            "Dynamic",
        ],
        "The value at `path` below `value`, or `default` when a step is missing or null: `get(event, \"order.shipping_address.country\", \"US\")`,\n`get(cart, \"order.lines.0.sku\", \"\")` (a number indexes an array; negative counts from the end), or the path as an array,\n`get(m, [\"odd.key\", 0], ())`. Never fails on missing data: reading a member of `()` is `default`.",
        |v: &mut Dynamic, path: Dynamic, default: Dynamic| get_path(v, &path, default),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_split_into_keys_and_indexes() {
        assert_eq!(
            parse_dotted("order.lines.-1.sku"),
            [
                Step::Key("order".into()),
                Step::Key("lines".into()),
                Step::Index(-1),
                Step::Key("sku".into())
            ]
        );
        assert_eq!(parse_dotted("+1"), [Step::Key("+1".into())]);
    }

    #[test]
    fn indexes_count_from_either_end_and_never_overflow() {
        assert_eq!(index_of(0, 3), Some(0));
        assert_eq!(index_of(-1, 3), Some(2));
        assert_eq!(index_of(3, 3), None);
        assert_eq!(index_of(-4, 3), None);
        assert_eq!(index_of(INT::MIN, 3), None);
        assert_eq!(index_of(0, 0), None);
    }
}
