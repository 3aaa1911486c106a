//! Watched series (bucket counts with their detector state) and incidents.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::{StoreError, parse_ts, ts};

/// One point of a series' recent history (what the console charts).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// Bucket start.
    pub at: String,
    /// Events counted in the bucket.
    pub count: u64,
    /// The baseline count per bucket the detector compared it with.
    pub baseline: f64,
    /// The detector's score after the bucket (0..=1, 1 = alarm), upward.
    pub up: f64,
    /// The same, downward.
    pub down: f64,
}

/// Buckets of history kept per series.
pub const HISTORY: usize = 288;

/// A watched series as stored.
#[derive(Debug, Clone)]
pub struct SeriesRow {
    /// What is counted.
    pub metric: String,
    /// For what.
    pub scope: String,
    /// Start of the bucket being counted.
    pub bucket_start: DateTime<Utc>,
    /// Events in it so far.
    pub count: u64,
    /// The detector's state (JSON of `DetectorState`).
    pub state: Value,
    /// Closed buckets, oldest first, at most [`HISTORY`].
    pub history: Vec<Point>,
}

fn series_row(r: &Row<'_>) -> rusqlite::Result<(String, String, String, i64, String, String)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn decode(raw: (String, String, String, i64, String, String)) -> Result<SeriesRow, StoreError> {
    let (metric, scope, start, count, state, history) = raw;
    Ok(SeriesRow {
        bucket_start: parse_ts(&start)?,
        count: u64::try_from(count).unwrap_or_default(),
        state: serde_json::from_str(&state)
            .map_err(|e| StoreError::Corrupt(format!("series {metric} {scope} state: {e}")))?,
        history: serde_json::from_str(&history)
            .map_err(|e| StoreError::Corrupt(format!("series {metric} {scope} history: {e}")))?,
        metric,
        scope,
    })
}

const SERIES_COLUMNS: &str = "metric, scope, bucket_start, count, state_json, history_json";

/// The stored series, if any.
pub fn load_series(
    conn: &Connection,
    metric: &str,
    scope: &str,
) -> Result<Option<SeriesRow>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {SERIES_COLUMNS} FROM series WHERE metric = ?1 AND scope = ?2"
        ))?
        .query_row(params![metric, scope], series_row)
        .optional()?;
    raw.map(decode).transpose()
}

/// When the series' current bucket started, if the series exists.
pub fn bucket_of(
    conn: &Connection,
    metric: &str,
    scope: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let t: Option<String> = conn
        .prepare_cached("SELECT bucket_start FROM series WHERE metric = ?1 AND scope = ?2")?
        .query_row(params![metric, scope], |r| r.get(0))
        .optional()?;
    t.map(|t| parse_ts(&t)).transpose()
}

/// Counts one more event in the series' current bucket (the common case:
/// no detector step, no JSON).
pub fn bump(conn: &Connection, metric: &str, scope: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE series SET count = count + 1 WHERE metric = ?1 AND scope = ?2")?
        .execute(params![metric, scope])?;
    Ok(())
}

/// Series whose current bucket started before `before` (so has ended).
pub fn series_due(
    conn: &Connection,
    before: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<SeriesRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SERIES_COLUMNS} FROM series WHERE bucket_start < ?1
         ORDER BY bucket_start, metric, length(scope), scope LIMIT ?2"
    ))?;
    let raws = stmt
        .query_map(params![ts(before), limit as i64], series_row)?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter().map(decode).collect()
}

/// How many series are watched.
pub fn series_count(conn: &Connection) -> Result<usize, StoreError> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM series", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or_default())
}

/// Writes a series.
pub fn save_series(conn: &Connection, s: &SeriesRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO series(metric, scope, bucket_start, count, state_json, history_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(metric, scope) DO UPDATE SET bucket_start = ?3, count = ?4, state_json = ?5, history_json = ?6",
    )?
    .execute(params![
        s.metric,
        s.scope,
        ts(s.bucket_start),
        i64::try_from(s.count).unwrap_or(i64::MAX),
        s.state.to_string(),
        serde_json::to_string(&s.history).unwrap_or_else(|_| "[]".into()),
    ])?;
    Ok(())
}

