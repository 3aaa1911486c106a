use serde_json::Value;

/// Compares an answer with what a test expects and lists every difference
/// as `at <path>: expected …, got …`.
///
/// Objects match when every expected member matches (extra members are
/// fine); arrays match element by element and must have the same length;
/// scalars must be equal. Special forms: `{"$contains": x}` (some element
/// of the array matches `x`), `{"$absent": true}`, `{"$gte": n}`,
/// `{"$lte": n}`, `{"$not_contains": x}`.
pub fn mismatches(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare(expected, actual, "", &mut out);
    out
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 160 {
        format!("{}…", &s[..s.floor_char_boundary(160)])
    } else {
        s
    }
}

fn at(path: &str) -> &str {
    if path.is_empty() { "." } else { path }
}

fn matches(expected: &Value, actual: &Value) -> bool {
    let mut out = Vec::new();
    compare(expected, actual, "", &mut out);
    out.is_empty()
}

fn compare(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    if let Value::Object(e) = expected {
        if let Some((op, arg)) = e
            .iter()
            .next()
            .filter(|(k, _)| e.len() == 1 && k.starts_with('$'))
        {
            special(op, arg, actual, path, out);
            return;
        }
        let Value::Object(a) = actual else {
            out.push(format!(
                "at {}: expected an object, got {}",
                at(path),
                show(actual)
            ));
            return;
        };
        for (k, ev) in e {
            let child = format!("{path}.{k}");
            match a.get(k) {
                Some(av) => compare(ev, av, &child, out),
                None if ev.get("$absent").is_some() => {}
                None => out.push(format!(
                    "at {child}: expected {}, but the member is missing",
                    show(ev)
                )),
            }
        }
        return;
    }
    if let Value::Array(e) = expected {
        let Value::Array(a) = actual else {
            out.push(format!(
                "at {}: expected an array, got {}",
                at(path),
                show(actual)
            ));
            return;
        };
        if e.len() != a.len() {
            out.push(format!(
                "at {}: expected {} element(s), got {}: {}",
                at(path),
                e.len(),
                a.len(),
                show(actual)
            ));
            return;
        }
        for (i, (ev, av)) in e.iter().zip(a).enumerate() {
            compare(ev, av, &format!("{path}[{i}]"), out);
        }
        return;
    }
    let equal = match (expected, actual) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => expected == actual,
    };
    if !equal {
        out.push(format!(
            "at {}: expected {}, got {}",
            at(path),
            show(expected),
            show(actual)
        ));
    }
}

fn special(op: &str, arg: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    let p = at(path);
    match op {
        "$contains" | "$not_contains" => {
            let Value::Array(items) = actual else {
                out.push(format!("at {p}: expected an array, got {}", show(actual)));
                return;
            };
            let found = items.iter().any(|i| matches(arg, i));
            if op == "$contains" && !found {
                out.push(format!(
                    "at {p}: expected an element matching {}, got {}",
                    show(arg),
                    show(actual)
                ));
            }
            if op == "$not_contains" && found {
                out.push(format!(
                    "at {p}: expected no element matching {}, got {}",
                    show(arg),
                    show(actual)
                ));
            }
        }
        "$absent" => out.push(format!(
            "at {p}: expected no such member, got {}",
            show(actual)
        )),
        "$gte" | "$lte" => match (arg.as_f64(), actual.as_f64()) {
            (Some(bound), Some(v))
                if (op == "$gte" && v >= bound) || (op == "$lte" && v <= bound) => {}
            _ => out.push(format!(
                "at {p}: expected a number {} {}, got {}",
                if op == "$gte" { ">=" } else { "<=" },
                show(arg),
                show(actual)
            )),
        },
        other => out.push(format!("at {p}: unknown matcher `{other}` in the test")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_each_difference_with_its_path() {
        let m = mismatches(
            &json!({"route": "agent", "actions": {"$contains": {"type": "retry_payment"}}, "priority_score": {"$gte": 500}}),
            &json!({"route": "self_heal", "actions": [{"type": "notify_customer", "params": {}}], "priority_score": 420, "extra": 1}),
        );
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(
            m[0].contains(".route") && m[0].contains("\"agent\"") && m[0].contains("\"self_heal\"")
        );
        assert!(m[1].contains(".actions"));
        assert!(m[2].contains(">= 500"));
    }

    #[test]
    fn subset_objects_and_exact_arrays_match() {
        assert!(
            mismatches(
                &json!({"a": [1, {"b": 2}]}),
                &json!({"a": [1, {"b": 2, "c": 3}], "d": 4})
            )
            .is_empty()
        );
        assert!(!mismatches(&json!({"a": [1]}), &json!({"a": [1, 2]})).is_empty());
        assert!(mismatches(&json!({"x": {"$absent": true}}), &json!({})).is_empty());
        assert!(!mismatches(&json!({"x": {"$absent": true}}), &json!({"x": 1})).is_empty());
    }
}
