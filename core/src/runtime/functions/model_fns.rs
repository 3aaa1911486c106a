//! The pack's trained models, as functions rules call: `intent(text)` for
//! customer messages, `carrier_note(text)` for carrier free text,
//! `classify(model, text)` for any text model the manifest declares, and
//! `risk_score(order, customer)` for cancellation risk.

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, Map};

use super::time_fns::parse_time;
use super::values::{member, typed};
use super::{Res, reg};
use crate::knowledge::currency;
use crate::knowledge::text::{Prediction, TextModel};
use crate::learn::risk::{RiskInput, RiskModel};
use crate::model::{Customer, Order};

const S: &str = "Models";

/// The models of one pack, by manifest name.
#[derive(Debug, Default)]
pub(crate) struct PackModels {
    /// Text classifiers.
    pub text: BTreeMap<String, Arc<TextModel>>,
    /// Cancellation-risk models.
    pub risk: BTreeMap<String, Arc<RiskModel>>,
}

/// Shared by every engine of the pack.
pub(crate) type Models = Arc<PackModels>;

fn p(bp: u32) -> Dynamic {
    Dynamic::from_decimal(crate::number::Decimal::new(i64::from(bp), 4).normalize())
}

/// The prediction as a Rhai map, the class under `key`.
fn to_map(pred: &Prediction, key: &str) -> Map {
    let top: Array = pred
        .top
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert(key.into(), s.label.clone().into());
            m.insert("p".into(), p(s.p_bp));
            m.into()
        })
        .collect();
    let mut m = Map::new();
    m.insert(key.into(), pred.label.clone().into());
    m.insert("confidence".into(), p(pred.confidence_bp));
    m.insert("abstained".into(), pred.abstained.into());
    m.insert(
        "coverage".into(),
        Dynamic::from_decimal(
            crate::number::Decimal::new(i64::from(pred.coverage_permille), 3).normalize(),
        ),
    );
    m.insert("top".into(), top.into());
    m
}

fn model<'a>(models: &'a Models, name: &str) -> Res<&'a TextModel> {
    models.text.get(name).map(|m| m.as_ref()).ok_or_else(|| {
        format!("this pack has no `{name}` model: train one with `ordex train` and declare it under [models] in ordex.toml").into()
    })
}

pub(super) fn register(engine: &mut Engine, models: &Models) {
    let m = models.clone();
    reg(
        engine,
        S,
        "intent",
        &["text: &str", "Map"],
        "The intent of a customer message, from the pack's `intents` model:\n`#{intent, confidence, abstained, coverage, top: [#{intent, p}, …]}` (the three most probable).\n`abstained` is true when the model would rather not say: low confidence, words it never saw (`coverage`), or no words.\nThe text is read up to its first 1,000 characters.",
        move |text: &str| -> Res<Map> {
            Ok(to_map(&model(&m, "intents")?.predict(text), "intent"))
        },
    );
    let m = models.clone();
    reg(
        engine,
        S,
        "carrier_note",
        &["text: &str", "Map"],
        "The carrier-taxonomy kind of a carrier's free-text note (`attempt_failed`, `address_problem`, `refused`, `customs_hold`,\n`duties_unpaid`, `delay`, `damaged`, `lost`, `returning_to_sender`, …), from the pack's `carrier_notes` model:\n`#{kind, confidence, abstained, coverage, top: [#{kind, p}, …]}`.",
        move |text: &str| -> Res<Map> {
            Ok(to_map(&model(&m, "carrier_notes")?.predict(text), "kind"))
        },
    );
    let m = models.clone();
    reg(
        engine,
        S,
        "classify",
        &["model: &str", "text: &str", "Map"],
        "Any model the manifest declares under [models]: `#{label, confidence, abstained, coverage, top: [#{label, p}, …]}`.",
        move |name: &str, text: &str| -> Res<Map> {
            Ok(to_map(&model(&m, name)?.predict(text), "label"))
        },
    );
    reg(
        engine,
        S,
        "learned_retry",
        &["request: View", "ctx: Map", "Map"],
        "The retry learner's choice of the next attempt for a retry request that carries `learning` (outcome counts of the\ndecline's segments and a seed, passed by the host): `#{source: \"learned\", at, estimate, segment, evidence}` when\nthe segment has enough evidence (the time is one the card networks allow), else `#{source: \"schedule\"}`.",
        |request: Dynamic, ctx: Dynamic| -> Res<Map> { learned_retry_map(&request, &ctx) },
    );
    let m = models.clone();
    reg(
        engine,
        S,
        "risk_score",
        &["order: View", "customer: View", "Map"],
        "Cancellation risk of an order before anything goes wrong, from the pack's `risk` model:\n`#{score, band, top_factors: [#{feature, weight}, …]}` (`band` is `low`, `medium` or `high`;\nthe factors are the three that raise the score most). Reads the customer's `order_count`, `history.cancellations`,\n`last_order_at`, the lines, the shipping country and `placed_at` (hour and weekday in UTC).",
        move |order: Dynamic, customer: Dynamic| -> Res<Map> {
            risk_map(&m, &order, &customer, None, None)
        },
    );
    let m = models.clone();
    reg(
        engine,
        S,
        "risk_score",
        &["order: View", "customer: View", "ctx: Map", "Map"],
        "As `risk_score(order, customer)`, with `ctx.now` as the time when the order has no `placed_at` (at checkout),\nand prices converted to the model's currency with `ctx.params.usd_rates` when both currencies are listed there.",
        move |order: Dynamic, customer: Dynamic, ctx: Dynamic| -> Res<Map> {
            let now = member(&ctx, "now")
                .and_then(|n| n.into_immutable_string().ok())
                .map(|t| parse_time(&t))
                .transpose()?;
            let rates = member(&ctx, "params").and_then(|p| member(&p, "usd_rates"));
            risk_map(&m, &order, &customer, now, rates.as_ref())
        },
    );
}

