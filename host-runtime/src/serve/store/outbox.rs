//! The action outbox: claiming due actions, recording deliveries, and the
//! states an action moves through.
//!
//! `proposed` (waits for an agent) → `pending` → `in_flight` (leased to a
//! deliverer) → `delivered`, or back to `pending` with a backoff, or `dead`
//! after the last attempt. `cancelled` when its case is resolved first.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::{StoreError, parse_ts, ts};

/// Every status an action can be in.
pub const STATUSES: [&str; 7] = [
    "proposed",
    "held",
    "pending",
    "in_flight",
    "delivered",
    "dead",
    "cancelled",
];

pub(super) const ACTION_COLUMNS: &str = "a.id, a.case_id, a.event_seq, a.type, a.params_json,
    a.idempotency_key, a.status, a.due_at, a.next_attempt_at, a.attempts, a.last_error,
    a.created_at, a.delivered_at, (SELECT order_id FROM cases WHERE id = a.case_id),
    (SELECT id FROM events WHERE seq = a.event_seq), a.incident_id";

pub(super) fn action_json(r: &Row<'_>) -> rusqlite::Result<Value> {
    let params: String = r.get(4)?;
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "case_id": r.get::<_, Option<i64>>(1)?,
        "incident_id": r.get::<_, Option<i64>>(15)?,
        "type": r.get::<_, String>(3)?,
        "params": serde_json::from_str::<Value>(&params).unwrap_or(Value::Null),
        "idempotency_key": r.get::<_, String>(5)?,
        "status": r.get::<_, String>(6)?,
        "due_at": r.get::<_, String>(7)?,
        "next_attempt_at": r.get::<_, String>(8)?,
        "attempts": r.get::<_, i64>(9)?,
        "last_error": r.get::<_, Option<String>>(10)?,
        "created_at": r.get::<_, String>(11)?,
        "delivered_at": r.get::<_, Option<String>>(12)?,
        "order_id": r.get::<_, Option<String>>(13)?,
        "event_id": r.get::<_, Option<String>>(14)?,
    }))
}

/// An action leased to the deliverer.
#[derive(Debug, Clone)]
pub struct ClaimedAction {
    /// Row id.
    pub id: i64,
    /// Attempts before this one.
    pub attempts: i64,
    /// The JSON body that is delivered (the same on every attempt).
    pub body: Value,
    /// The key receivers deduplicate on.
    pub idempotency_key: String,
}

/// How one delivery attempt went.
#[derive(Debug, Clone)]
pub enum DeliveryResult {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed; try again at the given time.
    Retry {
        /// Why.
        error: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// It failed for the last time.
    Dead {
        /// Why.
        error: String,
    },
}

/// Leases up to `limit` due actions for `lease`; an action whose lease ran out
/// (its deliverer crashed) is due again, with the same idempotency key.
pub fn claim(
    conn: &Connection,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
) -> Result<Vec<ClaimedAction>, StoreError> {
    let now_s = ts(now);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} FROM actions a
         WHERE (a.status = 'pending' AND a.next_attempt_at <= ?1)
            OR (a.status = 'in_flight' AND a.lease_until <= ?1)
         ORDER BY a.next_attempt_at, a.id LIMIT ?2"
    ))?;
    let rows: Vec<Value> = stmt
        .query_map(params![now_s, limit as i64], action_json)?
        .collect::<Result<_, _>>()?;
    let until = ts(now + lease);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row["id"].as_i64().unwrap_or_default();
        conn.execute(
            "UPDATE actions SET status = 'in_flight', lease_until = ?2 WHERE id = ?1",
            params![id, until],
        )?;
        out.push(ClaimedAction {
            id,
            attempts: row["attempts"].as_i64().unwrap_or_default(),
            idempotency_key: row["idempotency_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            body: json!({
                "id": row["id"], "type": row["type"], "idempotency_key": row["idempotency_key"],
                "params": row["params"], "case_id": row["case_id"], "order_id": row["order_id"],
                "incident_id": row["incident_id"],
                "event_id": row["event_id"], "due_at": row["due_at"],
            }),
        });
    }
    Ok(out)
}

/// Records how a delivery attempt went.
pub fn finish(
    conn: &Connection,
    id: i64,
    result: &DeliveryResult,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match result {
        DeliveryResult::Delivered => conn.execute(
            "UPDATE actions SET status = 'delivered', attempts = attempts + 1, delivered_at = ?2,
               lease_until = NULL, last_error = NULL WHERE id = ?1 AND status = 'in_flight'",
            params![id, ts(now)],
        )?,
        DeliveryResult::Retry { error, at } => conn.execute(
            "UPDATE actions SET status = 'pending', attempts = attempts + 1, next_attempt_at = ?2,
               lease_until = NULL, last_error = ?3 WHERE id = ?1 AND status = 'in_flight'",
            params![id, ts(*at), error],
        )?,
        DeliveryResult::Dead { error } => conn.execute(
            "UPDATE actions SET status = 'dead', attempts = attempts + 1, lease_until = NULL,
               last_error = ?2 WHERE id = ?1 AND status = 'in_flight'",
            params![id, error],
        )?,
    };
    Ok(())
}

/// Lists actions, newest first, optionally of one status; `before` pages by id.
pub fn list(
    conn: &Connection,
    status: Option<&str>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<Value>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} FROM actions a
         WHERE (?1 IS NULL OR a.status = ?1) AND (?2 IS NULL OR a.id < ?2)
         ORDER BY a.id DESC LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![status, before, limit as i64], action_json)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Moves an action from one of `from` to `to`; names the state it was in when it cannot.
pub fn transition(
    conn: &Connection,
    id: i64,
    from: &[&str],
    to: &str,
    now: DateTime<Utc>,
) -> Result<Value, StoreError> {
    let status: String = conn
        .query_row("SELECT status FROM actions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("action {id}")))?;
    if !from.contains(&status.as_str()) {
        return Err(StoreError::Conflict(format!(
            "action {id} is {status}; only {} actions can become {to}",
            from.join(" or ")
        )));
    }
    // A re-queued action is due now unless it was scheduled for later.
    conn.execute(
        "UPDATE actions SET status = ?2,
           next_attempt_at = CASE WHEN ?2 = 'pending' THEN MAX(due_at, ?3) ELSE next_attempt_at END
         WHERE id = ?1",
        params![id, to, ts(now)],
    )?;
    conn.query_row(
        &format!("SELECT {ACTION_COLUMNS} FROM actions a WHERE a.id = ?1"),
        [id],
        action_json,
    )
    .map_err(Into::into)
}

/// When the next pending action falls due, for the deliverer's sleep.
pub fn next_due(conn: &Connection) -> Result<Option<DateTime<Utc>>, StoreError> {
    let t: Option<String> = conn.query_row(
        "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END)
         FROM actions WHERE status IN ('pending', 'in_flight')",
        [],
        |r| r.get(0),
    )?;
    t.map(|t| parse_ts(&t)).transpose()
}

/// At start-up no delivery of this process is under way: actions left in
/// flight by a previous (crashed) process are due again at once, with the
/// same idempotency key. One service process per database file.
pub fn recover(conn: &Connection) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE actions SET status = 'pending', lease_until = NULL WHERE status = 'in_flight'",
        [],
    )?)
}
