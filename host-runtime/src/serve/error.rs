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
    /// An event id already stored for an event with other content.
    #[error("{0}")]
    IdReused(String),
    /// The body did not arrive within the body timeout.
    #[error("the body did not arrive within {0:?}")]
    BodyTimeout(std::time::Duration),
    /// The route group's budget of in-flight body bytes is spent.
    #[error("too many large requests at once: try again in a second")]
    Busy,
    /// A source address sent more webhook requests than its rate allows.
    #[error("too many requests from this address: try again in {0} s")]
    RateLimited(u64),
    /// The body's declared media type is not one the route reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
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

impl From<super::bundles::BundlesError> for ApiError {
    fn from(e: super::bundles::BundlesError) -> Self {
        use super::bundles::BundlesError;
        match e {
            BundlesError::Rejected(r) => Self::BundleRejected(r.detail()),
            BundlesError::NoneActive => Self::Unavailable(e.to_string()),
            BundlesError::Host(message) => Self::Internal(message),
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
        stack: Vec::new(),
    }
}

/// The HTTP status of an error code: one status per code, on every route.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "input_not_utf8" | "input_empty" | "batch_too_large" | "body_unreadable"
        | "query_invalid" | "path_invalid" => StatusCode::BAD_REQUEST,
        "unauthorized" | "bad_signature" => StatusCode::UNAUTHORIZED,
        "not_found" => StatusCode::NOT_FOUND,
        "method_not_allowed" => StatusCode::METHOD_NOT_ALLOWED,
        "body_timeout" => StatusCode::REQUEST_TIMEOUT,
        "conflict" | "event_id_reused" => StatusCode::CONFLICT,
        "body_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "unsupported_media_type" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        "unavailable" | "busy" => StatusCode::SERVICE_UNAVAILABLE,
        "internal" | "host_error" => StatusCode::INTERNAL_SERVER_ERROR,
        // Every engine input code (`input_*`, `unsupported_schema_version`),
        // `unsupported_event` and `bundle_rejected`: read, but not acceptable.
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl ApiError {
    /// The error's code (the first one, for a list of input errors).
    pub fn code(&self) -> &str {
        match self {
            Self::Input(errors) => errors.first().map_or("input_invalid", |e| e.code.as_str()),
            Self::BadRequest { code, .. } => code,
            Self::TooLarge { .. } => "body_too_large",
            Self::Unauthorized => "unauthorized",
            Self::BadSignature(_) => "bad_signature",
            Self::Unsupported(_) => "unsupported_event",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::IdReused(_) => "event_id_reused",
            Self::BodyTimeout(_) => "body_timeout",
            Self::Busy => "busy",
            Self::RateLimited(_) => "rate_limited",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::BundleRejected(_) => "bundle_rejected",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        status_of(self.code())
    }

    fn errors(&self) -> serde_json::Value {
        let list = match self {
            Self::Input(errors) => errors.clone(),
            Self::BundleRejected(detail) => {
                return json!({"errors": [{"code": self.code(), "message": self.to_string()}], "detail": detail});
            }
            _ => vec![info(self.code(), self.to_string())],
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
        let mut response = (status, Json(self.errors())).into_response();
        let headers = response.headers_mut();
        match &self {
            // RFC 9110: a 401 names the scheme the client should use.
            Self::Unauthorized => {
                headers.insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer realm=\"ordex\""),
                );
            }
            Self::RateLimited(secs) => {
                if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                    headers.insert(axum::http::header::RETRY_AFTER, v);
                }
            }
            Self::Busy => {
                headers.insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("1"),
                );
                headers.insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            // The body was not read (or not all of it): the connection cannot
            // carry another request.
            Self::BodyTimeout(_) | Self::TooLarge { .. } => {
                headers.insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            _ => {}
        }
        response
    }
}
