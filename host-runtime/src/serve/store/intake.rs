//! Writing an accepted event, its decision, its case and its actions in one transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{StoreError, ts};

/// One action to put in the outbox.
#[derive(Debug, Clone)]
pub struct ActionDraft {
    /// Action type (`retry_payment`, `notify_customer`, …).
    pub kind: String,
    /// Parameters from the decision.
    pub params: Value,
    /// Stored once, ever: a second draft with the same key is dropped.
    pub idempotency_key: String,
    /// `pending` (will be delivered), `proposed` (waits for an agent) or
    /// `held` (waits for `incident_id` to be resolved).
    pub status: &'static str,
    /// Not delivered before this time.
    pub due_at: DateTime<Utc>,
    /// The incident a `held` action waits for.
    pub incident_id: Option<i64>,
}

/// Everything stored for one accepted event.
#[derive(Debug, Clone)]
pub struct TriageRecord {
    /// Event id (idempotency key of intake).
    pub id: String,
    /// Where it came from (`api`, `stripe`, `easypost`, `aftership`).
    pub source: String,
    /// Exception kind.
    pub kind: String,
    /// Order the case groups by.
    pub order_id: String,
    /// Customer, when known.
    pub customer_id: Option<String>,
    /// Customer tier, when known.
    pub customer_tier: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the service accepted it (the `now` of the evaluation).
    pub received_at: DateTime<Utc>,
    /// The shipment's tracking number (carrier exceptions), for provider webhooks.
    pub tracking: Option<String>,
    /// The normalized event, as received.
    pub event_json: String,
    /// The provider payload it was normalized from.
    pub raw_payload: Option<String>,
    /// sha256 of the canonical content (see [`crate::serve::event_id`]).
    pub content_hash: String,
    /// The bundle that evaluated it.
    pub bundle_id: String,
    /// The answer of the triage entry (`{ok}` or `{errors}`).
    pub answer_json: String,
    /// The triage call envelope that gave it.
    pub call_json: String,
    /// Decision fields, or the fallback used when rules failed.
    pub case: CaseFields,
    /// The retry plan, for retryable payment declines.
    pub retry_plan: Option<String>,
    /// Wasm instructions the evaluation used.
    pub fuel: Option<u64>,
    /// Time spent in the rules (not stored; for metrics).
    pub elapsed: std::time::Duration,
    /// Whether the rules answered with a decision.
    pub ok: bool,
    /// The outbox entries.
    pub actions: Vec<ActionDraft>,
}

/// What a decision says about the case.
#[derive(Debug, Clone)]
pub struct CaseFields {
    /// Category.
    pub category: String,
    /// Route (`self_heal`, `agent`, `auto_close`, `escalate`).
    pub route: String,
    /// Urgency (`P1` … `P4`).
    pub urgency: String,
    /// Priority score.
    pub priority_score: i64,
    /// SLA due.
    pub sla_due: DateTime<Utc>,
}

/// What was stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordOutcome {
    /// Event sequence number.
    pub seq: i64,
    /// Case the event joined.
    pub case_id: i64,
    /// Whether that case was opened by this event.
    pub case_opened: bool,
    /// Outbox entries: (id, idempotency key, status); a key stored before is skipped.
    pub actions: Vec<(i64, String, String)>,
}

/// An event id accepted before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredId {
    /// The case it joined.
    pub case_id: i64,
    /// Its content hash (absent for events stored before hashes were kept).
    pub content_hash: Option<String>,
}

