//! The HTTP API: routes, authentication and the helpers handlers share.

mod actions;
mod bundles;
mod cases;
mod events;
mod ops;
mod webhooks;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use super::error::ApiError;

/// Outcomes a case can be resolved with.
pub fn cases_outcomes() -> Vec<&'static str> {
    cases::OUTCOMES.to_vec()
}
use super::state::Shared;

/// Every route of the service.
pub fn router(state: Shared) -> Router {
    let authed = Router::new()
        .route("/v1/events", post(events::post))
        .route("/v1/events/{id}", get(events::get_one))
        .route("/v1/cases", get(cases::list))
        .route("/v1/cases/{id}", get(cases::detail))
        .route("/v1/cases/{id}/assign", post(cases::assign))
        .route("/v1/cases/{id}/notes", post(cases::note))
        .route("/v1/cases/{id}/resolve", post(cases::resolve))
        .route("/v1/actions", get(actions::list))
        .route("/v1/actions/{id}/approve", post(actions::approve))
        .route("/v1/actions/{id}/cancel", post(actions::cancel))
        .route("/v1/actions/{id}/redeliver", post(actions::redeliver))
        .route("/v1/bundles", get(bundles::list).post(bundles::upload))
        .route("/v1/bundles/active", get(bundles::active))
        .route("/v1/bundles/{id}", get(bundles::get_one))
        .route("/v1/bundles/{id}/activate", post(bundles::activate))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_key));
    // Provider webhooks authenticate with the provider's signature instead.
    let open = Router::new()
        .route("/v1/webhooks/stripe", post(webhooks::stripe))
        .route("/v1/webhooks/easypost", post(webhooks::easypost))
        .route("/v1/webhooks/aftership", post(webhooks::aftership))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi));
    let mut app = authed.merge(open);
    if let Some(pkg) = &state.config.pkg {
        app = app.nest_service("/pkg", ServeDir::new(pkg));
    }
    if let Some(www) = &state.config.www {
        app = app.fallback_service(ServeDir::new(www));
    }
    app.layer(TraceLayer::new_for_http()).with_state(state)
}

/// Compares in constant time (an HMAC of each side under a fixed key), so
/// the response time says nothing about how much of a key matched.
fn same_key(a: &str, b: &str) -> bool {
    let mac = |s: &str| {
        let mut m =
            Hmac::<Sha256>::new_from_slice(b"ordex-api-key").unwrap_or_else(|_| unreachable!());
        m.update(s.as_bytes());
        m
    };
    mac(a).verify_slice(&mac(b).finalize().into_bytes()).is_ok()
}

async fn require_key(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(key) if state.config.api_keys.iter().any(|k| same_key(k, key)) => {
            Ok(next.run(req).await)
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// Reads a body up to `limit` bytes.
pub async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // axum reports the limit as an error whose source chain says so.
        let mut too_large = false;
        let mut cause: Option<&dyn std::error::Error> = Some(&e);
        while let Some(c) = cause {
            too_large |= c.to_string().contains("length limit");
            cause = c.source();
        }
        if too_large {
            ApiError::TooLarge { limit }
        } else {
            ApiError::BadRequest {
                code: "body_unreadable",
                message: format!("the body could not be read: {e}"),
            }
        }
    })
}

/// Parses a JSON request body into `T`, naming the JSON path of any problem.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::BadRequest {
        code: "input_not_utf8",
        message: "the body is not UTF-8".into(),
    })?;
    let value = ordex_core::api::parse_json(text, "body", &ordex_core::runtime::Limits::default())?;
    Ok(ordex_core::api::typed(&value, "body")?)
}

/// Runs store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
}