/// A new incident.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    /// `declines_surge`, `source_silent`, …
    pub kind: &'a str,
    /// The series.
    pub metric: &'a str,
    /// Its scope.
    pub scope: &'a str,
    /// `up` or `down`.
    pub direction: &'a str,
    /// The change point: when the series began to move.
    pub started_at: DateTime<Utc>,
    /// The score at opening.
    pub score: f64,
    /// The baseline per bucket.
    pub baseline: f64,
    /// The series and scores around the change.
    pub evidence: Value,
}

/// Opens an incident; returns its id.
pub fn open_incident(
    conn: &Connection,
    i: &NewIncident<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO incidents(kind, metric, scope, direction, status, started_at, opened_at, peak_score, baseline, evidence_json)
         VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, ?7, ?8, ?9)",
        params![i.kind, i.metric, i.scope, i.direction, ts(i.started_at), ts(now), i.score, i.baseline, i.evidence.to_string()],
    )?;
    let id = conn.last_insert_rowid();
    // The outbox tells the operators' channel (at least once, signed).
    conn.execute(
        "INSERT INTO actions(case_id, event_seq, incident_id, type, params_json, idempotency_key, status,
           due_at, next_attempt_at, created_at)
         VALUES (NULL, NULL, ?1, 'notify_incident', ?2, ?3, 'pending', ?4, ?4, ?4)
         ON CONFLICT(idempotency_key) DO NOTHING",
        params![
            id,
            json!({"incident_id": id, "kind": i.kind, "metric": i.metric, "scope": i.scope, "direction": i.direction,
                   "started_at": ts(i.started_at), "score": i.score, "baseline": i.baseline}).to_string(),
            format!("incident:{id}:opened"),
            ts(now),
        ],
    )?;
    Ok(id)
}

