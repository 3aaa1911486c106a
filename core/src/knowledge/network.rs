//! Card-network retry rules: may a declined card be tried again, from when,
//! and which rule says so.
//!
//! Visa groups declines into four categories: category 1 is never retried;
//! categories 2–4 share a cap of reattempts per card in 30 days (15, then 20
//! from 2025-05-25, counted separately for customer- and merchant-initiated
//! charges from that date). Mastercard's Merchant Advice Codes 03 and 21
//! forbid retries, 24–30 impose waits, and more than 10 declines in 24 hours
//! or 35 for the same amount in 30 days cost fees. Numbers that sources
//! disagree on are data in [`NetworkPolicy`], with effective dates, and can be
//! overridden from a manifest's `[params.network]`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::decline;
use crate::model::{CardBrand, Initiator, PaymentAttempt};

/// A limit that changes on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated {
    /// First day the value applies (UTC).
    pub from: NaiveDate,
    /// The value.
    pub value: u32,
}

/// The network numbers the verdict uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkPolicy {
    /// Visa reattempts allowed per card in 30 days (categories 2–4), by date.
    pub visa_reattempts_30d: Vec<Dated>,
    /// From this date Visa counts customer- and merchant-initiated reattempts separately.
    pub visa_separate_cit_mit_from: NaiveDate,
    /// Mastercard declines per card per merchant in 24 h before fees.
    pub mastercard_declines_24h: u32,
    /// Mastercard declines for the same card and amount in 30 days before fees.
    pub mastercard_same_amount_30d: u32,
    /// Wait after MAC 02 ("cannot approve now"), hours.
    pub mastercard_mac02_wait_hours: u32,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        Self {
            visa_reattempts_30d: vec![
                Dated {
                    from: date(2021, 4, 1),
                    value: 15,
                },
                Dated {
                    from: date(2025, 5, 25),
                    value: 20,
                },
            ],
            visa_separate_cit_mit_from: date(2025, 5, 25),
            mastercard_declines_24h: 10,
            mastercard_same_amount_30d: 35,
            mastercard_mac02_wait_hours: 72,
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl NetworkPolicy {
    fn visa_limit(&self, now: DateTime<Utc>) -> Option<u32> {
        let today = now.date_naive();
        self.visa_reattempts_30d
            .iter()
            .filter(|d| d.from <= today)
            .max_by_key(|d| d.from)
            .map(|d| d.value)
    }
}

/// The answer: may we try again, from when, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkVerdict {
    /// False when a network rule forbids any further attempt on these credentials.
    pub allowed: bool,
    /// Earliest compliant time for the next attempt (absent when not allowed).
    pub earliest: Option<DateTime<Utc>>,
    /// Id of the deciding rule (`visa.category_1`, `mastercard.mac_03`, `visa.reattempt_limit`, `none`).
    pub rule: String,
    /// Human-readable compliance notes, one per rule applied.
    pub notes: Vec<String>,
    /// Visa decline category of the failure, when the card is Visa.
    pub visa_category: Option<u8>,
    /// Reattempts used in the counting window (Visa) / declines counted (Mastercard).
    pub used: u32,
    /// The cap that applies (0 when none).
    pub limit: u32,
}

/// Earliest time ≥ `now` at which fewer than or exactly `max` of `times`
/// fall inside the trailing `window`.
fn window_clear(
    times: &mut [DateTime<Utc>],
    window: Duration,
    max: u32,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    times.sort();
    let in_window: Vec<_> = times
        .iter()
        .filter(|t| **t > now - window)
        .copied()
        .collect();
    let excess = in_window.len().saturating_sub(max as usize);
    if excess == 0 {
        now
    } else {
        (in_window[excess - 1] + window).max(now)
    }
}

fn same_card(a: &PaymentAttempt, b: &PaymentAttempt) -> bool {
    match (&a.card_fingerprint, &b.card_fingerprint) {
        (Some(x), Some(y)) => x == y,
        // Without fingerprints the caller vouches that the history is this card's.
        _ => true,
    }
}

fn visa_category(failure: &PaymentAttempt) -> u8 {
    if let Some(code) = &failure.network_code {
        return decline::visa_category(code.trim());
    }
    failure
        .decline_code
        .as_deref()
        .and_then(|c| decline::classify(failure.gateway, c).visa_category)
        .unwrap_or(4)
}

/// Applies the card-network rules to a declined `failure` and the earlier
/// attempts on the same card.
pub fn network_retry(
    failure: &PaymentAttempt,
    history: &[PaymentAttempt],
    now: DateTime<Utc>,
    policy: &NetworkPolicy,
) -> NetworkVerdict {
    let declines: Vec<&PaymentAttempt> = history
        .iter()
        .filter(|a| !a.approved && same_card(a, failure) && a.at <= now)
        .chain(std::iter::once(failure))
        .collect();
    let mut verdict = NetworkVerdict {
        allowed: true,
        earliest: Some(now),
        rule: "none".to_owned(),
        notes: Vec::new(),
        visa_category: None,
        used: 0,
        limit: 0,
    };
    match failure.brand {
        Some(CardBrand::Visa) => visa(&mut verdict, failure, &declines, now, policy),
        Some(CardBrand::Mastercard) => mastercard(&mut verdict, failure, &declines, now, policy),
        _ => verdict
            .notes
            .push("no card-network retry rule applies to this payment method".to_owned()),
    }
    if !verdict.allowed {
        verdict.earliest = None;
    }
    verdict
}

