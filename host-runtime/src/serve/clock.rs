//! The service's clock. The core has none (time is an input); the service
//! reads the wall clock once per request and passes it as `now`.

use chrono::{DateTime, Utc};

/// The current time.
pub fn now() -> DateTime<Utc> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    DateTime::from_timestamp(
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        since.subsec_nanos(),
    )
    .unwrap_or_default()
}
