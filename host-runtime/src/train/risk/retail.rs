//! Orders and their outcomes from an invoice-line log with UCI Online
//! Retail's columns (`InvoiceNo, StockCode, Description, Quantity,
//! InvoiceDate, UnitPrice, CustomerID, Country`; gzip or plain). An invoice
//! whose number starts with `C` cancels lines of earlier orders.
//!
//! An order is labelled *cancelled* when the same customer cancels one of
//! its products within the horizon after it was placed. Each order's
//! features use only what was known when it was placed: the customer's
//! earlier orders and cancellations and the basket itself.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDateTime, Timelike};
use ordex_core::learn::risk::RiskInput;

/// Why the log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RetailError {
    /// The file could not be opened or decompressed.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A row does not parse.
    #[error("{path}:{line}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// One order with what the model may read and what happened.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// When it was placed.
    pub at: NaiveDateTime,
    /// Features as of that moment.
    pub input: RiskInput,
    /// Whether the customer cancelled part of it within the horizon.
    pub cancelled: bool,
}

/// Stock codes that are fees, postage and adjustments, not products.
const NOT_PRODUCTS: &[&str] = &[
    "POST",
    "DOT",
    "D",
    "M",
    "m",
    "C2",
    "CRUK",
    "BANK CHARGES",
    "AMAZONFEE",
    "S",
    "PADS",
    "B",
];

struct Invoice {
    customer: String,
    at: NaiveDateTime,
    country: String,
    lines: Vec<(u32, f64)>,
    products: BTreeSet<String>,
    negative: bool,
}

