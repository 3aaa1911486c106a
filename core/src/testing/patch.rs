use serde_json::Value;

/// Applies an RFC 7386 JSON merge patch: objects merge member by member,
/// `null` deletes a member, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// One `set` step of a test case: the value at a path, `null` included
/// (which a merge patch cannot express: there `null` deletes).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetStep {
    /// Dotted path (`order.lines.0.sku`), or a list of segments when a key
    /// holds a dot (`["metadata", "a.b"]`); numbers index arrays.
    pub path: SetPath,
    /// The value written there.
    pub value: Value,
}

/// A `set` path: dotted text or its segments.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum SetPath {
    /// `order.lines.0.sku`.
    Dotted(String),
    /// `["order", "lines", 0, "sku"]`.
    Segments(Vec<Value>),
}

impl SetPath {
    fn segments(&self) -> Result<Vec<String>, String> {
        match self {
            Self::Dotted(s) if s.is_empty() => Err("the path is empty".to_owned()),
            Self::Dotted(s) => Ok(s.split('.').map(str::to_owned).collect()),
            Self::Segments(v) if v.is_empty() => Err("the path is empty".to_owned()),
            Self::Segments(v) => v
                .iter()
                .map(|seg| match seg {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) if n.is_u64() => Ok(n.to_string()),
                    other => Err(format!(
                        "a path segment must be text or an index, not {other}"
                    )),
                })
                .collect(),
        }
    }
}

/// Writes `step.value` at `step.path` in `doc`, creating the objects on the
/// way; an array index may name an element or the position just past the
/// end (to append). Errors say which segment could not be followed.
pub fn set_path(doc: &mut Value, step: &SetStep) -> Result<(), String> {
    let segments = step.path.segments()?;
    let mut at = doc;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let here = segments[..i].join(".");
        if at.is_null() {
            *at = Value::Object(serde_json::Map::new());
        }
        at = match at {
            Value::Object(map) => {
                if last {
                    map.insert(seg.clone(), step.value.clone());
                    return Ok(());
                }
                map.entry(seg.clone()).or_insert(Value::Null)
            }
            Value::Array(items) => {
                let Ok(index) = seg.parse::<usize>() else {
                    return Err(format!("`{here}` is an array: `{seg}` is not an index"));
                };
                if index > items.len() {
                    return Err(format!(
                        "`{here}` has {} element(s): index {index} is past its end",
                        items.len()
                    ));
                }
                if index == items.len() {
                    items.push(Value::Null);
                }
                if last {
                    items[index] = step.value.clone();
                    return Ok(());
                }
                &mut items[index]
            }
            other => {
                let kind = match other {
                    Value::Bool(_) => "a boolean",
                    Value::Number(_) => "a number",
                    _ => "text",
                };
                return Err(format!(
                    "`{here}` is {kind}: `{seg}` cannot be set inside it"
                ));
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(path: Value, value: Value) -> SetStep {
        serde_json::from_value(json!({"path": path, "value": value})).expect("step")
    }

    #[test]
    fn set_writes_null_creates_objects_and_appends() {
        let mut doc = json!({"order": {"note": "x", "lines": [{"sku": "A"}]}});
        set_path(&mut doc, &step(json!("order.note"), Value::Null)).unwrap();
        set_path(&mut doc, &step(json!("order.lines.0.sku"), json!("B"))).unwrap();
        set_path(&mut doc, &step(json!("order.lines.1"), json!({"sku": "C"}))).unwrap();
        set_path(&mut doc, &step(json!(["meta", "a.b"]), json!(1))).unwrap();
        assert_eq!(
            doc,
            json!({"order": {"note": null, "lines": [{"sku": "B"}, {"sku": "C"}]}, "meta": {"a.b": 1}})
        );
    }

    #[test]
    fn set_says_which_segment_cannot_be_followed() {
        let mut doc = json!({"order": {"id": "A1", "lines": []}});
        let e = set_path(&mut doc, &step(json!("order.id.x"), json!(1))).unwrap_err();
        assert_eq!(e, "`order.id` is text: `x` cannot be set inside it");
        let e = set_path(&mut doc, &step(json!("order.lines.3"), json!(1))).unwrap_err();
        assert_eq!(e, "`order.lines` has 0 element(s): index 3 is past its end");
        let e = set_path(&mut doc, &step(json!("order.lines.first"), json!(1))).unwrap_err();
        assert_eq!(e, "`order.lines` is an array: `first` is not an index");
        assert!(set_path(&mut doc, &step(json!(""), json!(1))).is_err());
    }

    #[test]
    fn merges_deletes_and_replaces_like_rfc_7386() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}, "arr": [1, 2]});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "arr": [3]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "arr": [3]}));
    }
}
