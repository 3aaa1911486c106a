//! Cancellation risk before the exception: a logistic model over what a
//! checkout or an order system knows when the order is placed (the
//! customer's earlier orders and cancellations, the basket, the country, the
//! hour and weekday). Trained by `ordex train risk`; the features are
//! computed here for training and inference alike, so they cannot drift.
//!
//! Model file (`ordex-risk-model 1`): a header line, then `key value` lines
//! (`features`, `weights`, `mean`, `scale`, `bias`, `bands`, `countries`),
//! numbers written so they read back to the same bits.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::learn::det_math::{ln, sigmoid};

/// What the model reads about one order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskInput {
    /// Orders the customer placed before this one.
    pub prior_orders: u32,
    /// Cancellations the customer made before this order.
    pub prior_cancellations: u32,
    /// Days since the customer's previous order, if any.
    pub days_since_last_order: Option<f64>,
    /// (quantity, unit price in major units) per line.
    pub lines: Vec<(u32, f64)>,
    /// Shipping country (ISO 3166-1 alpha-2), if known.
    pub country: Option<String>,
    /// Hour of day (0..24) and weekday (0 = Monday) the order is placed, if known.
    pub hour_weekday: Option<(u32, u32)>,
    /// No customer account.
    pub guest: bool,
    /// Days since the customer's last cancellation, if any.
    pub days_since_last_cancellation: Option<f64>,
    /// Days since the customer's account (or first order), if known.
    pub tenure_days: Option<f64>,
    /// The customer's mean order value before this one (major units), if known.
    pub mean_order_value: Option<f64>,
}

const BASE: [&str; 23] = [
    "prior_orders",
    "prior_cancellations",
    "cancellation_rate",
    "first_order",
    "days_since_last_order",
    "lines",
    "units",
    "order_value",
    "max_unit_price",
    "mean_unit_price",
    "small_basket",
    "guest",
    "morning",
    "weekend",
    "lines_x_cancellation_rate",
    "lines_x_prior_cancellations",
    "recent_repeat",
    "cancelled_before",
    "days_since_last_cancellation",
    "cancelled_within_30d",
    "tenure_days",
    "mean_order_value",
    "value_over_usual",
];

/// Names of the features for a country list, in vector order.
pub fn feature_names(countries: &[String]) -> Vec<String> {
    let mut names: Vec<String> = BASE.iter().map(|s| (*s).to_owned()).collect();
    names.extend(countries.iter().map(|c| format!("country_{c}")));
    names.push("country_other".into());
    for h in ["hour_08_11", "hour_11_14", "hour_14_17"] {
        names.push(h.into());
    }
    for d in ["mon", "tue", "wed", "thu", "fri"] {
        names.push(format!("day_{d}"));
    }
    names
}

/// The feature vector (same order as [`feature_names`]).
pub fn features(x: &RiskInput, countries: &[String]) -> Vec<f64> {
    let log1p = |v: f64| ln(1.0 + v.max(0.0));
    let orders = f64::from(x.prior_orders);
    let cancels = f64::from(x.prior_cancellations);
    let units: f64 = x.lines.iter().map(|(q, _)| f64::from(*q)).sum();
    let value: f64 = x
        .lines
        .iter()
        .map(|(q, p)| f64::from(*q) * p.max(0.0))
        .sum();
    let max_price = x.lines.iter().map(|(_, p)| *p).fold(0.0, f64::max);
    let mean_price = if x.lines.is_empty() {
        0.0
    } else {
        x.lines.iter().map(|(_, p)| p.max(0.0)).sum::<f64>() / x.lines.len() as f64
    };
    let (hour, weekday) = x.hour_weekday.unwrap_or((12, 2));
    let mut v = vec![
        log1p(orders),
        log1p(cancels),
        // Smoothed towards a typical rate so one order says little.
        (cancels + 0.2) / (orders + 2.0),
        f64::from(u8::from(x.prior_orders == 0)),
        x.days_since_last_order.map_or(0.0, log1p),
        log1p(x.lines.len() as f64),
        log1p(units),
        log1p(value),
        log1p(max_price),
        log1p(mean_price),
        f64::from(u8::from(x.lines.len() <= 2)),
        f64::from(u8::from(x.guest)),
        f64::from(u8::from(hour < 11)),
        f64::from(u8::from(weekday >= 5)),
    ];
    // A large basket from a customer who cancels: more lines to cancel.
    let rate = (cancels + 0.2) / (orders + 2.0);
    v.push(log1p(x.lines.len() as f64) * rate);
    v.push(log1p(x.lines.len() as f64) * log1p(cancels));
    v.push(f64::from(u8::from(
        x.days_since_last_order.is_some_and(|d| d < 7.0),
    )));
    v.push(f64::from(u8::from(
        x.days_since_last_cancellation.is_some(),
    )));
    // Recent cancellations say more than old ones: the log of the days, or
    // of a year when there was none.
    v.push(log1p(
        x.days_since_last_cancellation.unwrap_or(365.0).min(365.0),
    ));
    v.push(f64::from(u8::from(
        x.days_since_last_cancellation.is_some_and(|d| d <= 30.0),
    )));
    v.push(x.tenure_days.map_or(0.0, log1p));
    v.push(x.mean_order_value.map_or(0.0, log1p));
    // An order much larger than the customer's usual one.
    v.push(x.mean_order_value.map_or(0.0, |m| log1p(value) - log1p(m)));
    let country = x.country.as_deref().unwrap_or("");
    let known = countries.iter().position(|c| c == country);
    v.extend(
        countries
            .iter()
            .enumerate()
            .map(|(i, _)| f64::from(u8::from(known == Some(i)))),
    );
    v.push(f64::from(u8::from(known.is_none())));
    for (lo, hi) in [(8, 11), (11, 14), (14, 17)] {
        v.push(f64::from(u8::from(hour >= lo && hour < hi)));
    }
    for d in 0..5 {
        v.push(f64::from(u8::from(weekday == d)));
    }
    v
}

