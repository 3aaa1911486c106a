//! Health, readiness, metrics and the OpenAPI document.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::blocking;
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::openapi;
use crate::serve::state::Shared;
use crate::serve::store::cases;

/// The process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready for traffic: the database answers, a bundle is active, not draining.
pub async fn readyz(State(state): State<Shared>) -> Response {
    let st = state.clone();
    let db = blocking(move || Ok(st.store.ping())).await.unwrap_or(false);
    let bundle = state.bundles.current().ok().map(|b| b.id.clone());
    let draining = state.draining.load(Ordering::SeqCst);
    let ready = db && bundle.is_some() && !draining;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "ready": ready, "database": db, "bundle_id": bundle, "draining": draining })),
    )
        .into_response()
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<Shared>) -> Result<Response, ApiError> {
    let st = state.clone();
    let counts = blocking(move || Ok(st.store.read(|c| cases::counts(c, clock::now()))?)).await?;
    let text = state.metrics.render(&counts);
    Ok((
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// The OpenAPI 3.1 document of this API (built once: it never changes while running).
pub async fn openapi() -> Json<Value> {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi::document).clone())
}
