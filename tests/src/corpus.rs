use ordex_core::knowledge::address::all_countries;
use ordex_core::model::ExceptionKind;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// Generated call envelopes (`evaluate_json` form), one JSON text each.
pub struct Corpus {
    /// The calls.
    pub calls: Vec<String>,
}

const NAMES: &[&str] = &[
    "Ada Lovelace",
    "Zoë Ørsted",
    "Иван Петров",
    "山田 太郎",
    "李小龍",
    "محمد علي",
    "देवी प्रसाद",
    "Łukasz Żółw",
    "O'Brien-Smith",
    "José Ñúñez",
    "Nguyễn Văn An",
    "김민준",
    "🙂 Emoji Person",
    "",
    "   ",
];
const STREETS: &[&str] = &[
    "12 Main St",
    "PO Box 123",
    "P.O. Box 9",
    "Unit 2050 Box 4190",
    "Packstation 105",
    "1600 Amphitheatre Pkwy Apt",
    "Hauptstraße 5",
    "10 Downing Street",
    "1-2-3 Shibuya",
    "Rua Augusta 100",
    "улица Ленина 1",
    "",
    "Suite",
];
const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "KWD", "BRL", "INR", "CHF", "SEK", "XYZ",
];
const GATEWAYS: &[(&str, &[&str])] = &[
    (
        "stripe",
        &[
            "insufficient_funds",
            "do_not_honor",
            "expired_card",
            "stolen_card",
            "authentication_required",
            "processing_error",
            "card_velocity_exceeded",
            "revocation_of_authorization",
            "duplicate_transaction",
            "brand_new_code",
        ],
    ),
    (
        "adyen",
        &["2", "5", "6", "12", "24", "26", "38", "46", "99"],
    ),
    (
        "braintree",
        &[
            "2000", "2001", "2004", "2014", "2046", "2099", "2500", "3000", "9999",
        ],
    ),
    (
        "iso8583",
        &[
            "05", "14", "41", "51", "54", "57", "61", "91", "1A", "R0", "ZZ",
        ],
    ),
    ("other", &["declined"]),
];
const BRANDS: &[&str] = &[
    "visa",
    "mastercard",
    "amex",
    "discover",
    "jcb",
    "unionpay",
    "diners",
    "other",
];
const TRACKING: &[(&str, &str)] = &[
    ("Exception", "Exception_013"),
    ("Exception", "Exception_012"),
    ("Exception", "Exception_007"),
    ("Exception", "Exception_004"),
    ("Exception", "Exception_006"),
    ("Exception", "Exception_017"),
    ("Exception", "Exception_021"),
    ("AttemptFail", "AttemptFail_002"),
    ("failure", "damaged"),
    ("in_transit", "delayed"),
    ("return_to_sender", "return"),
    ("X", ""),
    ("SE", ""),
    ("Pending", "Pending_001"),
    ("InTransit", "InTransit_003"),
    ("Exception", ""),
];
const MESSAGES: &[&str] = &[
    "Where is my order?",
    "my parcel still hasnt shown up 😤",
    "Can I get a copy of my invoice?",
    "Ｐｌｅａｓｅ ｃａｎｃｅｌ",
    "Est-ce que je peux annuler ma commande ?",
    "Wo ist meine Bestellung??",
    "I returned it weeks ago, refund still not here!!!",
    "card declined at checkout, help",
    "the quick brown fox jumps over the lazy dog",
    "🙏🙏🙏",
    "  \n\t  ",
    "Please cancel my order",
    "I didn't order this",
    "I was charged twice",
    "The item arrived broken, refund please",
    "I moved, can you ship to my new address?",
    "Do you sell gift cards?",
    "WHERE IS MY PACKAGE???",
    "chargeback incoming",
    "",
    "注文はどこですか",
];
const TIMES: &[&str] = &[
    "2026-11-27T10:00:00Z",
    "2026-03-08T06:30:00Z",
    "2025-05-24T12:00:00Z",
    "2027-01-01T00:00:00Z",
    "2026-11-28T03:00:00Z",
];

