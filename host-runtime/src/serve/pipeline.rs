//! Intake → triage → store for one event, inside the intake transaction.
//!
//! The event is evaluated with what the store knows (earlier declines of the
//! order, the customer's open cases, the agent queue's depth); a retryable
//! decline also gets a retry plan from the `retry` entry, whose card-network
//! verdict decides when — and whether — the payment is retried.

use chrono::{DateTime, Duration, Utc};
use ordex_core::learn::retry_bandit::{RetryContext, first_decline};
use ordex_core::model::{Exception, ExceptionEvent, ExceptionKind};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::batch_view::BatchView;
use super::bundles::ActiveBundle;
use super::store::intake::same_attempt;
use super::store::{ActionDraft, CaseFields, StoreError, TriageRecord, ts};

/// An event ready for triage.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The validated event.
    pub event: ExceptionEvent,
    /// The event as JSON (what is stored and evaluated).
    pub value: Value,
    /// `api`, `stripe`, `easypost` or `aftership`.
    pub source: &'static str,
    /// The provider's payload, kept beside the normalized event.
    pub raw: Option<String>,
    /// sha256 of the canonical event, or of the provider payload.
    pub content_hash: String,
}

/// Service-wide inputs to triage.
#[derive(Debug, Clone, Default)]
pub struct TriageSettings {
    /// Passed to rules as `ctx.merchant_id`.
    pub merchant_id: Option<String>,
}

/// What a call to the bundle answered, and its cost.
struct Called {
    answer: Value,
    fuel: Option<u64>,
    elapsed: std::time::Duration,
}

fn call(bundle: &ActiveBundle, envelope: &Value) -> Called {
    let started = std::time::Instant::now();
    let (text, stats) = bundle.evaluator.evaluate_str(&envelope.to_string());
    let elapsed = started.elapsed();
    let answer = serde_json::from_str(&text).unwrap_or_else(|e| {
        json!({"errors": [{"code": "host_error", "message": format!("unreadable answer: {e}")}], "warnings": []})
    });
    Called {
        answer,
        fuel: stats.map(|s| s.fuel),
        elapsed,
    }
}

fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// What the service learned from earlier retries of declines like this
/// one, for the `retry` entry's `learned_retry`: the counts of the
/// decline's segments and a seed derived from the event id (a replay
/// chooses the same time).
fn learning_for(
    conn: &Connection,
    request: &Value,
    event_id: &str,
) -> Result<Option<Value>, StoreError> {
    let Ok(req) = serde_json::from_value::<ordex_core::model::RetryRequest>(request.clone()) else {
        return Ok(None);
    };
    let ctx = RetryContext::of_decline(&req.failure, first_decline(&req), 0);
    let stats = super::store::retries::stats_for(conn, &ctx)?;
    if stats.cells.is_empty() {
        return Ok(None);
    }
    let seed = event_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Ok(Some(json!({ "stats": stats, "seed": seed })))
}

