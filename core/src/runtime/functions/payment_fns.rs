//! Payments: decline codes, card-network retry rules, money.

use rhai::{Dynamic, Engine, INT, Map, NativeCallContext};

use super::time_fns::{format_time, parse_time};
use super::values::{enum_name, member, opt, typed, warn_from};
use super::{Res, reg};
use crate::knowledge::network::{self, NetworkPolicy};
use crate::knowledge::{currency, decline};
use crate::model::{Gateway, RetryRequest};
use crate::runtime::{View, to_json};

const S: &str = "Payments";

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
    m.insert(
        "customer_action".into(),
        enum_name(&info.customer_action).into(),
    );
    m.insert("shopper_message".into(), info.shopper_message.into());
    m.insert(
        "visa_category".into(),
        opt(info.visa_category.map(INT::from)),
    );
    m.insert("known".into(), info.known.into());
    m
}

fn network_retry_map(request: &View, ctx: &Dynamic) -> Res<Map> {
    let req: RetryRequest = serde_json::from_value(request.value().clone())
        .map_err(|e| format!("network_retry: the first argument must be the retry request: {e}"))?;
    let now = match member(ctx, "now").and_then(|n| n.into_immutable_string().ok()) {
        Some(t) => parse_time(&t)?,
        None => {
            return Err("network_retry: the second argument must be ctx (it carries `now`)".into());
        }
    };
    let policy = match member(ctx, "params").and_then(|p| member(&p, "network")) {
        Some(n) => {
            let json =
                to_json(&n).map_err(|(path, msg)| format!("[params.network] at {path}: {msg}"))?;
            serde_json::from_value::<NetworkPolicy>(json).map_err(|e| {
                format!("ordex.toml [params.network] is not a valid network policy: {e}")
            })?
        }
        None => NetworkPolicy::default(),
    };
    let v = network::network_retry(&req.failure, &req.history, now, &policy);
    let mut m = Map::new();
    m.insert("allowed".into(), v.allowed.into());
    m.insert("earliest".into(), opt(v.earliest.map(format_time)));
    m.insert("rule".into(), v.rule.into());
    m.insert(
        "notes".into(),
        Dynamic::from_array(v.notes.into_iter().map(Dynamic::from).collect()),
    );
    m.insert("visa_category".into(), opt(v.visa_category.map(INT::from)));
    m.insert("used".into(), Dynamic::from_int(INT::from(v.used)));
    m.insert("limit".into(), Dynamic::from_int(INT::from(v.limit)));
    Ok(m)
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "decline",
        &["gateway: &str", "code: &str", "Map"],
        "What a decline code means: `{category, soft, hard, retryable, customer_action, shopper_message, visa_category, known}`.\n`gateway` is `stripe` (`decline_code`), `adyen` (`refusalReasonCode`), `braintree` (processor code) or `iso8583`.\nAn unknown code is `generic` with a `decline_code_unknown` warning, never an error.",
        |ctx: NativeCallContext, gateway: &str, code: &str| decline_map(&ctx, gateway, code, None),
    );
    reg(
        engine,
        S,
        "decline",
        &["gateway: &str", "code: &str", "advice: &str", "Map"],
        "As above, applying the issuer's advice code (Stripe `advice_code`: `try_again_later`, `do_not_try_again`, `confirm_card_data`).",
        |ctx: NativeCallContext, gateway: &str, code: &str, advice: Dynamic| {
            let advice = advice.into_immutable_string().ok();
            decline_map(&ctx, gateway, code, advice.as_deref())
        },
    );
    reg(
        engine,
        S,
        "network_retry",
        &["request: View", "ctx: Map", "Map"],
        "Card-network verdict for a retry request: `{allowed, earliest, rule, notes, visa_category, used, limit}`.\nVisa: category 1 never; categories 2–4 capped per card in 30 days (15, 20 from 2025-05-25, customer- and merchant-initiated counted separately).\nMastercard: MAC 01/03/04/21 refused, 02 and 24–30 waits, 10 declines in 24 h, 35 for the same amount in 30 days. Override in `[params.network]`.",
        |request: &mut View, ctx: Dynamic| network_retry_map(request, &ctx),
    );
    reg(
        engine,
        S,
        "minor_units",
        &["currency: &str", "INT"],
        "ISO 4217 minor-unit digits (USD 2, JPY 0, KWD 3); an error for unknown codes.",
        |c: &str| -> Res<INT> {
            currency::minor_units(c)
                .map(INT::from)
                .ok_or_else(|| format!("`{c}` is not an ISO 4217 currency").into())
        },
    );
    reg(
        engine,
        S,
        "money",
        &["minor: INT", "currency: &str", "String"],
        "An amount for people: `money(123456, \"USD\")` is `USD 1,234.56`.",
        |minor: INT, c: &str| currency::format_money(minor, c),
    );
    reg(
        engine,
        S,
        "risk_signals",
        &["cart: View", "ctx: Map", "Map"],
        "Checkout risk facts for rules to weigh: `{bin_country_mismatch, billing_shipping_country_mismatch, billing_shipping_address_mismatch,\nprepaid_card, guest_checkout, new_account_days, disposable_email, delivery_point, express_shipping, max_line_quantity, order_minor}`.",
        |cart: Dynamic, ctx: Dynamic| -> Res<Map> {
            let cart: crate::model::CheckoutRequest =
                typed(&cart, "risk_signals", "a checkout request")?;
            let now = member(&ctx, "now")
                .and_then(|n| n.into_immutable_string().ok())
                .map(|t| parse_time(&t))
                .transpose()?;
            let json = serde_json::to_value(crate::knowledge::risk::risk_signals(&cart, now))
                .map_err(|e| e.to_string())?;
            Ok(crate::runtime::json_to_dynamic(&json).cast::<Map>())
        },
    );
}
