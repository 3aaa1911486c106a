//! The decline catalog covers every code the gateways document.

use ordex_core::knowledge::decline::{DeclineCategory, classify};
use ordex_core::model::Gateway;

/// stripe-php `Charge::DECLINED_*` plus the newer codes on Stripe's decline-code page.
const STRIPE: &[&str] = &[
    "authentication_required",
    "approve_with_id",
    "call_issuer",
    "card_not_supported",
    "card_velocity_exceeded",
    "currency_not_supported",
    "do_not_honor",
    "do_not_try_again",
    "duplicate_transaction",
    "expired_card",
    "fraudulent",
    "generic_decline",
    "incorrect_number",
    "incorrect_cvc",
    "incorrect_pin",
    "incorrect_zip",
    "insufficient_funds",
    "invalid_account",
    "invalid_amount",
    "invalid_cvc",
    "invalid_expiry_year",
    "invalid_number",
    "invalid_pin",
    "issuer_not_available",
    "lost_card",
    "merchant_blacklist",
    "new_account_information_available",
    "no_action_taken",
    "not_permitted",
    "offline_pin_required",
    "online_or_offline_pin_required",
    "pickup_card",
    "pin_try_exceeded",
    "processing_error",
    "reenter_transaction",
    "restricted_card",
    "revocation_of_all_authorizations",
    "revocation_of_authorization",
    "security_violation",
    "service_not_allowed",
    "stolen_card",
    "stop_payment_order",
    "testmode_decline",
    "transaction_not_allowed",
    "try_again_later",
    "withdrawal_count_limit_exceeded",
    "authentication_not_handled",
    "incorrect_address",
    "invalid_expiry_month",
    "mobile_device_authentication_required",
];

/// Adyen refusal reason codes documented on docs.adyen.com.
const ADYEN: &[&str] = &[
    "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "14", "15", "16", "17", "18", "19",
    "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "31", "32", "33", "34", "35", "36",
    "37", "38", "39", "40", "41", "42", "43", "44", "45", "46",
];

/// Braintree processor responses listed in DOMAIN-NOTES.md (2109–2999 is one documented range).
const BRAINTREE: &[&str] = &[
    "2000", "2001", "2002", "2003", "2004", "2005", "2006", "2007", "2008", "2009", "2010", "2011",
    "2012", "2013", "2014", "2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023",
    "2024", "2025", "2026", "2027", "2028", "2029", "2030", "2031", "2032", "2033", "2034", "2035",
    "2038", "2041", "2043", "2044", "2046", "2047", "2048", "2053", "2057", "2059", "2060", "2099",
    "2101", "2102", "2103", "2104", "2105", "2106", "2107", "2108", "2109", "2500", "2999", "3000",
];

/// ISO 8583 response codes (Antom's Visa list) and Visa's category lists.
const ISO: &[&str] = &[
    "01", "03", "04", "05", "07", "12", "13", "14", "15", "19", "41", "43", "46", "51", "54", "55",
    "57", "58", "59", "61", "62", "63", "65", "75", "78", "82", "91", "93", "96", "N7", "1A", "R0",
    "R1", "R3", "5C", "9G", "N3", "N4",
];

fn all_known(gateway: Gateway, codes: &[&str]) {
    let unknown: Vec<&&str> = codes
        .iter()
        .filter(|c| !classify(gateway, c).known)
        .collect();
    assert!(
        unknown.is_empty(),
        "{gateway:?} codes not in the catalog: {unknown:?}"
    );
}

#[test]
fn every_documented_code_is_classified() {
    all_known(Gateway::Stripe, STRIPE);
    all_known(Gateway::Adyen, ADYEN);
    all_known(Gateway::Braintree, BRAINTREE);
    all_known(Gateway::Iso8583, ISO);
}

#[test]
fn fraud_codes_never_leak_the_reason_to_the_shopper() {
    for code in [
        "fraudulent",
        "lost_card",
        "stolen_card",
        "pickup_card",
        "merchant_blacklist",
        "security_violation",
    ] {
        let info = classify(Gateway::Stripe, code);
        assert_eq!(info.category, DeclineCategory::Fraud, "{code}");
        assert!(!info.retryable && !info.soft);
        assert!(
            !info.shopper_message.to_lowercase().contains("fraud")
                && !info.shopper_message.to_lowercase().contains("stolen")
        );
    }
}

#[test]
fn smart_retries_never_retries_these_stripe_codes() {
    // docs.stripe.com/billing/revenue-recovery/smart-retries: non-retryable codes.
    for code in [
        "incorrect_number",
        "lost_card",
        "pickup_card",
        "stolen_card",
        "revocation_of_authorization",
        "revocation_of_all_authorizations",
        "authentication_required",
        "highest_risk_level",
        "transaction_not_allowed",
    ] {
        assert!(!classify(Gateway::Stripe, code).retryable, "{code}");
    }
}

#[test]
fn codes_are_matched_leniently_but_unknown_ones_are_generic() {
    assert!(classify(Gateway::Stripe, " Insufficient_Funds ").known);
    assert!(classify(Gateway::Iso8583, "n7").known);
    let unknown = classify(Gateway::Stripe, "something_new");
    assert!(!unknown.known);
    assert_eq!(unknown.category, DeclineCategory::Generic);
    assert!(!classify(Gateway::Other, "05").known);
}