/// Reads the log; returns the orders of known customers in time order,
/// labelled with a `horizon_days` look-ahead, and the last time in the log.
pub fn read_orders(
    path: &Path,
    horizon_days: i64,
) -> Result<(Vec<Labelled>, NaiveDateTime), RetailError> {
    let file = std::fs::File::open(path).map_err(|e| RetailError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut csv = csv::Reader::from_reader(reader);
    let mut invoices: BTreeMap<String, Invoice> = BTreeMap::new();
    let mut last = NaiveDateTime::MIN;
    for (i, row) in csv.records().enumerate() {
        let line = i as u64 + 2;
        let bad = |message: String| RetailError::Row {
            path: path.to_owned(),
            line,
            message,
        };
        let row = row.map_err(|e| bad(e.to_string()))?;
        let cell = |k: usize| row.get(k).unwrap_or("").trim();
        let customer = cell(6).trim_end_matches(".0").to_owned();
        if customer.is_empty() {
            continue; // guests cannot be followed to a cancellation
        }
        let quantity: f64 = cell(3)
            .parse()
            .map_err(|_| bad(format!("Quantity `{}`", cell(3))))?;
        let price: f64 = cell(5)
            .parse()
            .map_err(|_| bad(format!("UnitPrice `{}`", cell(5))))?;
        let at = NaiveDateTime::parse_from_str(cell(4), "%Y-%m-%d %H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(cell(4), "%m/%d/%Y %H:%M"))
            .map_err(|_| bad(format!("InvoiceDate `{}`", cell(4))))?;
        last = last.max(at);
        let code = cell(1).to_owned();
        let inv = invoices
            .entry(cell(0).to_owned())
            .or_insert_with(|| Invoice {
                customer,
                at,
                country: country_code(cell(7)).to_owned(),
                lines: Vec::new(),
                products: BTreeSet::new(),
                negative: false,
            });
        if quantity < 0.0 {
            inv.negative = true;
        }
        if !NOT_PRODUCTS.contains(&code.as_str()) {
            inv.products.insert(code);
        }
        inv.lines.push((quantity.abs().min(1e6) as u32, price));
    }
    // Orders and cancellations per customer, in time order.
    let mut orders: Vec<(&String, &Invoice)> = Vec::new();
    let mut cancels: BTreeMap<&str, Vec<&Invoice>> = BTreeMap::new();
    for (no, inv) in &invoices {
        if no.starts_with('C') {
            cancels.entry(inv.customer.as_str()).or_default().push(inv);
        } else if !inv.negative && !inv.products.is_empty() {
            orders.push((no, inv));
        }
    }
    orders.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(b.0)));
    for list in cancels.values_mut() {
        list.sort_by_key(|c| c.at);
    }
    let horizon = chrono::Duration::days(horizon_days);
    let mut history: BTreeMap<&str, (u32, NaiveDateTime)> = BTreeMap::new();
    // Per customer: first order time and the value of all orders so far.
    let mut spend: BTreeMap<&str, (NaiveDateTime, f64)> = BTreeMap::new();
    let mut out = Vec::with_capacity(orders.len());
    for (_, inv) in orders {
        let theirs = cancels
            .get(inv.customer.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let prior_cancellations = theirs.iter().filter(|c| c.at < inv.at).count() as u32;
        let last_cancellation = theirs.iter().filter(|c| c.at < inv.at).map(|c| c.at).max();
        let cancelled = theirs.iter().any(|c| {
            c.at >= inv.at && c.at <= inv.at + horizon && !c.products.is_disjoint(&inv.products)
        });
        let (prior_orders, last_at) = history
            .get(inv.customer.as_str())
            .copied()
            .unwrap_or((0, inv.at));
        let value: f64 = inv
            .lines
            .iter()
            .map(|(q, p)| f64::from(*q) * p.max(0.0))
            .sum();
        let so_far = spend.get(inv.customer.as_str()).copied();
        out.push(Labelled {
            at: inv.at,
            input: RiskInput {
                prior_orders,
                prior_cancellations,
                days_since_last_order: (prior_orders > 0)
                    .then(|| (inv.at - last_at).num_seconds().max(0) as f64 / 86_400.0),
                lines: inv.lines.clone(),
                country: Some(inv.country.clone()),
                hour_weekday: Some((inv.at.hour(), inv.at.weekday().num_days_from_monday())),
                guest: false,
                days_since_last_cancellation: last_cancellation
                    .map(|t| (inv.at - t).num_seconds().max(0) as f64 / 86_400.0),
                tenure_days: so_far
                    .map(|(first, _)| (inv.at - first).num_seconds().max(0) as f64 / 86_400.0),
                mean_order_value: so_far
                    .filter(|_| prior_orders > 0)
                    .map(|(_, total)| total / f64::from(prior_orders)),
            },
            cancelled,
        });
        history.insert(inv.customer.as_str(), (prior_orders + 1, inv.at));
        let entry = spend.entry(inv.customer.as_str()).or_insert((inv.at, 0.0));
        entry.1 += value;
    }
    Ok((out, last))
}

/// ISO 3166-1 alpha-2 for the country names the log uses.
fn country_code(name: &str) -> &str {
    match name {
        "United Kingdom" => "GB",
        "Germany" => "DE",
        "France" => "FR",
        "EIRE" => "IE",
        "Spain" => "ES",
        "Netherlands" => "NL",
        "Belgium" => "BE",
        "Switzerland" => "CH",
        "Portugal" => "PT",
        "Australia" => "AU",
        "Norway" => "NO",
        "Italy" => "IT",
        "Channel Islands" => "JE",
        "Finland" => "FI",
        "Cyprus" => "CY",
        "Sweden" => "SE",
        "Austria" => "AT",
        "Denmark" => "DK",
        "Japan" => "JP",
        "Poland" => "PL",
        "USA" => "US",
        "Israel" => "IL",
        "Singapore" => "SG",
        "Iceland" => "IS",
        "Canada" => "CA",
        "Greece" => "GR",
        "Malta" => "MT",
        "United Arab Emirates" => "AE",
        "RSA" => "ZA",
        "Lebanon" => "LB",
        "Lithuania" => "LT",
        "Brazil" => "BR",
        "Czech Republic" => "CZ",
        "Bahrain" => "BH",
        "Saudi Arabia" => "SA",
        "Hong Kong" => "HK",
        other => other,
    }
}
