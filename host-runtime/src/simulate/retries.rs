//! One simulated run of a world under both policies: the rule pack's fixed
//! schedule, and the learner (which starts knowing nothing, learns from
//! every outcome, and falls back to the schedule until a context has enough
//! evidence). Both see the same declines and the same luck (common random
//! numbers), and every attempt of both is checked against the card-network
//! rules.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Duration, Utc};
use ordex_core::api::Engine;
use ordex_core::knowledge::network::{NetworkPolicy, network_retry};
use ordex_core::learn::retry_bandit::{LearnerSpec, RetryContext, RetryStats, plan_next};
use ordex_core::model::{CardBrand, Gateway, PaymentAttempt, RetryRequest};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::world::World;

/// How one policy did.
#[derive(Debug, Clone, Default)]
pub struct PolicyResult {
    /// Declines counted (after the warm-up).
    pub declines: u64,
    /// Of them, recovered by a retry.
    pub recovered: u64,
    /// Amount of the declines counted (minor units).
    pub revenue_total: i64,
    /// Amount recovered.
    pub revenue_recovered: i64,
    /// Retries made for the declines counted.
    pub attempts: u64,
    /// Attempts (of all declines) that a card-network rule forbade.
    pub violations: u64,
    /// Attempts timed by the learner rather than the schedule.
    pub learned_attempts: u64,
    /// Per day after the warm-up: (recovered, declines).
    pub daily: Vec<(u64, u64)>,
}

impl PolicyResult {
    /// Share of declines recovered.
    pub fn recovery_rate(&self) -> f64 {
        self.recovered as f64 / self.declines.max(1) as f64
    }
}

/// Both policies on one seed.
#[derive(Debug, Clone)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// The rule pack's schedule.
    pub fixed: PolicyResult,
    /// The learner.
    pub learner: PolicyResult,
}

struct Decline {
    at: DateTime<Utc>,
    kind: usize,
    region: usize,
    brand: CardBrand,
    amount: i64,
    /// The rule pack's planned attempts (the budget for both policies).
    plan: Vec<DateTime<Utc>>,
    /// Uniforms deciding each attempt's luck.
    luck: Vec<f64>,
}

fn gateway(name: &str) -> Gateway {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).unwrap_or(Gateway::Other)
}

fn attempt(world: &World, d: &Decline, at: DateTime<Utc>, n: u32, id: usize) -> PaymentAttempt {
    let k = &world.declines[d.kind];
    let r = &world.regions[d.region];
    PaymentAttempt {
        id: None,
        at,
        method: Default::default(),
        brand: Some(d.brand),
        card_fingerprint: Some(format!("card-{id}")),
        bin_country: Some(r.country.clone()),
        gateway: gateway(&k.gateway),
        approved: false,
        decline_code: Some(k.code.clone()),
        advice_code: k.advice_code.clone(),
        network_code: None,
        amount_minor: d.amount,
        currency: r.currency.clone(),
        attempt_number: n,
        initiator: Default::default(),
        risk_score: None,
    }
}

fn pick(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = f64> + Clone) -> usize {
    let total: f64 = weights.clone().sum();
    let mut x = rng.random_range(0.0..total.max(1e-12));
    for (i, w) in weights.enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    0
}

fn declines(world: &World, engine: &Engine, seed: u64) -> Vec<Decline> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = world.days as usize * world.declines_per_day as usize;
    let span = i64::from(world.days) * 86_400;
    let mut out: Vec<Decline> = (0..n)
        .map(|_| {
            let kind = pick(&mut rng, world.declines.iter().map(|d| d.weight));
            let region = pick(&mut rng, world.regions.iter().map(|r| r.weight));
            let [lo, hi] = world.regions[region].amount_minor;
            let mut at = world.start + Duration::seconds(rng.random_range(0..span));
            if world.declines[kind].during_outages {
                // Caused by an outage: draw again until one is under way.
                for _ in 0..1000 {
                    if world.in_outage(&world.regions[region], at) {
                        break;
                    }
                    at = world.start + Duration::seconds(rng.random_range(0..span));
                }
            }
            Decline {
                at,
                kind,
                region,
                brand: if rng.random_bool(world.visa_share.clamp(0.0, 1.0)) {
                    CardBrand::Visa
                } else {
                    CardBrand::Mastercard
                },
                amount: rng.random_range(lo.min(hi)..=hi.max(lo)),
                plan: Vec::new(),
                luck: (0..32).map(|_| rng.random::<f64>()).collect(),
            }
        })
        .collect();
    out.sort_by_key(|d| d.at);
    for (i, d) in out.iter_mut().enumerate() {
        let req = RetryRequest {
            schema_version: 1,
            failure: attempt(world, d, d.at, 1, i),
            history: Vec::new(),
            recurring: false,
            collect_by: None,
            learning: None,
        };
        d.plan = engine
            .retry(&req, d.at)
            .map(|p| p.value.next_attempts)
            .unwrap_or_default();
    }
    out
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// Choose the time of attempt `k`.
    Plan,
    /// Make the attempt.
    Attempt,
}

