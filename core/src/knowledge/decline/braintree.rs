//! Braintree processor response codes (Braintree declines article, 2026-06),
//! with the soft/hard type Braintree states where it differs from the category.

use super::DeclineCategory::{self, *};
use super::{Row, hard, row, soft};

pub(crate) static CODES: &[Row] = &[
    soft("2000", Generic).iso("05"),
    soft("2001", InsufficientFunds).iso("51"),
    soft("2002", VelocityLimit).iso("61"),
    soft("2003", VelocityLimit).iso("65"),
    row("2004", Expired).iso("54"),
    row("2005", InvalidData).iso("14"),
    row("2006", Expired).iso("54"),
    row("2007", ClosedAccount).iso("14"),
    row("2008", InvalidData).iso("14"),
    row("2009", ClosedAccount).iso("15"),
    row("2010", InvalidData).iso("N7"),
    hard("2011", Generic).iso("01"),
    row("2012", Fraud).iso("41"),
    row("2013", Fraud).iso("43"),
    row("2014", Fraud).iso("59"),
    row("2015", NotPermitted).iso("57"),
    row("2016", Duplicate).iso("94"),
    row("2017", Revoked).iso("R0"),
    row("2018", Revoked).iso("R1"),
    row("2019", NotPermitted).iso("12"),
    row("2020", Fraud).iso("93"),
    row("2021", Fraud).iso("63"),
    row("2022", ClosedAccount),
    row("2023", NotPermitted),
    row("2024", NotPermitted),
    soft("2025", IssuerUnavailable),
    soft("2026", IssuerUnavailable).iso("03"),
    row("2027", NotPermitted),
    row("2028", NotPermitted),
    row("2029", NotPermitted),
    row("2030", NotPermitted),
    row("2031", NotPermitted),
    row("2032", NotPermitted),
    row("2033", NotPermitted),
    row("2034", IssuerUnavailable),
    soft("2035", InsufficientFunds),
    row("2038", IssuerUnavailable).iso("96"),
    hard("2041", Generic).iso("01"),
    hard("2043", Generic),
    hard("2044", Generic).iso("04"),
    soft("2046", Generic).iso("05"),
    row("2047", Fraud).iso("04"),
    hard("2048", InvalidData).iso("13"),
    row("2053", Fraud).iso("43"),
    soft("2057", NotPermitted).iso("62"),
    row("2059", InvalidData),
    row("2060", InvalidData),
    row("2099", AuthenticationRequired).iso("1A"),
    row("2101", AuthenticationRequired).iso("1A"),
    soft("2102", InvalidData).iso("55"),
    soft("2103", InvalidData).iso("75"),
    soft("2104", Generic),
    soft("2105", Generic),
    soft("2106", Generic),
    hard("2107", NotPermitted).iso("78"),
    row("2108", ClosedAccount).iso("46"),
    soft("3000", IssuerUnavailable).iso("91"),
];

/// Braintree documents 2109–2999 as soft "Processor Declined".
static PROCESSOR_DECLINED: Row = Row {
    code: "2109-2999",
    category: DeclineCategory::Generic,
    hard: Some(false),
    iso: None,
};

pub(crate) fn range(code: &str) -> Option<&'static Row> {
    let n: u32 = code.parse().ok()?;
    (2109..=2999).contains(&n).then_some(&PROCESSOR_DECLINED)
}
