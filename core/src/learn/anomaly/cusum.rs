//! CUSUM detectors for the two kinds of stream the service watches (Page's
//! cumulative-sum test, as log-likelihood ratios of "the rate moved by
//! `ratio`" against "it did not"):
//! - [`RateState`]: a failure *rate* with known trials (declines among
//!   payment results, technical declines among declines): binomial.
//! - [`CountState`]: *counts per time bucket* (declines per minute for a
//!   gateway, events per minute from a source): Poisson, in both
//!   directions, so a surge and a source going silent are both found.
//!
//! The baseline is learned as the stream runs (exponentially forgetting
//! counts) and learns only slowly while an alarm holds, so an incident is
//! not absorbed into "normal" while it lasts.

use serde::{Deserialize, Serialize};

use crate::learn::det_math::ln;

/// Settings shared by the CUSUM detectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CusumSpec {
    /// The change to detect, as a multiple of the baseline rate (> 1).
    #[serde(default = "default_ratio")]
    pub ratio: f64,
    /// The alarm level of the cumulative log-likelihood ratio.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Observations forgotten per step of the baseline: 1/halflife-ish.
    #[serde(default = "default_forget")]
    pub forget: f64,
    /// Observations (trials for rates, buckets for counts) before scoring.
    #[serde(default = "default_warmup")]
    pub warmup: u64,
    /// The lowest baseline assumed (keeps a near-zero rate from alarming on
    /// the first failure).
    #[serde(default = "default_floor")]
    pub floor: f64,
}

fn default_ratio() -> f64 {
    2.0
}
fn default_threshold() -> f64 {
    8.0
}
fn default_forget() -> f64 {
    0.002
}
fn default_warmup() -> u64 {
    30
}
fn default_floor() -> f64 {
    0.005
}

impl Default for CusumSpec {
    fn default() -> Self {
        CusumSpec {
            ratio: default_ratio(),
            threshold: default_threshold(),
            forget: default_forget(),
            warmup: default_warmup(),
            floor: default_floor(),
        }
    }
}

impl CusumSpec {
    /// Problems with the settings, as (field, message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(self.ratio > 1.0 && self.ratio <= 1000.0) {
            return Err(("ratio", format!("{} is outside (1, 1000]", self.ratio)));
        }
        if !(self.threshold > 0.0 && self.threshold <= 1e6) {
            return Err((
                "threshold",
                format!("{} is outside (0, 1e6]", self.threshold),
            ));
        }
        if !(self.forget > 0.0 && self.forget < 1.0) {
            return Err(("forget", format!("{} is outside (0, 1)", self.forget)));
        }
        if !(self.floor > 0.0 && self.floor < 1.0) {
            return Err(("floor", format!("{} is outside (0, 1)", self.floor)));
        }
        if self.warmup > 1_000_000 {
            return Err(("warmup", "at most 1000000".into()));
        }
        Ok(())
    }

    /// While an alarm holds the baseline learns ten times slower.
    fn forget_now(&self, alarm: bool) -> f64 {
        if alarm {
            self.forget / 10.0
        } else {
            self.forget
        }
    }
}

/// A one-sided CUSUM: the statistic and the step its current run began.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The cumulative sum (0 when the stream looks normal).
    pub sum: f64,
    /// Step at which the sum last left 0: the change point estimate.
    pub since: Option<u64>,
}

impl Run {
    fn add(&mut self, llr: f64, step: u64) {
        let next = self.sum + llr;
        if next <= 0.0 {
            self.sum = 0.0;
            self.since = None;
        } else {
            if self.since.is_none() {
                self.since = Some(step);
            }
            // Capped so a long incident recovers in bounded time once over.
            self.sum = next.min(1e6);
        }
    }
}

/// Binomial CUSUM state for a failure rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateState {
    /// Forgetting sums of failures and trials: the baseline.
    pub failures: f64,
    /// See `failures`.
    pub trials: f64,
    /// Trials seen in all.
    pub seen: u64,
    /// Observations scored (the step counter of `run.since`).
    pub steps: u64,
    /// The upward CUSUM.
    pub run: Run,
}

impl RateState {
    /// The baseline failure rate.
    pub fn baseline(&self, spec: &CusumSpec) -> f64 {
        let p = (self.failures + 1.0) / (self.trials + 2.0);
        p.max(spec.floor).min(0.999 / spec.ratio)
    }

