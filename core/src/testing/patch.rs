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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_deletes_and_replaces_like_rfc_7386() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}, "arr": [1, 2]});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "arr": [3]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "arr": [3]}));
    }
}
