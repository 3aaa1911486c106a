//! The agent queue: `GET /v1/cases`, `GET /v1/cases/{id}`, assign, note, resolve.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiPath, ApiQuery, SMALL_BODY, blocking, json_body, read_body};
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::state::Shared;
use crate::serve::store::cases::{self, Cursor};
use crate::serve::store::{CaseFilter, CaseSort, NewNote};

/// Outcomes an agent can close a case with (kept for learning).
pub const OUTCOMES: [&str; 13] = [
    "recovered",
    "refunded",
    "partially_refunded",
    "reshipped",
    "replaced",
    "cancelled",
    "address_corrected",
    "customer_contacted",
    "carrier_resolved",
    "credit_issued",
    "no_action_needed",
    "duplicate",
    "other",
];

/// Query of `GET /v1/cases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    tier: Option<String>,
    route: Option<String>,
    urgency: Option<String>,
    assignee: Option<String>,
    customer_id: Option<String>,
    order_id: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

fn bad(code: &'static str, message: String) -> ApiError {
    ApiError::BadRequest { code, message }
}

/// Lists cases (open ones by default), highest priority first or by SLA.
pub async fn list(
    State(state): State<Shared>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let sort = match q.sort.as_deref().unwrap_or("priority") {
        "priority" => CaseSort::Priority,
        "sla_due" => CaseSort::SlaDue,
        other => {
            return Err(bad(
                "query_invalid",
                format!("sort: `{other}` is not one of priority, sla_due"),
            ));
        }
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(bad(
            "query_invalid",
            format!("limit: {limit} is not between 1 and 200"),
        ));
    }
    let cursor: Option<Cursor> = match &q.cursor {
        Some(c) => Some(
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| {
                    bad(
                        "query_invalid",
                        "cursor: not a cursor this API returned".into(),
                    )
                })?,
        ),
        None => None,
    };
    let status = match q.status.as_deref() {
        None => Some("open".to_owned()),
        Some("any") => None,
        Some(s @ ("open" | "resolved" | "closed")) => Some(s.to_owned()),
        Some(s) => {
            return Err(bad(
                "query_invalid",
                format!("status: `{s}` is not one of open, resolved, closed, any"),
            ));
        }
    };
    let filter = CaseFilter {
        status,
        kind: q.kind,
        tier: q.tier,
        route: q.route,
        urgency: q.urgency,
        assignee: q.assignee,
        customer_id: q.customer_id,
        order_id: q.order_id,
    };
    blocking(move || {
        let (cases, next) = state
            .store
            .read(|c| cases::list(c, &filter, sort, cursor.as_ref(), limit))?;
        let next = next.map(|n| URL_SAFE_NO_PAD.encode(serde_json::to_vec(&n).unwrap_or_default()));
        Ok(Json(json!({ "cases": cases, "next_cursor": next })))
    })
    .await
}

/// One case with its timeline, customer profile, decision and actions.
pub async fn detail(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || Ok(Json(state.store.read(|c| cases::detail(c, id))?))).await
}

/// Body of `POST /v1/cases/{id}/assign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    assignee: Option<String>,
}

/// Assigns a case (or unassigns it with `"assignee": null`).
pub async fn assign(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let b: AssignBody =
        json_body(&read_body(body, SMALL_BODY, state.config.connections.body_timeout).await?)?;
    if b.assignee.as_deref().is_some_and(|a| a.trim().is_empty()) {
        return Err(bad(
            "input_invalid",
            "body.assignee: empty; use null to unassign".into(),
        ));
    }
    blocking(move || {
        state
            .store
            .write(|tx| cases::assign(tx, id, b.assignee.as_deref(), clock::now()))?;
        Ok(Json(json!({ "case_id": id, "assignee": b.assignee })))
    })
    .await
}

/// Body of `POST /v1/cases/{id}/notes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    author: String,
    text: String,
}

/// Adds a note to a case.
pub async fn note(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let b: NoteBody =
        json_body(&read_body(body, SMALL_BODY, state.config.connections.body_timeout).await?)?;
    if b.text.trim().is_empty() || b.author.trim().is_empty() {
        return Err(bad(
            "input_invalid",
            "body.text and body.author must not be empty".into(),
        ));
    }
    blocking(move || {
        let note = NewNote {
            author: b.author,
            text: b.text,
        };
        let note_id = state
            .store
            .write(|tx| cases::add_note(tx, id, &note, clock::now()))?;
        Ok(Json(json!({ "case_id": id, "note_id": note_id })))
    })
    .await
}

/// Body of `POST /v1/cases/{id}/resolve`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveBody {
    outcome: String,
    by: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    keep_actions: bool,
}

/// Resolves an open case with an outcome; undelivered actions are cancelled
/// unless `keep_actions` is true.
pub async fn resolve(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let b: ResolveBody =
        json_body(&read_body(body, SMALL_BODY, state.config.connections.body_timeout).await?)?;
    if !OUTCOMES.contains(&b.outcome.as_str()) {
        return Err(bad(
            "input_invalid",
            format!(
                "body.outcome: `{}` is not one of {}",
                b.outcome,
                OUTCOMES.join(", ")
            ),
        ));
    }
    blocking(move || {
        let cancelled = state.store.write(|tx| {
            cases::resolve(tx, id, &b.outcome, &b.by, b.note.as_deref(), b.keep_actions, clock::now())
        })?;
        Ok(Json(json!({ "case_id": id, "status": "resolved", "outcome": b.outcome, "actions_cancelled": cancelled })))
    })
    .await
}
