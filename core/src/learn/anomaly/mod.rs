//! Streaming anomaly detectors as pure state machines: `(spec, state,
//! observation) → (state, reading)`. The state is plain serialisable data
//! with a version, so the service keeps it in its store and any runtime can
//! continue it; the same inputs give the same bits everywhere.
//!
//! Three detectors, chosen by measurement (`docs/anomaly.md`):
//! - `context` for any numeric series (the best of those measured on the
//!   Numenta Anomaly Benchmark);
//! - `rate_cusum` for failure rates with known trials;
//! - `count_cusum` for counts per time bucket, surges and silences.

mod context;
mod cusum;

pub use context::{ContextSpec, ContextState};
pub use cusum::{CountState, CusumSpec, RateState, Run};

use serde::{Deserialize, Serialize};

/// The version of [`DetectorState`] this build writes and reads.
pub const STATE_VERSION: u32 = 1;

/// Which detector, with its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DetectorSpec {
    /// Contextual detector for numeric values.
    Context(ContextSpec),
    /// Binomial CUSUM on failures among trials.
    RateCusum(CusumSpec),
    /// Poisson CUSUM on counts per bucket, both directions.
    CountCusum(CusumSpec),
}

impl DetectorSpec {
    /// Problems with the settings, as (field, message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match self {
            DetectorSpec::Context(s) => s.check(),
            DetectorSpec::RateCusum(s) | DetectorSpec::CountCusum(s) => s.check(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            DetectorSpec::Context(_) => "context",
            DetectorSpec::RateCusum(_) => "rate_cusum",
            DetectorSpec::CountCusum(_) => "count_cusum",
        }
    }
}

/// What a detector learned, tagged with its kind and the format version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorState {
    /// Format version ([`STATE_VERSION`]).
    pub version: u32,
    /// The detector's own state.
    #[serde(flatten)]
    pub inner: InnerState,
}

/// The state of one kind of detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InnerState {
    /// See [`ContextState`].
    Context(Box<ContextState>),
    /// See [`RateState`].
    RateCusum(RateState),
    /// See [`CountState`].
    CountCusum(CountState),
}

impl DetectorState {
    /// A fresh state for `spec`.
    pub fn new(spec: &DetectorSpec) -> Self {
        let inner = match spec {
            DetectorSpec::Context(_) => InnerState::Context(Box::default()),
            DetectorSpec::RateCusum(_) => InnerState::RateCusum(RateState::default()),
            DetectorSpec::CountCusum(_) => InnerState::CountCusum(CountState::default()),
        };
        DetectorState {
            version: STATE_VERSION,
            inner,
        }
    }
}

/// One observation: a value, a count, or failures among trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Observation {
    /// Failures among trials (for `rate_cusum`).
    Rate {
        /// Failures (≤ trials).
        failures: u64,
        /// Trials.
        trials: u64,
    },
    /// A count in one time bucket (for `count_cusum`).
    Count {
        /// The count.
        count: u64,
    },
    /// A numeric value (for `context`).
    Value {
        /// The value.
        value: f64,
    },
}

/// What a detector says about one observation.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Reading {
    /// 0..=1; 1 means the alarm level is reached.
    pub score: f64,
    /// Whether the score reached the alarm level.
    pub alarm: bool,
    /// `up` (more failures, a surge) or `down` (a drop, silence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    /// The baseline the observation was compared with (rate or count per
    /// bucket), where the detector has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// The observation number at which the current change began.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_at: Option<u64>,
    /// Observations seen so far, this one included.
    pub step: u64,
}

/// Why an observation could not be scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnomalyError {
    /// The spec is not usable.
    #[error("detector spec `{field}`: {message}")]
    Spec {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The state belongs to another detector or another format version.
    #[error("detector state: {0}")]
    State(String),
    /// The observation does not suit the detector.
    #[error("observation: {0}")]
    Observation(String),
}