/// Words the generated messages are made of: the intents' vocabulary, other
/// scripts, emoji, digits and punctuation.
const WORDS: &[&str] = &[
    "where",
    "is",
    "my",
    "order",
    "cancel",
    "refund",
    "please",
    "address",
    "invoice",
    "card",
    "declined",
    "package",
    "late",
    "when",
    "help",
    "account",
    "password",
    "return",
    "ship",
    "to",
    "the",
    "not",
    "arrived",
    "!!!",
    "???",
    "4471",
    "1Z999AA10123456784",
    "😡",
    "🙂",
    "注文",
    "посылка",
    "طلب",
    "Straße",
    "ﬁle",
    "café",
    "ÉCOLE",
    "\u{200b}",
    "don't",
    "it's",
];

/// A customer message: a fixed one, words at random, or a 10 KB text (the
/// models read the first 1,000 characters, so long texts must cost no more).
fn message(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..10) {
        0..=4 => (*pick(rng, MESSAGES)).to_owned(),
        5..=8 => (0..rng.random_range(1..30))
            .map(|_| *pick(rng, WORDS))
            .collect::<Vec<_>>()
            .join(if rng.random_bool(0.8) { " " } else { "" }),
        _ => {
            let word = *pick(rng, WORDS);
            format!("{word} ").repeat(10_240 / (word.len() + 1))
        }
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).unwrap_or(&items[0])
}

fn time(rng: &mut ChaCha8Rng, base_day: i64) -> String {
    let day = base_day - rng.random_range(0..60);
    let secs = 1_764_547_200 + day * 86_400 + rng.random_range(0..86_400);
    chrono_like(secs)
}

