//! `POST /v1/payment-results`: what happened to a payment retry, from any
//! gateway's integration. The outcome feeds the retry learner's counts for
//! the decline's segment.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use chrono::{DateTime, Utc};
use ordex_core::learn::retry_bandit::RetryContext;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SMALL_BODY, blocking, json_body, read_body};
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::state::Shared;
use crate::serve::store::retries;

/// Body of `POST /v1/payment-results`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentResult {
    /// The order the retried payment belongs to.
    order_id: String,
    /// When the retry was made.
    at: DateTime<Utc>,
    /// Whether it was approved.
    approved: bool,
    /// The issuer's offset from UTC in minutes, when known (local hours and
    /// pay days are the issuer's).
    #[serde(default)]
    utc_offset_minutes: i32,
}

/// The learner's context of a stored retry: its decline (the `payment`
/// param) and when the card was first declined (`declined_at`, else the
/// decline's own time).
pub fn retry_context(params: &Value, utc_offset_minutes: i32) -> Option<RetryContext> {
    let attempt: ordex_core::model::PaymentAttempt =
        serde_json::from_value(params["payment"].clone()).ok()?;
    let declined_at = params["declined_at"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or(attempt.at, |t| t.with_timezone(&Utc));
    Some(RetryContext::of_decline(
        &attempt,
        declined_at,
        utc_offset_minutes,
    ))
}

/// Records a retry's outcome.
pub async fn post(State(state): State<Shared>, body: Body) -> Result<Json<Value>, ApiError> {
    let b: PaymentResult =
        json_body(&read_body(body, SMALL_BODY, state.config.connections.body_timeout).await?)?;
    if b.order_id.is_empty()
        || b.order_id.len() > 200
        || !(-840..=840).contains(&b.utc_offset_minutes)
    {
        return Err(ApiError::BadRequest {
            code: "input_invalid",
            message: "body.order_id: 1–200 characters; body.utc_offset_minutes: -840..=840".into(),
        });
    }
    blocking(move || {
        let now = clock::now();
        let out = state.store.write(|tx| {
            let Some((action_id, params)) = retries::latest_retry(tx, &b.order_id)? else {
                return Ok(None);
            };
            let Some(ctx) = retry_context(&params, b.utc_offset_minutes) else {
                return Ok(None);
            };
            let segment = retries::record(tx, &b.order_id, action_id, &ctx, b.at, b.approved, now)?;
            Ok(Some((action_id, segment)))
        })?;
        match out {
            Some((action_id, segment)) => Ok(Json(json!({ "recorded": true, "retry_action_id": action_id, "segment": segment }))),
            None => Err(ApiError::NotFound(format!(
                "no payment retry is known for order `{}`: outcomes are recorded for retries the service planned",
                b.order_id
            ))),
        }
    })
    .await
}
