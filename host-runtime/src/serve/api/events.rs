//! `POST /v1/events` (one event, a JSON array, or NDJSON) and `GET /v1/events/{id}`.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::OptionalExtension;
use serde_json::{Value, json};

use super::limits::{JSON_OR_NDJSON, media_type};
use super::{ApiPath, blocking, read_body};
use crate::serve::error::ApiError;
use crate::serve::intake::{ingest, read_events};
use crate::serve::state::Shared;

/// Whether the body is NDJSON (any media type the events route takes but JSON).
fn is_ndjson(headers: &HeaderMap) -> bool {
    media_type(headers)
        .is_some_and(|m| m != "application/json" && JSON_OR_NDJSON.contains(&m.as_str()))
}

/// Accepts events; answers 201 when any was new, 200 when all were replays.
pub async fn post(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(
        body,
        state.config.max_body_bytes,
        state.config.connections.body_timeout,
    )
    .await
    .inspect_err(|_| {
        state.metrics.event("api", "rejected");
    })?;
    let ndjson = is_ndjson(&headers);
    let st = state.clone();
    let answer = blocking(move || {
        let items = read_events(&bytes, ndjson, st.time_window())
            .inspect_err(|_| st.metrics.event("api", "rejected"))?;
        ingest(&st, items)
    })
    .await?;
    let status = if answer["accepted"].as_u64().unwrap_or(0) > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)).into_response())
}

/// One stored event: as normalized, the provider payload, and its decision.
pub async fn get_one(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        state
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT e.seq, e.source, e.case_id, e.received_at, e.event_json, e.raw_payload,
                            d.bundle_id, d.answer_json, d.retry_plan, d.fuel
                     FROM events e JOIN decisions d ON d.event_seq = e.seq WHERE e.id = ?1",
                    [&id],
                    |r| {
                        let parse = |s: Option<String>| {
                            s.and_then(|s| serde_json::from_str::<Value>(&s).ok())
                        };
                        Ok(json!({
                            "id": id,
                            "seq": r.get::<_, i64>(0)?,
                            "source": r.get::<_, String>(1)?,
                            "case_id": r.get::<_, i64>(2)?,
                            "received_at": r.get::<_, String>(3)?,
                            "event": parse(r.get(4)?),
                            "raw_payload": parse(r.get(5)?),
                            "bundle_id": r.get::<_, String>(6)?,
                            "answer": parse(r.get(7)?),
                            "retry_plan": parse(r.get(8)?),
                            "fuel": r.get::<_, Option<i64>>(9)?,
                        }))
                    },
                )
                .optional()?)
            })?
            .map(Json)
            .ok_or_else(|| ApiError::NotFound(format!("event {id}")))
    })
    .await
}