/// Evaluates `incoming` against `bundle` at `now` and builds what to store.
/// `conn` is a read snapshot; `view` adds what the request's earlier events
/// will have stored by the time this one is.
pub fn triage(
    conn: &Connection,
    view: &BatchView,
    bundle: &ActiveBundle,
    incoming: &Incoming,
    settings: &TriageSettings,
    incidents: &[Value],
    now: DateTime<Utc>,
) -> Result<TriageRecord, StoreError> {
    let event = &incoming.event;
    let kind = event.exception.kind();
    let customer_id = event.customer.as_ref().map(|c| c.id.clone());
    let (open_for_customer, queue_depth) =
        view.context_counts(conn, customer_id.as_deref(), &event.order.id)?;
    let context = json!({
        "merchant_id": settings.merchant_id,
        "open_cases_for_customer": open_for_customer,
        "queue_depth": queue_depth,
        "incidents": incidents,
    });

    // Rules count declines on the order: give them the ones already reported.
    let mut input = incoming.value.clone();
    if kind == ExceptionKind::PaymentDeclined {
        let current = input["exception"]["payment"].clone();
        let mut history: Vec<Value> = input["exception"]["previous_attempts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for a in view.prior_attempts(conn, &event.order.id)? {
            if !same_attempt(&a, &current) && !history.iter().any(|h| same_attempt(h, &a)) {
                history.push(a);
            }
        }
        history.sort_by(|a, b| a["at"].as_str().cmp(&b["at"].as_str()));
        input["exception"]["previous_attempts"] = Value::Array(history);
    }

    let envelope = json!({ "entry": "triage", "now": ts(now), "input": input, "context": context });
    let triaged = call(bundle, &envelope);
    let mut fuel = triaged.fuel;
    let mut elapsed = triaged.elapsed;
    let decision = triaged.answer.get("ok").cloned();
    let (case, ok) = match &decision {
        Some(d) => (
            CaseFields {
                category: d["category"].as_str().unwrap_or("uncategorized").to_owned(),
                route: d["route"].as_str().unwrap_or("agent").to_owned(),
                urgency: d["urgency"].as_str().unwrap_or("P3").to_owned(),
                priority_score: d["priority_score"].as_i64().unwrap_or(0),
                sla_due: parse_time(&d["sla_due"]).unwrap_or(now + Duration::hours(24)),
            },
            true,
        ),
        // Rules that fail must not lose the exception: a person looks at it.
        None => (
            CaseFields {
                category: "rule_error".into(),
                route: "agent".into(),
                urgency: "P2".into(),
                priority_score: 500,
                sla_due: now + Duration::hours(4),
            },
            false,
        ),
    };

    let mut actions = Vec::new();
    let mut retry_plan = None;
    if let Some(d) = &decision {
        let automatic = matches!(case.route.as_str(), "self_heal" | "auto_close");
        for (i, a) in d["actions"].as_array().into_iter().flatten().enumerate() {
            let kind_name = a["type"].as_str().unwrap_or("unknown").to_owned();
            let mut params = a["params"].clone();
            let mut draft = ActionDraft {
                idempotency_key: params["idempotency_key"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{}:{kind_name}:{i}", event.id)),
                due_at: parse_time(&params["at"]).unwrap_or(now),
                status: if automatic { "pending" } else { "proposed" },
                kind: kind_name,
                params: Value::Null,
                incident_id: None,
            };
            // Rules hold an action until an open incident ends (a payment
            // retry while its gateway fails): it is released on resolution.
            if let Some(id) = params["hold_for_incident"].as_i64()
                && incidents.iter().any(|i| i["id"].as_i64() == Some(id))
            {
                draft.status = "held";
                draft.incident_id = Some(id);
            }
            if draft.kind == "retry_payment" {
                let history = input["exception"]["previous_attempts"].clone();
                let attempt = history.as_array().map_or(0, Vec::len) + 2;
                let mut request = json!({
                    "schema_version": 1,
                    "failure": input["exception"]["payment"],
                    "history": history,
                    "recurring": event.attributes.get("recurring").and_then(Value::as_bool).unwrap_or(false),
                });
                if let Some(learning) = learning_for(conn, &request, &event.id)? {
                    request["learning"] = learning;
                }
                let planned = call(
                    bundle,
                    &json!({ "entry": "retry", "now": ts(now), "input": request }),
                );
                fuel = fuel.map(|f| f + planned.fuel.unwrap_or(0));
                elapsed += planned.elapsed;
                retry_plan = Some(planned.answer.to_string());
                // One retry per order and attempt number, however many events report the decline.
                draft.idempotency_key = format!("{}:retry_payment:{attempt}", event.order.id);
                match planned.answer.get("ok") {
                    Some(plan) if plan["retry"] == true => {
                        let at = plan["next_attempts"].get(0).and_then(parse_time);
                        // The rules say who timed it: the learner (with enough
                        // outcomes for this decline's segment) or the schedule.
                        params["plan_source"] = plan["plan_source"].clone();
                        params["learned"] = plan["learned"].clone();
                        draft.due_at = at.unwrap_or(draft.due_at);
                        params["at"] = json!(ts(draft.due_at));
                        params["attempt"] = json!(attempt);
                        params["idempotency_key"] = json!(draft.idempotency_key);
                        params["planned_attempts"] = plan["next_attempts"].clone();
                        params["compliance_notes"] = plan["compliance_notes"].clone();
                        params["payment"] = input["exception"]["payment"].clone();
                        // The retry learner's segment counts time from the
                        // card's first decline, when outcomes are recorded too.
                        if let Ok(req) = serde_json::from_value::<ordex_core::model::RetryRequest>(
                            request.clone(),
                        ) {
                            params["declined_at"] = json!(ts(first_decline(&req)));
                        }
                    }
                    // The network forbids it or no attempt fits: never retry.
                    Some(_) => continue,
                    // No verdict: a person decides.
                    None => draft.status = "proposed",
                }
            }
            draft.params = params;
            actions.push(draft);
        }
    }

    Ok(TriageRecord {
        id: event.id.clone(),
        source: incoming.source.to_owned(),
        kind: kind.as_str().to_owned(),
        order_id: event.order.id.clone(),
        customer_id,
        customer_tier: event
            .customer
            .as_ref()
            .and_then(|c| serde_json::to_value(c.tier).ok())
            .and_then(|v| v.as_str().map(str::to_owned)),
        occurred_at: event.occurred_at,
        received_at: now,
        tracking: match &event.exception {
            Exception::CarrierException(c) => c.shipment.tracking_number.clone(),
            _ => None,
        },
        event_json: incoming.value.to_string(),
        raw_payload: incoming.raw.clone(),
        content_hash: incoming.content_hash.clone(),
        bundle_id: bundle.id.clone(),
        answer_json: triaged.answer.to_string(),
        call_json: envelope.to_string(),
        case,
        retry_plan,
        fuel,
        elapsed,
        ok,
        actions,
    })
}
