//! The agent queue: listing, reading, assigning, annotating and resolving cases.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter, types::Value as Sql};
use serde_json::{Value, json};

use super::{StoreError, parse_ts, ts};

/// Queue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSort {
    /// Highest priority score first.
    Priority,
    /// Earliest SLA due first.
    SlaDue,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// `open`, `resolved` or `closed`.
    pub status: Option<String>,
    /// Exception kind of any event in the case.
    pub kind: Option<String>,
    /// Customer tier.
    pub tier: Option<String>,
    /// Route.
    pub route: Option<String>,
    /// Urgency.
    pub urgency: Option<String>,
    /// Assignee; `none` for unassigned.
    pub assignee: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Order id.
    pub order_id: Option<String>,
}

/// A note to add.
#[derive(Debug, Clone)]
pub struct NewNote {
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub text: String,
}

/// Gauges for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct QueueCounts {
    /// Open cases waiting for people.
    pub agent_queue: i64,
    /// Open cases of any route.
    pub open_cases: i64,
    /// Outbox entries per status.
    pub actions_by_status: Vec<(String, i64)>,
    /// Seconds since the oldest due pending action became due.
    pub outbox_lag_seconds: f64,
    /// Incidents not resolved yet.
    pub open_incidents: i64,
}

const CASE_COLUMNS: &str =
    "id, order_id, customer_id, customer_tier, kind, kinds, category, status, route,
    urgency, priority_score, sla_due, assignee, opened_at, updated_at, event_count, outcome,
    resolved_at, resolved_by, incident_id";

fn case_json(r: &Row<'_>) -> rusqlite::Result<Value> {
    let kinds: String = r.get(5)?;
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "order_id": r.get::<_, String>(1)?,
        "customer_id": r.get::<_, Option<String>>(2)?,
        "customer_tier": r.get::<_, Option<String>>(3)?,
        "kind": r.get::<_, String>(4)?,
        "kinds": serde_json::from_str::<Value>(&kinds).unwrap_or(Value::Null),
        "category": r.get::<_, String>(6)?,
        "status": r.get::<_, String>(7)?,
        "route": r.get::<_, String>(8)?,
        "urgency": r.get::<_, String>(9)?,
        "priority_score": r.get::<_, i64>(10)?,
        "sla_due": r.get::<_, String>(11)?,
        "assignee": r.get::<_, Option<String>>(12)?,
        "opened_at": r.get::<_, String>(13)?,
        "updated_at": r.get::<_, String>(14)?,
        "event_count": r.get::<_, i64>(15)?,
        "outcome": r.get::<_, Option<String>>(16)?,
        "resolved_at": r.get::<_, Option<String>>(17)?,
        "resolved_by": r.get::<_, Option<String>>(18)?,
        "incident_id": r.get::<_, Option<i64>>(19)?,
    }))
}

/// Where the previous page ended: the sort key and the case id.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    /// Priority score or SLA due of the last case returned.
    pub key: Value,
    /// Its id.
    pub id: i64,
}

