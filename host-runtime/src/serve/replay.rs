//! Replaying a stored decision: the product's promise is that the same
//! bundle, input and `now` give the same decision, so the service keeps each
//! decision's call and can show, after the fact, that evaluating it again on
//! its bundle answers the same. Comparing is pure policy, kept here.

use serde::Serialize;
use serde_json::Value;

/// What a replay found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayOutcome {
    /// The replayed answer is the stored one, byte for byte (both in the
    /// service's compact JSON form).
    pub identical: bool,
    /// The first JSON path at which they differ, when they do (`$.ok.route`).
    pub first_difference: Option<String>,
}

/// Compares the stored answer with the replayed answer text. Both go through
/// the same compact serialisation the service stores answers in.
pub fn compare(stored: &str, replayed: &str) -> ReplayOutcome {
    let parse = |t: &str| serde_json::from_str::<Value>(t).ok();
    match (parse(stored), parse(replayed)) {
        (Some(a), Some(b)) => {
            let identical = same(&a, &b);
            ReplayOutcome {
                identical,
                first_difference: (!identical).then(|| difference(&a, &b, "$".to_owned())),
            }
        }
        _ => ReplayOutcome {
            identical: stored == replayed,
            first_difference: (stored != replayed).then(|| "$".to_owned()),
        },
    }
}

/// Byte equality of the compact forms: `Value`'s own `==` ignores the order
/// of members, which is part of the bytes.
fn same(a: &Value, b: &Value) -> bool {
    let (x, y) = (a.to_string(), b.to_string());
    x == y
}

/// The first path where `a` and `b` differ (members in the stored order,
/// then members only the replay has).
fn difference(a: &Value, b: &Value, path: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if same(v, w) => {}
                    Some(w) => return difference(v, w, format!("{path}.{k}")),
                    None => return format!("{path}.{k}"),
                }
            }
            if let Some(k) = y.keys().find(|k| !x.contains_key(*k)) {
                return format!("{path}.{k}");
            }
            // Same members, same values: only their order differs.
            path
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if !same(v, w) {
                    return difference(v, w, format!("{path}[{i}]"));
                }
            }
            format!("{path}[{}]", x.len().min(y.len()))
        }
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_answer_is_identical_whatever_its_spacing() {
        let out = compare(
            r#"{"ok":{"route":"agent","n":1.5}}"#,
            "{\"ok\": {\"route\": \"agent\", \"n\": 1.5}}\n",
        );
        assert_eq!(
            out,
            ReplayOutcome {
                identical: true,
                first_difference: None
            }
        );
    }

    #[test]
    fn a_different_answer_names_the_first_path_that_differs() {
        let stored =
            r#"{"ok":{"route":"agent","actions":[{"kind":"a"},{"kind":"b"}]},"warnings":[]}"#;
        let out = compare(
            stored,
            r#"{"ok":{"route":"agent","actions":[{"kind":"a"},{"kind":"c"}]},"warnings":[]}"#,
        );
        assert!(!out.identical);
        assert_eq!(
            out.first_difference.as_deref(),
            Some("$.ok.actions[1].kind")
        );
        let out = compare(
            stored,
            r#"{"ok":{"route":"agent","actions":[{"kind":"a"}]},"warnings":[]}"#,
        );
        assert_eq!(out.first_difference.as_deref(), Some("$.ok.actions[1]"));
        let out = compare(r#"{"ok":1}"#, r#"{"ok":1,"trace":{}}"#);
        assert_eq!(out.first_difference.as_deref(), Some("$.trace"));
        // Member order is part of the bytes.
        let out = compare(r#"{"a":1,"b":2}"#, r#"{"b":2,"a":1}"#);
        assert_eq!(
            out,
            ReplayOutcome {
                identical: false,
                first_difference: Some("$".into())
            }
        );
        assert!(!compare("not json", "{}").identical);
    }
}
