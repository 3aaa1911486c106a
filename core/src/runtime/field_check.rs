//! Static check of the fields a typed entry reads from its input: in
//! `fn triage(event, ctx)`, every `event.a.b.c` is followed through the
//! input's JSON Schema, and a member no schema variant has is an
//! `unknown_field` error with a did-you-mean (`event.order.shiping_address`
//! would otherwise read `()` and quietly take the wrong branch).
//!
//! Conservative by design: the walk stops at open maps (`attributes`,
//! `metadata`), scalars (Rhai's own properties such as `s.len`), arrays and
//! indexing, and at a method call; a union (the exception kinds) accepts a
//! member any of its variants has. Only the entry function's own first
//! parameter is followed: a helper receiving the input under another name
//! sees an untyped value.

use serde_json::Value;

use super::Diagnostic;
use super::rhai_scan::{Tok, lex};

/// A member chain read from a variable: its segments, each with the byte
/// offset of its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chain {
    pub segments: Vec<(String, usize)>,
}

/// The `var.a.b…` chains in `src[span]` (a method call ends a chain before
/// its name; `?.` is followed like `.`).
pub(crate) fn chains(src: &str, span: (usize, usize), var: &str) -> Vec<Chain> {
    let toks: Vec<(Tok, usize, usize)> = lex(src)
        .into_iter()
        .filter(|(_, s, e)| *s >= span.0 && *e <= span.1)
        .collect();
    let mut out = Vec::new();
    for k in 0..toks.len() {
        let Tok::Ident(name) = &toks[k].0 else {
            continue;
        };
        if name != var
            || (k > 0 && matches!(&toks[k - 1].0, Tok::Other('.')))
            || (k > 1
                && matches!(&toks[k - 1].0, Tok::Other(':'))
                && matches!(&toks[k - 2].0, Tok::Other(':')))
        {
            continue;
        }
        let mut segments = Vec::new();
        let mut j = k + 1;
        loop {
            if matches!(toks.get(j), Some((Tok::Other('?'), _, _)))
                && matches!(toks.get(j + 1), Some((Tok::Other('.'), _, _)))
            {
                j += 1;
            }
            if !matches!(toks.get(j), Some((Tok::Other('.'), _, _))) {
                break;
            }
            let Some((Tok::Ident(member), at, _)) = toks.get(j + 1) else {
                break;
            };
            if matches!(toks.get(j + 2), Some((Tok::OpenParen, _, _))) {
                break;
            }
            segments.push((member.clone(), *at));
            j += 2;
        }
        if !segments.is_empty() {
            out.push(Chain { segments });
        }
    }
    out
}

/// The schema nodes `node` stands for: `$ref`s followed, unions spread,
/// `null` alternatives dropped.
fn resolve<'a>(root: &'a Value, node: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 24 {
        return;
    }
    if let Some(name) = node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        resolve(root, &root["$defs"][name], out, depth + 1);
        return;
    }
    let mut union = false;
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(alts) = node[key].as_array() {
            union = true;
            for alt in alts {
                resolve(root, alt, out, depth + 1);
            }
        }
    }
    if !union && node["type"] != "null" {
        out.push(node);
    }
}

/// Result of following one member through a set of schema nodes.
enum Step<'a> {
    /// The member exists: these are its schemas.
    Known(Vec<&'a Value>),
    /// Some node is open (a map, an untyped value, a scalar or an array):
    /// nothing more can be said.
    Open,
    /// No node has it; the names they do have.
    Unknown(Vec<&'a str>),
}

fn step<'a>(root: &'a Value, nodes: &[&'a Value], member: &str) -> Step<'a> {
    let mut next = Vec::new();
    let mut names = Vec::new();
    for node in nodes {
        let open_members =
            node["additionalProperties"] == true || node["additionalProperties"].is_object();
        match node["properties"].as_object() {
            Some(props) if props.contains_key(member) => {
                resolve(root, &props[member], &mut next, 0);
            }
            // Inputs are read through their typed form, where members the
            // schema does not declare do not exist.
            Some(props) if !open_members => names.extend(props.keys().map(String::as_str)),
            _ => return Step::Open,
        }
    }
    if next.is_empty() {
        names.sort_unstable();
        names.dedup();
        Step::Unknown(names)
    } else {
        Step::Known(next)
    }
}

/// Checks the chains of one entry function against its input's schema.
pub(crate) fn check_entry(
    file: &str,
    source: &str,
    span: (usize, usize),
    var: &str,
    schema: &Value,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut top = Vec::new();
    resolve(schema, schema, &mut top, 0);
    for chain in chains(source, span, var) {
        let mut nodes = top.clone();
        let mut path = var.to_owned();
        for (member, at) in &chain.segments {
            match step(schema, &nodes, member) {
                Step::Known(next) => nodes = next,
                Step::Open => break,
                Step::Unknown(names) => {
                    let hint = super::call_check::closest_name(member, &names)
                        .map(|n| format!("did you mean `{path}.{n}`?"))
                        .unwrap_or_else(|| {
                            let shown: Vec<&str> = names.iter().copied().take(12).collect();
                            format!("`{path}` has: {}", shown.join(", "))
                        });
                    out.push(Diagnostic {
                        code: "unknown_field".to_owned(),
                        message: format!("`{path}` has no field `{member}` in the input's schema"),
                        location: Some(super::call_check::location(file, source, *at)),
                        hint: Some(hint),
                    });
                    break;
                }
            }
            path.push('.');
            path.push_str(member);
        }
    }
    // One finding per misspelling and place is enough.
    out.dedup_by(|a, b| a.location == b.location);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SchemaDocument, json_schema};

    fn check(src: &str) -> Vec<(String, Option<String>)> {
        let schema = json_schema(SchemaDocument::ExceptionEvent);
        check_entry("t.rhai", src, (0, src.len()), "event", &schema)
            .into_iter()
            .map(|d| (d.message, d.hint))
            .collect()
    }

    #[test]
    fn misspelt_fields_are_found_with_a_suggestion() {
        let found = check(
            "fn triage(event, ctx) { let a = event.order.shiping_address.country; event.exception.paymnet }",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .0
                .contains("`event.order` has no field `shiping_address`")
        );
        assert_eq!(
            found[0].1.as_deref(),
            Some("did you mean `event.order.shipping_address`?")
        );
        assert!(
            found[1]
                .0
                .contains("`event.exception` has no field `paymnet`")
        );
    }

    #[test]
    fn real_fields_unions_maps_scalars_and_methods_pass() {
        let found = check(
            "fn triage(event, ctx) { event.order.shipping_address.country; event.exception.kind; \
             event.exception.payment.decline_code; event.exception.text; event.customer?.tier; \
             event.attributes.anything.goes; event.order.id.len; event.order.lines.len(); \
             event.order.lines[0].sku; x.event.nope; let y = event; }",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
