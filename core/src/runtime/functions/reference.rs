//! The rule-author reference, generated from the functions registered in
//! the engine (their signatures and doc comments), grouped by section.

use std::collections::BTreeMap;

use serde_json::Value;

/// Sections in the order the reference presents them.
const ORDER: &[&str] = &[
    "Reading inputs",
    "Inspecting values",
    "Building decisions",
    "Payments",
    "Addresses",
    "Shipments",
    "Time",
    "Text",
    "Models",
    "Tables",
];

/// The reference as markdown.
pub fn reference_markdown() -> String {
    let engine = crate::runtime::compile::build_engine(
        &crate::runtime::Limits::default(),
        &Default::default(),
        &Default::default(),
    );
    let json: Value = engine
        .gen_fn_metadata_to_json(false)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let mut sections: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for f in json["functions"].as_array().into_iter().flatten() {
        let comments: Vec<&str> = f["docComments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(section) = comments.iter().find_map(|c| {
            c.strip_prefix("/** section: ")
                .and_then(|s| s.strip_suffix(" */"))
        }) else {
            continue;
        };
        let Some(section) = ORDER.iter().copied().find(|s| *s == section) else {
            continue;
        };
        let doc: Vec<String> = comments
            .iter()
            .filter(|c| c.starts_with("///"))
            .flat_map(|c| {
                c.lines()
                    .map(|l| l.trim_start_matches("///").trim().to_owned())
            })
            .collect();
        let signature = f["signature"].as_str().unwrap_or_default().to_owned();
        sections
            .entry(section)
            .or_default()
            .push((signature, doc.join(" ")));
    }
    let mut out = String::from(
        "# Rule-author reference\n\n\
         Generated from the functions registered in the ordex engine (`ordex docs -o docs/rules-reference.md`); a test fails when it is stale.\n\
         Times are RFC 3339 strings in UTC; there is no clock, use `ctx.now`. Inputs are read-only views: `x.field`, `x[i]`, `for y in x.list`, `\"k\" in x`.\n",
    );
    // Sections ORDER does not name come last, so none is ever left out.
    let rest: Vec<&str> = sections
        .keys()
        .copied()
        .filter(|k| !ORDER.contains(k))
        .collect();
    for name in ORDER.iter().copied().chain(rest) {
        let Some(mut fns) = sections.remove(name) else {
            continue;
        };
        fns.sort();
        out.push_str(&format!(
            "\n## {name}\n\n| function | what it does |\n|---|---|\n"
        ));
        for (signature, doc) in fns {
            out.push_str(&format!(
                "| `{}` | {} |\n",
                signature.replace('|', "\\|"),
                doc.replace('|', "\\|")
            ));
        }
    }
    out
}