/// Scores one observation, updating `state` in place.
pub fn observe(
    spec: &DetectorSpec,
    state: &mut DetectorState,
    observation: Observation,
) -> Result<Reading, AnomalyError> {
    spec.check()
        .map_err(|(field, message)| AnomalyError::Spec { field, message })?;
    if state.version != STATE_VERSION {
        return Err(AnomalyError::State(format!(
            "version {} is not the supported version {STATE_VERSION}",
            state.version
        )));
    }
    let wrong = || {
        AnomalyError::Observation(format!(
            "a `{}` detector takes {}",
            spec.kind(),
            match spec {
                DetectorSpec::Context(_) => "{\"value\": number}",
                DetectorSpec::RateCusum(_) => "{\"failures\": n, \"trials\": n}",
                DetectorSpec::CountCusum(_) => "{\"count\": n}",
            }
        ))
    };
    match (spec, &mut state.inner, observation) {
        (DetectorSpec::Context(s), InnerState::Context(st), Observation::Value { value }) => {
            if st.needs_check() {
                st.check().map_err(AnomalyError::State)?;
            }
            if !value.is_finite() {
                return Err(AnomalyError::Observation("value must be finite".into()));
            }
            let (score, _) = st.step(s, value);
            Ok(Reading {
                score,
                alarm: score >= s.rest_threshold,
                direction: None,
                baseline: None,
                change_at: None,
                step: st.steps(),
            })
        }
        (
            DetectorSpec::RateCusum(s),
            InnerState::RateCusum(st),
            Observation::Rate { failures, trials },
        ) => {
            if failures > trials {
                return Err(AnomalyError::Observation(format!(
                    "failures {failures} exceed trials {trials}"
                )));
            }
            let baseline = st.baseline(s);
            let level = st.step(s, failures, trials);
            Ok(reading(level, Some("up"), baseline, st.run.since, st.steps))
        }
        (DetectorSpec::CountCusum(s), InnerState::CountCusum(st), Observation::Count { count }) => {
            let baseline = st.baseline(s);
            let (up, down) = st.step(s, count);
            let (level, dir, since) = if up >= down {
                (up, "up", st.up.since)
            } else {
                (down, "down", st.down.since)
            };
            Ok(reading(
                level,
                (level > 0.0).then_some(dir),
                baseline,
                since,
                st.steps,
            ))
        }
        (_, inner, _)
            if std::mem::discriminant(inner)
                != std::mem::discriminant(&DetectorState::new(spec).inner) =>
        {
            Err(AnomalyError::State(format!(
                "the state is not a `{}` detector's",
                spec.kind()
            )))
        }
        _ => Err(wrong()),
    }
}

fn reading(
    level: f64,
    direction: Option<&'static str>,
    baseline: f64,
    since: Option<u64>,
    step: u64,
) -> Reading {
    Reading {
        score: level.clamp(0.0, 1.0),
        alarm: level >= 1.0,
        direction,
        baseline: Some(baseline),
        change_at: since,
        step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_through_json_with_its_version() {
        let spec = DetectorSpec::CountCusum(CusumSpec::default());
        let mut st = DetectorState::new(&spec);
        for c in [5, 6, 4, 5] {
            observe(&spec, &mut st, Observation::Count { count: c }).unwrap();
        }
        let text = serde_json::to_string(&st).unwrap();
        assert!(
            text.starts_with("{\"version\":1,\"kind\":\"count_cusum\""),
            "{text}"
        );
        let back: DetectorState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, st);
    }

    #[test]
    fn mismatched_state_observation_and_spec_are_typed_errors() {
        let rate = DetectorSpec::RateCusum(CusumSpec::default());
        let mut st = DetectorState::new(&DetectorSpec::CountCusum(CusumSpec::default()));
        assert!(matches!(
            observe(
                &rate,
                &mut st,
                Observation::Rate {
                    failures: 1,
                    trials: 2
                }
            ),
            Err(AnomalyError::State(_))
        ));
        let mut st = DetectorState::new(&rate);
        assert!(matches!(
            observe(&rate, &mut st, Observation::Count { count: 1 }),
            Err(AnomalyError::Observation(_))
        ));
        assert!(matches!(
            observe(
                &rate,
                &mut st,
                Observation::Rate {
                    failures: 3,
                    trials: 2
                }
            ),
            Err(AnomalyError::Observation(_))
        ));
        let bad = DetectorSpec::RateCusum(CusumSpec {
            ratio: 0.5,
            ..CusumSpec::default()
        });
        assert!(matches!(
            observe(
                &bad,
                &mut st,
                Observation::Rate {
                    failures: 1,
                    trials: 2
                }
            ),
            Err(AnomalyError::Spec { field: "ratio", .. })
        ));
        st.version = 9;
        assert!(matches!(
            observe(
                &rate,
                &mut st,
                Observation::Rate {
                    failures: 1,
                    trials: 2
                }
            ),
            Err(AnomalyError::State(_))
        ));
    }
}