fn visa(
    v: &mut NetworkVerdict,
    failure: &PaymentAttempt,
    declines: &[&PaymentAttempt],
    now: DateTime<Utc>,
    policy: &NetworkPolicy,
) {
    let category = visa_category(failure);
    v.visa_category = Some(category);
    if category == 1 {
        v.allowed = false;
        v.rule = "visa.category_1".to_owned();
        v.notes.push("Visa category 1 (issuer will never approve): no reattempt is allowed, and each one is charged".to_owned());
        return;
    }
    let Some(limit) = policy.visa_limit(now) else {
        return;
    };
    let separate = now.date_naive() >= policy.visa_separate_cit_mit_from;
    let mut times: Vec<DateTime<Utc>> = declines
        .iter()
        .filter(|a| !separate || a.initiator == failure.initiator)
        .map(|a| a.at)
        .collect();
    let window = Duration::days(30);
    let counted = times.iter().filter(|t| **t > now - window).count() as u32;
    v.used = counted.saturating_sub(1);
    v.limit = limit;
    let scope = if separate {
        match failure.initiator {
            Initiator::Customer => " customer-initiated",
            Initiator::Merchant => " merchant-initiated",
        }
    } else {
        ""
    };
    // The next attempt is reattempt number `counted`: allowed while counted <= limit.
    let earliest = window_clear(&mut times, window, limit, now);
    v.notes.push(format!(
        "Visa category {category}: {} of {limit}{scope} reattempts used in 30 days",
        v.used
    ));
    if earliest > now {
        v.rule = "visa.reattempt_limit".to_owned();
        v.notes.push(format!(
            "Visa reattempt cap reached: next compliant attempt after {}",
            crate::runtime::format_time(earliest)
        ));
    } else if v.rule == "none" {
        v.rule = "visa.within_limit".to_owned();
    }
    v.earliest = v.earliest.max(Some(earliest));
}

fn mac_wait_hours(mac: &str) -> Option<i64> {
    Some(match mac {
        "24" => 1,
        "25" => 24,
        "26" => 48,
        "27" => 96,
        "28" => 144,
        "29" => 192,
        "30" => 240,
        _ => return None,
    })
}