/// One page of the queue, and the cursor of the next page when there is one.
pub fn list(
    conn: &Connection,
    filter: &CaseFilter,
    sort: CaseSort,
    after: Option<&Cursor>,
    limit: usize,
) -> Result<(Vec<Value>, Option<Cursor>), StoreError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Sql> = Vec::new();
    let mut eq = |column: &str, value: &Option<String>| {
        if let Some(v) = value {
            args.push(Sql::Text(v.clone()));
            clauses.push(format!("{column} = ?{}", args.len()));
        }
    };
    eq("status", &filter.status);
    eq("customer_tier", &filter.tier);
    eq("route", &filter.route);
    eq("urgency", &filter.urgency);
    eq("customer_id", &filter.customer_id);
    eq("order_id", &filter.order_id);
    match filter.assignee.as_deref() {
        Some("none") => clauses.push("assignee IS NULL".into()),
        Some(a) => {
            args.push(Sql::Text(a.to_owned()));
            clauses.push(format!("assignee = ?{}", args.len()));
        }
        None => {}
    }
    if let Some(kind) = &filter.kind {
        // `kinds` is a JSON array of the case's exception kinds.
        args.push(Sql::Text(kind.clone()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM json_each(cases.kinds) WHERE json_each.value = ?{})",
            args.len()
        ));
    }
    let order = match sort {
        CaseSort::Priority => {
            if let Some(c) = after {
                args.push(Sql::Integer(c.key.as_i64().unwrap_or(0)));
                args.push(Sql::Integer(c.id));
                clauses.push(format!(
                    "(priority_score < ?{a} OR (priority_score = ?{a} AND id > ?{b}))",
                    a = args.len() - 1,
                    b = args.len()
                ));
            }
            // Ties break by id only, so the cursor stays exact.
            "priority_score DESC, id ASC"
        }
        CaseSort::SlaDue => {
            if let Some(c) = after {
                args.push(Sql::Text(c.key.as_str().unwrap_or_default().to_owned()));
                args.push(Sql::Integer(c.id));
                clauses.push(format!(
                    "(sla_due > ?{a} OR (sla_due = ?{a} AND id > ?{b}))",
                    a = args.len() - 1,
                    b = args.len()
                ));
            }
            "sla_due ASC, id ASC"
        }
    };
    let where_clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases {where_clause} ORDER BY {order} LIMIT {}",
        limit + 1
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows: Vec<Value> = stmt
        .query_map(params_from_iter(args.iter()), case_json)?
        .collect::<Result<_, _>>()?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| Cursor {
            key: match sort {
                CaseSort::Priority => last["priority_score"].clone(),
                CaseSort::SlaDue => last["sla_due"].clone(),
            },
            id: last["id"].as_i64().unwrap_or(0),
        })
    } else {
        None
    };
    Ok((rows, next))
}

