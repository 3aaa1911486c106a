//! A simulated world for payment retries: who declines, why, where, and the
//! true chance that a retry at a given moment succeeds. The learner never
//! sees this; it only sees outcomes.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::Deserialize;

/// Why a world file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// Unreadable file.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The JSON does not describe a world (with the JSON path).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
}

/// One kind of decline in the mix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineKind {
    /// Share of declines of this kind (weights are normalised).
    pub weight: f64,
    /// Gateway and code as the gateway reports them.
    pub gateway: String,
    /// Decline code.
    pub code: String,
    /// Mastercard advice code, if any.
    #[serde(default)]
    pub advice_code: Option<String>,
    /// Chance a retry succeeds before the factors below.
    pub base: f64,
    /// Whether the pay-day factor applies (money arriving).
    #[serde(default)]
    pub payday_sensitive: bool,
    /// Whether issuer outages apply (technical declines).
    #[serde(default)]
    pub outage_sensitive: bool,
    /// Whether these declines are caused by the outages, so arrive while one
    /// lasts (the issuer answered "unavailable" because it was).
    #[serde(default)]
    pub during_outages: bool,
}

/// A country the cards come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Share of declines.
    pub weight: f64,
    /// Issuer country.
    pub country: String,
    /// Currency of the charges.
    pub currency: String,
    /// Local offset from UTC in minutes.
    pub utc_offset_minutes: i32,
    /// Charge amounts in minor units: uniform between the two.
    pub amount_minor: [i64; 2],
}

/// Pay days: local days of the month when money arrives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payday {
    /// Days of the month (31 means the last day).
    pub days: Vec<u32>,
    /// Days the effect lasts from each pay day.
    pub span_days: u32,
    /// Multiplier on the chance during the span.
    pub factor: f64,
}

/// A period when some issuers fail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// Days after the start of the simulation.
    pub start_day: f64,
    /// Hours it lasts.
    pub hours: f64,
    /// Issuer countries affected (empty: all).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Multiplier on the chance while it lasts.
    pub factor: f64,
    /// Repeat every this many days (0: once).
    #[serde(default)]
    pub every_days: f64,
}

/// A world file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Short name.
    pub name: String,
    /// What it models.
    pub description: String,
    /// Where its shapes come from.
    pub sources: Vec<String>,
    /// First moment of the simulation.
    pub start: DateTime<Utc>,
    /// Days simulated.
    pub days: u32,
    /// Declines per day (spread uniformly over the day).
    pub declines_per_day: u32,
    /// Card brands: share of Visa (the rest is Mastercard).
    pub visa_share: f64,
    /// The decline mix.
    pub declines: Vec<DeclineKind>,
    /// Where cards come from.
    pub regions: Vec<Region>,
    /// Multiplier per local hour (24 values).
    pub hour_factor: Vec<f64>,
    /// Multiplier per local weekday, Monday first (7 values).
    pub weekday_factor: Vec<f64>,
    /// Pay days, if money arrival matters.
    #[serde(default)]
    pub payday: Option<Payday>,
    /// Multiplier by hours since the first decline: (hours, factor) points,
    /// linear between them, flat after the last.
    pub since_factor: Vec<(f64, f64)>,
    /// Issuer outages.
    #[serde(default)]
    pub outages: Vec<Outage>,
}

impl World {
    /// Reads and checks a world file.
    pub fn load(path: &Path) -> Result<World, WorldError> {
        let text = std::fs::read_to_string(path).map_err(|e| WorldError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let de = &mut serde_json::Deserializer::from_str(&text);
        let w: World = serde_path_to_error::deserialize(de).map_err(|e| WorldError::Invalid {
            path: path.to_owned(),
            message: format!("{}: {}", e.path(), e.inner()),
        })?;
        let bad = |message: String| WorldError::Invalid {
            path: path.to_owned(),
            message,
        };
        if w.hour_factor.len() != 24 || w.weekday_factor.len() != 7 {
            return Err(bad(
                "hour_factor needs 24 values and weekday_factor 7".into()
            ));
        }
        if w.declines.is_empty() || w.regions.is_empty() || w.since_factor.is_empty() {
            return Err(bad(
                "declines, regions and since_factor must not be empty".into()
            ));
        }
        if !(1..=730).contains(&w.days) || !(1..=100_000).contains(&w.declines_per_day) {
            return Err(bad("days 1..=730, declines_per_day 1..=100000".into()));
        }
        if let Some(d) = w
            .declines
            .iter()
            .position(|d| !(0.0..=1.0).contains(&d.base) || d.weight < 0.0)
        {
            return Err(bad(format!("declines[{d}]: base in 0..=1, weight ≥ 0")));
        }
        Ok(w)
    }

    /// The true chance that a retry of a `kind` decline from `region`, first
    /// declined at `declined_at`, succeeds at `at`.
    pub fn success(
        &self,
        kind: &DeclineKind,
        region: &Region,
        declined_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> f64 {
        let local = at + Duration::minutes(i64::from(region.utc_offset_minutes));
        let mut p = kind.base
            * self.hour_factor[local.hour() as usize]
            * self.weekday_factor[local.weekday().num_days_from_monday() as usize];
        if kind.payday_sensitive
            && let Some(pay) = &self.payday
        {
            let last = last_day(local);
            let day = local.day();
            let hit = pay.days.iter().any(|d| {
                let d = (*d).min(last);
                // Days since the pay day this month, or since last month's.
                let since = if day >= d { day - d } else { day + 30 - d };
                since < pay.span_days
            });
            if hit {
                p *= pay.factor;
            }
        }
        let hours = (at - declined_at).num_minutes() as f64 / 60.0;
        p *= interpolate(&self.since_factor, hours);
        if kind.outage_sensitive {
            for o in self.outages_at(region, at) {
                p *= o.factor;
            }
        }
        p.clamp(0.0, 0.98)
    }
}

impl World {
    /// The outages affecting `region` under way at `at`.
    fn outages_at<'a>(
        &'a self,
        region: &'a Region,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = &'a Outage> + 'a {
        let day = (at - self.start).num_minutes() as f64 / 1440.0;
        self.outages.iter().filter(move |o| {
            if !o.countries.is_empty() && !o.countries.contains(&region.country) {
                return false;
            }
            // A repeating outage: its latest start at or before `day`.
            let offset = if o.every_days > 0.0 && day > o.start_day {
                ((day - o.start_day) / o.every_days).floor() * o.every_days
            } else {
                0.0
            };
            let start = o.start_day + offset;
            day >= start && day < start + o.hours / 24.0
        })
    }

    /// Whether an outage affecting `region` is under way at `at`.
    pub fn in_outage(&self, region: &Region, at: DateTime<Utc>) -> bool {
        self.outages_at(region, at).next().is_some()
    }
}

fn last_day(t: DateTime<Utc>) -> u32 {
    let (y, m) = (t.year(), t.month());
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    chrono::NaiveDate::from_ymd_opt(next.0, next.1, 1)
        .and_then(|n| n.pred_opt())
        .map_or(30, |n| n.day())
}

fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    if x <= points[0].0 {
        return points[0].1;
    }
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if x <= x1 {
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0).max(1e-9);
        }
    }
    points[points.len() - 1].1
}
