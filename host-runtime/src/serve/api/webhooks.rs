//! Provider webhooks: signature first, then the payload is normalized into
//! an exception event and ingested like any other (idempotent by the
//! provider's event id; the raw payload is kept).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ordex_core::api::parse_json;
use ordex_core::runtime::Limits;
use serde_json::{Value, json};

use super::{blocking, read_body};
use crate::serve::adapters::{self, Normalized, signature};
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::event_rules::admit;
use crate::serve::intake::ingest;
use crate::serve::state::Shared;
use crate::serve::store::intake::event_for_tracking;

#[derive(Clone, Copy)]
enum Provider {
    Stripe,
    EasyPost,
    AfterShip,
}

impl Provider {
    fn source(self) -> &'static str {
        match self {
            Self::Stripe => "stripe",
            Self::EasyPost => "easypost",
            Self::AfterShip => "aftership",
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadSignature(format!("the {name} header is missing")))
}

fn verify(
    state: &Shared,
    provider: Provider,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let secrets = &state.config.providers;
    let not_configured = |var: &str| {
        ApiError::Unavailable(format!(
            "{} webhooks are not configured: start ordex serve with {var}",
            provider.source()
        ))
    };
    match provider {
        Provider::Stripe => {
            let secret = secrets
                .stripe
                .as_deref()
                .ok_or_else(|| not_configured("ORDEX_STRIPE_WEBHOOK_SECRET"))?;
            signature::verify_stripe(
                header(headers, "stripe-signature")?,
                body,
                secret,
                clock::now().timestamp(),
                secrets.tolerance_secs,
            )
        }
        Provider::EasyPost => {
            let secret = secrets
                .easypost
                .as_deref()
                .ok_or_else(|| not_configured("ORDEX_EASYPOST_WEBHOOK_SECRET"))?;
            signature::verify_easypost(header(headers, "x-hmac-signature")?, body, secret)
        }
        Provider::AfterShip => {
            let secret = secrets
                .aftership
                .as_deref()
                .ok_or_else(|| not_configured("ORDEX_AFTERSHIP_WEBHOOK_SECRET"))?;
            signature::verify_aftership(header(headers, "aftership-hmac-sha256")?, body, secret)
        }
    }
    .map_err(ApiError::BadSignature)
}

async fn receive(
    state: Shared,
    provider: Provider,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let source = provider.source();
    let result = async {
        let bytes = read_body(
            body,
            state.config.max_body_bytes,
            state.config.connections.body_timeout,
        )
        .await?;
        verify(&state, provider, &headers, &bytes)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| ApiError::BadRequest {
                code: "input_not_utf8",
                message: "the body is not UTF-8".into(),
            })?
            .to_owned();
        let payload = parse_json(&text, "payload", &Limits::default())?;
        let normalized = match provider {
            Provider::Stripe => adapters::stripe::normalize(&payload)?,
            Provider::EasyPost => adapters::easypost::normalize(&payload)?,
            Provider::AfterShip => adapters::aftership::normalize(&payload)?,
        };
        let st = state.clone();
        blocking(move || {
            let value = match normalized {
                Normalized::Ignored(reason) => {
                    st.metrics.event(source, "ignored");
                    return Ok((
                        StatusCode::OK,
                        json!({ "status": "ignored", "reason": reason }),
                    ));
                }
                Normalized::PaymentSucceeded { order_id, at } => {
                    let recorded = record_outcome(&st, &order_id, at, true)?;
                    st.metrics.event(source, if recorded { "accepted" } else { "ignored" });
                    return Ok((
                        StatusCode::OK,
                        json!({ "status": if recorded { "retry_outcome_recorded" } else { "ignored" }, "order_id": order_id }),
                    ));
                }
                Normalized::Event(v) => {
                    // A decline of an order whose planned retry was delivered
                    // is that retry's outcome.
                    if let (Some(order), Some(t)) = (v["order"]["id"].as_str(), v["occurred_at"].as_str())
                        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(t)
                    {
                        record_outcome(&st, order, t.with_timezone(&chrono::Utc), false)?;
                    }
                    v
                }
                Normalized::Carrier(update) => {
                    let base = match &update.order_id {
                        Some(_) => None,
                        None => st.store.read(|c| event_for_tracking(c, &update.tracking))?,
                    };
                    adapters::carrier_event(&update, base.as_ref(), &st.config.default_currency)
                }
            };
            let incoming = admit(
                value,
                "normalized",
                source,
                Some((text, &payload)),
                st.time_window(),
            )
            .map_err(|e| ApiError::Input(vec![*e]))?;
            let answer = ingest(&st, vec![incoming])?;
            let status = if answer["accepted"].as_u64().unwrap_or(0) > 0 {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok::<(StatusCode, Value), ApiError>((status, answer))
        })
        .await
    }
    .await;
    match result {
        Ok((status, body)) => Ok((status, Json(body)).into_response()),
        Err(e) => {
            state.metrics.event(source, "rejected");
            Err(e)
        }
    }
}

/// `POST /v1/webhooks/stripe`.
pub async fn stripe(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    receive(state, Provider::Stripe, headers, body).await
}

/// `POST /v1/webhooks/easypost`.
pub async fn easypost(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    receive(state, Provider::EasyPost, headers, body).await
}

/// `POST /v1/webhooks/aftership`.
pub async fn aftership(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    receive(state, Provider::AfterShip, headers, body).await
}

/// Records a payment outcome for the order's delivered retry, if it has one
/// awaiting its outcome; whether one was recorded.
fn record_outcome(
    state: &Shared,
    order_id: &str,
    at: chrono::DateTime<chrono::Utc>,
    approved: bool,
) -> Result<bool, ApiError> {
    let now = crate::serve::clock::now();
    Ok(state.store.write(|tx| {
        let Some((action_id, params)) =
            crate::serve::store::retries::awaiting_outcome(tx, order_id)?
        else {
            return Ok(false);
        };
        let Some(ctx) = super::payments::retry_context(&params, 0) else {
            return Ok(false);
        };
        crate::serve::store::retries::record(tx, order_id, action_id, &ctx, at, approved, now)?;
        Ok(true)
    })?)
}
