//! Built-in entries that run the core's learned models on JSON, available in
//! every runtime through `evaluate` (so the parity corpus covers them):
//! - `ordex:detect`: `{"detector": <spec>, "state": <state>?, "observations": [..]}`
//!   → `{"state", "readings"}`; a detector run continues from any runtime.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Answer, ErrorInfo, InputError, typed};
use crate::learn::anomaly::{DetectorSpec, DetectorState, Observation, Reading, observe};

/// The entry name of the anomaly detectors.
pub const DETECT_ENTRY: &str = "ordex:detect";

/// The entry name of the retry-timing learner:
/// `{"request": <RetryRequest>, "stats": <RetryStats>, "spec": <LearnerSpec>?,
///   "utc_offset_minutes": n?, "horizon_days": n?, "seed": n}` at `now` →
/// `{"source": "learned"|"schedule", "proposal": {at, estimate, segment, evidence}?}`.
pub const LEARNED_RETRY_ENTRY: &str = "ordex:learned_retry";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LearnedRetryInput {
    request: crate::model::RetryRequest,
    #[serde(default)]
    stats: crate::learn::retry_bandit::RetryStats,
    #[serde(default)]
    spec: Option<crate::learn::retry_bandit::LearnerSpec>,
    #[serde(default)]
    utc_offset_minutes: i32,
    #[serde(default = "default_horizon")]
    horizon_days: i64,
    seed: u64,
}

fn default_horizon() -> i64 {
    14
}

/// The answer of `ordex:learned_retry`.
#[derive(Debug, Serialize)]
pub struct LearnedRetry {
    /// `learned` when the learner chose, `schedule` when the rule pack's
    /// schedule should be kept (too little evidence, or not retryable).
    pub source: &'static str,
    /// The learner's choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<crate::learn::retry_bandit::Proposal>,
}