/// RFC 3339 from epoch seconds, without a date library (days-from-civil).
fn chrono_like(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn address(rng: &mut ChaCha8Rng) -> Value {
    let countries = all_countries();
    let c = &countries[rng.random_range(0..countries.len())];
    let postal = match (c.zipex.first(), rng.random_range(0..6)) {
        (Some(ex), 0) => Value::String(ex.to_lowercase().replace(' ', "")),
        (Some(_), 1) => Value::String("12".into()),
        (Some(ex), _) => Value::String((*ex).to_owned()),
        (None, _) => Value::Null,
    };
    let region = c
        .subs
        .choose(rng)
        .map_or(Value::Null, |s| Value::String(s.key.to_owned()));
    json!({
        "name": pick(rng, NAMES), "lines": [pick(rng, STREETS)], "city": if rng.random_bool(0.9) { json!("Springfield") } else { Value::Null },
        "region": region, "postal_code": postal, "country": c.code, "phone": if rng.random_bool(0.5) { json!("+1 555 0100") } else { Value::Null }
    })
}

fn order(rng: &mut ChaCha8Rng, currency: &str) -> Value {
    let n = if rng.random_bool(0.05) {
        rng.random_range(50..200)
    } else {
        rng.random_range(0..6)
    };
    let lines: Vec<Value> = (0..n)
        .map(|i| json!({"sku": format!("SKU-{i}"), "quantity": rng.random_range(1..80), "unit_price_minor": rng.random_range(0..200_000), "final_sale": rng.random_bool(0.1), "title": pick(rng, NAMES)}))
        .collect();
    json!({
        "id": format!("ord_{}", rng.random_range(0..1_000_000)), "channel": pick(rng, &["web", "app", "marketplace", "b2b", "store"]), "currency": currency,
        "lines": lines, "shipping_minor": rng.random_range(0..2000), "shipping_address": address(rng), "billing_address": address(rng),
        "shipping_method": {"carrier": pick(rng, &["ups", "usps", "fedex", "dhl_express", "royal_mail"]), "service": pick(rng, &["ground", "express", "next_day", "standard"])}
    })
}

fn customer(rng: &mut ChaCha8Rng) -> Value {
    if rng.random_bool(0.15) {
        return Value::Null;
    }
    json!({
        "id": "cus_1", "tier": pick(rng, &["new", "standard", "loyal", "vip"]), "lifetime_value_minor": rng.random_range(0..2_000_000), "currency": "USD",
        "order_count": rng.random_range(0..50), "email": pick(rng, &["ada@example.com", "x@mailinator.com", "bad@", ""]),
        "history": {"exceptions_90d": rng.random_range(0..5), "declines_30d": rng.random_range(0..5), "returns_365d": rng.random_range(0..15), "chargebacks": rng.random_range(0..3), "fraud_flags": rng.random_range(0..2)},
        "b2b": if rng.random_bool(0.2) { json!({"account_id": "acme", "contract_id": "C1", "credit_limit_minor": 5_000_000, "strategic": rng.random_bool(0.3)}) } else { Value::Null }
    })
}

fn attempt(rng: &mut ChaCha8Rng, currency: &str, day: i64) -> Value {
    let at = time(rng, day);
    let (gateway, codes) = pick(rng, GATEWAYS);
    json!({
        "at": at, "brand": pick(rng, BRANDS), "card_fingerprint": pick(rng, &["fp_1", "fp_2"]), "gateway": gateway, "decline_code": pick(rng, codes),
        "advice_code": pick(rng, &[Value::Null, json!("03"), json!("21"), json!("27"), json!("02"), json!("do_not_try_again"), json!("try_again_later")]),
        "amount_minor": rng.random_range(100..100_000), "currency": currency, "initiator": pick(rng, &["customer", "merchant"]),
        "risk_score": if rng.random_bool(0.3) { json!(rng.random_range(0..100)) } else { Value::Null }
    })
}

fn exception(rng: &mut ChaCha8Rng, kind: ExceptionKind, currency: &str, day: i64) -> Value {
    let mut e = match kind {
        ExceptionKind::PaymentDeclined => {
            let previous: Vec<Value> = (0..rng.random_range(0..4))
                .map(|_| attempt(rng, currency, day))
                .collect();
            json!({"payment": attempt(rng, currency, day), "previous_attempts": previous})
        }
        ExceptionKind::AddressInvalid => {
            json!({"role": pick(rng, &["shipping", "billing"]), "address": address(rng), "problems": [pick(rng, &["postal_code_mismatch", "undeliverable", "address_not_found"])], "suggestion": if rng.random_bool(0.5) { address(rng) } else { Value::Null }, "detected_by": pick(rng, &["validator", "carrier", "checkout"])})
        }
        ExceptionKind::AddressChangeRequested => {
            json!({"new_address": address(rng), "fulfillment_status": pick(rng, &["unfulfilled", "in_progress", "shipped", "delivered"])})
        }
        ExceptionKind::InventoryShortage => {
            json!({"sku": "SKU-0", "ordered_quantity": rng.random_range(1..10), "available_quantity": rng.random_range(0..3), "node": "dc-1", "alternative_nodes": if rng.random_bool(0.5) { json!(["dc-2"]) } else { json!([]) }, "restock_date": if rng.random_bool(0.5) { json!("2026-12-05") } else { Value::Null }, "reason": pick(rng, &["not_in_stock", "damaged", "mismatch"])})
        }
        ExceptionKind::CarrierException => {
            let (status, sub) = pick(rng, TRACKING);
            let events: Vec<Value> = (0..rng.random_range(0..4)).map(|_| json!({"at": time(rng, day), "status": status, "substatus": if sub.is_empty() { Value::Null } else { json!(sub) }, "message": pick(rng, MESSAGES)})).collect();
            json!({"shipment": {"carrier": "ups", "tracking_number": "1Z", "shipped_at": time(rng, day), "promised_by": time(rng, day), "estimated_delivery": if rng.random_bool(0.5) { json!(time(rng, day + 5)) } else { Value::Null }, "events": events}})
        }
        ExceptionKind::CancellationRequested => {
            json!({"requested_by": pick(rng, &["customer", "merchant", "fraud_team"]), "reason": "changed_mind", "fulfillment_status": pick(rng, &["unfulfilled", "in_progress", "shipped", "delivered"])})
        }
        ExceptionKind::ReturnRequested => {
            json!({"items": [{"sku": "SKU-0", "quantity": 1, "reason": pick(rng, &["changed_mind", "defective", "damaged", "wrong_item"])}], "delivered_at": if rng.random_bool(0.9) { json!(time(rng, day)) } else { Value::Null }, "return_window_days": rng.random_range(0..60)})
        }
        ExceptionKind::SplitShipment => {
            json!({"parts": [{"node": "a", "skus": ["SKU-0"]}, {"node": "b", "skus": ["SKU-1"]}], "extra_cost_minor": rng.random_range(0..8000), "ship_complete_requested": rng.random_bool(0.3)})
        }
        ExceptionKind::MarketplaceSellerLate => {
            json!({"seller_id": "s1", "ship_by": time(rng, day), "late_rate_30d_pct": rng.random_range(0.0..30.0), "seller_responded": rng.random_bool(0.5)})
        }
        ExceptionKind::ContractPriceDispute => {
            json!({"sku": "SKU-0", "quantity": rng.random_range(1..500), "contract_price_minor": 1000, "invoiced_price_minor": rng.random_range(800..1400), "contract_id": if rng.random_bool(0.8) { json!("C1") } else { Value::Null }})
        }
        ExceptionKind::CreditHold => {
            json!({"credit_limit_minor": 5_000_000, "exposure_minor": rng.random_range(5_000_000..9_000_000), "overdue_minor": rng.random_range(0..100_000), "days_overdue": rng.random_range(0..120)})
        }
        ExceptionKind::CustomerMessage => json!({"channel": "email", "text": message(rng)}),
    };
    e["kind"] = json!(kind.as_str());
    e
}

/// Damages a document the way real integrations do: a field dropped, a
/// wrong type, an out-of-range number, a bad date, an unknown member.
fn mutate(rng: &mut ChaCha8Rng, doc: &mut Value) {
    let paths: [&[&str]; 8] = [
        &["order", "currency"],
        &["order", "lines"],
        &["schema_version"],
        &["id"],
        &["exception", "kind"],
        &["occurred_at"],
        &["order", "shipping_address", "country"],
        &["failure", "amount_minor"],
    ];
    let path = pick(rng, &paths);
    let mut node = &mut *doc;
    for key in &path[..path.len() - 1] {
        match node.get_mut(*key) {
            Some(n) => node = n,
            None => return,
        }
    }
    let last = path[path.len() - 1];
    if let Value::Object(m) = node {
        match rng.random_range(0..7) {
            0 => {
                m.remove(last);
            }
            1 => {
                m.insert(last.to_owned(), json!("not-a-number"));
            }
            2 => {
                m.insert(last.to_owned(), json!(-1));
            }
            3 => {
                m.insert(last.to_owned(), json!({"nested": [1, 2, 3]}));
            }
            // A number with four decimal places (exact decimals in rules),
            // and one beyond a decimal's range (refused at the boundary).
            4 => {
                m.insert(last.to_owned(), json!(1234.5678));
            }
            5 => {
                m.insert(last.to_owned(), json!(1e30));
            }
            _ => {
                m.insert(format!("{last}_typo"), json!(true));
            }
        }
    }
}

/// A detector call: a random detector, a series with a level change, and
/// sometimes the state an earlier run left (computed natively), so every
/// runtime must continue a state it did not write.
fn detect_input(rng: &mut ChaCha8Rng) -> Value {
    let len = rng.random_range(1..150);
    let shift_at = rng.random_range(0..len);
    let (detector, obs): (Value, Vec<Value>) = match rng.random_range(0..3) {
        0 => {
            let (lo, hi) = *pick(rng, &[(0.0, 1.0), (-50.0, 50.0), (0.0, 1e9), (3.0, 3.0)]);
            let spec = json!({"kind": "context", "min": lo, "max": hi, "rest_period": rng.random_range(0..40)});
            let obs = (0..len)
                .map(|t| {
                    let level = if t >= shift_at { 0.8 } else { 0.3 };
                    let v: f64 = lo + (hi - lo) * (level + rng.random_range(-0.2..0.2));
                    json!({"value": v})
                })
                .collect();
            (spec, obs)
        }
        1 => {
            let spec = json!({"kind": "rate_cusum", "ratio": pick(rng, &[1.5, 2.0, 4.0]), "warmup": rng.random_range(0..60)});
            let obs = (0..len)
                .map(|t| {
                    let trials = rng.random_range(0..40u64);
                    let p = if t >= shift_at { 0.4 } else { 0.05 };
                    let failures = (0..trials).filter(|_| rng.random_bool(p)).count();
                    json!({"failures": failures, "trials": trials})
                })
                .collect();
            (spec, obs)
        }
        _ => {
            let spec = json!({"kind": "count_cusum", "threshold": pick(rng, &[3.0, 8.0, 20.0]), "forget": 0.01, "warmup": rng.random_range(0..40)});
            let obs = (0..len)
                .map(|t| {
                    let mean = if t >= shift_at {
                        pick(rng, &[0u64, 60])
                    } else {
                        &20
                    };
                    json!({"count": mean + rng.random_range(0..5)})
                })
                .collect();
            (spec, obs)
        }
    };
    let split = rng.random_range(0..=obs.len());
    let mut input = json!({"detector": detector, "observations": obs[split..]});
    if split > 0 {
        let prefix = json!({"detector": input["detector"].clone(), "observations": obs[..split]});
        if let ordex_core::api::Answer::Success { ok, .. } =
            ordex_core::api::learn_json::detect(&prefix, "input")
        {
            input["state"] = serde_json::to_value(ok.state).expect("state serialises");
        }
    }
    input
}

/// A learned-retry call: a decline with history, and counts that give the
/// learner enough evidence about half of the time.
fn learned_retry_input(rng: &mut ChaCha8Rng, currency: &str, day: i64) -> Value {
    let failure = attempt(rng, currency, day);
    learned_retry_for(rng, failure, currency, day)
}

/// A learned-retry call for `failure`, with counts keyed to its category.
fn learned_retry_for(rng: &mut ChaCha8Rng, failure: Value, currency: &str, day: i64) -> Value {
    let history: Vec<Value> = (0..rng.random_range(0..6))
        .map(|_| attempt(rng, currency, day))
        .collect();
    let gateway: ordex_core::model::Gateway = serde_json::from_value(failure["gateway"].clone())
        .unwrap_or(ordex_core::model::Gateway::Other);
    let info = ordex_core::knowledge::decline::classify(
        gateway,
        failure["decline_code"].as_str().unwrap_or(""),
    );
    let category = info.category.as_str();
    let country = failure["bin_country"].as_str().unwrap_or("??").to_owned();
    let mut cells = serde_json::Map::new();
    let cell_count = if rng.random_bool(0.5) { 40 } else { 3 };
    for _ in 0..cell_count {
        let key = format!(
            "{category}|{}|{}|{}|{}|{}",
            if rng.random_bool(0.8) {
                country.as_str()
            } else {
                "*"
            },
            if rng.random_bool(0.8) { currency } else { "*" },
            rng.random_range(0..6),
            pick(rng, &["payday", "weekday", "weekend"]),
            rng.random_range(0..5)
        );
        cells.insert(
            key,
            json!({"successes": rng.random_range(0..40), "failures": rng.random_range(0..80)}),
        );
    }
    json!({
        "request": {"schema_version": 1, "failure": failure, "history": history},
        "stats": {"cells": cells},
        "spec": {"min_evidence": rng.random_range(0..200)},
        "utc_offset_minutes": rng.random_range(-600..600),
        "horizon_days": 60,
        "seed": rng.random::<u32>(),
    })
}

/// `n` call envelopes from `seed`.
pub fn corpus(seed: u64, n: usize) -> Corpus {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut calls = Vec::with_capacity(n);
    for i in 0..n {
        let currency = *pick(&mut rng, CURRENCIES);
        let now = *pick(&mut rng, TIMES);
        let day = 360;
        let (entry, mut input, context) = match i % 5 {
            0 => (
                "checkout",
                json!({"schema_version": 1, "order": order(&mut rng, currency), "customer": customer(&mut rng), "email": pick(&mut rng, &["ada@example.com", "a@b", "x@yopmail.com"]),
                   "payment": {"method": "card", "brand": pick(&mut rng, BRANDS), "bin_country": pick(&mut rng, &["US", "GB", "NG", "JP"]), "exp_month": rng.random_range(1..13), "exp_year": rng.random_range(2024..2030), "prepaid": rng.random_bool(0.1)}}),
                Value::Null,
            ),
            // A checkout after the gateway declined: what the shopper is told.
            _ if i % 25 == 4 => {
                let (gateway, codes) = *pick(&mut rng, GATEWAYS);
                let code = *pick(&mut rng, codes);
                (
                    "checkout",
                    json!({"schema_version": 1, "order": order(&mut rng, currency), "email": "ada@example.com",
                           "payment": {"method": "card", "brand": pick(&mut rng, BRANDS), "exp_month": 8, "exp_year": 2030,
                                       "decline": {"gateway": gateway, "code": code}}}),
                    Value::Null,
                )
            }
            1 => {
                let failure = attempt(&mut rng, currency, day);
                let history: Vec<Value> = (0..rng.random_range(0..25))
                    .map(|_| attempt(&mut rng, currency, day))
                    .collect();
                let mut request = json!({"schema_version": 1, "failure": failure, "history": history, "recurring": rng.random_bool(0.3)});
                // Some retries carry what the host learned, so every runtime
                // runs the learner inside the retry entry.
                if rng.random_bool(0.3) {
                    let learned =
                        learned_retry_for(&mut rng, request["failure"].clone(), currency, day);
                    request["learning"] = json!({"stats": learned["stats"], "seed": learned["seed"], "utc_offset_minutes": learned["utc_offset_minutes"]});
                }
                ("retry", request, Value::Null)
            }
            _ if i % 25 == 2 => ("ordex:detect", detect_input(&mut rng), Value::Null),
            _ if i % 25 == 3 => (
                "ordex:learned_retry",
                learned_retry_input(&mut rng, currency, day),
                Value::Null,
            ),
            _ => {
                let kind = ExceptionKind::ALL[rng.random_range(0..ExceptionKind::ALL.len())];
                let event = json!({"schema_version": 1, "id": format!("evt_{i}"), "occurred_at": time(&mut rng, day), "order": order(&mut rng, currency), "customer": customer(&mut rng), "exception": exception(&mut rng, kind, currency, day)});
                let mut context = json!({"utc_offset_minutes": rng.random_range(-600..600), "queue_depth": rng.random_range(0..500)});
                // Open incidents on the event's own gateway or carrier, so the
                // rules' incident paths run in every runtime.
                if rng.random_bool(0.25) {
                    let gateway = event["exception"]["payment"]["gateway"]
                        .as_str()
                        .unwrap_or("stripe")
                        .to_owned();
                    let started = time(&mut rng, day);
                    context["incidents"] = json!([
                        {"id": rng.random_range(1..100), "kind": "declines_surge", "metric": "declines", "scope": format!("gateway={gateway}"), "direction": "up", "status": "open", "started_at": started},
                        {"id": rng.random_range(100..200), "kind": "carrier_exceptions_surge", "metric": "carrier_exceptions", "scope": "carrier=ups", "direction": "up", "status": "acknowledged", "started_at": started}
                    ]);
                }
                ("triage", event, context)
            }
        };
        if rng.random_bool(0.1) {
            mutate(&mut rng, &mut input);
        }
        let mut call = json!({"entry": entry, "now": now, "input": input});
        if !context.is_null() {
            call["context"] = context;
        }
        // Every 50th call asks for a trace (by index, so the seeded inputs
        // stay as they were): the trace must be identical in every runtime too.
        if i % 50 == 7 || i % 50 == 26 {
            call["trace"] = json!(true);
        }
        calls.push(if rng.random_bool(0.005) {
            format!("{}{{", call)
        } else {
            call.to_string()
        });
    }
    Corpus { calls }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_corpus() {
        assert_eq!(corpus(7, 50).calls, corpus(7, 50).calls);
        assert_ne!(corpus(7, 50).calls, corpus(8, 50).calls);
    }

    #[test]
    fn checkouts_after_a_decline_are_in_the_corpus() {
        let c = corpus(7, 500);
        let n = c
            .calls
            .iter()
            .filter(|t| t.contains("\"decline\":{\"gateway\""))
            .count();
        assert!(n >= 15, "{n}");
    }

    #[test]
    fn detector_calls_are_in_the_corpus_and_mostly_succeed() {
        let calls: Vec<Value> = corpus(20_261_127, 2_000)
            .calls
            .iter()
            .filter_map(|c| serde_json::from_str::<Value>(c).ok())
            .filter(|c| c["entry"] == "ordex:detect")
            .collect();
        let with_state = calls
            .iter()
            .filter(|c| c["input"].get("state").is_some())
            .count();
        let ok = calls
            .iter()
            .filter(|c| {
                matches!(
                    ordex_core::api::learn_json::detect(&c["input"], "input"),
                    ordex_core::api::Answer::Success { .. }
                )
            })
            .count();
        assert!(calls.len() >= 60, "{} detector calls", calls.len());
        assert!(
            with_state >= 30 && ok * 10 >= calls.len() * 8,
            "{with_state} with state, {ok} ok of {}",
            calls.len()
        );
    }

    #[test]
    fn learned_retry_calls_answer_both_ways() {
        let engine_free: Vec<Value> = corpus(20_261_127, 3_000)
            .calls
            .iter()
            .filter_map(|c| serde_json::from_str::<Value>(c).ok())
            .filter(|c| c["entry"] == "ordex:learned_retry")
            .collect();
        let now = ordex_core::api::parse_now(Some(&json!("2026-11-27T10:00:00Z")), "now").unwrap();
        let sources: Vec<String> = engine_free
            .iter()
            .filter_map(|c| {
                match ordex_core::api::learn_json::learned_retry(&c["input"], "input", now) {
                    ordex_core::api::Answer::Success { ok, .. } => Some(ok.source.to_owned()),
                    _ => None,
                }
            })
            .collect();
        assert!(engine_free.len() >= 100, "{} calls", engine_free.len());
        assert!(
            sources.iter().filter(|s| *s == "learned").count() >= 5,
            "{sources:?}"
        );
        assert!(
            sources.iter().filter(|s| *s == "schedule").count() >= 10,
            "{sources:?}"
        );
    }

    #[test]
    fn incident_paths_of_the_rules_are_in_the_corpus() {
        let engine = ordex_core::api::Engine::from_bundle(
            ordex_host::pack_dir::load(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules"),
            )
            .expect("pack"),
        )
        .expect("compiles");
        let answers: Vec<String> = corpus(20_261_127, 3_000)
            .calls
            .iter()
            .filter(|c| c.contains("\"incidents\""))
            .map(|c| ordex_core::api::evaluate_json_str(&engine, c))
            .collect();
        assert!(
            answers
                .iter()
                .any(|a| a.contains("payment.gateway_incident")),
            "a held retry"
        );
        assert!(
            answers.iter().any(|a| a.contains("carrier.incident")),
            "a carrier incident notice"
        );
    }

    #[test]
    fn some_calls_ask_for_a_trace_of_triage_and_retry() {
        let c = corpus(20_261_127, 1_000);
        let traced: Vec<Value> = c
            .calls
            .iter()
            .filter_map(|t| serde_json::from_str::<Value>(t).ok())
            .filter(|v| v["trace"] == json!(true))
            .collect();
        assert!(traced.len() >= 35, "{}", traced.len());
        assert!(traced.iter().any(|v| v["entry"] == "triage"));
        assert!(traced.iter().any(|v| v["entry"] == "retry"));
    }

    #[test]
    fn dates_are_valid_rfc3339() {
        assert_eq!(chrono_like(0), "1970-01-01T00:00:00Z");
        assert_eq!(chrono_like(1_764_547_200), "2025-12-01T00:00:00Z");
        assert_eq!(chrono_like(1_709_164_800), "2024-02-29T00:00:00Z");
    }
}
