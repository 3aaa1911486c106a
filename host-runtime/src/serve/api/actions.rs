//! The outbox seen from the API: list, approve a proposed action, cancel, redeliver a dead one.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiPath, ApiQuery, blocking};
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::state::Shared;
use crate::serve::store::outbox::{self, STATUSES};

/// Query of `GET /v1/actions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    before: Option<i64>,
    limit: Option<usize>,
}

/// Lists actions, newest first; `before` is the last id of the previous page.
pub async fn list(
    State(state): State<Shared>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    if let Some(s) = &q.status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::BadRequest {
            code: "query_invalid",
            message: format!("status: `{s}` is not one of {}", STATUSES.join(", ")),
        });
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    blocking(move || {
        let rows = state
            .store
            .read(|c| outbox::list(c, q.status.as_deref(), q.before, limit))?;
        let next = (rows.len() == limit)
            .then(|| rows.last().map(|r| r["id"].clone()))
            .flatten();
        Ok(Json(json!({ "actions": rows, "next_before": next })))
    })
    .await
}

async fn move_action(
    state: Shared,
    id: i64,
    from: &'static [&'static str],
    to: &'static str,
) -> Result<Json<Value>, ApiError> {
    let st = state.clone();
    let out = blocking(move || {
        Ok(st
            .store
            .write(|tx| outbox::transition(tx, id, from, to, clock::now()))?)
    })
    .await?;
    if to == "pending" {
        state.outbox_wake.notify_one();
    }
    Ok(Json(out))
}

/// A proposed action (from a decision routed to people) is approved for
/// delivery; so is an action held for an incident, when a person decides
/// not to wait for it.
pub async fn approve(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    move_action(state, id, &["proposed", "held"], "pending").await
}

/// An action not yet delivered is cancelled.
pub async fn cancel(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    move_action(state, id, &["proposed", "held", "pending"], "cancelled").await
}

/// A dead-lettered action is queued again (same idempotency key).
pub async fn redeliver(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    move_action(state, id, &["dead"], "pending").await
}
