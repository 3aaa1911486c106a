//! Time in a merchant's time zone: UTC offsets from POSIX TZ rules (one per
//! IANA zone, generated from tzdata) and business-hours SLA arithmetic.
//!
//! A full time-zone database (chrono-tz) adds 916 KB raw / 129 KB gzip to a
//! Wasm module (measured); a zone's current rule as a POSIX TZ string is a
//! few dozen bytes and gives exact offsets from now on, which is all SLA
//! arithmetic needs. Past instants before a zone's last rule change may be
//! off by the change; decisions are about now and the future.

mod business;
mod posix;
mod zones;

pub use business::{BusinessCalendar, CalendarError};
pub use posix::{TzError, TzRule};
pub use zones::TZDATA_VERSION;

/// One zone: IANA name, POSIX TZ rule, explicit transitions (UTC seconds,
/// offset seconds) from 2026 on that precede the rule.
pub type ZoneRow = (&'static str, &'static str, &'static [(i64, i32)]);

/// The rule of an IANA zone name (`America/New_York`), or of a POSIX TZ
/// string given directly (`EST5EDT,M3.2.0,M11.1.0`).
pub fn zone(name: &str) -> Result<TzRule, TzError> {
    let name = name.trim();
    match zones::ZONES.binary_search_by(|(n, _, _)| (*n).cmp(name)) {
        Ok(i) => Ok(TzRule::parse(zones::ZONES[i].1)?.with_transitions(zones::ZONES[i].2)),
        Err(_) if name.eq_ignore_ascii_case("utc") || name == "Z" => TzRule::parse("UTC0"),
        Err(_) if name.chars().any(|c| c.is_ascii_digit()) => TzRule::parse(name),
        Err(_) => Err(TzError(format!(
            "unknown time zone `{name}` (use an IANA name such as Europe/Berlin, or a POSIX TZ rule)"
        ))),
    }
}

/// Every zone: name, POSIX rule, explicit transitions from 2026 on.
pub fn all_zones() -> &'static [ZoneRow] {
    zones::ZONES
}