/// A trained cancellation-risk model.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskModel {
    /// Countries with their own feature (others share `country_other`).
    pub countries: Vec<String>,
    /// Feature means and scales (standardisation learned in training).
    pub mean: Vec<f64>,
    /// See `mean`.
    pub scale: Vec<f64>,
    /// Weights on the standardised features.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Score at or above which an order is `medium`, and `high`.
    pub bands: (f64, f64),
    /// Free-text provenance lines (data, cut-off date, seed, metrics).
    pub about: Vec<String>,
    /// Currency the training prices were in (ISO 4217), when known: prices
    /// in other currencies are converted before scoring.
    pub currency: Option<String>,
}

/// One feature's push on the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// Feature name.
    pub feature: String,
    /// Its contribution to the log-odds (positive raises the risk).
    pub weight: f64,
}

/// The model's answer for one order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskScore {
    /// Probability of a cancellation, 0..=1.
    pub score: f64,
    /// `low`, `medium` or `high`.
    pub band: &'static str,
    /// The three features that raise the score most.
    pub top_factors: Vec<Factor>,
}

/// A model file that cannot be read, with its line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RiskModelError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The first line of a risk model file.
pub const HEADER: &str = "ordex-risk-model 1";

impl RiskModel {
    /// The log-odds contributions of each feature for `x`.
    fn contributions(&self, x: &RiskInput) -> Vec<f64> {
        features(x, &self.countries)
            .iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .zip(&self.weights)
            .map(|(((v, m), s), w)| w * ((v - m) / s))
            .collect()
    }

    /// The probability of a cancellation (no band, no factors).
    pub fn probability(&self, x: &RiskInput) -> f64 {
        // Fixed summation order: feature order.
        let z = self.contributions(x).iter().fold(self.bias, |a, c| a + c);
        sigmoid(z)
    }

    /// Score, band and the top factors for `x`.
    pub fn score(&self, x: &RiskInput) -> RiskScore {
        let parts = self.contributions(x);
        let z = parts.iter().fold(self.bias, |a, c| a + c);
        let score = sigmoid(z);
        let names = feature_names(&self.countries);
        let mut order: Vec<usize> = (0..parts.len()).filter(|i| parts[*i] > 0.0).collect();
        order.sort_by(|a, b| parts[*b].total_cmp(&parts[*a]).then(a.cmp(b)));
        let top_factors = order
            .into_iter()
            .take(3)
            .map(|i| Factor {
                feature: names[i].clone(),
                weight: round4(parts[i]),
            })
            .collect();
        let band = if score >= self.bands.1 {
            "high"
        } else if score >= self.bands.0 {
            "medium"
        } else {
            "low"
        };
        RiskScore {
            score: round4(score),
            band,
            top_factors,
        }
    }

