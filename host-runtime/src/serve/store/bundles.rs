//! Rule bundles kept by the service: every upload, and which one is active.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{StoreError, ts};

/// A bundle as listed.
#[derive(Debug, Clone, Serialize)]
pub struct StoredBundle {
    /// Content id.
    pub id: String,
    /// When it was uploaded.
    pub uploaded_at: String,
    /// Its own test cases that passed.
    pub tests_passed: i64,
    /// Its own test cases.
    pub tests_total: i64,
    /// When it was last activated.
    pub activated_at: Option<String>,
    /// Whether it is the one in use.
    pub active: bool,
}

/// Stores a bundle that passed its tests (an upload of a known id refreshes nothing).
pub fn insert(
    conn: &Connection,
    id: &str,
    json: &str,
    passed: usize,
    total: usize,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO bundles(id, bundle_json, uploaded_at, tests_passed, tests_total)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO NOTHING",
        params![id, json, ts(now), passed as i64, total as i64],
    )?;
    Ok(())
}

/// Marks `id` as the active bundle (and no other).
pub fn activate(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE bundles SET active = 1, activated_at = ?2 WHERE id = ?1",
        params![id, ts(now)],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("bundle {id}")));
    }
    conn.execute("UPDATE bundles SET active = 0 WHERE id <> ?1", [id])?;
    Ok(())
}

/// The active bundle's id and JSON.
pub fn active(conn: &Connection) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, bundle_json FROM bundles WHERE active = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// A stored bundle's JSON.
pub fn get(conn: &Connection, id: &str) -> Result<String, StoreError> {
    conn.query_row("SELECT bundle_json FROM bundles WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("bundle {id}")))
}

/// Every stored bundle, newest upload first.
pub fn list(conn: &Connection) -> Result<Vec<StoredBundle>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, uploaded_at, tests_passed, tests_total, activated_at, active FROM bundles
         ORDER BY uploaded_at DESC, id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(StoredBundle {
                id: r.get(0)?,
                uploaded_at: r.get(1)?,
                tests_passed: r.get(2)?,
                tests_total: r.get(3)?,
                activated_at: r.get(4)?,
                active: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
