//! The service's durable state in one SQLite file.
//!
//! One writer connection (SQLite allows one writer at a time anyway) and a
//! small pool of readers; WAL journaling with `synchronous = FULL`, so a
//! committed transaction survives a crash or power loss before the service
//! answers 2xx.

pub mod bundles;
pub mod cases;
pub mod decisions;
pub mod envelope;
pub mod incidents;
pub mod intake;
pub mod outbox;
pub mod retries;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use thiserror::Error;

pub use bundles::StoredBundle;
pub use cases::{CaseFilter, CaseSort, Cursor, NewNote, QueueCounts};
pub use intake::{ActionDraft, CaseFields, RecordOutcome, TriageRecord};
pub use outbox::{ClaimedAction, DeliveryResult};

/// Schema version written into the file.
const SCHEMA_VERSION: &str = "1";
const READERS: usize = 4;

/// Why the store failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored document does not parse.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The file was written by a newer ordex.
    #[error("the database schema is version {found}; this ordex reads version {SCHEMA_VERSION}")]
    Version {
        /// The version found in the file.
        found: String,
    },
    /// A lock was poisoned by a panicking thread.
    #[error("the store lock is poisoned")]
    Poisoned,
    /// Something asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
}

/// The SQLite-backed store.
pub struct Store {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text, so text order is time order.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a stored timestamp.
pub fn parse_ts(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{text}`: {e}")))
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// Additive changes to a schema-1 file written by an earlier ordex.
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let has_hash: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('events') WHERE name = 'content_hash'",
        [],
        |r| r.get(0),
    )?;
    if !has_hash {
        conn.execute_batch("ALTER TABLE events ADD COLUMN content_hash TEXT")?;
    }
    let column = |table: &str, name: &str| -> Result<Option<bool>, StoreError> {
        Ok(conn
            .query_row(
                &format!("SELECT \"notnull\" FROM pragma_table_info('{table}') WHERE name = ?1"),
                [name],
                |r| r.get::<_, bool>(0),
            )
            .optional()?)
    };
    if column("decisions", "call_json")?.is_none() {
        conn.execute_batch("ALTER TABLE decisions ADD COLUMN call_json TEXT")?;
    }
    if column("decisions", "call_z")?.is_none() {
        conn.execute_batch("ALTER TABLE decisions ADD COLUMN call_z BLOB")?;
    }
    if column("cases", "incident_id")?.is_none() {
        conn.execute_batch("ALTER TABLE cases ADD COLUMN incident_id INTEGER")?;
    }
    // Actions of incidents have no case: rebuild an older outbox table
    // whose case and event were required.
    if column("actions", "case_id")? == Some(true) {
        // SQLite's table-rebuild procedure: references off while the table
        // is copied and renamed, in one transaction.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE actions_v2 (
                id               INTEGER PRIMARY KEY,
                case_id          INTEGER REFERENCES cases(id),
                event_seq        INTEGER REFERENCES events(seq),
                incident_id      INTEGER REFERENCES incidents(id),
                type             TEXT NOT NULL,
                params_json      TEXT NOT NULL,
                idempotency_key  TEXT NOT NULL UNIQUE,
                status           TEXT NOT NULL,
                due_at           TEXT NOT NULL,
                next_attempt_at  TEXT NOT NULL,
                attempts         INTEGER NOT NULL DEFAULT 0,
                lease_until      TEXT,
                last_error       TEXT,
                created_at       TEXT NOT NULL,
                delivered_at     TEXT
             );
             INSERT INTO actions_v2(id, case_id, event_seq, type, params_json, idempotency_key, status,
                 due_at, next_attempt_at, attempts, lease_until, last_error, created_at, delivered_at)
               SELECT id, case_id, event_seq, type, params_json, idempotency_key, status,
                 due_at, next_attempt_at, attempts, lease_until, last_error, created_at, delivered_at
               FROM actions;
             DROP TABLE actions;
             ALTER TABLE actions_v2 RENAME TO actions;
             CREATE INDEX IF NOT EXISTS actions_due ON actions(status, next_attempt_at);
             CREATE INDEX IF NOT EXISTS actions_case ON actions(case_id);
             COMMIT;",
        )?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS cases_incident ON cases(incident_id) WHERE incident_id IS NOT NULL;
         CREATE INDEX IF NOT EXISTS actions_incident ON actions(incident_id) WHERE incident_id IS NOT NULL;",
    )?;
    Ok(())
}

impl Store {
    /// Opens (creating when absent) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let writer = connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.execute_batch(include_str!("schema.sql"))?;
        let found: Option<String> = writer
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .ok();
        match found {
            None => {
                writer.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION],
                )?;
            }
            Some(v) if v == SCHEMA_VERSION => {}
            Some(found) => return Err(StoreError::Version { found }),
        }
        migrate(&writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?);
        }
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Mutex::new(readers),
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it is committed, or none.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a reader connection (a consistent snapshot of committed data).
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.readers.lock().map_err(|_| StoreError::Poisoned)?.pop();
        let conn = match pooled {
            Some(c) => c,
            None => connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        };
        let out = {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx);
            drop(tx);
            out
        };
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < READERS
        {
            pool.push(conn);
        }
        out
    }

    /// Whether the database answers.
    pub fn ping(&self) -> bool {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_outbox_whose_actions_needed_a_case_is_rebuilt_keeping_its_rows() {
        let dir = std::env::temp_dir().join(format!("ordex-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            // The outbox as ordex wrote it before incidents existed.
            conn.execute_batch(
                "CREATE TABLE actions (
                    id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, event_seq INTEGER NOT NULL,
                    type TEXT NOT NULL, params_json TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL, due_at TEXT NOT NULL, next_attempt_at TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, lease_until TEXT, last_error TEXT,
                    created_at TEXT NOT NULL, delivered_at TEXT);
                 INSERT INTO actions(case_id, event_seq, type, params_json, idempotency_key, status, due_at, next_attempt_at, created_at)
                   VALUES (1, 1, 'notify_customer', '{}', 'k1', 'delivered', 't', 't', 't');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        store
            .read(|c| {
                let required: bool = c.query_row(
                    "SELECT \"notnull\" FROM pragma_table_info('actions') WHERE name = 'case_id'",
                    [],
                    |r| r.get(0),
                )?;
                assert!(!required);
                let kept: String = c.query_row(
                    "SELECT idempotency_key FROM actions WHERE id = 1",
                    [],
                    |r| r.get(0),
                )?;
                assert_eq!(kept, "k1");
                let has: i64 = c.query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('cases') WHERE name = 'incident_id'",
                    [],
                    |r| r.get(0),
                )?;
                assert_eq!(has, 1);
                Ok(())
            })
            .unwrap();
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