/// The unresolved incident on a series, if any: (id, direction).
pub fn unresolved_on(
    conn: &Connection,
    metric: &str,
    scope: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, direction FROM incidents WHERE metric = ?1 AND scope = ?2 AND status != 'resolved'")?
        .query_row(params![metric, scope], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Raises an unresolved incident's peak score.
pub fn raise_peak(conn: &Connection, id: i64, score: f64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE incidents SET peak_score = MAX(peak_score, ?2) WHERE id = ?1")?
        .execute(params![id, score])?;
    Ok(())
}

const INCIDENT_COLUMNS: &str = "id, kind, metric, scope, direction, status, started_at, opened_at,
    acknowledged_at, acknowledged_by, resolved_at, resolved_by, peak_score, baseline, evidence_json,
    (SELECT COUNT(*) FROM cases WHERE incident_id = incidents.id)";

fn incident_json(r: &Row<'_>, evidence: bool) -> rusqlite::Result<Value> {
    let mut v = json!({
        "id": r.get::<_, i64>(0)?,
        "kind": r.get::<_, String>(1)?,
        "metric": r.get::<_, String>(2)?,
        "scope": r.get::<_, String>(3)?,
        "direction": r.get::<_, String>(4)?,
        "status": r.get::<_, String>(5)?,
        "started_at": r.get::<_, String>(6)?,
        "opened_at": r.get::<_, String>(7)?,
        "acknowledged_at": r.get::<_, Option<String>>(8)?,
        "acknowledged_by": r.get::<_, Option<String>>(9)?,
        "resolved_at": r.get::<_, Option<String>>(10)?,
        "resolved_by": r.get::<_, Option<String>>(11)?,
        "peak_score": r.get::<_, f64>(12)?,
        "baseline": r.get::<_, f64>(13)?,
        "cases": r.get::<_, i64>(15)?,
    });
    if evidence {
        let text: String = r.get(14)?;
        v["evidence"] = serde_json::from_str(&text).unwrap_or(Value::Null);
    }
    Ok(v)
}

/// Incidents, newest first; `status` `open` means not resolved.
pub fn list(
    conn: &Connection,
    status: Option<&str>,
    limit: usize,
) -> Result<Vec<Value>, StoreError> {
    let filter = match status {
        Some("open") => "WHERE status != 'resolved'",
        Some("acknowledged") => "WHERE status = 'acknowledged'",
        Some("resolved") => "WHERE status = 'resolved'",
        _ => "",
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents {filter} ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt
        .query_map([limit as i64], |r| incident_json(r, false))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One incident with its evidence and the series' latest history.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Value>, StoreError> {
    let found = conn
        .query_row(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1"),
            [id],
            |r| incident_json(r, true),
        )
        .optional()?;
    let Some(mut v) = found else { return Ok(None) };
    let (metric, scope) = (
        v["metric"].as_str().unwrap_or(""),
        v["scope"].as_str().unwrap_or(""),
    );
    if let Some(s) = load_series(conn, metric, scope)? {
        v["series"] = json!(s.history);
    }
    Ok(Some(v))
}

/// What rules see of the incidents that are not resolved (`ctx.incidents`).
pub fn unresolved_refs(conn: &Connection) -> Result<Vec<Value>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, metric, scope, direction, status, started_at FROM incidents
         WHERE status != 'resolved' ORDER BY id LIMIT 100",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "kind": r.get::<_, String>(1)?, "metric": r.get::<_, String>(2)?,
                "scope": r.get::<_, String>(3)?, "direction": r.get::<_, String>(4)?,
                "status": r.get::<_, String>(5)?, "started_at": r.get::<_, String>(6)?,
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Why an incident could not change state.
#[derive(Debug)]
pub enum Transition {
    /// Done; the incident as it now stands.
    Done(Value),
    /// No such incident.
    Missing,
    /// Already resolved.
    Resolved,
}

/// Why an incident cannot change state: it does not exist or is resolved.
fn refuse_change(conn: &Connection, id: i64) -> Result<Option<Transition>, StoreError> {
    let status: Option<String> = conn
        .query_row("SELECT status FROM incidents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match status.as_deref() {
        None => Some(Transition::Missing),
        Some("resolved") => Some(Transition::Resolved),
        _ => None,
    })
}

/// Marks an incident acknowledged by `by`.
pub fn acknowledge(
    conn: &Connection,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Transition, StoreError> {
    if let Some(refused) = refuse_change(conn, id)? {
        return Ok(refused);
    }
    conn.execute(
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, ?2),
           acknowledged_by = COALESCE(acknowledged_by, ?3) WHERE id = ?1",
        params![id, ts(now), by],
    )?;
    Ok(get(conn, id)?.map_or(Transition::Missing, Transition::Done))
}

/// Resolves an incident and releases the actions held for it (payment
/// retries that waited for the gateway) at `now` or their planned time.
pub fn resolve(
    conn: &Connection,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Transition, StoreError> {
    if let Some(refused) = refuse_change(conn, id)? {
        return Ok(refused);
    }
    let now_s = ts(now);
    conn.execute(
        "UPDATE incidents SET status = 'resolved', resolved_at = ?2, resolved_by = ?3 WHERE id = ?1",
        params![id, now_s, by],
    )?;
    conn.execute(
        "UPDATE actions SET status = 'pending', next_attempt_at = MAX(due_at, ?2)
         WHERE incident_id = ?1 AND status = 'held'",
        params![id, now_s],
    )?;
    Ok(get(conn, id)?.map_or(Transition::Missing, Transition::Done))
}

/// Links a case to an incident.
pub fn link_case(conn: &Connection, case_id: i64, incident_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE cases SET incident_id = ?2 WHERE id = ?1 AND incident_id IS NULL")?
        .execute(params![case_id, incident_id])?;
    Ok(())
}
