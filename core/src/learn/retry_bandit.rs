//! Retry timing that learns from outcomes: success counts per segment
//! (decline category × issuer country × currency × the issuer's local hour
//! band and kind of day × time since the decline), Beta posteriors with the
//! pooled segment (across countries and currencies) as prior, and Thompson
//! sampling over the attempt times the card networks allow. Pure: counts
//! and candidate times in, a proposal out; randomness only from the seed
//! the caller passes.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// Successes and failures of retries in one segment.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Counts {
    /// Retries that succeeded.
    pub successes: u32,
    /// Retries that were declined again.
    pub failures: u32,
}

/// What the learner knows: counts by segment key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RetryStats {
    /// Segment key → counts. Keys: `category|country|currency|hour|day|since`
    /// (fine) and `category|*|*|hour|day|since` (pooled).
    pub cells: BTreeMap<String, Counts>,
}

/// Settings of the learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LearnerSpec {
    /// Retries seen in a (category, country, currency) context before the
    /// learned plan replaces the rule pack's schedule.
    #[serde(default = "default_min_evidence")]
    pub min_evidence: u32,
    /// How many observations the pooled segment's rate counts as, as the
    /// prior of a fine segment.
    #[serde(default = "default_prior_strength")]
    pub prior_strength: f64,
    /// Value lost per day of waiting (the customer may leave, revenue later
    /// is worth less): a success `d` days out counts `(1 - decay)^d`.
    #[serde(default = "default_decay")]
    pub daily_decay: f64,
}

fn default_min_evidence() -> u32 {
    150
}
fn default_prior_strength() -> f64 {
    6.0
}
fn default_decay() -> f64 {
    0.02
}

impl Default for LearnerSpec {
    fn default() -> Self {
        LearnerSpec {
            min_evidence: default_min_evidence(),
            prior_strength: default_prior_strength(),
            daily_decay: default_decay(),
        }
    }
}

/// The decline a retry is planned for, as the learner segments it.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryContext {
    /// Decline category (`insufficient_funds`, `issuer_unavailable`, …).
    pub category: String,
    /// Issuer country (from the BIN), `??` when unknown.
    pub country: String,
    /// Currency.
    pub currency: String,
    /// The issuer's offset from UTC in minutes (local time decides pay days
    /// and hours).
    pub utc_offset_minutes: i32,
    /// When the first decline happened.
    pub declined_at: DateTime<Utc>,
}

/// The learner's choice.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Proposal {
    /// The attempt time chosen.
    pub at: DateTime<Utc>,
    /// The posterior mean success probability of its segment.
    pub estimate: f64,
    /// Its segment key.
    pub segment: String,
    /// Retries seen in the decline's context.
    pub evidence: u32,
}

impl RetryContext {
    /// The context of a declined `attempt` (its category, issuer country and
    /// currency) whose card was first declined at `declined_at`.
    pub fn of_decline(
        attempt: &crate::model::PaymentAttempt,
        declined_at: DateTime<Utc>,
        utc_offset_minutes: i32,
    ) -> RetryContext {
        let info = crate::knowledge::decline::classify(
            attempt.gateway,
            attempt.decline_code.as_deref().unwrap_or(""),
        );
        RetryContext {
            category: info.category.as_str().to_owned(),
            country: attempt.bin_country.clone().unwrap_or_else(|| "??".into()),
            currency: attempt.currency.clone(),
            utc_offset_minutes,
            declined_at,
        }
    }
}

/// When the card was first declined: the earliest attempt of `request`.
pub fn first_decline(request: &crate::model::RetryRequest) -> DateTime<Utc> {
    request
        .history
        .iter()
        .map(|a| a.at)
        .fold(request.failure.at, DateTime::min)
}

fn hour_band(h: u32) -> u32 {
    h / 4
}

/// `payday` (the 1st–3rd, 15th–17th or the last two days of the month),
/// `weekend`, or `weekday`, in local time.
fn day_kind(local: DateTime<Utc>) -> &'static str {
    let d = local.day();
    let days_in_month = {
        let (y, m) = (local.year(), local.month());
        let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        chrono::NaiveDate::from_ymd_opt(next.0, next.1, 1)
            .and_then(|n| n.pred_opt())
            .map_or(30, |n| n.day())
    };
    if d <= 3 || (15..=17).contains(&d) || d + 1 >= days_in_month {
        "payday"
    } else if local.weekday().num_days_from_monday() >= 5 {
        "weekend"
    } else {
        "weekday"
    }
}

