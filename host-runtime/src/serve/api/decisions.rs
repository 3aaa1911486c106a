//! `GET /v1/decisions/{event_id}/replay`: evaluates a stored decision's call
//! again on the bundle that made it and says whether the answer is the same.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::{ApiPath, blocking};
use crate::serve::error::ApiError;
use crate::serve::replay;
use crate::serve::state::Shared;
use crate::serve::store::{bundles, decisions};

/// Replays the decision on event `id` (the decision's id).
pub async fn replay(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let stored = state.store.read(|c| decisions::for_event(c, &id))?;
        let call = stored.call_json.clone().ok_or_else(|| {
            ApiError::Conflict(format!(
                "the decision on event `{id}` was stored before ordex kept each decision's call; it cannot be replayed"
            ))
        })?;
        let active = state.bundles.current()?;
        // The bundle that decided: the active one, or a stored one loaded for this.
        let (text, _) = if active.id == stored.bundle_id {
            active.evaluator.evaluate_str(&call)
        } else {
            let bundle = state.store.read(|c| bundles::get(c, &stored.bundle_id))?;
            state.bundles.load_stored(&bundle)?.evaluate_str(&call)
        };
        let outcome = replay::compare(&stored.answer_json, &text);
        let replayed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let recorded: Value = serde_json::from_str(&stored.answer_json).unwrap_or(Value::Null);
        Ok(Json(json!({
            "decision": stored.event_id,
            "bundle_id": stored.bundle_id,
            "identical": outcome.identical,
            "first_difference": outcome.first_difference,
            "stored": recorded,
            "replayed": replayed,
        })))
    })
    .await
}
