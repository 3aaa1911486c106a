//! The HTTP boundary's errors: each becomes a status code and the same
//! `{errors: [{code, message, location?}]}` body the engine answers with.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordex_core::api::{ErrorInfo, InputError};
use serde_json::json;
use thiserror::Error;

use super::store::StoreError;

/// Why a request failed.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The body is not a valid document of the expected shape (JSON path in `errors`).
    #[error("invalid input")]
    Input(Vec<ErrorInfo>),
    /// A request parameter or body field is wrong.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The body exceeds the endpoint's limit.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// No or wrong bearer key.
    #[error("missing or invalid API key: send `Authorization: Bearer <key>`")]
    Unauthorized,
    /// A provider signature that does not verify.
    #[error("{0}")]
    BadSignature(String),
    /// A provider event type this service does not take.
    #[error("{0}")]
    Unsupported(String),
    /// No such resource.
    #[error("{0} not found")]
    NotFound(String),
    /// The resource is in a state that forbids the request.
    #[error("{0}")]
    Conflict(String),
    /// A rule bundle that does not compile or fails its tests.
    #[error("the bundle was rejected")]
    BundleRejected(serde_json::Value),
    /// The service cannot take work right now (shutting down, no bundle).
    #[error("{0}")]
    Unavailable(String),
    /// A fault inside the service.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(why) => Self::Conflict(why),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        Self::Input(vec![e.into()])
    }
}

fn info(code: &str, message: String) -> ErrorInfo {
    ErrorInfo {
        code: code.to_owned(),
        message,
        location: None,
        hint: None,
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Input(_) | Self::BundleRejected(_) | Self::Unsupported(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized | Self::BadSignature(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn errors(&self) -> serde_json::Value {
        let list = match self {
            Self::Input(errors) => errors.clone(),
            Self::BadRequest { code, message } => vec![info(code, message.clone())],
            Self::TooLarge { .. } => vec![info("body_too_large", self.to_string())],
            Self::Unauthorized => vec![info("unauthorized", self.to_string())],
            Self::BadSignature(_) => vec![info("bad_signature", self.to_string())],
            Self::Unsupported(_) => vec![info("unsupported_event", self.to_string())],
            Self::NotFound(_) => vec![info("not_found", self.to_string())],
            Self::Conflict(_) => vec![info("conflict", self.to_string())],
            Self::BundleRejected(detail) => {
                return json!({"errors": [{"code": "bundle_rejected", "message": self.to_string()}], "detail": detail});
            }
            Self::Unavailable(_) => vec![info("unavailable", self.to_string())],
            Self::Internal(_) => vec![info("internal", self.to_string())],
        };
        json!({ "errors": list })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (status, Json(self.errors())).into_response()
    }
}
