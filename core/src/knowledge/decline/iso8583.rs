//! ISO 8583 response codes as acquirers pass them through, and Visa's
//! decline categories (checkout.com Visa response codes; categories in force
//! since April 2021).

use super::DeclineCategory::*;
use super::{Row, hard, row};

pub(crate) static CODES: &[Row] = &[
    row("01", Generic),
    row("02", Generic),
    row("03", NotPermitted),
    row("04", Fraud),
    row("05", Generic),
    row("07", Fraud),
    row("12", NotPermitted),
    hard("13", InvalidData),
    row("14", ClosedAccount),
    row("15", ClosedAccount),
    row("19", IssuerUnavailable),
    row("41", Fraud),
    row("43", Fraud),
    row("46", ClosedAccount),
    row("51", InsufficientFunds),
    row("54", Expired),
    row("55", InvalidData),
    row("57", NotPermitted),
    row("58", NotPermitted),
    row("59", Fraud),
    row("61", VelocityLimit),
    row("62", NotPermitted),
    row("63", Fraud),
    row("65", VelocityLimit),
    row("75", InvalidData),
    row("78", NotPermitted),
    row("82", InvalidData),
    row("91", IssuerUnavailable),
    row("93", NotPermitted),
    row("94", Duplicate),
    row("96", IssuerUnavailable),
    row("1A", AuthenticationRequired),
    row("5C", NotPermitted),
    row("9G", NotPermitted),
    row("N3", NotPermitted),
    row("N4", VelocityLimit),
    row("N7", InvalidData),
    row("R0", Revoked),
    row("R1", Revoked),
    row("R3", Revoked),
];

/// Visa category 1: the issuer will never approve. Never reattempt.
pub(crate) const VISA_CATEGORY_1: &[&str] = &[
    "04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3",
];
/// Visa category 2: the issuer cannot approve now.
pub(crate) const VISA_CATEGORY_2: &[&str] = &[
    "03", "19", "51", "59", "61", "62", "65", "75", "78", "91", "93", "96", "5C", "9G", "N3", "N4",
];
/// Visa category 3: data quality.
pub(crate) const VISA_CATEGORY_3: &[&str] = &["54", "55", "82", "N7"];

/// Visa decline category of an ISO 8583 response code; everything not in
/// categories 1–3 is category 4 (generic).
pub fn visa_category(iso: &str) -> u8 {
    if VISA_CATEGORY_1.contains(&iso) {
        1
    } else if VISA_CATEGORY_2.contains(&iso) {
        2
    } else if VISA_CATEGORY_3.contains(&iso) {
        3
    } else {
        4
    }
}
