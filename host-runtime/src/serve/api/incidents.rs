//! Incidents: `GET /v1/incidents`, `GET /v1/incidents/{id}` (with the series
//! and the detector's scores), acknowledge and resolve.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiPath, ApiQuery, SMALL_BODY, blocking, json_body, read_body};
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::state::Shared;
use crate::serve::store::incidents::{self, Transition};

/// Query of `GET /v1/incidents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `open` (not resolved, the default), `acknowledged`, `resolved` or `any`.
    status: Option<String>,
    /// At most this many (1..=500, default 100).
    limit: Option<usize>,
}

/// Lists incidents, newest first.
pub async fn list(
    State(state): State<Shared>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = q.status.unwrap_or_else(|| "open".into());
    if !["open", "acknowledged", "resolved", "any"].contains(&status.as_str()) {
        return Err(ApiError::BadRequest {
            code: "input_invalid",
            message: format!(
                "query.status: `{status}` is not one of open, acknowledged, resolved, any"
            ),
        });
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    blocking(move || {
        let rows = state
            .store
            .read(|c| incidents::list(c, Some(status.as_str()), limit))?;
        Ok(Json(json!({ "incidents": rows })))
    })
    .await
}

/// One incident, with its evidence and the series' recent history.
pub async fn detail(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || match state.store.read(|c| incidents::get(c, id))? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::NotFound(format!("incident {id}"))),
    })
    .await
}

/// Body of acknowledge and resolve.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ByBody {
    by: String,
}

async fn by(state: &Shared, body: Body) -> Result<String, ApiError> {
    let b: ByBody =
        json_body(&read_body(body, SMALL_BODY, state.config.connections.body_timeout).await?)?;
    let who = b.by.trim();
    if who.is_empty() || who.len() > 200 {
        return Err(ApiError::BadRequest {
            code: "input_invalid",
            message: "body.by: 1–200 characters".into(),
        });
    }
    Ok(who.to_owned())
}

fn answer(t: Transition, id: i64) -> Result<Json<Value>, ApiError> {
    match t {
        Transition::Done(v) => Ok(Json(v)),
        Transition::Missing => Err(ApiError::NotFound(format!("incident {id}"))),
        Transition::Resolved => Err(ApiError::Conflict(format!(
            "incident {id} is already resolved"
        ))),
    }
}

/// Marks an incident acknowledged: someone is on it.
pub async fn acknowledge(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let who = by(&state, body).await?;
    blocking(move || {
        answer(
            state
                .store
                .write(|tx| incidents::acknowledge(tx, id, &who, clock::now()))?,
            id,
        )
    })
    .await
}

/// Resolves an incident; payment retries held for it are released.
pub async fn resolve(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let who = by(&state, body).await?;
    blocking(move || {
        let t = state
            .store
            .write(|tx| incidents::resolve(tx, id, &who, clock::now()))?;
        state.outbox_wake.notify_one();
        answer(t, id)
    })
    .await
}
