//! Rule bundles: upload (compiled and tested before activation), list, activate (rollback).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiPath, ApiQuery, blocking, read_body};
use crate::serve::clock;
use crate::serve::error::ApiError;
use crate::serve::state::Shared;
use crate::serve::store::{bundles, decisions};
use crate::serve::whatif;

/// Query of `POST /v1/bundles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Activate once the tests pass (default true).
    activate: Option<bool>,
    /// Store nothing: run the candidate's tests, then evaluate the stored
    /// decisions since `since` with it and report what would change.
    dry_run: Option<bool>,
    /// The what-if period of a dry run: `7d` (default), `24h`, `90m`, or a time.
    since: Option<String>,
}

/// Most stored decisions one dry run evaluates (the request waits for it).
const MAX_DRY_RUN_DECISIONS: usize = 10_000;

/// Uploads a bundle (`ordex bundle` output). It must compile and pass its own
/// tests in the serving runtime; then it is stored and, unless
/// `?activate=false`, atomically made active.
pub async fn upload(
    State(state): State<Shared>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let bytes = read_body(
        body,
        state.config.max_bundle_bytes,
        state.config.connections.body_timeout,
    )
    .await?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::BadRequest {
        code: "input_not_utf8",
        message: "the bundle is not UTF-8".into(),
    })?;
    let activate = q.activate.unwrap_or(true);
    if q.dry_run == Some(true) {
        let since = whatif::parse_since(q.since.as_deref().unwrap_or("7d"), clock::now()).map_err(
            |message| ApiError::BadRequest {
                code: "input_invalid",
                message,
            },
        )?;
        return blocking(move || {
            let (prepared, tests) = state.bundles.prepare_upload(&text)?;
            let stored = state
                .store
                .read(|c| decisions::since(c, since, MAX_DRY_RUN_DECISIONS + 1))?;
            let truncated = stored.len() > MAX_DRY_RUN_DECISIONS;
            let report = whatif::run(
                &stored[..stored.len().min(MAX_DRY_RUN_DECISIONS)],
                |call| prepared.evaluator.evaluate_str(call).0,
                |_, _| {},
            );
            Ok((
                StatusCode::OK,
                Json(json!({ "id": prepared.id, "tests": tests, "dry_run": true, "stored": false,
                             "since": crate::serve::store::ts(since), "truncated": truncated, "whatif": report })),
            ))
        })
        .await;
    }
    blocking(move || {
        let (prepared, tests) = state.bundles.prepare_upload(&text)?;
        let id = prepared.id.clone();
        let now = clock::now();
        state.store.write(|tx| {
            bundles::insert(tx, &id, &text, tests.passed, tests.total, now)?;
            if activate {
                bundles::activate(tx, &id, now)?;
            }
            Ok(())
        })?;
        // The database says which bundle is active before memory does: after a
        // crash here, the restart loads the one just committed.
        let public = prepared.public.summary();
        if activate {
            state.bundles.activate(prepared);
            tracing::info!(bundle = %id, "bundle activated");
        }
        Ok((
            StatusCode::CREATED,
            Json(json!({ "id": id, "tests": tests, "active": activate, "public_checkout_bundle": public })),
        ))
    })
    .await
}

/// Every stored bundle.
pub async fn list(State(state): State<Shared>) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let list = state.store.read(bundles::list)?;
        Ok(Json(json!({ "bundles": list })))
    })
    .await
}

/// The active bundle's id.
pub async fn active(State(state): State<Shared>) -> Result<Json<Value>, ApiError> {
    let current = state.bundles.current()?;
    Ok(Json(json!({ "id": current.id })))
}

/// Makes a stored bundle active again (rollback); its tests run again first.
pub async fn activate(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let text = state.store.read(|c| bundles::get(c, &id))?;
        let (prepared, tests) = state.bundles.prepare(&text)?;
        state
            .store
            .write(|tx| bundles::activate(tx, &id, clock::now()))?;
        let public = prepared.public.summary();
        state.bundles.activate(prepared);
        tracing::info!(bundle = %id, "bundle activated");
        Ok(Json(
            json!({ "id": id, "tests": tests, "active": true, "public_checkout_bundle": public }),
        ))
    })
    .await
}

/// A stored bundle's file (the `ordex bundle` JSON), for pages and hosts
/// that evaluate it themselves (the checkout demo, edge workers).
pub async fn get_one(
    State(state): State<Shared>,
    ApiPath(id): ApiPath<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    blocking(move || {
        let text = state.store.read(|c| bundles::get(c, &id))?;
        Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            text,
        )
            .into_response())
    })
    .await
}

/// The active bundle's checkout entry and only what it uses, for storefront
/// pages and edge workers: no key, cacheable (the ETag is its content id, so
/// a page revalidates cheaply and sees a new bundle as soon as one is
/// activated), readable from the origins `--public-cors-origin` allows.
pub async fn public_checkout(
    State(state): State<Shared>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    use crate::serve::bundles::PublicBundle;
    use axum::http::header;
    use axum::response::IntoResponse;
    let current = state.bundles.current()?;
    let (id, json) = match &current.public {
        PublicBundle::Ready { id, json, .. } => (id, json.clone()),
        PublicBundle::NoCheckout => {
            return Err(ApiError::NotFound(
                "a public checkout bundle: the active bundle has no `checkout` entry".into(),
            ));
        }
        PublicBundle::Unavailable(why) => {
            return Err(ApiError::Unavailable(format!(
                "the public checkout bundle is unavailable: {why}"
            )));
        }
    };
    let etag = format!("\"{id}\"");
    let cors = state.config.public_cors_origin.clone();
    let common = [
        (header::ETAG, etag.clone()),
        (
            header::CACHE_CONTROL,
            "public, max-age=30, must-revalidate".to_owned(),
        ),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, cors),
        (header::VARY, "Origin".to_owned()),
    ];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    Ok((
        common,
        [(header::CONTENT_TYPE, "application/json".to_owned())],
        json.to_string(),
    )
        .into_response())
}