fn since_band(hours: i64) -> u32 {
    match hours {
        ..24 => 0,
        24..72 => 1,
        72..168 => 2,
        168..336 => 3,
        _ => 4,
    }
}

/// The time-dependent part of an attempt's segment: local hour band, kind
/// of day, time since the decline.
fn segment_parts(ctx: &RetryContext, at: DateTime<Utc>) -> (u32, &'static str, u32) {
    let local = at + Duration::minutes(i64::from(ctx.utc_offset_minutes));
    (
        hour_band(local.hour()),
        day_kind(local),
        since_band((at - ctx.declined_at).num_hours()),
    )
}

/// The fine and the pooled segment keys of an attempt at `at`.
pub fn segment_keys(ctx: &RetryContext, at: DateTime<Utc>) -> (String, String) {
    let (h, d, s) = segment_parts(ctx, at);
    let tail = format!("{h}|{d}|{s}");
    (
        format!("{}|{}|{}|{tail}", ctx.category, ctx.country, ctx.currency),
        format!("{}|*|*|{tail}", ctx.category),
    )
}

fn context_prefix(ctx: &RetryContext) -> String {
    format!("{}|{}|{}|", ctx.category, ctx.country, ctx.currency)
}

impl RetryStats {
    /// Records the outcome of a retry made at `at`.
    pub fn record(&mut self, ctx: &RetryContext, at: DateTime<Utc>, succeeded: bool) {
        let (fine, pooled) = segment_keys(ctx, at);
        for key in [fine, pooled] {
            let c = self.cells.entry(key).or_default();
            if succeeded {
                c.successes = c.successes.saturating_add(1);
            } else {
                c.failures = c.failures.saturating_add(1);
            }
        }
    }

    /// Retries recorded in the decline's (category, country, currency) context.
    pub fn evidence(&self, ctx: &RetryContext) -> u32 {
        self.with_prefix(&context_prefix(ctx)).fold(0u32, |n, c| {
            n.saturating_add(c.successes).saturating_add(c.failures)
        })
    }

    /// The counts of every cell whose key starts with `prefix`.
    fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Counts> + 'a {
        self.cells
            .range(prefix.to_owned()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(_, c)| c)
    }

    /// The category's success rate over all its pooled segments (smoothed).
    fn base_rate(&self, ctx: &RetryContext) -> f64 {
        let (s, n) =
            self.with_prefix(&format!("{}|*|*|", ctx.category))
                .fold((0.0, 0.0), |(s, n), c| {
                    (
                        s + f64::from(c.successes),
                        n + f64::from(c.successes) + f64::from(c.failures),
                    )
                });
        (s + 1.0) / (n + 2.0)
    }

    /// Beta posterior (a, b) of a slot: the fine segment's counts on a prior
    /// centred on the pooled segment's rate.
    fn posterior(
        &self,
        spec: &LearnerSpec,
        ctx: &RetryContext,
        at: DateTime<Utc>,
        base_rate: f64,
    ) -> (f64, f64, String) {
        let (fine, pooled) = segment_keys(ctx, at);
        let p = self.cells.get(&pooled).copied().unwrap_or_default();
        let f = self.cells.get(&fine).copied().unwrap_or_default();
        // The pooled segment's rate, shrunk towards the category's overall
        // rate: a segment nobody has tried is expected to do as usual.
        let prior_mean = (f64::from(p.successes) + 2.0 * base_rate)
            / (f64::from(p.successes) + f64::from(p.failures) + 2.0);
        let a = f64::from(f.successes) + spec.prior_strength * prior_mean + 0.1;
        let b = f64::from(f.failures) + spec.prior_strength * (1.0 - prior_mean) + 0.1;
        (a, b, fine)
    }

    /// Chooses among `candidates` (times the networks allow, ascending) by
    /// Thompson sampling; `None` when the context has too little evidence
    /// (the caller keeps the rule pack's schedule) or no candidate is given.
    pub fn propose(
        &self,
        spec: &LearnerSpec,
        ctx: &RetryContext,
        now: DateTime<Utc>,
        candidates: &[DateTime<Utc>],
        seed: u64,
    ) -> Option<Proposal> {
        let evidence = self.evidence(ctx);
        if evidence < spec.min_evidence || candidates.is_empty() {
            return None;
        }
        let mut rng = Rng::new(seed);
        let keep = 1.0 - spec.daily_decay.clamp(0.0, 0.99);
        let base_rate = self.base_rate(ctx);
        // One draw per segment, in the order segments first appear; within a
        // segment the earliest slot is worth most (later ones only decay).
        let mut seen = std::collections::BTreeSet::new();
        let mut best: Option<(f64, Proposal)> = None;
        for &at in candidates {
            if !seen.insert(segment_parts(ctx, at)) {
                continue;
            }
            let (a, b, segment) = self.posterior(spec, ctx, at, base_rate);
            let p = rng.beta(a, b);
            let days = (at - now).num_minutes().max(0) as f64 / 1440.0;
            let value = p * super::det_math::exp(days * super::det_math::ln(keep));
            if best.as_ref().is_none_or(|(v, _)| value > *v) {
                best = Some((
                    value,
                    Proposal {
                        at,
                        estimate: a / (a + b),
                        segment,
                        evidence,
                    },
                ));
            }
        }
        best.map(|(_, p)| p)
    }
}

