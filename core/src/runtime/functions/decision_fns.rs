//! Building decisions: recording fired rules, actions, findings, warnings.

use rhai::{Dynamic, Engine, INT, ImmutableString, Map, NativeCallContext};

use super::reg;
use super::values::{trace_from, warn_from};

const S: &str = "Building decisions";

fn push_unique(map: &mut Map, key: &str, value: ImmutableString) {
    let entry = map
        .entry(key.into())
        .or_insert_with(|| Dynamic::from_array(Vec::new()));
    if let Some(mut list) = entry.write_lock::<rhai::Array>()
        && !list
            .iter()
            .any(|v| v.clone().into_immutable_string().ok().as_ref() == Some(&value))
    {
        list.push(value.into());
    }
}

fn fire(
    ctx: NativeCallContext,
    map: &mut Map,
    rule: ImmutableString,
    message: ImmutableString,
    facts: Map,
) {
    let facts = Dynamic::from_map(facts);
    trace_from(&ctx, |t| t.fired(&rule, &message, &facts));
    push_unique(map, "rules_fired", rule.clone());
    let mut reason = Map::new();
    reason.insert("rule".into(), rule.into());
    reason.insert("message".into(), message.into());
    reason.insert("facts".into(), facts);
    let entry = map
        .entry("reasons".into())
        .or_insert_with(|| Dynamic::from_array(Vec::new()));
    if let Some(mut list) = entry.write_lock::<rhai::Array>() {
        list.push(reason.into());
    }
}

fn action(kind: ImmutableString, params: Map) -> Map {
    let mut m = Map::new();
    m.insert("type".into(), kind.into());
    m.insert("params".into(), params.into());
    m
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "fire",
        &["decision: Map", "rule: &str", "message: &str"],
        "`d.fire(rule, message)`: records that `rule` fired, with its reason, on decision `d`.",
        |ctx: NativeCallContext, m: &mut Map, rule: ImmutableString, msg: ImmutableString| {
            fire(ctx, m, rule, msg, Map::new());
        },
    );
    reg(
        engine,
        S,
        "fire",
        &["decision: Map", "rule: &str", "message: &str", "facts: Map"],
        "`d.fire(rule, message, facts)`: as above, with the facts the rule used (they explain the decision to agents).",
        fire,
    );
    reg(
        engine,
        S,
        "action",
        &["type: &str", "params: Map", "Map"],
        "An action `{type, params}` for a decision's `actions`.",
        action,
    );
    reg(
        engine,
        S,
        "action",
        &["type: &str", "Map"],
        "An action without parameters.",
        |kind: ImmutableString| action(kind, Map::new()),
    );
    reg(
        engine,
        S,
        "finding",
        &[
            "code: &str",
            "field: &str",
            "severity: &str",
            "message: &str",
            "Map",
        ],
        "A checkout finding; `severity` is `block`, `warn` or `info`; `field` is the JSON path in the cart.",
        |code: ImmutableString,
         field: ImmutableString,
         severity: ImmutableString,
         msg: ImmutableString| {
            let mut m = Map::new();
            m.insert("code".into(), code.into());
            m.insert("field".into(), field.into());
            m.insert("severity".into(), severity.into());
            m.insert("message".into(), msg.into());
            m
        },
    );
    reg(
        engine,
        S,
        "warn",
        &["message: &str"],
        "Adds a warning to the answer (the decision still stands).",
        |ctx: NativeCallContext, msg: ImmutableString| {
            warn_from(&ctx, "rule_warning", msg.to_string())
        },
    );
    reg(
        engine,
        S,
        "clamp",
        &["x: INT", "lo: INT", "hi: INT", "INT"],
        "`x` limited to `lo..=hi`.",
        |x: INT, lo: INT, hi: INT| x.max(lo).min(hi),
    );
}
