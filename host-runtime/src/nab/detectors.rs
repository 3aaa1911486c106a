//! Detectors run over NAB files: the ordex detectors from the core, and
//! NAB's own windowed-Gaussian baseline (a reference the scorer port must
//! reproduce from scratch, since NAB publishes its scores).

use ordex_core::learn::anomaly::{ContextSpec, ContextState, CountState, CusumSpec};

use super::corpus::DataFile;

/// A detector NAB can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Detector {
    /// ordex's contextual detector (`context` in a pack).
    Context,
    /// ordex's Poisson CUSUM on the values as counts (`count_cusum`).
    CountCusum,
    /// NAB's windowed Gaussian baseline (6400-row window, 100-row step).
    WindowedGaussian,
}

impl Detector {
    /// The name NAB's scoreboard would give it.
    pub fn name(self) -> &'static str {
        match self {
            Detector::Context => "ordexContext",
            Detector::CountCusum => "ordexCountCusum",
            Detector::WindowedGaussian => "windowedGaussian",
        }
    }
}

/// Anomaly scores in 0..=1 for every row of `file`. Detectors get what
/// NAB's protocol gives every detector: the file's minimum and maximum and
/// its probationary length.
pub fn run_detector(detector: Detector, file: &DataFile) -> Vec<f64> {
    let values = &file.values;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let probation = (0.15 * values.len() as f64).floor().min(750.0);
    match detector {
        Detector::Context => {
            let mut spec = ContextSpec::new(min, max);
            spec.rest_period = (probation / 5.0) as u32;
            let mut state = ContextState::default();
            values.iter().map(|v| state.step(&spec, *v).0).collect()
        }
        Detector::CountCusum => {
            // Values rescaled to 0..=100 "events per bucket".
            let spec = CusumSpec {
                warmup: probation as u64,
                ..CusumSpec::default()
            };
            let mut state = CountState::default();
            let span = if max > min { max - min } else { 1.0 };
            values
                .iter()
                .map(|v| {
                    let count = ((v - min) / span * 100.0).round() as u64;
                    let (up, down) = state.step(&spec, count);
                    up.max(down).min(1.0)
                })
                .collect()
        }
        Detector::WindowedGaussian => windowed_gaussian(values),
    }
}

fn windowed_gaussian(values: &[f64]) -> Vec<f64> {
    const WINDOW: usize = 6400;
    const STEP: usize = 100;
    let mut window: Vec<f64> = Vec::new();
    let mut buffer: Vec<f64> = Vec::new();
    let (mut mean, mut std) = (0.0, 1.0);
    let stats = |w: &[f64]| {
        let n = w.len() as f64;
        let mean = w.iter().sum::<f64>() / n;
        let var = w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        let std = var.sqrt();
        (mean, if std == 0.0 { 0.000_001 } else { std })
    };
    let mut out = Vec::with_capacity(values.len());
    for &v in values {
        let score = if window.is_empty() {
            0.0
        } else {
            let x = if v < mean { 2.0 * mean - v } else { v };
            let z = (x - mean) / std;
            1.0 - 0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
        };
        if window.len() < WINDOW {
            window.push(v);
            (mean, std) = stats(&window);
        } else {
            buffer.push(v);
            if buffer.len() == STEP {
                window.drain(..STEP);
                window.append(&mut buffer);
                (mean, std) = stats(&window);
            }
        }
        out.push(score);
    }
    out
}