fn mastercard(
    v: &mut NetworkVerdict,
    failure: &PaymentAttempt,
    declines: &[&PaymentAttempt],
    now: DateTime<Utc>,
    policy: &NetworkPolicy,
) {
    let mac = failure.advice_code.as_deref().map(str::trim).unwrap_or("");
    let mac = if mac.len() == 1 {
        format!("0{mac}")
    } else {
        mac.to_owned()
    };
    match mac.as_str() {
        "03" | "21" => {
            v.allowed = false;
            v.rule = format!("mastercard.mac_{mac}");
            v.notes.push(format!(
                "Mastercard MAC {mac} ({}): never retry these credentials",
                if mac == "03" {
                    "do not try again"
                } else {
                    "payment cancelled / stop recurring"
                }
            ));
            return;
        }
        "01" => {
            v.allowed = false;
            v.rule = "mastercard.mac_01".to_owned();
            v.notes.push("Mastercard MAC 01: new account information available; update the credentials before any retry".to_owned());
            return;
        }
        "04" => {
            v.allowed = false;
            v.rule = "mastercard.mac_04".to_owned();
            v.notes.push(
                "Mastercard MAC 04: token requirements not met; fix the data before any retry"
                    .to_owned(),
            );
            return;
        }
        "02" => {
            let wait = Duration::hours(i64::from(policy.mastercard_mac02_wait_hours));
            v.earliest = v.earliest.max(Some(failure.at + wait));
            v.rule = "mastercard.mac_02".to_owned();
            v.notes.push(format!(
                "Mastercard MAC 02: cannot approve now; wait {} h",
                policy.mastercard_mac02_wait_hours
            ));
        }
        m => {
            if let Some(h) = mac_wait_hours(m) {
                v.earliest = v.earliest.max(Some(failure.at + Duration::hours(h)));
                v.rule = format!("mastercard.mac_{m}");
                v.notes
                    .push(format!("Mastercard MAC {m}: retry after {h} h"));
            }
        }
    }
    let mut day: Vec<DateTime<Utc>> = declines.iter().map(|a| a.at).collect();
    let day_count = day
        .iter()
        .filter(|t| **t > now - Duration::hours(24))
        .count() as u32;
    let day_max = policy.mastercard_declines_24h.saturating_sub(1);
    let day_clear = window_clear(&mut day, Duration::hours(24), day_max, now);
    v.notes.push(format!(
        "Mastercard: {day_count} of {} declines in 24 h",
        policy.mastercard_declines_24h
    ));
    let mut same: Vec<DateTime<Utc>> = declines
        .iter()
        .filter(|a| a.amount_minor == failure.amount_minor && a.currency == failure.currency)
        .map(|a| a.at)
        .collect();
    let same_count = same
        .iter()
        .filter(|t| **t > now - Duration::days(30))
        .count() as u32;
    let same_max = policy.mastercard_same_amount_30d.saturating_sub(1);
    let same_clear = window_clear(&mut same, Duration::days(30), same_max, now);
    v.notes.push(format!(
        "Mastercard: {same_count} of {} declines for this amount in 30 days",
        policy.mastercard_same_amount_30d
    ));
    v.used = day_count;
    v.limit = policy.mastercard_declines_24h;
    if day_clear > now && v.rule == "none" {
        v.rule = "mastercard.declines_24h".to_owned();
    }
    if same_clear > now && (v.rule == "none" || same_clear > day_clear) {
        v.rule = "mastercard.same_amount_30d".to_owned();
    }
    if v.rule == "none" {
        v.rule = "mastercard.within_limit".to_owned();
    }
    v.earliest = v.earliest.max(Some(day_clear)).max(Some(same_clear));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Gateway;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn attempt(brand: CardBrand, when: &str, code: &str) -> PaymentAttempt {
        PaymentAttempt {
            id: None,
            at: at(when),
            method: Default::default(),
            brand: Some(brand),
            card_fingerprint: Some("fp".into()),
            bin_country: None,
            gateway: Gateway::Iso8583,
            approved: false,
            decline_code: Some(code.into()),
            advice_code: None,
            network_code: None,
            amount_minor: 1000,
            currency: "USD".into(),
            attempt_number: 1,
            initiator: Initiator::Merchant,
            risk_score: None,
        }
    }

    #[test]
    fn every_visa_category_1_code_is_refused() {
        for code in decline::VISA_CATEGORY_1_CODES {
            let f = attempt(CardBrand::Visa, "2026-01-01T00:00:00Z", code);
            let v = network_retry(
                &f,
                &[],
                at("2026-01-01T01:00:00Z"),
                &NetworkPolicy::default(),
            );
            assert!(!v.allowed, "{code}");
            assert_eq!(v.rule, "visa.category_1");
        }
    }

    #[test]
    fn visa_cap_is_15_before_2025_05_25_and_20_from_then() {
        let history: Vec<_> = (0..16)
            .map(|i| {
                attempt(
                    CardBrand::Visa,
                    &format!("2025-05-{:02}T00:00:00Z", i + 1),
                    "51",
                )
            })
            .collect();
        let failure = attempt(CardBrand::Visa, "2025-05-24T00:00:00Z", "51");
        // 17 declines = 16 reattempts used: over 15, under 20.
        let before = network_retry(
            &failure,
            &history,
            at("2025-05-24T12:00:00Z"),
            &NetworkPolicy::default(),
        );
        assert_eq!((before.limit, before.used), (15, 16));
        assert!(
            before
                .earliest
                .is_some_and(|e| e > at("2025-05-24T12:00:00Z")),
            "{before:?}"
        );
        let after = network_retry(
            &failure,
            &history,
            at("2025-05-25T00:00:00Z"),
            &NetworkPolicy::default(),
        );
        assert_eq!(after.limit, 20);
        assert_eq!(after.earliest, Some(at("2025-05-25T00:00:00Z")));
    }

    #[test]
    fn mastercard_mac_03_and_21_are_refused_and_24_to_30_wait() {
        for mac in ["03", "21", "3"] {
            let mut f = attempt(CardBrand::Mastercard, "2026-01-01T00:00:00Z", "05");
            f.advice_code = Some(mac.into());
            assert!(
                !network_retry(
                    &f,
                    &[],
                    at("2026-01-01T00:00:00Z"),
                    &NetworkPolicy::default()
                )
                .allowed,
                "{mac}"
            );
        }
        let mut f = attempt(CardBrand::Mastercard, "2026-01-01T00:00:00Z", "51");
        f.advice_code = Some("27".into());
        let v = network_retry(
            &f,
            &[],
            at("2026-01-01T00:00:00Z"),
            &NetworkPolicy::default(),
        );
        assert_eq!(v.earliest, Some(at("2026-01-05T00:00:00Z")));
    }

    #[test]
    fn mastercard_24h_cap_delays_the_next_attempt() {
        let history: Vec<_> = (0..9)
            .map(|i| {
                attempt(
                    CardBrand::Mastercard,
                    &format!("2026-01-01T{:02}:00:00Z", i),
                    "05",
                )
            })
            .collect();
        let failure = attempt(CardBrand::Mastercard, "2026-01-01T10:00:00Z", "05");
        let v = network_retry(
            &failure,
            &history,
            at("2026-01-01T11:00:00Z"),
            &NetworkPolicy::default(),
        );
        // 10 declines in 24 h: the next may only come once the oldest leaves the window.
        assert_eq!(v.earliest, Some(at("2026-01-02T00:00:00Z")));
        assert_eq!(v.rule, "mastercard.declines_24h");
    }
}
