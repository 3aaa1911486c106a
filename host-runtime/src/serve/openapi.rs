//! The OpenAPI 3.1 document served at `/openapi.json`. Schemas of the
//! engine's documents come from the same JSON Schemas `ordex schema` writes
//! (generated from the Rust types), hoisted into `components`.

use ordex_core::model::{SchemaDocument, json_schema};
use serde_json::{Map, Value, json};

use super::api::cases_outcomes;

fn hoist(schema: Value, name: &str, components: &mut Map<String, Value>) {
    let text = schema
        .to_string()
        .replace("#/$defs/", "#/components/schemas/");
    let mut schema: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if let Some(obj) = schema.as_object_mut() {
        if let Some(Value::Object(defs)) = obj.remove("$defs") {
            for (k, v) in defs {
                components.insert(k, v);
            }
        }
        obj.remove("$schema");
    }
    components.insert(name.to_owned(), schema);
}

fn errors_schema() -> Value {
    json!({
        "type": "object",
        "required": ["errors"],
        "properties": { "errors": { "type": "array", "items": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": { "type": "string" }, "message": { "type": "string" },
                "location": { "type": "object" }, "hint": { "type": "string" }
            }
        }}}
    })
}

fn op(summary: &str, auth: bool, body: Option<Value>, ok: (&str, Value), errors: &[&str]) -> Value {
    let mut responses = Map::new();
    responses.insert(
        ok.0.to_owned(),
        json!({ "description": "success", "content": { "application/json": { "schema": ok.1 } } }),
    );
    for code in errors {
        responses.insert(
            (*code).to_owned(),
            json!({ "description": "error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Errors" } } } }),
        );
    }
    let mut o = json!({ "summary": summary, "responses": responses });
    if !auth {
        o["security"] = json!([]);
    }
    if let Some(b) = body {
        o["requestBody"] = json!({ "required": true, "content": b });
    }
    o
}

fn id_param(name: &str, ty: &str) -> Value {
    json!([{ "name": name, "in": "path", "required": true, "schema": { "type": ty } }])
}