/// `learned_retry(request, ctx)`: the learner's first attempt for a retry
/// request carrying `learning` (counts and a seed from the host).
fn learned_retry_map(request: &Dynamic, ctx: &Dynamic) -> Res<Map> {
    let req: crate::model::RetryRequest = typed(request, "learned_retry", "a retry request")?;
    let mut out = Map::new();
    let schedule = |mut out: Map| {
        out.insert("source".into(), "schedule".into());
        Ok(out)
    };
    let Some(learning) = &req.learning else {
        return schedule(out);
    };
    let Some(now) = member(ctx, "now")
        .and_then(|n| n.into_immutable_string().ok())
        .map(|t| parse_time(&t))
        .transpose()?
    else {
        return schedule(out);
    };
    let spec = learning.spec.clone().unwrap_or_default();
    match crate::learn::retry_bandit::plan_next(
        &learning.stats,
        &spec,
        &req,
        learning.utc_offset_minutes,
        now,
        14,
        learning.seed,
    ) {
        Some(p) => {
            out.insert("source".into(), "learned".into());
            out.insert("at".into(), crate::runtime::format_time(p.at).into());
            out.insert(
                "estimate".into(),
                Dynamic::from_decimal(
                    crate::number::from_f64((p.estimate * 10_000.0).round() / 10_000.0)
                        .unwrap_or_default(),
                ),
            );
            out.insert("segment".into(), p.segment.into());
            out.insert(
                "evidence".into(),
                Dynamic::from_int(rhai::INT::from(p.evidence)),
            );
            Ok(out)
        }
        None => schedule(out),
    }
}

fn risk_map(
    models: &Models,
    order: &Dynamic,
    customer: &Dynamic,
    now: Option<chrono::DateTime<chrono::Utc>>,
    usd_rates: Option<&Dynamic>,
) -> Res<Map> {
    let model = models.risk.get("risk").ok_or_else(|| -> Box<rhai::EvalAltResult> {
        "this pack has no `risk` model: train one with `ordex train risk` and declare it as `risk` under [models] in ordex.toml".into()
    })?;
    let order: Order = typed(order, "risk_score", "an order")?;
    let customer: Option<Customer> = if customer.is_unit() {
        None
    } else {
        Some(typed(customer, "risk_score", "a customer")?)
    };
    let mut input = risk_input(&order, customer.as_ref(), now);
    let rate = |c: &str| {
        usd_rates
            .and_then(|r| member(r, c))
            .and_then(|v| {
                v.as_decimal()
                    .ok()
                    .map(crate::number::to_f64)
                    .or_else(|| v.as_int().ok().map(|i| i as f64))
            })
            .filter(|r| *r > 0.0)
    };
    if let Some(to) = model.currency.as_deref()
        && let (Some(a), Some(b)) = (rate(&order.currency), rate(to))
    {
        for line in &mut input.lines {
            line.1 = line.1 * a / b;
        }
    }
    let json = serde_json::to_value(model.score(&input)).map_err(|e| e.to_string())?;
    Ok(crate::runtime::json_to_dynamic(&json).cast::<Map>())
}

/// What the risk model reads, from an order and its customer.
pub(crate) fn risk_input(
    order: &Order,
    customer: Option<&Customer>,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> RiskInput {
    use chrono::{Datelike, Timelike};
    let at = order.placed_at.or(now);
    let digits = currency::minor_units(&order.currency).unwrap_or(2);
    let unit = (0..digits).fold(1.0, |a, _| a * 10.0);
    RiskInput {
        prior_orders: customer.map_or(0, |c| c.order_count.saturating_sub(1)),
        prior_cancellations: customer.map_or(0, |c| c.history.cancellations),
        days_since_last_order: customer
            .and_then(|c| c.last_order_at)
            .zip(at)
            .map(|(last, at)| (at - last).num_seconds().max(0) as f64 / 86_400.0),
        lines: order
            .lines
            .iter()
            .map(|l| (l.quantity, l.unit_price_minor as f64 / unit))
            .collect(),
        country: order.shipping_address.as_ref().map(|a| a.country.clone()),
        hour_weekday: at.map(|t| (t.hour(), t.weekday().num_days_from_monday())),
        guest: customer.is_none_or(|c| c.id.is_empty()),
        days_since_last_cancellation: customer
            .and_then(|c| c.last_cancellation_at)
            .zip(at)
            .map(|(last, at)| (at - last).num_seconds().max(0) as f64 / 86_400.0),
        tenure_days: customer
            .and_then(|c| c.created_at)
            .zip(at)
            .map(|(first, at)| (at - first).num_seconds().max(0) as f64 / 86_400.0),
        mean_order_value: customer
            .filter(|c| c.order_count > 1 && c.lifetime_value_minor > 0)
            .map(|c| c.lifetime_value_minor as f64 / unit / f64::from(c.order_count - 1)),
    }
}
