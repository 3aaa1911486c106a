//! What payment retries achieved: the learner's counts per segment, and the
//! outcomes recorded.

use chrono::{DateTime, Utc};
use ordex_core::learn::retry_bandit::{Counts, RetryContext, RetryStats, segment_keys};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{StoreError, ts};

/// The counts the learner needs for a decline's context.
pub fn stats_for(conn: &Connection, ctx: &RetryContext) -> Result<RetryStats, StoreError> {
    let mut stats = RetryStats::default();
    let prefixes = [
        format!("{}|{}|{}|", ctx.category, ctx.country, ctx.currency),
        format!("{}|*|*|", ctx.category),
    ];
    let mut stmt = conn.prepare_cached(
        "SELECT key, successes, failures FROM retry_stats WHERE key >= ?1 AND key < ?2",
    )?;
    for p in prefixes {
        // Keys with this prefix sort between it and the prefix with its last byte raised.
        let mut end = p.clone();
        end.pop();
        end.push('}');
        let rows = stmt.query_map(params![p, end], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (k, s, f) = row?;
            stats.cells.insert(
                k,
                Counts {
                    successes: u32::try_from(s).unwrap_or(u32::MAX),
                    failures: u32::try_from(f).unwrap_or(u32::MAX),
                },
            );
        }
    }
    Ok(stats)
}

/// The latest retry the service planned for `order_id`: (action id, the
/// decline it retries as stored in its parameters).
pub fn latest_retry(conn: &Connection, order_id: &str) -> Result<Option<(i64, Value)>, StoreError> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT a.id, a.params_json FROM actions a JOIN cases c ON c.id = a.case_id
             WHERE c.order_id = ?1 AND a.type = 'retry_payment' ORDER BY a.id DESC LIMIT 1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(found.map(|(id, p)| (id, serde_json::from_str(&p).unwrap_or(Value::Null))))
}

/// Records one retry's outcome in the learner's counts; returns the segment.
pub fn record(
    conn: &Connection,
    order_id: &str,
    action_id: i64,
    ctx: &RetryContext,
    at: DateTime<Utc>,
    approved: bool,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let (fine, pooled) = segment_keys(ctx, at);
    for key in [&fine, &pooled] {
        conn.prepare_cached(
            "INSERT INTO retry_stats(key, successes, failures) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET successes = successes + ?2, failures = failures + ?3",
        )?
        .execute(params![key, i64::from(approved), i64::from(!approved)])?;
    }
    conn.execute(
        "INSERT INTO retry_outcomes(order_id, action_id, at, approved, segment, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![order_id, action_id, ts(at), approved, fine, ts(now)],
    )?;
    Ok(fine)
}

/// The retry of `order_id` whose outcome is still unknown: the latest
/// delivered `retry_payment` action with no recorded outcome.
pub fn awaiting_outcome(
    conn: &Connection,
    order_id: &str,
) -> Result<Option<(i64, Value)>, StoreError> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT a.id, a.params_json FROM actions a JOIN cases c ON c.id = a.case_id
             WHERE c.order_id = ?1 AND a.type = 'retry_payment' AND a.status = 'delivered'
               AND NOT EXISTS (SELECT 1 FROM retry_outcomes o WHERE o.action_id = a.id)
             ORDER BY a.id DESC LIMIT 1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(found.map(|(id, p)| (id, serde_json::from_str(&p).unwrap_or(Value::Null))))
}
