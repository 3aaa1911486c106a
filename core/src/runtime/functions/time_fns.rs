//! Time arithmetic, time zones and business hours. There is no clock: rules
//! use `ctx.now`.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};
use rhai::{Dynamic, Engine, INT, Map};

use super::values::typed;
use super::{Res, reg};
use crate::knowledge::time;

const S: &str = "Time";

/// Formats a time the way every ordex output does.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(super) fn parse_time(s: &str) -> Res<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 time: {e}").into())
}

fn shift(t: &str, d: Option<Duration>) -> Res<String> {
    let t = parse_time(t)?;
    d.and_then(|d| t.checked_add_signed(d))
        .map(format_time)
        .ok_or_else(|| "time arithmetic out of range".into())
}

fn between(a: &str, b: &str, unit_seconds: i64) -> Res<INT> {
    Ok((parse_time(b)? - parse_time(a)?).num_seconds() / unit_seconds)
}

fn calendar(value: &Dynamic) -> Res<time::BusinessCalendar> {
    let json: serde_json::Value = typed(value, "business calendar", "a calendar")?;
    time::BusinessCalendar::from_json(&json).map_err(|e| e.0.into())
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "add_minutes",
        &["t: &str", "n: INT", "String"],
        "`t` plus `n` minutes.",
        |t: &str, n: INT| shift(t, Duration::try_minutes(n)),
    );
    reg(
        engine,
        S,
        "add_hours",
        &["t: &str", "n: INT", "String"],
        "`t` plus `n` hours.",
        |t: &str, n: INT| shift(t, Duration::try_hours(n)),
    );
    reg(
        engine,
        S,
        "add_days",
        &["t: &str", "n: INT", "String"],
        "`t` plus `n` days of 24 hours.",
        |t: &str, n: INT| shift(t, Duration::try_days(n)),
    );
    reg(
        engine,
        S,
        "minutes_between",
        &["a: &str", "b: &str", "INT"],
        "Whole minutes from `a` to `b` (negative if `b` is earlier).",
        |a: &str, b: &str| between(a, b, 60),
    );
    reg(
        engine,
        S,
        "hours_between",
        &["a: &str", "b: &str", "INT"],
        "Whole hours from `a` to `b`.",
        |a: &str, b: &str| between(a, b, 3600),
    );
    reg(
        engine,
        S,
        "days_between",
        &["a: &str", "b: &str", "INT"],
        "Whole days from `a` to `b`.",
        |a: &str, b: &str| between(a, b, 86_400),
    );
    reg(
        engine,
        S,
        "days_since",
        &["t: &str", "now: &str", "INT"],
        "Whole days from `t` (a purchase, a delivery) to `now`.",
        |t: &str, now: &str| between(t, now, 86_400),
    );
    reg(
        engine,
        S,
        "is_before",
        &["a: &str", "b: &str", "bool"],
        "Whether `a` is earlier than `b`.",
        |a: &str, b: &str| -> Res<bool> { Ok(parse_time(a)? < parse_time(b)?) },
    );
    reg(
        engine,
        S,
        "is_time",
        &["x: Dynamic", "bool"],
        "Whether `x` is an RFC 3339 time string.",
        |t: Dynamic| {
            t.into_immutable_string()
                .is_ok_and(|s| parse_time(&s).is_ok())
        },
    );
    reg(
        engine,
        S,
        "sla_due",
        &["start: &str", "minutes: INT", "calendar: Map", "String"],
        "When `minutes` working minutes after `start` run out in `calendar` `{time_zone, open, close, days, holidays}`\n(defaults 09:00–17:00, Monday–Friday; `days` are ISO weekdays 1–7). Daylight saving follows the zone.",
        |start: &str, minutes: INT, cal: Dynamic| -> Res<String> {
            calendar(&cal)?
                .add_working_minutes(parse_time(start)?, minutes)
                .map(format_time)
                .ok_or_else(|| "sla_due: no working time within ten years in this calendar".into())
        },
    );
    reg(
        engine,
        S,
        "is_business_time",
        &["t: &str", "calendar: Map", "bool"],
        "Whether `t` falls in the calendar's working hours.",
        |t: &str, cal: Dynamic| -> Res<bool> { Ok(calendar(&cal)?.is_open(parse_time(t)?)) },
    );
    reg(
        engine,
        S,
        "local_time",
        &["t: &str", "zone: &str", "Map"],
        "`{date, time, weekday, offset_minutes}` of `t` in an IANA zone (`Europe/Berlin`) or a POSIX TZ rule.",
        |t: &str, zone: &str| -> Res<Map> {
            let rule = time::zone(zone).map_err(|e| e.0)?;
            let utc = parse_time(t)?;
            let local = rule.to_local(utc);
            let mut m = Map::new();
            m.insert("date".into(), local.format("%Y-%m-%d").to_string().into());
            m.insert("time".into(), local.format("%H:%M").to_string().into());
            m.insert(
                "weekday".into(),
                Dynamic::from_int(INT::from(local.weekday().number_from_monday())),
            );
            m.insert(
                "offset_minutes".into(),
                Dynamic::from_int(rule.offset_at(utc) / 60),
            );
            Ok(m)
        },
    );
}
