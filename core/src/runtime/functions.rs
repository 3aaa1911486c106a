//! The functions rule authors call, registered into every pack's engine.
//!
//! Time values are RFC 3339 strings in UTC (`2026-11-27T10:00:00Z`): Rhai has
//! no date type, and strings round-trip through JSON unchanged.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rhai::{Dynamic, Engine, EvalAltResult, INT, ImmutableString, Map, NativeCallContext};

use super::{View, Warning, WarningSink};
use crate::knowledge::network::{self, NetworkPolicy};
use crate::knowledge::{address, carrier, currency, decline, time};
use crate::model::{Gateway, RetryRequest};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Formats a time the way every ordex output does.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_time(s: &str) -> Res<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 time: {e}").into())
}

fn shift(t: &str, d: Option<Duration>) -> Res<String> {
    let t = parse_time(t)?;
    d.and_then(|d| t.checked_add_signed(d))
        .map(format_time)
        .ok_or_else(|| "time arithmetic out of range".into())
}

fn between(a: &str, b: &str, unit_seconds: i64) -> Res<INT> {
    Ok((parse_time(b)? - parse_time(a)?).num_seconds() / unit_seconds)
}

pub(crate) fn warn_from(ctx: &NativeCallContext, code: &str, message: String) {
    if let Some(sink) = ctx.tag().and_then(|t| t.read_lock::<WarningSink>()) {
        sink.push(Warning {
            code: code.to_owned(),
            message,
            location: None,
        });
    }
}

fn push_str(map: &mut Map, key: &str, value: ImmutableString) {
    let entry = map
        .entry(key.into())
        .or_insert_with(|| Dynamic::from_array(Vec::new()));
    if let Some(mut list) = entry.write_lock::<rhai::Array>()
        && !list
            .iter()
            .any(|v| v.clone().into_immutable_string().ok().as_ref() == Some(&value))
    {
        list.push(value.into());
    }
}

fn fire(map: &mut Map, rule: ImmutableString, message: ImmutableString, facts: Map) {
    push_str(map, "rules_fired", rule.clone());
    let mut reason = Map::new();
    reason.insert("rule".into(), rule.into());
    reason.insert("message".into(), message.into());
    reason.insert("facts".into(), facts.into());
    let entry = map
        .entry("reasons".into())
        .or_insert_with(|| Dynamic::from_array(Vec::new()));
    if let Some(mut list) = entry.write_lock::<rhai::Array>() {
        list.push(reason.into());
    }
}

fn gateway_of(name: &str) -> Option<Gateway> {
    match name.trim().to_ascii_lowercase().as_str() {
        "stripe" => Some(Gateway::Stripe),
        "adyen" => Some(Gateway::Adyen),
        "braintree" => Some(Gateway::Braintree),
        "iso8583" => Some(Gateway::Iso8583),
        "other" => Some(Gateway::Other),
        _ => None,
    }
}