/// The stored case and content hash of an event id, if it was accepted before.
pub fn find_event(conn: &Connection, id: &str) -> Result<Option<StoredId>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT case_id, content_hash FROM events WHERE id = ?1",
            [id],
            |r| {
                Ok(StoredId {
                    case_id: r.get(0)?,
                    content_hash: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// The open case of an order: its route.
pub fn open_case_route(conn: &Connection, order_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT route FROM cases WHERE order_id = ?1 AND status = 'open'",
            [order_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Payment attempts already reported for `order_id`, oldest first, without repeats.
pub fn prior_attempts(conn: &Connection, order_id: &str) -> Result<Vec<Value>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_json FROM events WHERE order_id = ?1 AND kind = 'payment_declined' ORDER BY seq",
    )?;
    let rows = stmt.query_map([order_id], |r| r.get::<_, String>(0))?;
    let mut out: Vec<Value> = Vec::new();
    for row in rows {
        let event: Value =
            serde_json::from_str(&row?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        add_attempts(&event, &mut out);
    }
    Ok(out)
}

/// Adds the attempts a payment-declined event reports (its earlier ones and
/// its own) to `out`, without repeats.
pub fn add_attempts(event: &Value, out: &mut Vec<Value>) {
    let ex = &event["exception"];
    let earlier = ex["previous_attempts"].as_array().into_iter().flatten();
    for a in earlier.chain(std::iter::once(&ex["payment"])) {
        if !out.iter().any(|o| same_attempt(o, a)) {
            out.push(a.clone());
        }
    }
}

/// Two reports describe one attempt when they share an id, or (without ids) a time and amount.
pub fn same_attempt(a: &Value, b: &Value) -> bool {
    match (a["id"].as_str(), b["id"].as_str()) {
        (Some(x), Some(y)) => x == y,
        _ => a["at"] == b["at"] && a["amount_minor"] == b["amount_minor"],
    }
}

/// Open cases of a customer, and open cases waiting for people.
pub fn context_counts(
    conn: &Connection,
    customer_id: Option<&str>,
    order_id: &str,
) -> Result<(u32, u32), StoreError> {
    let open_for_customer: i64 = match customer_id {
        Some(c) => conn.query_row(
            "SELECT COUNT(*) FROM cases WHERE customer_id = ?1 AND status = 'open' AND order_id <> ?2",
            params![c, order_id],
            |r| r.get(0),
        )?,
        None => 0,
    };
    let queue: i64 = conn.query_row(
        "SELECT COUNT(*) FROM cases WHERE status = 'open' AND route IN ('agent', 'escalate')",
        [],
        |r| r.get(0),
    )?;
    Ok((
        u32::try_from(open_for_customer).unwrap_or(u32::MAX),
        u32::try_from(queue).unwrap_or(u32::MAX),
    ))
}

/// How far a route takes a case from automation: a case keeps its highest.
pub fn route_rank(route: &str) -> u8 {
    match route {
        "escalate" => 3,
        "agent" => 2,
        "self_heal" => 1,
        _ => 0,
    }
}

/// Stores the event, its decision, its case and its actions (inside the caller's transaction).
pub fn record(conn: &Connection, r: &TriageRecord) -> Result<RecordOutcome, StoreError> {
    let now = ts(r.received_at);
    let open: Option<(i64, String, String, String, i64, String)> = conn
        .query_row(
            "SELECT id, kinds, route, urgency, priority_score, sla_due FROM cases
             WHERE order_id = ?1 AND status = 'open'",
            [&r.order_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )
        .optional()?;
    let c = &r.case;
    let (case_id, case_opened) = match open {
        Some((id, kinds, route, urgency, score, sla_due)) => {
            let mut kinds: Vec<String> =
                serde_json::from_str(&kinds).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if !kinds.contains(&r.kind) {
                kinds.push(r.kind.clone());
            }
            // A case is as urgent as its most urgent exception.
            let route = if route_rank(&c.route) > route_rank(&route) {
                c.route.clone()
            } else {
                route
            };
            let urgency = if c.urgency < urgency {
                c.urgency.clone()
            } else {
                urgency
            };
            let sla = ts(c.sla_due);
            let sla_due = if sla < sla_due { sla } else { sla_due };
            conn.execute(
                "UPDATE cases SET kind = ?2, kinds = ?3, category = ?4, route = ?5, urgency = ?6,
                   priority_score = ?7, sla_due = ?8, updated_at = ?9,
                   event_count = event_count + 1, last_event_seq = -1,
                   customer_id = COALESCE(?10, customer_id), customer_tier = COALESCE(?11, customer_tier)
                 WHERE id = ?1",
                params![
                    id,
                    r.kind,
                    serde_json::to_string(&kinds).unwrap_or_default(),
                    c.category,
                    route,
                    urgency,
                    score.max(c.priority_score),
                    sla_due,
                    now,
                    r.customer_id,
                    r.customer_tier,
                ],
            )?;
            (id, false)
        }
        None => {
            // A decision that closes itself still leaves a (closed) case behind, for the record.
            let (status, outcome, resolved_at) = if c.route == "auto_close" {
                ("closed", Some("auto_closed"), Some(now.clone()))
            } else {
                ("open", None, None)
            };
            conn.execute(
                "INSERT INTO cases(order_id, customer_id, customer_tier, kind, kinds, category, status,
                   route, urgency, priority_score, sla_due, opened_at, updated_at, event_count,
                   last_event_seq, outcome, resolved_at, resolved_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, 1, -1, ?13, ?14,
                   CASE WHEN ?13 IS NULL THEN NULL ELSE 'ordex' END)",
                params![
                    r.order_id,
                    r.customer_id,
                    r.customer_tier,
                    r.kind,
                    serde_json::to_string(&[&r.kind]).unwrap_or_default(),
                    c.category,
                    status,
                    c.route,
                    c.urgency,
                    c.priority_score,
                    ts(c.sla_due),
                    now,
                    outcome,
                    resolved_at,
                ],
            )?;
            (conn.last_insert_rowid(), true)
        }
    };
    conn.execute(
        "INSERT INTO events(id, source, kind, order_id, customer_id, occurred_at, received_at,
           case_id, event_json, raw_payload, tracking, content_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            r.id,
            r.source,
            r.kind,
            r.order_id,
            r.customer_id,
            ts(r.occurred_at),
            now,
            case_id,
            r.event_json,
            r.raw_payload,
            r.tracking,
            r.content_hash,
        ],
    )?;
    let seq = conn.last_insert_rowid();
    conn.execute(
        "UPDATE cases SET last_event_seq = ?2 WHERE id = ?1",
        params![case_id, seq],
    )?;
    conn.execute(
        "INSERT INTO decisions(event_seq, bundle_id, evaluated_at, ok, route, answer_json, retry_plan, fuel, call_z)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            r.bundle_id,
            now,
            r.ok,
            c.route,
            r.answer_json,
            r.retry_plan,
            r.fuel.map(|f| i64::try_from(f).unwrap_or(i64::MAX)),
            super::envelope::pack(&r.call_json),
        ],
    )?;
    let mut actions = Vec::new();
    for a in &r.actions {
        // An incident resolved since the rules ran holds nothing back.
        let status = match a.incident_id {
            Some(id) if a.status == "held" => {
                let open: bool = conn.query_row(
                    "SELECT COUNT(*) > 0 FROM incidents WHERE id = ?1 AND status != 'resolved'",
                    [id],
                    |r| r.get(0),
                )?;
                if open { "held" } else { "pending" }
            }
            _ => a.status,
        };
        let inserted = conn.execute(
            "INSERT INTO actions(case_id, event_seq, type, params_json, idempotency_key, status,
               due_at, next_attempt_at, created_at, incident_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)
             ON CONFLICT(idempotency_key) DO NOTHING",
            params![
                case_id,
                seq,
                a.kind,
                a.params.to_string(),
                a.idempotency_key,
                status,
                ts(a.due_at),
                now,
                a.incident_id,
            ],
        )?;
        if inserted == 1 {
            actions.push((
                conn.last_insert_rowid(),
                a.idempotency_key.clone(),
                status.to_owned(),
            ));
        }
    }
    Ok(RecordOutcome {
        seq,
        case_id,
        case_opened,
        actions,
    })
}

/// The latest stored event about a shipment with this tracking number: its
/// order and customer are what a carrier webhook (which knows neither) belongs to.
pub fn event_for_tracking(conn: &Connection, tracking: &str) -> Result<Option<Value>, StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT event_json FROM events WHERE tracking = ?1 ORDER BY seq DESC LIMIT 1",
            [tracking],
            |r| r.get(0),
        )
        .optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}