/// Runs one policy; `learn` switches the learner on.
fn run_policy(
    world: &World,
    ds: &[Decline],
    learn: bool,
    spec: &LearnerSpec,
    seed: u64,
    warmup_days: u32,
) -> PolicyResult {
    let policy = NetworkPolicy::default();
    let warm = world.start + Duration::days(i64::from(warmup_days));
    let mut stats = RetryStats::default();
    let mut res = PolicyResult {
        daily: vec![(0, 0); world.days.saturating_sub(warmup_days) as usize],
        ..PolicyResult::default()
    };
    // Per decline: attempts made so far, the failures so far, when chosen.
    let mut history: Vec<Vec<PaymentAttempt>> = vec![Vec::new(); ds.len()];
    let mut next_at: Vec<Option<DateTime<Utc>>> = vec![None; ds.len()];
    let mut queue: BinaryHeap<Reverse<(DateTime<Utc>, Step, usize)>> = BinaryHeap::new();
    for (i, d) in ds.iter().enumerate() {
        if d.at >= warm {
            res.declines += 1;
            res.revenue_total += d.amount;
            let day = (d.at - warm).num_days() as usize;
            if let Some(slot) = res.daily.get_mut(day) {
                slot.1 += 1;
            }
        }
        history[i].push(attempt(world, d, d.at, 1, i));
        if !d.plan.is_empty() {
            queue.push(Reverse((d.at, Step::Plan, i)));
        }
    }
    while let Some(Reverse((now, step, i))) = queue.pop() {
        let d = &ds[i];
        let counted = d.at >= warm;
        let k = history[i].len() - 1; // retries made so far
        match step {
            Step::Plan => {
                let fallback = d
                    .plan
                    .get(k)
                    .copied()
                    .unwrap_or(now)
                    .max(now + Duration::minutes(5));
                let mut at = fallback;
                if learn {
                    // The schedule's time may have passed while the learner
                    // waited: keep it compliant.
                    let failure = history[i].last().expect("the decline");
                    let v = network_retry(failure, &history[i][..k], now, &policy);
                    if let Some(e) = v.earliest {
                        at = at.max(e);
                    }
                    let failure = history[i].last().cloned().expect("the decline");
                    let req = RetryRequest {
                        schema_version: 1,
                        failure,
                        history: history[i][..k].to_vec(),
                        recurring: false,
                        collect_by: None,
                        learning: None,
                    };
                    let offset = world.regions[d.region].utc_offset_minutes;
                    if let Some(p) = plan_next(
                        &stats,
                        spec,
                        &req,
                        offset,
                        now,
                        14,
                        seed ^ ((i as u64) << 8) ^ k as u64,
                    ) {
                        at = p.at;
                        if counted {
                            res.learned_attempts += 1;
                        }
                    }
                }
                next_at[i] = Some(at);
                queue.push(Reverse((at, Step::Attempt, i)));
            }
            Step::Attempt => {
                let failure = history[i].last().expect("the decline");
                let v = network_retry(failure, &history[i][..k], now, &policy);
                if !v.allowed || v.earliest.is_some_and(|e| e > now) {
                    res.violations += 1;
                }
                let kind = &world.declines[d.kind];
                let region = &world.regions[d.region];
                let p = world.success(kind, region, d.at, now);
                let ok = d.luck.get(k).copied().unwrap_or(1.0) < p;
                if learn {
                    let ctx =
                        RetryContext::of_decline(&history[i][0], d.at, region.utc_offset_minutes);
                    stats.record(&ctx, now, ok);
                }
                if counted {
                    res.attempts += 1;
                }
                if ok {
                    if counted {
                        res.recovered += 1;
                        res.revenue_recovered += d.amount;
                        let day = (d.at - warm).num_days() as usize;
                        if let Some(slot) = res.daily.get_mut(day) {
                            slot.0 += 1;
                        }
                    }
                } else {
                    let n = u32::try_from(history[i].len())
                        .unwrap_or(u32::MAX)
                        .saturating_add(1);
                    history[i].push(attempt(world, d, now, n, i));
                    if k + 1 < d.plan.len() {
                        queue.push(Reverse((now, Step::Plan, i)));
                    }
                }
            }
        }
    }
    res
}

/// Runs `world` with `seed` under both policies.
pub fn run_seed(
    world: &World,
    engine: &Engine,
    spec: &LearnerSpec,
    seed: u64,
    warmup_days: u32,
) -> SeedResult {
    let ds = declines(world, engine, seed);
    SeedResult {
        seed,
        fixed: run_policy(world, &ds, false, spec, seed, warmup_days),
        learner: run_policy(world, &ds, true, spec, seed, warmup_days),
    }
}