fn decline_map(ctx: &NativeCallContext, gateway: &str, code: &str, advice: Option<&str>) -> Map {
    let gw = gateway_of(gateway).unwrap_or_else(|| {
        warn_from(
            ctx,
            "gateway_unknown",
            format!("gateway `{gateway}` is not one ordex knows"),
        );
        Gateway::Other
    });
    let info = decline::apply_advice(decline::classify(gw, code), advice);
    if !info.known {
        warn_from(
            ctx,
            "decline_code_unknown",
            format!(
                "decline code `{code}` from {gateway} is not in the catalog; treated as generic"
            ),
        );
    }
    let mut m = Map::new();
    m.insert("gateway".into(), gateway.to_ascii_lowercase().into());
    m.insert("code".into(), info.code.into());
    m.insert("category".into(), info.category.as_str().into());
    m.insert("soft".into(), info.soft.into());
    m.insert("hard".into(), (!info.soft).into());
    m.insert("retryable".into(), info.retryable.into());
    let action = serde_json::to_value(info.customer_action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    m.insert("customer_action".into(), action.into());
    m.insert("shopper_message".into(), info.shopper_message.into());
    m.insert(
        "visa_category".into(),
        info.visa_category
            .map_or(Dynamic::UNIT, |c| Dynamic::from_int(INT::from(c))),
    );
    m.insert("known".into(), info.known.into());
    m
}

/// An [`Address`](crate::model::Address) from a map or a view, or a rule
/// error naming the function and the problem.
fn address_of(value: &Dynamic, function: &str) -> Res<crate::model::Address> {
    let json = super::to_json(value)
        .map_err(|(path, msg)| format!("{function}: argument at {path}: {msg}"))?;
    serde_json::from_value(json)
        .map_err(|e| format!("{function}: the argument is not an address: {e}").into())
}

/// The serde name of a unit enum value (`po_box`).
fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn tracking_map(t: &carrier::TrackingStatus) -> Map {
    let mut m = Map::new();
    m.insert("stage".into(), enum_name(&t.stage).into());
    m.insert(
        "exception".into(),
        t.exception.map_or(Dynamic::UNIT, |e| enum_name(&e).into()),
    );
    m.insert("customer_action".into(), t.customer_action.into());
    m.insert("next_step".into(), t.next_step.into());
    m.insert("source".into(), t.source.into());
    m.insert(
        "code".into(),
        t.code.clone().map_or(Dynamic::UNIT, Dynamic::from),
    );
    m
}

fn address_finding_map(f: &address::AddressFinding) -> Map {
    let mut m = Map::new();
    m.insert("code".into(), f.code.into());
    m.insert("field".into(), f.field.into());
    m.insert("severity".into(), enum_name(&f.severity).into());
    m.insert("message".into(), f.message.clone().into());
    m.insert(
        "suggestion".into(),
        f.suggestion.clone().map_or(Dynamic::UNIT, Dynamic::from),
    );
    m
}

/// A business calendar from a map or view (`ctx.params.business_hours`).
fn calendar_of(value: &Dynamic) -> Res<time::BusinessCalendar> {
    let json = super::to_json(value).map_err(|(p, m)| format!("business calendar at {p}: {m}"))?;
    time::BusinessCalendar::from_json(&json).map_err(|e| e.0.into())
}

/// Member `key` of a map or an input view, as a Rhai value.
fn member(value: &Dynamic, key: &str) -> Option<Dynamic> {
    if let Some(map) = value.read_lock::<Map>() {
        return map.get(key).cloned();
    }
    value
        .read_lock::<View>()
        .map(|v| v.clone().get_key(key))
        .filter(|d| !d.is_unit())
}

/// Lower case with runs of white space collapsed, for keyword rules.
fn normalize_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether any of `words` occurs in `text`. Codes — anything with a digit,
/// or three characters or fewer (`a03`, `dd`) — must be whole tokens, so
/// `dd` does not match inside "address"; longer words and phrases match
/// anywhere, so "delay" finds "delayed". Case-insensitive.
fn mentions(text: &str, words: &[Dynamic]) -> bool {
    let text = text.to_lowercase();
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect();
    words
        .iter()
        .filter_map(|w| w.clone().into_immutable_string().ok())
        .any(|w| {
            let w = w.to_lowercase();
            let code = w.chars().count() <= 3 || w.chars().any(|c| c.is_ascii_digit());
            if code {
                tokens.contains(&w.as_str())
            } else {
                text.contains(&w)
            }
        })
}

/// Registers the read-only input view and every rule-author function.
pub(crate) fn register(engine: &mut Engine) {
    register_view(engine);
    register_time(engine);
    register_decision_helpers(engine);
    register_knowledge(engine);
}

fn register_view(engine: &mut Engine) {
    engine
        .register_type_with_name::<View>("View")
        .register_indexer_get(|v: &mut View, key: &str| v.get_key(key))
        .register_indexer_get(|v: &mut View, i: INT| v.get_index(i))
        .register_fn("len", View::len)
        .register_fn("is_empty", View::is_empty)
        .register_fn("contains", View::contains)
        .register_fn("keys", View::keys)
        .register_fn("copy", View::materialize)
        .register_fn("to_string", |v: &mut View| v.value().to_string())
        .register_fn("to_debug", |v: &mut View| v.value().to_string())
        .register_iterator::<View>();
}

fn register_time(engine: &mut Engine) {
    engine
        .register_fn("add_minutes", |t: &str, n: INT| {
            shift(t, Duration::try_minutes(n))
        })
        .register_fn("add_hours", |t: &str, n: INT| {
            shift(t, Duration::try_hours(n))
        })
        .register_fn("add_days", |t: &str, n: INT| {
            shift(t, Duration::try_days(n))
        })
        .register_fn("minutes_between", |a: &str, b: &str| between(a, b, 60))
        .register_fn("hours_between", |a: &str, b: &str| between(a, b, 3600))
        .register_fn("days_between", |a: &str, b: &str| between(a, b, 86_400))
        .register_fn("is_before", |a: &str, b: &str| -> Res<bool> {
            Ok(parse_time(a)? < parse_time(b)?)
        })
        .register_fn("days_since", |t: &str, now: &str| between(t, now, 86_400))
        .register_fn(
            "sla_due",
            |start: &str, minutes: INT, calendar: Dynamic| -> Res<String> {
                let cal = calendar_of(&calendar)?;
                cal.add_working_minutes(parse_time(start)?, minutes)
                    .map(format_time)
                    .ok_or_else(|| {
                        "sla_due: no working time within ten years in this calendar".into()
                    })
            },
        )
        .register_fn(
            "is_business_time",
            |t: &str, calendar: Dynamic| -> Res<bool> {
                Ok(calendar_of(&calendar)?.is_open(parse_time(t)?))
            },
        )
        .register_fn("local_time", |t: &str, zone: &str| -> Res<Map> {
            let rule = time::zone(zone).map_err(|e| e.0)?;
            let utc = parse_time(t)?;
            let local = rule.to_local(utc);
            let mut m = Map::new();
            m.insert("date".into(), local.format("%Y-%m-%d").to_string().into());
            m.insert("time".into(), local.format("%H:%M").to_string().into());
            m.insert(
                "weekday".into(),
                Dynamic::from_int(INT::from(
                    chrono::Datelike::weekday(&local).number_from_monday(),
                )),
            );
            m.insert(
                "offset_minutes".into(),
                Dynamic::from_int(rule.offset_at(utc) / 60),
            );
            Ok(m)
        })
        .register_fn("is_time", |t: Dynamic| {
            t.into_immutable_string()
                .is_ok_and(|s| parse_time(&s).is_ok())
        });
}

fn register_decision_helpers(engine: &mut Engine) {
    engine
        .register_fn(
            "fire",
            |m: &mut Map, rule: ImmutableString, msg: ImmutableString| {
                fire(m, rule, msg, Map::new())
            },
        )
        .register_fn("fire", fire)
        .register_fn("action", |kind: ImmutableString, params: Map| {
            let mut m = Map::new();
            m.insert("type".into(), kind.into());
            m.insert("params".into(), params.into());
            m
        })
        .register_fn("action", |kind: ImmutableString| {
            let mut m = Map::new();
            m.insert("type".into(), kind.into());
            m.insert("params".into(), Map::new().into());
            m
        })
        .register_fn(
            "finding",
            |code: ImmutableString,
             field: ImmutableString,
             severity: ImmutableString,
             msg: ImmutableString| {
                let mut m = Map::new();
                m.insert("code".into(), code.into());
                m.insert("field".into(), field.into());
                m.insert("severity".into(), severity.into());
                m.insert("message".into(), msg.into());
                m
            },
        )
        .register_fn("warn", |ctx: NativeCallContext, msg: ImmutableString| {
            warn_from(&ctx, "rule_warning", msg.to_string())
        })
        .register_fn("clamp", |x: INT, lo: INT, hi: INT| x.max(lo).min(hi));
}

fn register_knowledge(engine: &mut Engine) {
    engine
        .register_fn(
            "decline",
            |ctx: NativeCallContext, gateway: &str, code: &str| {
                decline_map(&ctx, gateway, code, None)
            },
        )
        .register_fn(
            "decline",
            |ctx: NativeCallContext, gateway: &str, code: &str, advice: Dynamic| {
                let advice = advice.into_immutable_string().ok();
                decline_map(&ctx, gateway, code, advice.as_deref())
            },
        )
        .register_fn("minor_units", |c: &str| -> Res<INT> {
            currency::minor_units(c)
                .map(INT::from)
                .ok_or_else(|| format!("`{c}` is not an ISO 4217 currency").into())
        })
        .register_fn("money", |minor: INT, c: &str| {
            currency::format_money(minor, c)
        })
        .register_fn("network_retry", |request: &mut View, ctx: Dynamic| {
            network_retry_map(request, &ctx)
        })
        .register_fn("is_digits", |s: &str| {
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
        })
        .register_fn("digits_only", |s: &str| {
            s.chars().filter(char::is_ascii_digit).collect::<String>()
        })
        .register_fn("tokens", |s: &str| {
            s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|t| !t.is_empty())
                .map(|t| Dynamic::from(t.to_lowercase()))
                .collect::<rhai::Array>()
        })
        .register_fn("validate_address", |addr: Dynamic| -> Res<rhai::Array> {
            let a = address_of(&addr, "validate_address")?;
            Ok(address::validate_address(&a)
                .into_iter()
                .map(|f| address_finding_map(&f).into())
                .collect())
        })
        .register_fn("normalize_postal", |country: &str, code: &str| {
            address::normalize_postal(country, code).map_or(Dynamic::UNIT, Dynamic::from)
        })
        .register_fn("postal_code_valid", address::postal_code_valid)
        .register_fn("delivery_point", |addr: Dynamic| -> Res<String> {
            let a = address_of(&addr, "delivery_point")?;
            Ok(enum_name(&address::delivery_point(&a)))
        })
        .register_fn(
            "carrier_refuses",
            |carrier: &str, service: Dynamic, addr: Dynamic| -> Res<bool> {
                let a = address_of(&addr, "carrier_refuses")?;
                let service = service.into_immutable_string().ok();
                Ok(address::carrier_refuses(
                    carrier,
                    service.as_deref(),
                    address::delivery_point(&a),
                ))
            },
        )
        .register_fn("country_name", |code: &str| {
            address::country(code).map_or(Dynamic::UNIT, |c| Dynamic::from(c.name.to_owned()))
        })
        .register_fn("tracking_status", |event: Dynamic| -> Res<Map> {
            let json = super::to_json(&event)
                .map_err(|(p, m)| format!("tracking_status: argument at {p}: {m}"))?;
            let e: crate::model::TrackingEvent = serde_json::from_value(json).map_err(|e| {
                format!("tracking_status: the argument is not a tracking event: {e}")
            })?;
            Ok(tracking_map(&carrier::normalize_tracking(&e)))
        })
        .register_fn("shipment_status", |shipment: Dynamic| -> Res<Map> {
            let json = super::to_json(&shipment)
                .map_err(|(p, m)| format!("shipment_status: argument at {p}: {m}"))?;
            let s: crate::model::Shipment = serde_json::from_value(json)
                .map_err(|e| format!("shipment_status: the argument is not a shipment: {e}"))?;
            Ok(tracking_map(&carrier::shipment_status(&s)))
        })
        .register_fn("normalize_text", normalize_text)
        .register_fn("mentions", |text: &str, words: rhai::Array| {
            mentions(text, &words)
        })
        .register_fn("squish", |s: &str| {
            s.split_whitespace().collect::<Vec<_>>().join(" ")
        });
}