/// The document.
pub fn document() -> Value {
    let mut components = Map::new();
    for (doc, name) in [
        (SchemaDocument::ExceptionEvent, "ExceptionEvent"),
        (SchemaDocument::TriageDecision, "TriageDecision"),
        (SchemaDocument::RetryPlan, "RetryPlan"),
    ] {
        hoist(json_schema(doc), name, &mut components);
    }
    components.insert("Errors".into(), errors_schema());
    let any = json!({ "type": "object" });
    let event_body = json!({
        "application/json": { "schema": { "oneOf": [
            { "$ref": "#/components/schemas/ExceptionEvent" },
            { "type": "array", "items": { "$ref": "#/components/schemas/ExceptionEvent" }, "maxItems": 1000 }
        ]}},
        "application/x-ndjson": { "schema": { "type": "string", "description": "one ExceptionEvent per line" } }
    });
    let intake = json!({ "type": "object", "properties": {
        "accepted": { "type": "integer" }, "duplicates": { "type": "integer" },
        "results": { "type": "array", "items": { "type": "object" } } } });
    let provider = |name: &str, header: &str| {
        let mut o = op(
            &format!("{name} webhook (signed with the {header} header; no API key)"),
            false,
            Some(json!({ "application/json": { "schema": { "type": "object" } } })),
            ("201", intake.clone()),
            &["401", "408", "409", "413", "415", "422", "429", "503"],
        );
        o["parameters"] = json!([{ "name": header, "in": "header", "required": true, "schema": { "type": "string" } }]);
        json!({ "post": o })
    };
    let mut case_list = op(
        "The agent queue: cases by priority or SLA, filtered, cursor-paginated",
        true,
        None,
        (
            "200",
            json!({ "type": "object", "properties": { "cases": { "type": "array" }, "next_cursor": { "type": ["string", "null"] } } }),
        ),
        &["400", "401"],
    );
    case_list["parameters"] = json!(["status", "kind", "tier", "route", "urgency", "assignee", "customer_id", "order_id", "sort", "limit", "cursor"]
        .iter()
        .map(|n| json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string" } }))
        .collect::<Vec<_>>());
    let mut paths = json!({
        "/v1/events": { "post": op("Submit exception events (one, an array, or NDJSON); idempotent by event id", true, Some(event_body), ("201", intake.clone()), &["400", "401", "408", "409", "413", "415", "422", "503"]) },
        "/v1/events/{id}": { "get": op("A stored event, its provider payload and its decision", true, None, ("200", any.clone()), &["401", "404"]), "parameters": id_param("id", "string") },
        "/v1/decisions/{id}/replay": { "get": op("Evaluates the decision on event `id` again, with its stored call on the bundle that made it: `{decision, bundle_id, identical, first_difference, stored, replayed}`", true, None, ("200", any.clone()), &["401", "404", "409"]), "parameters": id_param("id", "string") },
        "/v1/webhooks/stripe": provider("Stripe", "Stripe-Signature"),
        "/v1/webhooks/easypost": provider("EasyPost", "X-Hmac-Signature"),
        "/v1/webhooks/aftership": provider("AfterShip", "aftership-hmac-sha256"),
        "/v1/cases": { "get": case_list },
        "/v1/cases/{id}": { "get": op("A case: timeline, customer profile, decision with reasons, actions, notes", true, None, ("200", any.clone()), &["401", "404"]), "parameters": id_param("id", "integer") },
        "/v1/cases/{id}/assign": { "post": op("Assign (or unassign with null)", true, Some(json!({ "application/json": { "schema": { "type": "object", "required": ["assignee"], "properties": { "assignee": { "type": ["string", "null"] } } } } })), ("200", any.clone()), &["401", "404", "409", "422"]), "parameters": id_param("id", "integer") },
        "/v1/cases/{id}/notes": { "post": op("Add a note", true, Some(json!({ "application/json": { "schema": { "type": "object", "required": ["author", "text"], "properties": { "author": { "type": "string" }, "text": { "type": "string" } } } } })), ("200", any.clone()), &["401", "404", "422"]), "parameters": id_param("id", "integer") },
        "/v1/cases/{id}/resolve": { "post": op("Resolve with an outcome; undelivered actions are cancelled unless keep_actions", true, Some(json!({ "application/json": { "schema": { "type": "object", "required": ["outcome", "by"], "properties": { "outcome": { "enum": cases_outcomes() }, "by": { "type": "string" }, "note": { "type": "string" }, "keep_actions": { "type": "boolean" } } } } })), ("200", any.clone()), &["401", "404", "409", "422"]), "parameters": id_param("id", "integer") },
        "/v1/actions": { "get": op("Outbox actions, newest first", true, None, ("200", any.clone()), &["400", "401"]) },
        "/v1/actions/{id}/approve": { "post": op("Approve a proposed action for delivery", true, None, ("200", any.clone()), &["401", "404", "409"]), "parameters": id_param("id", "integer") },
        "/v1/actions/{id}/cancel": { "post": op("Cancel an undelivered action", true, None, ("200", any.clone()), &["401", "404", "409"]), "parameters": id_param("id", "integer") },
        "/v1/actions/{id}/redeliver": { "post": op("Queue a dead-lettered action again (same idempotency key)", true, None, ("200", any.clone()), &["401", "404", "409"]), "parameters": id_param("id", "integer") },
        "/v1/payment-results": { "post": op("Record what a payment retry achieved (any gateway); feeds the retry learner", true, Some(json!({ "application/json": { "schema": { "type": "object", "required": ["order_id", "at", "approved"], "properties": { "order_id": { "type": "string" }, "at": { "type": "string", "format": "date-time" }, "approved": { "type": "boolean" }, "utc_offset_minutes": { "type": "integer" } } } } })), ("200", any.clone()), &["401", "404", "422"]) },
        "/v1/incidents": { "get": op("Incidents the stream detectors opened, newest first (?status=open|acknowledged|resolved|any, ?limit)", true, None, ("200", any.clone()), &["400", "401"]) },
        "/v1/incidents/{id}": { "get": op("An incident: kind, scope, change point, evidence, and the series with the detector's scores", true, None, ("200", any.clone()), &["401", "404"]), "parameters": id_param("id", "integer") },
        "/v1/incidents/{id}/acknowledge": { "post": op("Acknowledge: someone is on it", true, Some(json!({ "application/json": { "schema": { "type": "object", "required": ["by"], "properties": { "by": { "type": "string" } } } } })), ("200", any.clone()), &["401", "404", "409", "422"]), "parameters": id_param("id", "integer") },
        "/v1/incidents/{id}/resolve": { "post": op("Resolve; actions held for the incident (payment retries) are released", true, Some(json!({ "application/json": { "schema": { "type": "object", "required": ["by"], "properties": { "by": { "type": "string" } } } } })), ("200", any.clone()), &["401", "404", "409", "422"]), "parameters": id_param("id", "integer") },
        "/v1/bundles": {
            "get": op("Stored rule bundles", true, None, ("200", any.clone()), &["401"]),
            "post": op("Upload a bundle: compiled and its tests run before it is stored and (unless ?activate=false) activated. With ?dry_run=true nothing is stored: the stored decisions since ?since= (7d) are evaluated again with it and the answer (200) reports what would change (`whatif`)", true, Some(json!({ "application/json": { "schema": { "type": "object" } } })), ("201", any.clone()), &["401", "408", "413", "415", "422", "503"])
        },
        "/v1/bundles/active": { "get": op("The active bundle", true, None, ("200", any.clone()), &["401", "503"]) },
        "/v1/bundles/{id}": { "get": op("A stored bundle file (for pages and workers that evaluate it themselves)", true, None, ("200", any.clone()), &["401", "404"]), "parameters": id_param("id", "string") },
        "/v1/bundles/{id}/activate": { "post": op("Activate a stored bundle (rollback)", true, None, ("200", any.clone()), &["401", "404", "422"]), "parameters": id_param("id", "string") },
        "/v1/public/checkout-bundle": { "get": op("The active bundle's checkout entry and only what it uses, for storefront pages and edge workers: no key, ETag = its bundle id (If-None-Match answers 304), CORS from --public-cors-origin", false, None, ("200", any.clone()), &["404", "503"]) },
        "/healthz": { "get": op("Liveness", false, None, ("200", any.clone()), &[]) },
        "/readyz": { "get": op("Readiness: database, active bundle, not draining", false, None, ("200", any.clone()), &["503"]) },
        "/metrics": { "get": { "summary": "Prometheus metrics", "security": [], "responses": { "200": { "description": "OpenMetrics text", "content": { "application/openmetrics-text": { "schema": { "type": "string" } } } } } } },
        "/openapi.json": { "get": op("This document", false, None, ("200", any), &[]) },
    });
    if let Some(p) = paths.as_object_mut() {
        p.sort_keys();
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ordex triage service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Order-exception intake, triage by the active rule bundle, the agent queue and the action outbox.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": components,
        },
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves_inside_the_document() {
        let doc = document();
        let text = doc.to_string();
        assert!(!text.contains("#/$defs/"));
        let schemas = &doc["components"]["schemas"];
        for name in ["ExceptionEvent", "TriageDecision", "RetryPlan", "Errors"] {
            assert!(
                schemas[name].is_object(),
                "{name} missing in {:?}",
                schemas.as_object().map(|m| m.keys().collect::<Vec<_>>())
            );
        }
        let mut rest = text.as_str();
        while let Some(i) = rest.find("#/components/schemas/") {
            rest = &rest[i + "#/components/schemas/".len()..];
            let name: String = rest.chars().take_while(|c| *c != '"').collect();
            assert!(schemas[&name].is_object(), "dangling reference to {name}");
        }
    }
}
