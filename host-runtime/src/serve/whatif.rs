//! What-if: the stored decisions of a period, evaluated again with a
//! candidate bundle, and what would change (route, urgency, workflow,
//! actions), per exception kind, with the order value that would move
//! between self-healing and agents. Pure policy over answers; the caller
//! does the evaluating.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;

use super::store::decisions::KindedDecision;

/// Examples a report keeps.
pub const MAX_EXAMPLES: usize = 20;

/// What a triage answer decided, as far as a what-if compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decided {
    /// `self_heal`, `agent`, … or `error` when the call failed.
    pub route: String,
    /// `P1` … `P4` (empty for an error).
    pub urgency: String,
    /// The workflow (empty when none).
    pub workflow: String,
    /// The action types, in order.
    pub actions: Vec<String>,
}

/// Reads a triage answer (`{ok: {...}}` or `{errors: [...]}`).
pub fn decided(answer: &Value) -> Decided {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    match answer.get("ok") {
        Some(ok) => Decided {
            route: text(ok, "route"),
            urgency: text(ok, "urgency"),
            workflow: text(ok, "workflow"),
            actions: ok
                .get("actions")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|x| text(x, "type")).collect())
                .unwrap_or_default(),
        },
        None => Decided {
            route: "error".into(),
            urgency: String::new(),
            workflow: String::new(),
            actions: Vec::new(),
        },
    }
}

/// The order value a call carries: `(minor units, currency)`.
pub fn order_value(call: &Value) -> Option<(i64, String)> {
    let order = call.get("input")?.get("order")?;
    let currency = order.get("currency")?.as_str()?.to_owned();
    let total = order
        .get("total_minor")
        .and_then(Value::as_i64)
        .or_else(|| {
            let lines = order.get("lines")?.as_array()?;
            let mut sum = order
                .get("shipping_minor")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            for l in lines {
                let q = l.get("quantity").and_then(Value::as_i64).unwrap_or(0);
                let p = l
                    .get("unit_price_minor")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                sum = sum.saturating_add(q.saturating_mul(p));
            }
            Some(sum)
        })?;
    Some((total, currency))
}

/// One decision that would change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The event it answered.
    pub event_id: String,
    /// Its exception kind.
    pub kind: String,
    /// What was decided.
    pub before: Decided,
    /// What the candidate decides.
    pub after: Decided,
}

/// Counts for one exception kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindCounts {
    /// Decisions evaluated again.
    pub evaluated: usize,
    /// Of them, those that would change.
    pub changed: usize,
}

/// The what-if report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Decisions evaluated again.
    pub evaluated: usize,
    /// Decisions whose route, urgency, workflow or actions change.
    pub changed: usize,
    /// Per exception kind.
    pub by_kind: BTreeMap<String, KindCounts>,
    /// `from → to` counts of route changes (also urgency, workflow).
    pub routes: BTreeMap<String, usize>,
    /// Urgency changes, `P3 → P2`.
    pub urgencies: BTreeMap<String, usize>,
    /// Workflow changes.
    pub workflows: BTreeMap<String, usize>,
    /// Decisions whose actions change.
    pub actions_changed: usize,
    /// Order value (minor units, per currency) moving from self-healing to agents.
    pub to_agents_minor: BTreeMap<String, i64>,
    /// Order value moving from agents to self-healing.
    pub to_self_heal_minor: BTreeMap<String, i64>,
    /// The first changes, as examples.
    pub examples: Vec<Change>,
}

impl Report {
    /// Adds one decision: its stored answer and the candidate's.
    pub fn add(
        &mut self,
        event_id: &str,
        kind: &str,
        call: &Value,
        stored: &Value,
        candidate: &Value,
    ) {
        let (before, after) = (decided(stored), decided(candidate));
        self.evaluated += 1;
        let counts = self.by_kind.entry(kind.to_owned()).or_default();
        counts.evaluated += 1;
        if before == after {
            return;
        }
        counts.changed += 1;
        self.changed += 1;
        let arrow = |a: &str, b: &str| format!("{a} → {b}");
        if before.route != after.route {
            *self
                .routes
                .entry(arrow(&before.route, &after.route))
                .or_default() += 1;
            if let Some((minor, currency)) = order_value(call) {
                let moved = match (before.route.as_str(), after.route.as_str()) {
                    ("self_heal", "agent") => Some(&mut self.to_agents_minor),
                    ("agent", "self_heal") => Some(&mut self.to_self_heal_minor),
                    _ => None,
                };
                if let Some(m) = moved {
                    let e = m.entry(currency).or_default();
                    *e = e.saturating_add(minor);
                }
            }
        }
        if before.urgency != after.urgency {
            *self
                .urgencies
                .entry(arrow(&before.urgency, &after.urgency))
                .or_default() += 1;
        }
        if before.workflow != after.workflow {
            *self
                .workflows
                .entry(arrow(&before.workflow, &after.workflow))
                .or_default() += 1;
        }
        if before.actions != after.actions {
            self.actions_changed += 1;
        }
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(Change {
                event_id: event_id.to_owned(),
                kind: kind.to_owned(),
                before,
                after,
            });
        }
    }
}

