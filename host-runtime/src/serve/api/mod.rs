//! The HTTP API: routes, authentication and the helpers handlers share.

mod actions;
mod bundles;
mod cases;
mod decisions;
mod events;
mod extract;
mod incidents;
pub mod limits;
mod ops;
pub mod payments;
mod webhooks;

pub use extract::{ApiPath, ApiQuery};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;
use tower_http::trace::TraceLayer;

use super::error::ApiError;

use super::state::Shared;

/// Outcomes a case can be resolved with.
pub fn cases_outcomes() -> Vec<&'static str> {
    cases::OUTCOMES.to_vec()
}

/// Largest body of the small JSON requests (assign, note, resolve, actions).
pub const SMALL_BODY: usize = 64 << 10;

/// Every route of the service. Route groups have their own body limits and
/// in-flight byte budgets, so a flood on one (say, webhooks) cannot starve
/// another (the API's intake); keys are checked before any body is read.
pub fn router(state: Shared) -> Router {
    let c = &state.config;
    let inflight = c.connections.inflight_body_bytes;
    let body_group = |max: usize, media: &'static [&'static str]| {
        middleware::from_fn_with_state(limits::BodyLimit::new(max, inflight, media), limits::bodies)
    };
    let key = || middleware::from_fn_with_state(state.clone(), require_key);
    let events = Router::new()
        .route("/v1/events", post(events::post))
        .route_layer(body_group(c.max_body_bytes, limits::JSON_OR_NDJSON))
        .route_layer(key());
    let bundles_upload = Router::new()
        .route("/v1/bundles", get(bundles::list).post(bundles::upload))
        .route_layer(body_group(c.max_bundle_bytes, limits::JSON))
        .route_layer(key());
    let authed = Router::new()
        .route("/v1/events/{id}", get(events::get_one))
        .route("/v1/decisions/{id}/replay", get(decisions::replay))
        .route("/v1/cases", get(cases::list))
        .route("/v1/cases/{id}", get(cases::detail))
        .route("/v1/cases/{id}/assign", post(cases::assign))
        .route("/v1/cases/{id}/notes", post(cases::note))
        .route("/v1/cases/{id}/resolve", post(cases::resolve))
        .route("/v1/actions", get(actions::list))
        .route("/v1/actions/{id}/approve", post(actions::approve))
        .route("/v1/actions/{id}/cancel", post(actions::cancel))
        .route("/v1/actions/{id}/redeliver", post(actions::redeliver))
        .route("/v1/payment-results", post(payments::post))
        .route("/v1/incidents", get(incidents::list))
        .route("/v1/incidents/{id}", get(incidents::detail))
        .route(
            "/v1/incidents/{id}/acknowledge",
            post(incidents::acknowledge),
        )
        .route("/v1/incidents/{id}/resolve", post(incidents::resolve))
        .route("/v1/bundles/active", get(bundles::active))
        .route("/v1/bundles/{id}", get(bundles::get_one))
        .route("/v1/bundles/{id}/activate", post(bundles::activate))
        .route_layer(body_group(SMALL_BODY, limits::JSON))
        .route_layer(key());
    // Provider webhooks authenticate with the provider's signature instead,
    // so anyone can call them: they are rate-limited per source address.
    let rate = limits::PerAddress::new(
        c.connections.webhook_rate_per_sec,
        c.connections.webhook_burst,
    );
    let webhooks = Router::new()
        .route("/v1/webhooks/stripe", post(webhooks::stripe))
        .route("/v1/webhooks/easypost", post(webhooks::easypost))
        .route("/v1/webhooks/aftership", post(webhooks::aftership))
        .route_layer(body_group(c.max_body_bytes, limits::JSON))
        .route_layer(middleware::from_fn_with_state(rate, limits::per_address));
    let open = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .route("/v1/public/checkout-bundle", get(bundles::public_checkout))
        // Unknown API paths answer in JSON like every other error.
        .route("/v1/{*rest}", any(not_found));
    let mut app = events
        .merge(bundles_upload)
        .merge(authed)
        .merge(webhooks)
        .merge(open)
        .method_not_allowed_fallback(method_not_allowed);
    app = app.fallback(static_files);
    app.layer(TraceLayer::new_for_http()).with_state(state)
}

/// Pages and the package, from the snapshot taken at start (GET and HEAD).
async fn static_files(State(state): State<Shared>, req: Request) -> Response {
    use axum::response::IntoResponse;
    if req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD {
        return method_not_allowed(req).await;
    }
    if req.uri().path() == "/favicon.ico" {
        // Browsers ask for it unprompted; the pages link the SVG icon.
        return axum::response::Redirect::permanent("/favicon.svg").into_response();
    }
    // The first request for a large file compresses it: off the async workers.
    let (parts, _) = req.into_parts();
    let req = Request::from_parts(parts, Body::empty());
    match tokio::task::spawn_blocking(move || state.site.respond(&req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Internal("serving a static file failed".into()).into_response(),
    }
}

async fn not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!("route {}", req.uri().path()))
}

async fn method_not_allowed(req: Request) -> Response {
    use axum::response::IntoResponse;
    let body = serde_json::json!({"errors": [{
        "code": "method_not_allowed",
        "message": format!("{} is not allowed on {}", req.method(), req.uri().path()),
    }]});
    (
        super::error::status_of("method_not_allowed"),
        axum::Json(body),
    )
        .into_response()
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
        .and_then(bearer_token);
    match presented {
        Some(key) if state.config.api_keys.iter().any(|k| same_key(k, key)) => {
            Ok(next.run(req).await)
        }
        _ => Err(ApiError::Unauthorized),
    }
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is
/// matched case-insensitively (RFC 9110, 11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Reads a body of at most `limit` bytes that must arrive within `timeout`.
pub async fn read_body(
    body: Body,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<axum::body::Bytes, ApiError> {
    let read = axum::body::to_bytes(body, limit);
    let result = tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| ApiError::BodyTimeout(timeout))?;
    result.map_err(|e| {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if c.is::<http_body_util::LengthLimitError>() {
                return ApiError::TooLarge { limit };
            }
            cause = c.source();
        }
        ApiError::BadRequest {
            code: "body_unreadable",
            message: format!("the body could not be read: {e}"),
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

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer k1"), Some("k1"));
        assert_eq!(bearer_token("bearer k1"), Some("k1"));
        assert_eq!(bearer_token("BEARER   k1 "), Some("k1"));
        assert_eq!(bearer_token("Basic k1"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerk1"), None);
    }
}