/// One case as the agent console shows it.
pub fn detail(conn: &Connection, id: i64) -> Result<Value, StoreError> {
    let mut case = conn
        .query_row(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"),
            [id],
            case_json,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.id, e.source, e.kind, e.occurred_at, e.received_at, e.event_json,
                d.bundle_id, d.ok, d.route, d.answer_json, d.retry_plan, d.fuel, d.call_z, d.call_json
         FROM events e JOIN decisions d ON d.event_seq = e.seq
         WHERE e.case_id = ?1 ORDER BY e.seq",
    )?;
    let mut timeline = Vec::new();
    let mut latest_event = Value::Null;
    let mut latest_decision = Value::Null;
    // The latest decision's call, still compressed: only that one is read.
    let mut latest_call: (Option<Vec<u8>>, Option<String>) = (None, None);
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, bool>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, String>(10)?,
            r.get::<_, Option<String>>(11)?,
            r.get::<_, Option<i64>>(12)?,
            r.get::<_, Option<Vec<u8>>>(13)?,
            r.get::<_, Option<String>>(14)?,
        ))
    })?;
    for row in rows {
        let (
            seq,
            eid,
            source,
            kind,
            occurred,
            received,
            event,
            bundle,
            ok,
            route,
            answer,
            plan,
            fuel,
            call_z,
            call,
        ) = row?;
        let answer: Value =
            serde_json::from_str(&answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let plan: Option<Value> = plan.and_then(|p| serde_json::from_str(&p).ok());
        timeline.push(json!({
            "seq": seq, "event_id": eid, "source": source, "kind": kind,
            "occurred_at": occurred, "received_at": received, "ok": ok, "route": route,
            "bundle_id": bundle, "fuel": fuel,
            "category": answer["ok"]["category"], "urgency": answer["ok"]["urgency"],
            "summary": answer["ok"]["reasons"][0]["message"],
            "errors": answer.get("errors"),
        }));
        latest_event =
            serde_json::from_str(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        latest_call = (call_z, call);
        latest_decision = json!({
            "event_id": eid, "bundle_id": bundle, "answer": answer, "retry_plan": plan,
        });
    }
    // The call that gave the latest decision (parsed for that one only), so
    // a page can replay it on the same bundle, with a trace, and get the
    // same answer; null for decisions stored before calls were kept.
    if let Value::Object(d) = &mut latest_decision {
        let call = super::envelope::call_of(latest_call.0, latest_call.1)?
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or(Value::Null);
        d.insert("call".to_owned(), call);
    }
    let order_id = case["order_id"].as_str().unwrap_or_default().to_owned();
    let customer_id = case["customer_id"].as_str().map(str::to_owned);
    case["timeline"] = order_timeline(conn, &order_id)?;
    case["case_events"] = Value::Array(timeline);
    case["order"] = latest_event["order"].clone();
    case["latest_event"] = latest_event.clone();
    case["decision"] = latest_decision;
    case["customer"] = profile(conn, customer_id.as_deref(), &latest_event["customer"])?;
    case["actions"] = actions_of(conn, id)?;
    case["notes"] = notes_of(conn, id)?;
    Ok(case)
}

/// Every event of an order, in any case, oldest first.
fn order_timeline(conn: &Connection, order_id: &str) -> Result<Value, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.kind, e.source, e.occurred_at, e.received_at, e.case_id, d.route
         FROM events e JOIN decisions d ON d.event_seq = e.seq
         WHERE e.order_id = ?1 ORDER BY e.occurred_at, e.seq",
    )?;
    let rows = stmt
        .query_map([order_id], |r| {
            Ok(json!({
                "event_id": r.get::<_, String>(0)?, "kind": r.get::<_, String>(1)?,
                "source": r.get::<_, String>(2)?, "occurred_at": r.get::<_, String>(3)?,
                "received_at": r.get::<_, String>(4)?, "case_id": r.get::<_, i64>(5)?,
                "route": r.get::<_, String>(6)?,
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(rows))
}

/// The customer as the latest event describes them, plus what the store knows.
fn profile(
    conn: &Connection,
    customer_id: Option<&str>,
    latest: &Value,
) -> Result<Value, StoreError> {
    let Some(id) = customer_id else {
        return Ok(Value::Null);
    };
    let (events, orders): (i64, i64) = conn.query_row(
        "SELECT COUNT(*), COUNT(DISTINCT order_id) FROM events WHERE customer_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT status, COUNT(*) FROM cases WHERE customer_id = ?1 GROUP BY status",
    )?;
    let by_status: serde_json::Map<String, Value> = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(s, n)| (s, json!(n)))
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT o.outcome, COUNT(*) FROM outcomes o JOIN cases c ON c.id = o.case_id
         WHERE c.customer_id = ?1 GROUP BY o.outcome",
    )?;
    let outcomes: serde_json::Map<String, Value> = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(s, n)| (s, json!(n)))
        .collect();
    Ok(json!({
        "id": id,
        "as_reported": latest,
        "events": events,
        "orders_with_exceptions": orders,
        "cases_by_status": by_status,
        "outcomes": outcomes,
    }))
}

/// The outbox entries of a case.
pub fn actions_of(conn: &Connection, case_id: i64) -> Result<Value, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM actions a WHERE a.case_id = ?1 ORDER BY a.id",
        super::outbox::ACTION_COLUMNS
    ))?;
    let rows = stmt
        .query_map([case_id], super::outbox::action_json)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(rows))
}

fn notes_of(conn: &Connection, case_id: i64) -> Result<Value, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT id, author, text, at FROM notes WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "author": r.get::<_, String>(1)?,
                "text": r.get::<_, String>(2)?, "at": r.get::<_, String>(3)?,
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(rows))
}