    /// The model as its file text.
    pub fn to_text(&self) -> String {
        let nums = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:?}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut out = format!("{HEADER}\n");
        for line in &self.about {
            out.push_str(&format!("# {line}\n"));
        }
        if let Some(c) = &self.currency {
            out.push_str(&format!("currency {c}\n"));
        }
        out.push_str(&format!("countries {}\n", self.countries.join(" ")));
        out.push_str(&format!(
            "features {}\n",
            feature_names(&self.countries).join(" ")
        ));
        out.push_str(&format!("mean {}\n", nums(&self.mean)));
        out.push_str(&format!("scale {}\n", nums(&self.scale)));
        out.push_str(&format!("weights {}\n", nums(&self.weights)));
        out.push_str(&format!("bias {:?}\n", self.bias));
        out.push_str(&format!("bands {:?} {:?}\n", self.bands.0, self.bands.1));
        out
    }

    /// Reads a model file.
    pub fn from_text(text: &str) -> Result<RiskModel, RiskModelError> {
        let err = |line: usize, message: String| RiskModelError { line, message };
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.trim() == HEADER => {}
            _ => return Err(err(1, format!("expected `{HEADER}`"))),
        }
        let mut fields: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
        let mut about = Vec::new();
        for (i, line) in lines {
            let line = line.trim();
            if let Some(c) = line.strip_prefix('#') {
                about.push(c.trim().to_owned());
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let (k, v) = line.split_once(' ').unwrap_or((line, ""));
            fields.insert(k, (i + 1, v));
        }
        let get = |k: &str| {
            fields
                .get(k)
                .copied()
                .ok_or_else(|| err(0, format!("no `{k}` line")))
        };
        let nums = |k: &str| -> Result<Vec<f64>, RiskModelError> {
            let (line, v) = get(k)?;
            v.split_whitespace()
                .map(|t| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| err(line, format!("`{t}` is not a finite number")))
                })
                .collect()
        };
        let countries: Vec<String> = get("countries")?
            .1
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let n = feature_names(&countries).len();
        let (mean, scale, weights) = (nums("mean")?, nums("scale")?, nums("weights")?);
        for (k, v) in [("mean", &mean), ("scale", &scale), ("weights", &weights)] {
            if v.len() != n {
                return Err(err(
                    get(k)?.0,
                    format!("{} numbers; the features need {n}", v.len()),
                ));
            }
        }
        if let Some(i) = scale.iter().position(|s| *s <= 0.0) {
            return Err(err(get("scale")?.0, format!("scale {i} is not positive")));
        }
        let (bias_line, _) = get("bias")?;
        let bias = *nums("bias")?
            .first()
            .ok_or_else(|| err(bias_line, "no number".into()))?;
        let bands = nums("bands")?;
        let bands = match bands[..] {
            [m, h] if m <= h => (m, h),
            _ => return Err(err(get("bands")?.0, "two thresholds, medium ≤ high".into())),
        };
        let currency = fields
            .get("currency")
            .map(|(_, c)| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        Ok(RiskModel {
            currency,
            countries,
            mean,
            scale,
            weights,
            bias,
            bands,
            about,
        })
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> RiskModel {
        let countries = vec!["GB".to_owned(), "DE".to_owned()];
        let n = feature_names(&countries).len();
        let mut weights = vec![0.0; n];
        weights[2] = 1.5; // cancellation rate
        weights[10] = 0.4; // small basket
        RiskModel {
            countries,
            mean: vec![0.0; n],
            scale: vec![1.0; n],
            weights,
            bias: -2.0,
            bands: (0.2, 0.5),
            about: vec!["test".into()],
            currency: Some("GBP".into()),
        }
    }

    #[test]
    fn every_feature_has_a_name() {
        let countries = vec!["GB".to_owned()];
        let x = RiskInput {
            days_since_last_cancellation: Some(3.0),
            ..RiskInput::default()
        };
        assert_eq!(
            features(&x, &countries).len(),
            feature_names(&countries).len()
        );
    }

    #[test]
    fn the_file_round_trips_to_the_same_bits_and_bad_files_name_the_line() {
        let m = model();
        assert_eq!(RiskModel::from_text(&m.to_text()).unwrap(), m);
        let broken = m.to_text().replace("bias -2.0", "bias nan");
        let e = RiskModel::from_text(&broken).unwrap_err();
        assert!(e.message.contains("nan"), "{e}");
        assert!(RiskModel::from_text("nope").is_err());
    }

    #[test]
    fn a_customer_who_cancels_often_scores_higher_and_the_factor_says_why() {
        let m = model();
        let loyal = RiskInput {
            prior_orders: 20,
            prior_cancellations: 0,
            lines: vec![(3, 5.0); 6],
            ..RiskInput::default()
        };
        let canceller = RiskInput {
            prior_orders: 5,
            prior_cancellations: 4,
            lines: vec![(1, 5.0)],
            ..RiskInput::default()
        };
        let (a, b) = (m.score(&loyal), m.score(&canceller));
        assert!(b.score > a.score, "{a:?} {b:?}");
        assert_eq!(b.top_factors[0].feature, "cancellation_rate");
        assert!(["low", "medium", "high"].contains(&b.band));
    }
}