    /// Scores `failures` out of `trials`; returns the statistic over the
    /// threshold (≥ 1 is an alarm).
    pub fn step(&mut self, spec: &CusumSpec, failures: u64, trials: u64) -> f64 {
        self.steps = self.steps.saturating_add(1);
        let k = failures.min(trials) as f64;
        let n = trials as f64;
        let alarm = self.run.sum >= spec.threshold;
        if self.seen >= spec.warmup && trials > 0 {
            let p0 = self.baseline(spec);
            let p1 = p0 * spec.ratio;
            let llr = k * ln(p1 / p0) + (n - k) * ln((1.0 - p1) / (1.0 - p0));
            self.run.add(llr, self.steps);
        }
        // Forget in proportion to the trials this step brought.
        let keep = one_minus_pow(spec.forget_now(alarm), trials);
        self.failures = self.failures * keep + k;
        self.trials = self.trials * keep + n;
        self.seen = self.seen.saturating_add(trials);
        self.run.sum / spec.threshold
    }
}

/// Poisson CUSUM state for counts per bucket, both directions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CountState {
    /// Forgetting mean of the counts: the baseline per bucket.
    pub mean: f64,
    /// Buckets seen.
    pub steps: u64,
    /// The upward CUSUM (a surge).
    pub up: Run,
    /// The downward CUSUM (a drop, a source going silent).
    pub down: Run,
}

impl CountState {
    /// The baseline count per bucket.
    pub fn baseline(&self, spec: &CusumSpec) -> f64 {
        self.mean.max(spec.floor)
    }

    /// Scores one bucket's count; returns (upward, downward) statistics
    /// over the threshold.
    pub fn step(&mut self, spec: &CusumSpec, count: u64) -> (f64, f64) {
        self.steps = self.steps.saturating_add(1);
        let k = count as f64;
        let alarm = self.up.sum >= spec.threshold || self.down.sum >= spec.threshold;
        if self.steps > spec.warmup {
            let l0 = self.baseline(spec);
            let r = spec.ratio;
            let ln_r = ln(r);
            self.up.add(k * ln_r - (r - 1.0) * l0, self.steps);
            self.down.add(-k * ln_r + (1.0 - 1.0 / r) * l0, self.steps);
        }
        let w = if self.steps <= spec.warmup {
            // The plain mean while warming up.
            1.0 / self.steps as f64
        } else {
            spec.forget_now(alarm)
        };
        self.mean += w * (k - self.mean);
        (self.up.sum / spec.threshold, self.down.sum / spec.threshold)
    }
}

/// (1 - f)^n by squaring: exact operations only.
fn one_minus_pow(f: f64, n: u64) -> f64 {
    let (mut base, mut e, mut acc) = (1.0 - f, n, 1.0);
    while e > 0 {
        if e & 1 == 1 {
            acc *= base;
        }
        base *= base;
        e >>= 1;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_that_triples_alarms_within_a_few_hundred_trials_and_a_steady_one_does_not() {
        let spec = CusumSpec::default();
        let mut s = RateState::default();
        // 10% declines, spread evenly: 1 in 10.
        let mut peak_normal: f64 = 0.0;
        for i in 0..5_000u64 {
            peak_normal = peak_normal.max(s.step(&spec, u64::from(i % 10 == 0), 1));
        }
        assert!(peak_normal < 1.0, "steady stream peaks at {peak_normal}");
        let mut alarm_after = None;
        for i in 0..1_000u64 {
            if s.step(&spec, u64::from(i % 10 < 3), 1) >= 1.0 {
                alarm_after = Some(i);
                break;
            }
        }
        let after = alarm_after.expect("a tripled rate alarms");
        assert!(after < 200, "alarm after {after} trials");
        assert!(s.run.since.is_some());
    }

    #[test]
    fn a_silent_source_and_a_surge_both_alarm() {
        let spec = CusumSpec::default();
        let mut s = CountState::default();
        for i in 0..500u64 {
            let (up, down) = s.step(&spec, 20 + i % 5);
            assert!(up < 1.0 && down < 1.0, "steady counts at {i}: {up} {down}");
        }
        let mut quiet = s.clone();
        let (_, down) = quiet.step(&spec, 0);
        assert!(
            down >= 1.0,
            "one empty minute of a 22/min source alarms: {down}"
        );
        let mut busy = s.clone();
        let up = (0..3).map(|_| busy.step(&spec, 60).0).fold(0.0, f64::max);
        assert!(up >= 1.0, "a tripled volume alarms: {up}");
    }

    #[test]
    fn power_by_squaring_is_exact_for_small_cases() {
        assert_eq!(one_minus_pow(0.5, 3), 0.125);
        assert_eq!(one_minus_pow(0.1, 0), 1.0);
    }
}
