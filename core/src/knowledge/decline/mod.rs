//! Decline codes: what each gateway's code means, normalised into one
//! vocabulary rules can act on.
//!
//! Sources: Stripe decline-code list and advice codes, Adyen refusal reasons,
//! Braintree processor responses, ISO 8583 response codes with Visa's
//! decline categories (see `../shared/reference/DOMAIN.md`, section 1).

mod adyen;
mod braintree;
mod category;
mod iso8583;
mod stripe;

pub use category::{Advice, DeclineCategory};

use serde::Serialize;

use crate::decision::CustomerAction;
use crate::model::Gateway;

/// A decline code understood: category, whether retrying can help, and what
/// to tell the shopper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclineInfo {
    /// Gateway vocabulary the code came from.
    pub gateway: Gateway,
    /// The code as given (trimmed).
    pub code: String,
    /// Normalised category.
    pub category: DeclineCategory,
    /// Soft declines may succeed later with the same credentials.
    pub soft: bool,
    /// Whether the merchant may retry the same credentials without the
    /// customer doing anything first.
    pub retryable: bool,
    /// What the customer must do.
    pub customer_action: CustomerAction,
    /// A message safe to show the shopper (never reveals a fraud suspicion).
    pub shopper_message: &'static str,
    /// Visa decline category 1–4 when the code maps to an ISO 8583 response.
    pub visa_category: Option<u8>,
    /// False when the code is not in the catalog (then `category` is generic).
    pub known: bool,
}

/// One catalog row: the code, its category and, where the source says the
/// code's soft/hard nature differs from its category's, an override.
pub(crate) struct Row {
    pub code: &'static str,
    pub category: DeclineCategory,
    pub hard: Option<bool>,
    pub iso: Option<&'static str>,
}

pub(crate) const fn row(code: &'static str, category: DeclineCategory) -> Row {
    Row {
        code,
        category,
        hard: None,
        iso: None,
    }
}

pub(crate) const fn hard(code: &'static str, category: DeclineCategory) -> Row {
    Row {
        code,
        category,
        hard: Some(true),
        iso: None,
    }
}

pub(crate) const fn soft(code: &'static str, category: DeclineCategory) -> Row {
    Row {
        code,
        category,
        hard: Some(false),
        iso: None,
    }
}

impl Row {
    pub(crate) const fn iso(mut self, iso: &'static str) -> Self {
        self.iso = Some(iso);
        self
    }
}

/// Classifies `code` as reported by `gateway`. An unknown code is `generic`
/// with `known: false` — never an error, because gateways add codes.
pub fn classify(gateway: Gateway, code: &str) -> DeclineInfo {
    let code = code.trim();
    let table: &[Row] = match gateway {
        Gateway::Stripe => stripe::CODES,
        Gateway::Adyen => adyen::CODES,
        Gateway::Braintree => braintree::CODES,
        Gateway::Iso8583 => iso8583::CODES,
        Gateway::Other => &[],
    };
    let normalized = match gateway {
        Gateway::Stripe => code.to_ascii_lowercase(),
        Gateway::Iso8583 => code.to_ascii_uppercase(),
        _ => code.to_owned(),
    };
    let found = table
        .iter()
        .find(|r| r.code == normalized)
        .or_else(|| match gateway {
            Gateway::Braintree => braintree::range(&normalized),
            _ => None,
        });
    let (category, hard_override, iso, known) = match found {
        Some(r) => (r.category, r.hard, r.iso, true),
        None => (DeclineCategory::Generic, None, None, false),
    };
    let iso = match gateway {
        Gateway::Iso8583 if known => Some(normalized.as_str()),
        _ => iso,
    };
    let soft = hard_override.map_or(category.soft(), |h| !h);
    DeclineInfo {
        gateway,
        code: code.to_owned(),
        category,
        soft,
        retryable: soft && category.retryable(),
        customer_action: category.customer_action(),
        shopper_message: category.shopper_message(),
        visa_category: iso.map(iso8583::visa_category),
        known,
    }
}

/// Applies an advice code (Stripe `advice_code`) on top of a classification:
/// the issuer's explicit advice outranks the category default.
pub fn apply_advice(mut info: DeclineInfo, advice: Option<&str>) -> DeclineInfo {
    match advice.map(Advice::parse) {
        Some(Some(Advice::DoNotTryAgain)) => {
            info.soft = false;
            info.retryable = false;
            // These credentials will not work again: unless the card data
            // itself is wrong, the way forward is another payment method.
            if info.customer_action != CustomerAction::UpdateCard {
                info.customer_action = CustomerAction::UseAnotherMethod;
            }
        }
        Some(Some(Advice::TryAgainLater)) => {
            info.retryable = !matches!(
                info.category,
                DeclineCategory::Fraud | DeclineCategory::Revoked
            );
        }
        Some(Some(Advice::ConfirmCardData)) => {
            info.retryable = false;
            info.customer_action = CustomerAction::UpdateCard;
        }
        _ => {}
    }
    info
}

/// Number of codes in each gateway's catalog (for documentation and tests).
pub fn catalog_sizes() -> [(Gateway, usize); 4] {
    [
        (Gateway::Stripe, stripe::CODES.len()),
        (Gateway::Adyen, adyen::CODES.len()),
        (Gateway::Braintree, braintree::CODES.len()),
        (Gateway::Iso8583, iso8583::CODES.len()),
    ]
}

pub use iso8583::visa_category;

/// The ISO 8583 codes in Visa decline category 1 (never reattempt).
pub const VISA_CATEGORY_1_CODES: &[&str] = iso8583::VISA_CATEGORY_1;