/// `network_retry(request, ctx)`: the card-network verdict for a retry
/// request, with `ctx.params.network` overriding the default policy.
fn network_retry_map(request: &View, ctx: &Dynamic) -> Res<Map> {
    let req: RetryRequest = serde_json::from_value(request.value().clone())
        .map_err(|e| format!("network_retry: the first argument must be the retry request: {e}"))?;
    let now = match member(ctx, "now").and_then(|n| n.into_immutable_string().ok()) {
        Some(t) => parse_time(&t)?,
        None => {
            return Err("network_retry: the second argument must be ctx (it carries `now`)".into());
        }
    };
    let network = member(ctx, "params").and_then(|p| member(&p, "network"));
    let policy = match network.map(|n| super::to_json(&n)) {
        Some(Ok(p)) => serde_json::from_value::<NetworkPolicy>(p).map_err(|e| {
            format!("ordex.toml [params.network] is not a valid network policy: {e}")
        })?,
        Some(Err((path, msg))) => return Err(format!("[params.network] at {path}: {msg}").into()),
        None => NetworkPolicy::default(),
    };
    let v = network::network_retry(&req.failure, &req.history, now, &policy);
    let mut m = Map::new();
    m.insert("allowed".into(), v.allowed.into());
    m.insert(
        "earliest".into(),
        v.earliest.map_or(Dynamic::UNIT, |t| format_time(t).into()),
    );
    m.insert("rule".into(), v.rule.into());
    m.insert(
        "notes".into(),
        Dynamic::from_array(v.notes.into_iter().map(Dynamic::from).collect()),
    );
    m.insert(
        "visa_category".into(),
        v.visa_category
            .map_or(Dynamic::UNIT, |c| Dynamic::from_int(INT::from(c))),
    );
    m.insert("used".into(), Dynamic::from_int(INT::from(v.used)));
    m.insert("limit".into(), Dynamic::from_int(INT::from(v.limit)));
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<Dynamic> {
        ws.iter().map(|w| Dynamic::from(w.to_string())).collect()
    }

    #[test]
    fn short_codes_match_whole_tokens_and_words_match_anywhere() {
        assert!(!mentions("incorrect address", &words(&["dd"])));
        assert!(mentions("status dd at hub", &words(&["dd"])));
        assert!(mentions(
            "Exception Exception_007",
            &words(&["exception_007"])
        ));
        assert!(!mentions(
            "Exception Exception_0070",
            &words(&["exception_007"])
        ));
        assert!(mentions("Shipment DELAYED by weather", &words(&["delay"])));
        assert!(mentions(
            "customer not available today",
            &words(&["not available"])
        ));
    }

    #[test]
    fn normalize_text_lowercases_and_collapses_space() {
        assert_eq!(
            normalize_text("  WHERE   is\tMy order "),
            "where is my order"
        );
    }
}
