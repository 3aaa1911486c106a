//! What the service requires of an event beyond its schema: an id usable as
//! an idempotency key, a content hash that tells a replay from a reused id,
//! and an `occurred_at` within a window around the server's clock.

use chrono::{DateTime, Duration, Utc};
use ordex_core::api::{ErrorInfo, exception_event};
use ordex_core::runtime::Location;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::pipeline::Incoming;

/// Longest event id.
pub const MAX_ID_LEN: usize = 200;

/// Why intake refused an event (boxed: it travels in `Result`s).
pub type Refusal = Box<ErrorInfo>;

fn invalid(path: String, message: String) -> Refusal {
    Box::new(ErrorInfo {
        code: "input_invalid".into(),
        message: format!("{path}: {message}"),
        location: Some(Location::Input { path }),
        hint: None,
        stack: Vec::new(),
    })
}

/// An event id is 1 to 200 visible ASCII characters (letters, digits and
/// punctuation; no spaces or control characters), so it can be logged,
/// put in a URL path and compared byte for byte.
pub fn check_id(id: &str, path: &str) -> Result<(), Refusal> {
    let problem = if id.is_empty() {
        Some("must not be empty".to_owned())
    } else if id.len() > MAX_ID_LEN {
        Some(format!(
            "is {} characters long; the limit is {MAX_ID_LEN}",
            id.len()
        ))
    } else {
        id.chars().find(|c| !c.is_ascii_graphic()).map(|c| {
            format!("holds {c:?}: use visible ASCII characters only (letters, digits, punctuation)")
        })
    };
    match problem {
        Some(message) => Err(invalid(format!("{path}.id"), message)),
        None => Ok(()),
    }
}

/// `occurred_at` must lie within `max_age` before `now` and `max_skew` after it.
pub fn check_occurred_at(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    max_age: Duration,
    max_skew: Duration,
    path: &str,
) -> Result<(), Refusal> {
    let path = format!("{path}.occurred_at");
    if at > now + max_skew {
        return Err(invalid(
            path,
            format!(
                "{} is more than {} minutes after the server's clock ({})",
                at.to_rfc3339(),
                max_skew.num_minutes(),
                now.to_rfc3339()
            ),
        ));
    }
    if at < now - max_age {
        return Err(invalid(
            path,
            format!(
                "{} is more than {} days before the server's clock ({})",
                at.to_rfc3339(),
                max_age.num_days(),
                now.to_rfc3339()
            ),
        ));
    }
    Ok(())
}

/// The window `occurred_at` must fall in, around the server's clock.
#[derive(Debug, Clone, Copy)]
pub struct TimeWindow {
    /// The server's clock.
    pub now: DateTime<Utc>,
    /// Furthest in the past.
    pub max_age: Duration,
    /// Furthest in the future.
    pub max_skew: Duration,
}

/// Reads an event document named `path` as intake takes it: the schema, the
/// id, the time window; `raw` is the provider payload it was normalized from.
pub fn admit(
    value: Value,
    path: &str,
    source: &'static str,
    raw: Option<(String, &Value)>,
    window: TimeWindow,
) -> Result<Incoming, Refusal> {
    let event = exception_event(&value, path).map_err(|e| Box::new(ErrorInfo::from(e)))?;
    check_id(&event.id, path)?;
    check_occurred_at(
        event.occurred_at,
        window.now,
        window.max_age,
        window.max_skew,
        path,
    )?;
    let content_hash = content_hash(raw.as_ref().map_or(&value, |(_, payload)| payload));
    Ok(Incoming {
        event,
        value,
        source,
        raw: raw.map(|(text, _)| text),
        content_hash,
    })
}

/// Writes `v` with object keys sorted, so that two documents that differ only
/// in key order or whitespace hash alike.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// sha256 (hex) of the canonical form of `v`: the event as sent, or the
/// provider's payload for webhooks (a provider's retry repeats the payload,
/// while what it normalizes to may depend on what the store knows by then).
pub fn content_hash(v: &Value) -> String {
    let mut text = String::new();
    canonical(v, &mut text);
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_visible_ascii_of_bounded_length() {
        for ok in [
            "evt_1",
            "stripe:evt_1NG8Du2eZvKYlo2C",
            "a",
            &"x".repeat(200),
        ] {
            assert!(check_id(ok, "event").is_ok(), "{ok}");
        }
        for bad in ["", " ", "evt 1", "evt\n1", "évt", &"x".repeat(201)] {
            let e = check_id(bad, "events[2]").expect_err(bad);
            assert_eq!(e.code, "input_invalid");
            assert!(e.message.starts_with("events[2].id: "), "{}", e.message);
        }
    }

    #[test]
    fn occurred_at_must_be_near_the_server_clock() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let (age, skew) = (Duration::days(400), Duration::minutes(60));
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("t")
                .with_timezone(&Utc)
        };
        assert!(check_occurred_at(at("2026-11-29T10:59:00Z"), now, age, skew, "event").is_ok());
        assert!(check_occurred_at(at("2025-11-01T00:00:00Z"), now, age, skew, "event").is_ok());
        assert!(check_occurred_at(at("2026-11-29T11:01:00Z"), now, age, skew, "event").is_err());
        assert!(check_occurred_at(at("0001-01-01T00:00:00Z"), now, age, skew, "event").is_err());
        let e =
            check_occurred_at(at("9999-12-31T00:00:00Z"), now, age, skew, "e").expect_err("future");
        assert!(e.message.starts_with("e.occurred_at: "), "{}", e.message);
    }

    #[test]
    fn the_hash_ignores_key_order_and_sees_every_value() {
        let a = json!({"id": "e1", "order": {"id": "o1", "currency": "USD"}, "n": [1, 2]});
        let b = json!({"order": {"currency": "USD", "id": "o1"}, "n": [1, 2], "id": "e1"});
        assert_eq!(content_hash(&a), content_hash(&b));
        let c = json!({"id": "e1", "order": {"id": "o2", "currency": "USD"}, "n": [1, 2]});
        assert_ne!(content_hash(&a), content_hash(&c));
        assert_ne!(content_hash(&json!([1, 2])), content_hash(&json!([2, 1])));
    }
}