/// Evaluates each stored decision's call with `evaluate` (the candidate's
/// evaluator: call text in, answer text out) and reports what changes.
/// `progress(done, total)` is told every thousand decisions.
pub fn run(
    stored: &[KindedDecision],
    evaluate: impl Fn(&str) -> String,
    progress: impl Fn(usize, usize),
) -> Report {
    let mut report = Report::default();
    for (i, d) in stored.iter().enumerate() {
        let Some(call_text) = &d.decision.call_json else {
            continue;
        };
        let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::Null);
        let answer = evaluate(call_text);
        report.add(
            &d.decision.event_id,
            &d.kind,
            &parse(call_text),
            &parse(&d.decision.answer_json),
            &parse(&answer),
        );
        if (i + 1) % 1000 == 0 {
            progress(i + 1, stored.len());
        }
    }
    report
}

/// `7d`, `24h`, `90m` before `now`, or an RFC 3339 time.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = n
        .parse()
        .map_err(|_| format!("--since `{text}`: write 7d, 24h, 90m or an RFC 3339 time"))?;
    let span = match unit {
        "d" => Duration::try_days(n),
        "h" => Duration::try_hours(n),
        "m" => Duration::try_minutes(n),
        _ => None,
    }
    .ok_or_else(|| format!("--since `{text}`: write 7d, 24h, 90m or an RFC 3339 time"))?;
    Ok(now - span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn since_reads_spans_and_times() {
        let now: DateTime<Utc> = "2026-12-08T00:00:00Z".parse().unwrap();
        assert_eq!(
            parse_since("7d", now).unwrap(),
            "2026-12-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            parse_since("36h", now).unwrap(),
            "2026-12-06T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            parse_since("2026-12-02T10:00:00Z", now).unwrap(),
            "2026-12-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(parse_since("a week", now).is_err());
        assert!(parse_since("9999999999999d", now).is_err());
    }

    fn answer(route: &str, urgency: &str, actions: &[&str]) -> Value {
        json!({"ok": {"route": route, "urgency": urgency, "workflow": "w", "bundle_id": "sha256:x",
                      "actions": actions.iter().map(|a| json!({"type": a})).collect::<Vec<_>>()}})
    }

    #[test]
    fn a_report_counts_what_changes_and_the_money_that_moves() {
        let call = json!({"input": {"order": {"currency": "USD", "shipping_minor": 500,
                                               "lines": [{"quantity": 2, "unit_price_minor": 2499}]}}});
        let mut r = Report::default();
        // A new bundle id alone is not a change.
        r.add("e1", "payment_declined", &call, &answer("self_heal", "P3", &["retry_payment"]),
              &json!({"ok": {"route": "self_heal", "urgency": "P3", "workflow": "w", "bundle_id": "sha256:y",
                             "actions": [{"type": "retry_payment"}]}}));
        r.add(
            "e2",
            "payment_declined",
            &call,
            &answer("self_heal", "P3", &["retry_payment"]),
            &answer("agent", "P2", &[]),
        );
        r.add(
            "e3",
            "carrier_exception",
            &call,
            &answer("agent", "P3", &[]),
            &answer("agent", "P3", &["notify"]),
        );
        r.add(
            "e4",
            "carrier_exception",
            &call,
            &answer("agent", "P3", &[]),
            &json!({"errors": [{"code": "rule_runtime"}]}),
        );
        assert_eq!((r.evaluated, r.changed, r.actions_changed), (4, 3, 2));
        assert_eq!(
            r.by_kind["payment_declined"],
            KindCounts {
                evaluated: 2,
                changed: 1
            }
        );
        assert_eq!(r.routes["self_heal → agent"], 1);
        assert_eq!(r.routes["agent → error"], 1);
        assert_eq!(r.urgencies["P3 → P2"], 1);
        assert_eq!(r.to_agents_minor["USD"], 5498);
        assert!(r.to_self_heal_minor.is_empty());
        assert_eq!(r.examples.len(), 3);
        assert_eq!(
            order_value(&json!({"input": {"order": {"currency": "EUR", "total_minor": 100}}})),
            Some((100, "EUR".into()))
        );
    }
}