/// Hourly attempt times from `now` to `until` that the card networks allow
/// for the decline `request` describes (at most `limit` of them). The rules
/// only loosen as time passes without new declines (caps count a trailing
/// window, advice codes impose waits), so every hour from the earliest
/// compliant one on is allowed.
pub fn network_slots(
    request: &crate::model::RetryRequest,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    policy: &crate::knowledge::network::NetworkPolicy,
    limit: usize,
) -> Vec<DateTime<Utc>> {
    let until = request.collect_by.map_or(until, |c| c.min(until));
    let v =
        crate::knowledge::network::network_retry(&request.failure, &request.history, now, policy);
    let Some(earliest) = v.earliest.filter(|_| v.allowed) else {
        return Vec::new();
    };
    let mut t = now + Duration::hours(1);
    if earliest > t {
        t += Duration::hours((earliest - t).num_minutes().div_euclid(60) + 1);
    }
    let mut out = Vec::new();
    while t <= until && out.len() < limit {
        out.push(t);
        t += Duration::hours(1);
    }
    out
}

/// Proposes the next retry of `request` at `now`: network-allowed hourly
/// slots up to `horizon_days` after the first decline, then Thompson
/// sampling; `None` means "keep the rule pack's schedule".
pub fn plan_next(
    stats: &RetryStats,
    spec: &LearnerSpec,
    request: &crate::model::RetryRequest,
    utc_offset_minutes: i32,
    now: DateTime<Utc>,
    horizon_days: i64,
    seed: u64,
) -> Option<Proposal> {
    let info = crate::knowledge::decline::classify(
        request.failure.gateway,
        request.failure.decline_code.as_deref().unwrap_or(""),
    );
    if !info.retryable {
        return None;
    }
    let ctx =
        RetryContext::of_decline(&request.failure, first_decline(request), utc_offset_minutes);
    if stats.evidence(&ctx) < spec.min_evidence {
        return None;
    }
    let slots = network_slots(
        request,
        now,
        ctx.declined_at + Duration::days(horizon_days),
        &crate::knowledge::network::NetworkPolicy::default(),
        24 * 60,
    );
    stats.propose(spec, &ctx, now, &slots, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ctx() -> RetryContext {
        RetryContext {
            category: "insufficient_funds".into(),
            country: "US".into(),
            currency: "USD".into(),
            utc_offset_minutes: -300,
            declined_at: t("2026-03-05T15:00:00Z"),
        }
    }

    #[test]
    fn segments_follow_the_issuers_local_calendar() {
        let c = ctx();
        // 2026-03-15 03:00 UTC is the 14th, 22:00 in New York: not yet a pay day.
        assert!(
            segment_keys(&c, t("2026-03-15T03:00:00Z"))
                .0
                .contains("|5|weekend|3"),
            "{:?}",
            segment_keys(&c, t("2026-03-15T03:00:00Z"))
        );
        assert!(
            segment_keys(&c, t("2026-03-15T14:00:00Z"))
                .0
                .contains("|2|payday|3")
        );
    }

    #[test]
    fn with_evidence_it_prefers_the_slots_that_succeed_and_without_it_defers() {
        let c = ctx();
        let good = t("2026-03-16T14:00:00Z"); // a pay day, 09:00 local
        let bad = t("2026-03-09T14:00:00Z"); // a Monday, 09:00 local
        let mut stats = RetryStats::default();
        assert!(
            stats
                .propose(
                    &LearnerSpec::default(),
                    &c,
                    t("2026-03-06T00:00:00Z"),
                    &[bad, good],
                    1
                )
                .is_none()
        );
        for i in 0..200 {
            stats.record(&c, good, i % 2 == 0);
            stats.record(&c, bad, i % 20 == 0);
        }
        let picks = (0..100)
            .filter(|s| {
                stats
                    .propose(
                        &LearnerSpec::default(),
                        &c,
                        t("2026-03-06T00:00:00Z"),
                        &[bad, good],
                        *s,
                    )
                    .unwrap()
                    .at
                    == good
            })
            .count();
        assert!(
            picks >= 95,
            "the pay-day slot was chosen {picks} times in 100"
        );
        let p = stats
            .propose(
                &LearnerSpec::default(),
                &c,
                t("2026-03-06T00:00:00Z"),
                &[bad, good],
                3,
            )
            .unwrap();
        assert!(p.evidence >= 400 && p.estimate > 0.4);
        let text = serde_json::to_string(&stats).unwrap();
        assert_eq!(serde_json::from_str::<RetryStats>(&text).unwrap(), stats);
    }
}

#[cfg(test)]
mod network_tests {
    use super::*;
    use crate::knowledge::network::{NetworkPolicy, network_retry};
    use crate::model::{CardBrand, Gateway, PaymentAttempt, RetryRequest};
    use proptest::prelude::*;

    fn attempt(
        at: DateTime<Utc>,
        brand: CardBrand,
        code: &str,
        advice: Option<&str>,
    ) -> PaymentAttempt {
        PaymentAttempt {
            id: None,
            at,
            method: Default::default(),
            brand: Some(brand),
            card_fingerprint: Some("c".into()),
            bin_country: Some("US".into()),
            gateway: Gateway::Stripe,
            approved: false,
            decline_code: Some(code.into()),
            advice_code: advice.map(str::to_owned),
            network_code: None,
            amount_minor: 1000,
            currency: "USD".into(),
            attempt_number: 1,
            initiator: Default::default(),
            risk_score: None,
        }
    }

    proptest! {
        /// Whatever the history, a learned attempt is one the networks allow.
        #[test]
        fn a_learned_attempt_never_breaks_a_network_rule(
            visa in any::<bool>(),
            prior in 0usize..30,
            spacing_hours in 1i64..40,
            advice in prop::sample::select(vec![None, Some("02"), Some("24"), Some("25"), Some("26"), Some("30"), Some("03")]),
            seed in any::<u64>(),
        ) {
            let start = DateTime::parse_from_rfc3339("2026-04-01T10:00:00Z").unwrap().with_timezone(&Utc);
            let brand = if visa { CardBrand::Visa } else { CardBrand::Mastercard };
            let history: Vec<PaymentAttempt> = (0..prior)
                .map(|i| attempt(start + Duration::hours(spacing_hours * i as i64), brand, "insufficient_funds", None))
                .collect();
            let now = start + Duration::hours(spacing_hours * prior as i64);
            let failure = attempt(now, brand, "insufficient_funds", if visa { None } else { advice });
            let request = RetryRequest { schema_version: 1, failure: failure.clone(), history: history.clone(), recurring: false, collect_by: None, learning: None };
            // Plenty of evidence everywhere, so the learner always answers when it can.
            let mut stats = RetryStats::default();
            let ctx = RetryContext { category: "insufficient_funds".into(), country: "US".into(), currency: "USD".into(), utc_offset_minutes: 0, declined_at: start };
            for h in 0..400 {
                stats.record(&ctx, start + Duration::hours(h), h % 3 == 0);
            }
            if let Some(p) = plan_next(&stats, &LearnerSpec { min_evidence: 10, ..LearnerSpec::default() }, &request, 0, now, 14, seed) {
                let v = network_retry(&failure, &history, p.at, &NetworkPolicy::default());
                prop_assert!(v.allowed, "{:?} at {}", v, p.at);
                prop_assert!(v.earliest.is_some_and(|e| e <= p.at), "{:?} at {}", v, p.at);
                prop_assert!(p.at > now);
            }
        }
    }
}
