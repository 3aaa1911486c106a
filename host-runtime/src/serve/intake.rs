//! Reading event bodies (one JSON event, a JSON array, or NDJSON) and
//! ingesting them: validated all first, then triaged and committed in one
//! transaction, so a batch is stored whole or not at all.

use std::time::Instant;

use ordex_core::api::{ErrorInfo, exception_event, parse_json};
use ordex_core::runtime::Limits;
use serde_json::{Value, json};

use super::bundles::ActiveBundle;
use super::clock;
use super::error::ApiError;
use super::metrics::DecisionLabels;
use super::pipeline::{Incoming, TriageSettings, triage};
use super::state::AppState;
use super::store::intake::{find_event, record};
use super::store::{RecordOutcome, TriageRecord};

/// Most events in one request.
pub const MAX_BATCH: usize = 1000;

/// Reads and validates every event of a body. NDJSON names each line's
/// errors as `events[i]` (zero-based line of the batch) with the line number.
pub fn read_events(body: &[u8], ndjson: bool) -> Result<Vec<Incoming>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| ApiError::BadRequest {
        code: "input_not_utf8",
        message: format!("the body is not UTF-8 (byte {})", e.valid_up_to()),
    })?;
    let limits = Limits::default();
    let mut docs: Vec<(String, Value)> = Vec::new();
    let mut errors: Vec<ErrorInfo> = Vec::new();
    if ndjson {
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let root = format!("events[{}]", docs.len() + errors.len());
            match parse_json(line, &root, &limits) {
                Ok(v) => docs.push((root, v)),
                Err(e) => {
                    let mut info = ErrorInfo::from(e);
                    info.hint = Some(format!("line {} of the body", n + 1));
                    errors.push(info);
                }
            }
        }
    } else {
        match parse_json(text, "event", &limits)? {
            Value::Array(items) => {
                for (i, v) in items.into_iter().enumerate() {
                    docs.push((format!("events[{i}]"), v));
                }
            }
            v => docs.push(("event".to_owned(), v)),
        }
    }
    if docs.is_empty() && errors.is_empty() {
        return Err(ApiError::BadRequest {
            code: "input_empty",
            message: "the body holds no event".into(),
        });
    }
    if docs.len() + errors.len() > MAX_BATCH {
        return Err(ApiError::BadRequest {
            code: "batch_too_large",
            message: format!("at most {MAX_BATCH} events per request"),
        });
    }
    let mut events = Vec::with_capacity(docs.len());
    for (root, value) in docs {
        match exception_event(&value, &root) {
            Ok(event) => events.push(Incoming {
                event,
                value,
                source: "api",
                raw: None,
            }),
            Err(e) => errors.push(e.into()),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(ApiError::Input(errors))
    }
}

/// Triages and stores `items` in one transaction. Returns one result per
/// item: `accepted` with the case and actions, or `duplicate` (an event id
/// seen before: nothing changes).
pub fn ingest(state: &AppState, items: Vec<Incoming>) -> Result<Value, ApiError> {
    let started = Instant::now();
    let bundle = state.bundles.current()?;
    let settings = state.triage_settings.clone();
    // Events of one order are triaged one at a time, so each sees the ones
    // before it; events of different orders run in parallel.
    let _order_guards = state
        .order_locks
        .lock(items.iter().map(|i| i.event.order.id.as_str()));
    let now = clock::now();
    let (results, records) = if let [item] = items.as_slice() {
        single(state, &bundle, item, &settings, now)?
    } else {
        batch(state, &bundle, &items, &settings, now)?
    };
    finish(state, &items, results, records, started)
}

fn accepted(rec: &TriageRecord, out: &RecordOutcome) -> Value {
    let answer: Value = serde_json::from_str(&rec.answer_json).unwrap_or(Value::Null);
    json!({
        "event_id": rec.id,
        "status": "accepted",
        "case_id": out.case_id,
        "case_opened": out.case_opened,
        "bundle_id": rec.bundle_id,
        "decision": answer.get("ok"),
        "errors": answer.get("errors"),
        "actions": out.actions.iter().map(|(id, key, status)| json!({
            "id": id, "idempotency_key": key, "status": status,
        })).collect::<Vec<_>>(),
    })
}

fn duplicate(id: &str, case_id: i64) -> Value {
    json!({ "event_id": id, "status": "duplicate", "case_id": case_id })
}

type Outcome = (Vec<Value>, Vec<TriageRecord>);

/// One event: the rules run on a reader connection, outside the write lock,
/// so other orders' events evaluate meanwhile; only the commit is serialized.
fn single(
    state: &AppState,
    bundle: &ActiveBundle,
    item: &Incoming,
    settings: &TriageSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Outcome, ApiError> {
    if let Some((_, case_id)) = state.store.read(|c| find_event(c, &item.event.id))? {
        return Ok((vec![duplicate(&item.event.id, case_id)], Vec::new()));
    }
    let rec = state
        .store
        .read(|c| triage(c, bundle, item, settings, now))?;
    Ok(state.store.write(|tx| {
        // The order lock keeps other requests for this order out, but a
        // replay of the same id may still have committed first.
        if let Some((_, case_id)) = find_event(tx, &rec.id)? {
            return Ok((vec![duplicate(&rec.id, case_id)], Vec::new()));
        }
        let out = record(tx, &rec)?;
        Ok((vec![accepted(&rec, &out)], vec![rec]))
    })?)
}

/// A batch: triaged and committed in one transaction, so it is stored
/// whole or not at all, and each event sees the batch's earlier ones.
fn batch(
    state: &AppState,
    bundle: &ActiveBundle,
    items: &[Incoming],
    settings: &TriageSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Outcome, ApiError> {
    Ok(state.store.write(|tx| {
        let mut results = Vec::with_capacity(items.len());
        let mut records = Vec::new();
        for item in items {
            if let Some((_, case_id)) = find_event(tx, &item.event.id)? {
                results.push(duplicate(&item.event.id, case_id));
                continue;
            }
            let rec = triage(tx, bundle, item, settings, now)?;
            let out = record(tx, &rec)?;
            results.push(accepted(&rec, &out));
            records.push(rec);
        }
        Ok((results, records))
    })?)
}

fn finish(
    state: &AppState,
    items: &[Incoming],
    results: Vec<Value>,
    records: Vec<TriageRecord>,
    started: Instant,
) -> Result<Value, ApiError> {
    // Counted after the commit: metrics never count what was rolled back.
    for rec in &records {
        state.metrics.event(&rec.source, "accepted");
        state
            .metrics
            .decisions
            .get_or_create(&DecisionLabels {
                route: rec.case.route.clone(),
                kind: rec.kind.clone(),
            })
            .inc();
        if !rec.ok {
            state.metrics.rule_errors.inc();
        }
        state
            .metrics
            .evaluation_seconds
            .observe(rec.elapsed.as_secs_f64());
        if let Some(f) = rec.fuel {
            state.metrics.evaluation_fuel.observe(f as f64);
        }
    }
    let duplicates = results.len() - records.len();
    // One result per item, in order.
    for (item, r) in items.iter().zip(&results) {
        if r["status"] == "duplicate" {
            state.metrics.event(item.source, "duplicate");
        }
    }
    if !records.is_empty() {
        state.outbox_wake.notify_one();
    }
    state
        .metrics
        .intake_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(json!({
        "accepted": records.len(),
        "duplicates": duplicates,
        "results": results,
    }))
}
