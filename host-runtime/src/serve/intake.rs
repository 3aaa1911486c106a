//! Reading event bodies (one JSON event, a JSON array, or NDJSON) and
//! ingesting them: validated all first, then triaged on a read snapshot, then
//! committed in one short transaction, so a batch is stored whole or not at
//! all and the single writer is never held while rules run.

use std::collections::HashMap;
use std::time::Instant;

use ordex_core::api::{ErrorInfo, parse_json};
use ordex_core::model::ExceptionKind;
use ordex_core::runtime::Limits;
use serde_json::{Value, json};

use super::batch_view::BatchView;
use super::bundles::ActiveBundle;
use super::clock;
use super::error::ApiError;
use super::event_rules::{TimeWindow, admit};
use super::incidents::{self, Changes, WatchSettings, concerns, series_of};
use super::metrics::DecisionLabels;
use super::pipeline::{Incoming, TriageSettings, triage};
use super::state::AppState;
use super::store::incidents::{link_case, unresolved_refs};
use super::store::intake::{StoredId, find_event, record};
use super::store::{RecordOutcome, StoreError, TriageRecord};

/// Most events in one request.
pub const MAX_BATCH: usize = 1000;

/// Reads and validates every event of a body. NDJSON names each line's
/// errors as `events[i]` (zero-based line of the batch) with the line number.
pub fn read_events(
    body: &[u8],
    ndjson: bool,
    window: TimeWindow,
) -> Result<Vec<Incoming>, ApiError> {
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
        match admit(value, &root, "api", None, window) {
            Ok(incoming) => events.push(incoming),
            Err(e) => errors.push(*e),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(ApiError::Input(errors))
    }
}

/// What evaluating one item of a request decided to store.
enum Planned {
    /// An id stored before, with the same content: nothing changes.
    Stored(i64),
    /// An id seen earlier in this request, with the same content.
    Repeat,
    /// A new event, evaluated.
    New(Box<TriageRecord>),
}

fn reused(id: &str) -> ApiError {
    ApiError::IdReused(format!(
        "event id `{id}` was already used for an event with other content; an id names one event (send a new id for a new event)"
    ))
}

/// Whether `stored` is the same event as one with `hash`. Events stored
/// before hashes were kept compare as the same (a replay is the likely case).
fn same_content(stored: &StoredId, hash: &str) -> bool {
    stored.content_hash.as_deref().is_none_or(|h| h == hash)
}

/// Triages and stores `items`: every item is evaluated first, on a read
/// snapshot outside the write transaction (the rules are pure; each item sees
/// the ones before it through a [`BatchView`]), then all are committed in one
/// short transaction, so a batch is stored whole or not at all. Returns one
/// result per item: `accepted` with the case and actions, or `duplicate`.
/// An id reused for other content refuses the whole request (409).
pub fn ingest(state: &AppState, items: Vec<Incoming>) -> Result<Value, ApiError> {
    let started = Instant::now();
    let bundle = state.bundles.current()?;
    let settings = state.triage_settings.clone();
    // Events of one order are triaged one at a time, so each sees the ones
    // before it; events of different orders run in parallel. The locks are
    // held from evaluation to commit, so no other request changes these
    // orders' history in between.
    let _order_guards = state
        .order_locks
        .lock(items.iter().map(|i| i.event.order.id.as_str()));
    let now = clock::now();
    let planned = state
        .store
        .read(|c| plan(c, &bundle, &items, &settings, now))??;
    let watch = &state.watch;
    let mut changes = Changes::default();
    let (results, records) = state
        .store
        .write(|tx| commit(tx, &items, planned, watch, now, &mut changes))??;
    state.metrics.incidents(&changes);
    finish(state, &items, results, records, started)
}

fn plan(
    conn: &rusqlite::Connection,
    bundle: &ActiveBundle,
    items: &[Incoming],
    settings: &TriageSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<Vec<Planned>, ApiError>, StoreError> {
    let mut view = BatchView::default();
    let incidents = unresolved_refs(conn)?;
    let mut in_request: HashMap<&str, &str> = HashMap::new();
    let mut planned = Vec::with_capacity(items.len());
    for item in items {
        let id = item.event.id.as_str();
        if let Some(hash) = in_request.get(id) {
            if *hash != item.content_hash {
                return Ok(Err(reused(id)));
            }
            planned.push(Planned::Repeat);
            continue;
        }
        in_request.insert(id, &item.content_hash);
        if let Some(stored) = find_event(conn, id)? {
            if !same_content(&stored, &item.content_hash) {
                return Ok(Err(reused(id)));
            }
            planned.push(Planned::Stored(stored.case_id));
            continue;
        }
        let rec = triage(conn, &view, bundle, item, settings, &incidents, now)?;
        let declined =
            (item.event.exception.kind() == ExceptionKind::PaymentDeclined).then_some(&item.value);
        view.add(
            conn,
            &rec.order_id,
            rec.customer_id.as_deref(),
            &rec.case.route,
            declined,
        )?;
        planned.push(Planned::New(Box::new(rec)));
    }
    Ok(Ok(planned))
}

fn commit(
    tx: &rusqlite::Transaction<'_>,
    items: &[Incoming],
    planned: Vec<Planned>,
    watch: &WatchSettings,
    now: chrono::DateTime<chrono::Utc>,
    changes: &mut Changes,
) -> Result<Result<Outcome, ApiError>, StoreError> {
    let mut results = Vec::with_capacity(planned.len());
    let mut records = Vec::new();
    for (item, p) in items.iter().zip(planned) {
        let id = item.event.id.as_str();
        match p {
            Planned::Stored(case_id) => results.push(duplicate(id, case_id)),
            Planned::Repeat => match find_event(tx, id)? {
                Some(stored) => results.push(duplicate(id, stored.case_id)),
                None => return Err(StoreError::Corrupt(format!("{id} vanished in the batch"))),
            },
            Planned::New(rec) => {
                // The order lock keeps other requests for this order out, but
                // a replay of the same id under another order may have
                // committed since the snapshot.
                if let Some(stored) = find_event(tx, id)? {
                    if !same_content(&stored, &item.content_hash) {
                        return Ok(Err(reused(id)));
                    }
                    results.push(duplicate(id, stored.case_id));
                    continue;
                }
                let out = record(tx, &rec)?;
                // The detectors count the event in the same transaction, and
                // the case links to an incident that explains it.
                let keys = series_of(&item.event, item.source);
                incidents::count(tx, &keys, now, watch, changes)?;
                let explaining = unresolved_refs(tx)?.into_iter().find(|i| {
                    let (metric, scope) = (i["metric"].as_str(), i["scope"].as_str());
                    metric != Some("volume")
                        && concerns(&keys, metric.unwrap_or(""), scope.unwrap_or(""))
                });
                if let Some(id) = explaining.and_then(|i| i["id"].as_i64()) {
                    link_case(tx, out.case_id, id)?;
                }
                results.push(accepted(&rec, &out));
                records.push(*rec);
            }
        }
    }
    Ok(Ok((results, records)))
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
