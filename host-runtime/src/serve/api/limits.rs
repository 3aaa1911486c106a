//! Per-request bounds, applied before a handler reads anything: a declared
//! body over the route's limit is refused at once (413), the bytes bodies may
//! hold in memory at once are budgeted per route group (503 when spent), and
//! webhook routes, which need no key, are rate-limited per source address.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use tokio::sync::Semaphore;

use crate::serve::error::ApiError;
use crate::serve::listener;

/// Budgets are counted in KiB so that a 64 MiB budget fits any semaphore.
const UNIT: usize = 1024;

/// JSON bodies.
pub const JSON: &[&str] = &["application/json"];

/// Event bodies: JSON, or NDJSON under any of its names.
pub const JSON_OR_NDJSON: &[&str] = &[
    "application/json",
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/x-jsonlines",
];

/// One route group's body bounds.
#[derive(Clone)]
pub struct BodyLimit {
    /// Largest body one request may send.
    pub max_bytes: usize,
    /// Media types a body may declare.
    media: &'static [&'static str],
    budget: Arc<Semaphore>,
}

impl BodyLimit {
    /// A group whose requests send at most `max_bytes` each, of one of the
    /// `media` types, and hold at most `inflight_bytes` together.
    pub fn new(max_bytes: usize, inflight_bytes: usize, media: &'static [&'static str]) -> Self {
        let units = inflight_bytes
            .div_ceil(UNIT)
            .max(max_bytes.div_ceil(UNIT))
            .max(1);
        Self {
            max_bytes,
            media,
            budget: Arc::new(Semaphore::new(units.min(Semaphore::MAX_PERMITS))),
        }
    }
}

/// The media type of `Content-Type`, lower-cased, without parameters.
pub fn media_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
}

fn check_media(req: &Request, allowed: &[&str]) -> Result<(), ApiError> {
    match media_type(req.headers()) {
        Some(m) if allowed.contains(&m.as_str()) => Ok(()),
        found => Err(ApiError::UnsupportedMediaType(format!(
            "the body's Content-Type is {}; send one of {}",
            found.map_or_else(|| "missing".to_owned(), |m| format!("`{m}`")),
            allowed.join(", ")
        ))),
    }
}

/// What a request says it will send: its `Content-Length`, or the group's
/// limit when it streams (chunked) without one, or nothing for no body.
fn declared(req: &Request, limit: usize) -> Result<usize, ApiError> {
    if let Some(v) = req.headers().get(CONTENT_LENGTH) {
        let text = v.to_str().unwrap_or_default().trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::BadRequest {
                code: "body_unreadable",
                message: "Content-Length is not a number".into(),
            });
        }
        // All digits: a number too long for u64 is simply too large.
        return match text.parse::<usize>() {
            Ok(n) if n <= limit => Ok(n),
            _ => Err(ApiError::TooLarge { limit }),
        };
    }
    Ok(if req.headers().contains_key(TRANSFER_ENCODING) {
        limit
    } else {
        0
    })
}

/// Refuses a declared oversize body before reading it and holds the bytes
/// the body may take from the group's budget until the response is ready.
pub async fn bodies(
    State(limit): State<BodyLimit>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let bytes = declared(&req, limit.max_bytes)?;
    if bytes > 0 {
        check_media(&req, limit.media)?;
    }
    let units = u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX);
    let _held = if units == 0 {
        None
    } else {
        Some(
            limit
                .budget
                .clone()
                .try_acquire_many_owned(units)
                .map_err(|_| ApiError::Busy)?,
        )
    };
    Ok(next.run(req).await)
}

/// Rate limits per source address (GCRA, through `governor`).
#[derive(Clone)]
pub struct PerAddress {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    checks: Arc<AtomicU64>,
}

impl PerAddress {
    /// `per_second` sustained, `burst` at once.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            )),
            checks: Arc::default(),
        }
    }
}

/// Refuses a source address over its rate with 429 and `Retry-After`.
pub async fn per_address(
    State(rate): State<PerAddress>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // Forget quiet addresses now and then, so the table stays small
    // whatever the number of addresses that ever called.
    if rate.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        rate.limiter.retain_recent();
        rate.limiter.shrink_to_fit();
    }
    if let Some(peer) = listener::peer(&req)
        && let Err(not_until) = rate.limiter.check_key(&peer.ip())
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        return Err(ApiError::RateLimited(wait.as_secs().max(1)));
    }
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder().method("POST").uri("/x");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn a_declared_oversize_body_is_refused_before_reading() {
        let r = request(&[("content-length", "100000000")]);
        assert!(matches!(
            declared(&r, 4 << 20),
            Err(ApiError::TooLarge { .. })
        ));
        let r = request(&[("content-length", "99999999999999999999999")]);
        assert!(matches!(
            declared(&r, 4 << 20),
            Err(ApiError::TooLarge { .. })
        ));
        let r = request(&[("content-length", "12")]);
        assert_eq!(declared(&r, 4 << 20).ok(), Some(12));
        let r = request(&[("content-length", "twelve")]);
        assert!(matches!(
            declared(&r, 4 << 20),
            Err(ApiError::BadRequest { .. })
        ));
    }

    #[test]
    fn a_body_must_declare_one_of_the_routes_media_types() {
        let json = request(&[("content-type", "Application/JSON; charset=utf-8")]);
        assert!(check_media(&json, JSON).is_ok());
        let form = request(&[("content-type", "application/x-www-form-urlencoded")]);
        assert!(matches!(
            check_media(&form, JSON),
            Err(ApiError::UnsupportedMediaType(_))
        ));
        assert!(check_media(&request(&[]), JSON).is_err());
        let nd = request(&[("content-type", "application/x-ndjson")]);
        assert!(check_media(&nd, JSON_OR_NDJSON).is_ok() && check_media(&nd, JSON).is_err());
    }

    #[test]
    fn a_streamed_body_reserves_the_whole_limit_and_no_body_reserves_nothing() {
        let r = request(&[("transfer-encoding", "chunked")]);
        assert_eq!(declared(&r, 4096).ok(), Some(4096));
        assert_eq!(declared(&request(&[]), 4096).ok(), Some(0));
    }

    #[test]
    fn the_budget_is_never_smaller_than_one_request() {
        let limit = BodyLimit::new(16 << 20, 1 << 20, JSON);
        assert_eq!(limit.budget.available_permits(), (16 << 20) / UNIT);
    }
}