fn require_case(conn: &Connection, id: i64) -> Result<String, StoreError> {
    conn.query_row("SELECT status FROM cases WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
}

/// Assigns (or, with `None`, unassigns) an open case; a closed case keeps
/// the assignee who closed it.
pub fn assign(
    conn: &Connection,
    id: i64,
    assignee: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let status = require_case(conn, id)?;
    if status != "open" {
        return Err(StoreError::Conflict(format!(
            "case {id} is {status}: a closed case cannot be reassigned"
        )));
    }
    conn.execute(
        "UPDATE cases SET assignee = ?2, updated_at = ?3 WHERE id = ?1",
        rusqlite::params![id, assignee, ts(now)],
    )?;
    Ok(())
}

/// Adds a note; returns its id.
pub fn add_note(
    conn: &Connection,
    id: i64,
    note: &NewNote,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    require_case(conn, id)?;
    conn.execute(
        "INSERT INTO notes(case_id, author, text, at) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![id, note.author, note.text, ts(now)],
    )?;
    conn.execute(
        "UPDATE cases SET updated_at = ?2 WHERE id = ?1",
        rusqlite::params![id, ts(now)],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Resolves an open case with an outcome, keeps the outcome for learning, and
/// cancels its actions that have not been delivered yet (unless `keep_actions`).
/// Returns how many actions were cancelled.
pub fn resolve(
    conn: &Connection,
    id: i64,
    outcome: &str,
    by: &str,
    note: Option<&str>,
    keep_actions: bool,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let status = require_case(conn, id)?;
    if status != "open" {
        return Err(StoreError::Conflict(format!(
            "case {id} is {status}, not open"
        )));
    }
    let now = ts(now);
    conn.execute(
        "UPDATE cases SET status = 'resolved', outcome = ?2, resolved_at = ?3, resolved_by = ?4,
           updated_at = ?3 WHERE id = ?1",
        rusqlite::params![id, outcome, now, by],
    )?;
    conn.execute(
        "INSERT INTO outcomes(case_id, outcome, kinds, category, route, bundle_id, resolved_by, note, at)
         SELECT c.id, ?2, c.kinds, c.category, c.route, d.bundle_id, ?3, ?4, ?5
         FROM cases c JOIN decisions d ON d.event_seq = c.last_event_seq WHERE c.id = ?1",
        rusqlite::params![id, outcome, by, note, now],
    )?;
    if let Some(text) = note {
        conn.execute(
            "INSERT INTO notes(case_id, author, text, at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, by, text, now],
        )?;
    }
    let cancelled = if keep_actions {
        0
    } else {
        conn.execute(
            "UPDATE actions SET status = 'cancelled', last_error = 'case resolved'
             WHERE case_id = ?1 AND status IN ('pending', 'proposed', 'held')",
            [id],
        )?
    };
    Ok(cancelled)
}

/// Gauges for the metrics endpoint.
pub fn counts(conn: &Connection, now: DateTime<Utc>) -> Result<QueueCounts, StoreError> {
    let agent_queue = conn.query_row(
        "SELECT COUNT(*) FROM cases WHERE status = 'open' AND route IN ('agent', 'escalate')",
        [],
        |r| r.get(0),
    )?;
    let open_cases = conn.query_row(
        "SELECT COUNT(*) FROM cases WHERE status = 'open'",
        [],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached("SELECT status, COUNT(*) FROM actions GROUP BY status")?;
    let actions_by_status = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let oldest: Option<String> = conn.query_row(
        "SELECT MIN(next_attempt_at) FROM actions WHERE status IN ('pending', 'in_flight') AND next_attempt_at <= ?1",
        [ts(now)],
        |r| r.get(0),
    )?;
    let outbox_lag_seconds = match oldest {
        Some(t) => (now - parse_ts(&t)?).num_milliseconds().max(0) as f64 / 1000.0,
        None => 0.0,
    };
    let open_incidents = conn.query_row(
        "SELECT COUNT(*) FROM incidents WHERE status != 'resolved'",
        [],
        |r| r.get(0),
    )?;
    Ok(QueueCounts {
        agent_queue,
        open_cases,
        actions_by_status,
        outbox_lag_seconds,
        open_incidents,
    })
}
