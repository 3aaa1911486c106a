//! `ordex whatif`: the decisions `ordex serve` stored over a period,
//! evaluated again with a candidate bundle (or pack directory), and what
//! would change, before anyone activates it.

use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Duration, Utc};
use ordex_host::serve::store::{Store, decisions};
use ordex_host::serve::whatif::Report;
use serde_json::Value;

use super::{engine, evaluator};
use crate::RuntimeArgs;

/// Most decisions one run evaluates.
const MAX_DECISIONS: usize = 200_000;

/// `7d`, `24h`, `90m` before `now`, or an RFC 3339 time.
fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = n
        .parse()
        .map_err(|_| format!("--since `{text}`: write 7d, 24h, 90m or an RFC 3339 time"))?;
    let span = match unit {
        "d" => Duration::try_days(n),
        "h" => Duration::try_hours(n),
        "m" => Duration::try_minutes(n),
        _ => None,
    }
    .ok_or_else(|| format!("--since `{text}`: write 7d, 24h, 90m or an RFC 3339 time"))?;
    Ok(now - span)
}

/// Runs the candidate `bundle` over the decisions since `since` in `database`.
pub fn run(
    database: &Path,
    bundle: &Path,
    since: &str,
    runtime: &RuntimeArgs,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if !database.exists() {
        return Err(format!("{}: no such database", database.display()).into());
    }
    let since = parse_since(since, ordex_host::serve::clock::now())?;
    let Some(candidate) = engine(bundle)? else {
        return Ok(ExitCode::FAILURE);
    };
    let candidate_id = candidate.bundle_id().to_owned();
    let eval = evaluator(candidate, runtime)?;
    let store = Store::open(database)?;
    let stored = store.read(|c| decisions::since(c, since, MAX_DECISIONS))?;
    let mut report = Report::default();
    for (i, d) in stored.iter().enumerate() {
        let Some(call_text) = &d.decision.call_json else {
            continue;
        };
        let call: Value = serde_json::from_str(call_text).unwrap_or(Value::Null);
        let old: Value = serde_json::from_str(&d.decision.answer_json).unwrap_or(Value::Null);
        let (text, _) = eval.evaluate_str(call_text);
        let new: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        report.add(&d.decision.event_id, &d.kind, &call, &old, &new);
        if (i + 1) % 1000 == 0 {
            eprintln!("{} of {} decisions evaluated", i + 1, stored.len());
        }
    }
    let mut out = serde_json::to_value(&report)?;
    out["candidate"] = Value::String(candidate_id);
    out["since"] = Value::String(since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_spans_and_times() {
        let now: DateTime<Utc> = "2026-12-08T00:00:00Z".parse().unwrap();
        assert_eq!(
            parse_since("7d", now).unwrap(),
            "2026-12-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            parse_since("36h", now).unwrap(),
            "2026-12-06T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            parse_since("2026-12-02T10:00:00Z", now).unwrap(),
            "2026-12-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(parse_since("a week", now).is_err());
        assert!(parse_since("9999999999999d", now).is_err());
    }
}
