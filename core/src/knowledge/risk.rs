//! Checkout risk signals: facts for rules to weigh, not a verdict. Which
//! combination blocks an order is the merchant's policy, written in rules.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::address::{DeliveryPoint, delivery_point};
use crate::model::{Address, CheckoutRequest};

/// Domains of well-known throwaway mailbox services.
const DISPOSABLE_EMAIL_DOMAINS: &[&str] = &[
    "10minutemail.com",
    "dispostable.com",
    "emailondeck.com",
    "fakeinbox.com",
    "getnada.com",
    "guerrillamail.com",
    "guerrillamail.net",
    "mailinator.com",
    "maildrop.cc",
    "mintemail.com",
    "mohmal.com",
    "sharklasers.com",
    "temp-mail.org",
    "tempmail.net",
    "throwawaymail.com",
    "trashmail.com",
    "yopmail.com",
    "tempail.com",
];

/// Facts about a cart that fraud and delivery rules commonly use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskSignals {
    /// The card's issuing country differs from the shipping country.
    pub bin_country_mismatch: bool,
    /// Billing and shipping countries differ.
    pub billing_shipping_country_mismatch: bool,
    /// Billing and shipping addresses differ (street or postal code).
    pub billing_shipping_address_mismatch: bool,
    /// The card is prepaid.
    pub prepaid_card: bool,
    /// No customer account.
    pub guest_checkout: bool,
    /// Days since the account was created, when known.
    pub new_account_days: Option<i64>,
    /// The email is at a throwaway-mailbox domain.
    pub disposable_email: bool,
    /// Kind of delivery point (`street`, `po_box`, `military`, `parcel_locker`).
    pub delivery_point: Option<DeliveryPoint>,
    /// The shipping service is express or overnight.
    pub express_shipping: bool,
    /// Largest quantity on one line.
    pub max_line_quantity: u32,
    /// Order total, minor units.
    pub order_minor: i64,
}

fn same_place(a: &Address, b: &Address) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let first = |x: &Address| x.lines.first().map(|l| norm(l)).unwrap_or_default();
    let postal = |x: &Address| {
        x.postal_code
            .as_deref()
            .map(|p| p.replace([' ', '-'], "").to_uppercase())
            .unwrap_or_default()
    };
    a.country == b.country && first(a) == first(b) && postal(a) == postal(b)
}

/// Computes the signals; `now` gives account age.
pub fn risk_signals(cart: &CheckoutRequest, now: Option<DateTime<Utc>>) -> RiskSignals {
    let ship = cart.order.shipping_address.as_ref();
    let bill = cart.order.billing_address.as_ref();
    let payment = cart.payment.as_ref();
    let email = cart
        .email
        .as_deref()
        .or_else(|| cart.customer.as_ref().and_then(|c| c.email.as_deref()));
    let domain = email
        .and_then(|e| e.rsplit_once('@'))
        .map(|(_, d)| d.trim().to_lowercase());
    RiskSignals {
        bin_country_mismatch: matches!((payment.and_then(|p| p.bin_country.as_deref()), ship), (Some(bin), Some(s)) if !bin.eq_ignore_ascii_case(&s.country)),
        billing_shipping_country_mismatch: matches!((bill, ship), (Some(b), Some(s)) if b.country != s.country),
        billing_shipping_address_mismatch: matches!((bill, ship), (Some(b), Some(s)) if !same_place(b, s)),
        prepaid_card: payment.is_some_and(|p| p.prepaid),
        guest_checkout: cart.customer.is_none(),
        new_account_days: cart
            .customer
            .as_ref()
            .and_then(|c| c.created_at)
            .zip(now)
            .map(|(created, now)| (now - created).num_days()),
        disposable_email: domain.is_some_and(|d| DISPOSABLE_EMAIL_DOMAINS.contains(&d.as_str())),
        delivery_point: ship.map(delivery_point),
        express_shipping: cart
            .order
            .shipping_method
            .as_ref()
            .and_then(|m| m.service.as_deref())
            .is_some_and(|s| {
                let s = s.to_lowercase();
                ["express", "overnight", "next_day", "same_day", "priority"]
                    .iter()
                    .any(|w| s.contains(w))
            }),
        max_line_quantity: cart
            .order
            .lines
            .iter()
            .map(|l| l.quantity)
            .max()
            .unwrap_or(0),
        order_minor: cart.order.total(),
    }
}
