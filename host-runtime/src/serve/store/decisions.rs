//! Stored decisions, read back for replay.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::{StoreError, ts};

/// A decision as stored with the event it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDecision {
    /// The event's id (the decision's id: one decision per event).
    pub event_id: String,
    /// The bundle that decided.
    pub bundle_id: String,
    /// The answer as stored (compact JSON).
    pub answer_json: String,
    /// The call as evaluated (`None` for decisions stored before calls were kept).
    pub call_json: Option<String>,
}

/// A row as read, the call still compressed.
struct Row {
    event_id: String,
    bundle_id: String,
    answer_json: String,
    call_z: Option<Vec<u8>>,
    call_json: Option<String>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        event_id: r.get(0)?,
        bundle_id: r.get(1)?,
        answer_json: r.get(2)?,
        call_z: r.get(3)?,
        call_json: r.get(4)?,
    })
}

impl Row {
    fn decode(self) -> Result<StoredDecision, StoreError> {
        Ok(StoredDecision {
            event_id: self.event_id,
            bundle_id: self.bundle_id,
            answer_json: self.answer_json,
            call_json: super::envelope::call_of(self.call_z, self.call_json)?,
        })
    }
}

/// The decision on event `event_id`.
pub fn for_event(conn: &Connection, event_id: &str) -> Result<StoredDecision, StoreError> {
    conn.query_row(
        "SELECT e.id, d.bundle_id, d.answer_json, d.call_z, d.call_json
         FROM events e JOIN decisions d ON d.event_seq = e.seq WHERE e.id = ?1
         ORDER BY e.seq DESC LIMIT 1",
        [event_id],
        row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("a decision on event `{event_id}`")))?
    .decode()
}

/// A stored decision with its exception kind, for a what-if run.
#[derive(Debug, Clone, PartialEq)]
pub struct KindedDecision {
    /// The decision.
    pub decision: StoredDecision,
    /// The event's exception kind.
    pub kind: String,
}

/// Decisions on events received at or after `since`, oldest first, at most
/// `limit` of them (only those whose call was kept).
pub fn since(
    conn: &Connection,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<KindedDecision>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT e.id, d.bundle_id, d.answer_json, d.call_z, d.call_json, e.kind
         FROM events e JOIN decisions d ON d.event_seq = e.seq
         WHERE e.received_at >= ?1 AND (d.call_z IS NOT NULL OR d.call_json IS NOT NULL)
         ORDER BY e.seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![ts(since), limit as i64], |r| {
        Ok((row(r)?, r.get::<_, String>(5)?))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (r, kind) = r?;
        out.push(KindedDecision {
            decision: r.decode()?,
            kind,
        });
    }
    Ok(out)
}