/// Runs `ordex:learned_retry` at `now`.
pub fn learned_retry(
    input: &Value,
    path: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Answer<LearnedRetry> {
    let call: LearnedRetryInput = match typed(input, path) {
        Ok(c) => c,
        Err(e) => return Answer::fail(ErrorInfo::from(e)),
    };
    if !(1..=60).contains(&call.horizon_days) || !(-840..=840).contains(&call.utc_offset_minutes) {
        return Answer::fail(ErrorInfo::from(InputError::Invalid {
            path: format!("{path}.horizon_days"),
            message: "horizon_days 1..=60, utc_offset_minutes -840..=840".into(),
        }));
    }
    if call.stats.cells.len() > 100_000 {
        return Answer::fail(ErrorInfo::from(InputError::Invalid {
            path: format!("{path}.stats.cells"),
            message: "at most 100000 cells; pass the decline's context only".into(),
        }));
    }
    let spec = call.spec.unwrap_or_default();
    let proposal = crate::learn::retry_bandit::plan_next(
        &call.stats,
        &spec,
        &call.request,
        call.utc_offset_minutes,
        now,
        call.horizon_days,
        call.seed,
    );
    Answer::Success {
        ok: LearnedRetry {
            source: if proposal.is_some() {
                "learned"
            } else {
                "schedule"
            },
            proposal,
        },
        warnings: Vec::new(),
    }
}

/// Most observations one call may carry.
pub const MAX_OBSERVATIONS: usize = 10_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectInput {
    detector: DetectorSpec,
    #[serde(default)]
    state: Option<DetectorState>,
    observations: Vec<Observation>,
}

/// The answer of `ordex:detect`.
#[derive(Debug, Serialize)]
pub struct Detected {
    /// The state after the last observation: pass it to the next call.
    pub state: DetectorState,
    /// One reading per observation.
    pub readings: Vec<Reading>,
}

/// Runs `ordex:detect` on its input (`path` names it in errors).
pub fn detect(input: &Value, path: &str) -> Answer<Detected> {
    match detect_inner(input, path) {
        Ok(d) => Answer::Success {
            ok: d,
            warnings: Vec::new(),
        },
        Err(e) => Answer::fail(ErrorInfo::from(e)),
    }
}

fn detect_inner(input: &Value, path: &str) -> Result<Detected, InputError> {
    if let Some(n) = input
        .get("observations")
        .and_then(Value::as_array)
        .map(Vec::len)
        && n > MAX_OBSERVATIONS
    {
        return Err(InputError::Invalid {
            path: format!("{path}.observations"),
            message: format!("{n} observations; at most {MAX_OBSERVATIONS} per call"),
        });
    }
    let call: DetectInput = typed(input, path)?;
    if let Err((field, message)) = call.detector.check() {
        return Err(InputError::Invalid {
            path: format!("{path}.detector.{field}"),
            message,
        });
    }
    let mut state = call
        .state
        .unwrap_or_else(|| DetectorState::new(&call.detector));
    let mut readings = Vec::with_capacity(call.observations.len());
    for (i, obs) in call.observations.into_iter().enumerate() {
        let reading =
            observe(&call.detector, &mut state, obs).map_err(|e| InputError::Invalid {
                path: match e {
                    crate::learn::anomaly::AnomalyError::State(_) => format!("{path}.state"),
                    _ => format!("{path}.observations[{i}]"),
                },
                message: e.to_string(),
            })?;
        readings.push(reading);
    }
    Ok(Detected { state, readings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(input: Value) -> Detected {
        match detect(&input, "input") {
            Answer::Success { ok, .. } => ok,
            Answer::Failure { errors, .. } => panic!("{errors:?}"),
        }
    }

    #[test]
    fn a_run_split_in_two_calls_gives_the_same_readings_for_every_detector() {
        let series: Vec<f64> = (0..120)
            .map(|i| f64::from((i * 7 % 13) as u32) + if i > 90 { 20.0 } else { 0.0 })
            .collect();
        for detector in [
            json!({"kind": "context", "min": 0.0, "max": 40.0}),
            json!({"kind": "count_cusum", "warmup": 10}),
            json!({"kind": "rate_cusum", "warmup": 10}),
        ] {
            let obs: Vec<Value> = series
                .iter()
                .map(|v| match detector["kind"].as_str() {
                    Some("context") => json!({"value": v}),
                    Some("count_cusum") => json!({"count": *v as u64}),
                    _ => json!({"failures": (*v as u64) / 4, "trials": 10}),
                })
                .collect();
            let whole = run(json!({"detector": detector, "observations": obs}));
            let first = run(json!({"detector": detector, "observations": obs[..50]}));
            let state = serde_json::to_value(&first.state).unwrap();
            let second =
                run(json!({"detector": detector, "state": state, "observations": obs[50..]}));
            assert_eq!(whole.readings[50..], second.readings[..], "{detector}");
            assert_eq!(whole.state, second.state);
            assert!(
                whole.readings.iter().any(|r| r.score > 0.5),
                "{detector} notices the shift"
            );
        }
    }

    #[test]
    fn bad_calls_name_the_json_path() {
        let e = detect(
            &json!({"detector": {"kind": "rate_cusum", "ratio": 0.5}, "observations": []}),
            "input",
        );
        assert!(
            matches!(&e, Answer::Failure { errors, .. } if errors[0].message.contains("input.detector.ratio")),
            "{e:?}"
        );
        let e = detect(
            &json!({"detector": {"kind": "rate_cusum"}, "observations": [{"count": 3}]}),
            "input",
        );
        assert!(
            matches!(&e, Answer::Failure { errors, .. } if errors[0].message.contains("input.observations[0]")),
            "{e:?}"
        );
        let many: Vec<Value> = (0..MAX_OBSERVATIONS + 1)
            .map(|_| json!({"count": 1}))
            .collect();
        let e = detect(
            &json!({"detector": {"kind": "count_cusum"}, "observations": many}),
            "input",
        );
        assert!(
            matches!(&e, Answer::Failure { errors, .. } if errors[0].message.contains("at most")),
            "{e:?}"
        );
    }
}
