//! Multinomial logistic regression on the mean of hashed features, trained
//! by seeded stochastic gradient descent, then quantized to the core's
//! integer model.

use ordex_core::knowledge::text::TextModel;
use ordex_core::knowledge::text::features::{feature_hashes, tokens, word_hash};
use ordex_core::knowledge::text::model::{FORMAT, SEEN_BITS};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{Example, TrainError};

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// What the model classifies (`intents`, `carrier_notes`).
    pub kind: String,
    /// Hash buckets (power of two).
    pub buckets: u32,
    /// Passes over the data.
    pub epochs: usize,
    /// First learning rate (decays as 1 / (1 + epoch)).
    pub learning_rate: f64,
    /// L2 weight decay per epoch.
    pub l2: f64,
    /// Shuffling seed.
    pub seed: u64,
    /// Abstain below this top probability (per mille).
    pub min_p_permille: u32,
    /// Abstain below this share of known words (per mille).
    pub min_coverage_permille: u32,
    /// Written into the model for people: data, seed, split.
    pub provenance: String,
}

/// Trains on `examples` and returns the quantized model; `progress` is
/// called after each epoch with (epoch, epochs, mean loss).
pub fn train(
    examples: &[Example],
    options: &TrainOptions,
    progress: &mut dyn FnMut(usize, usize, f64),
) -> Result<TextModel, TrainError> {
    let mut labels: Vec<String> = examples.iter().map(|e| e.label.clone()).collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.len() < 2 {
        return Err(TrainError::TooLittle(
            "training needs texts of two labels or more".into(),
        ));
    }
    let classes = labels.len();
    let buckets = options.buckets.next_power_of_two().max(2);
    let mask = buckets - 1;
    let mut seen = vec![0u8; (SEEN_BITS / 8) as usize];
    // Features once per example (the bucket of each), and the label index.
    let rows: Vec<(Vec<usize>, usize)> = examples
        .iter()
        .map(|e| {
            let words = tokens(&e.text);
            for w in &words {
                let bit = word_hash(w) % SEEN_BITS;
                seen[(bit / 8) as usize] |= 1 << (bit % 8);
            }
            let feats = feature_hashes(&words)
                .into_iter()
                .map(|f| (f & mask) as usize)
                .collect();
            let y = labels.binary_search(&e.label).unwrap_or(0);
            (feats, y)
        })
        .collect();
    let mut w = vec![0f64; buckets as usize * classes];
    let mut b = vec![0f64; classes];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut z = vec![0f64; classes];
    for epoch in 0..options.epochs {
        order.shuffle(&mut rng);
        let lr = options.learning_rate / (1.0 + epoch as f64);
        let mut loss = 0.0;
        for &i in &order {
            let (feats, y) = &rows[i];
            if feats.is_empty() {
                continue;
            }
            let n = feats.len() as f64;
            z.copy_from_slice(&b);
            for f in feats {
                let row = &w[f * classes..(f + 1) * classes];
                for (zc, wc) in z.iter_mut().zip(row) {
                    *zc += wc / n;
                }
            }
            let top = z.iter().copied().fold(f64::MIN, f64::max);
            let mut sum = 0.0;
            for zc in z.iter_mut() {
                *zc = (*zc - top).exp();
                sum += *zc;
            }
            for zc in z.iter_mut() {
                *zc /= sum;
            }
            loss -= z[*y].max(1e-12).ln();
            // z now holds p; the gradient of the loss in the logits is p - 1[y].
            z[*y] -= 1.0;
            for (bc, g) in b.iter_mut().zip(&z) {
                *bc -= lr * g;
            }
            for f in feats {
                let row = &mut w[f * classes..(f + 1) * classes];
                for (wc, g) in row.iter_mut().zip(&z) {
                    *wc -= lr * g / n;
                }
            }
        }
        let decay = 1.0 - options.l2 * lr;
        for x in w.iter_mut() {
            *x *= decay;
        }
        progress(epoch + 1, options.epochs, loss / rows.len().max(1) as f64);
    }
    Ok(quantize(labels, buckets, &w, &b, seen, options))
}

/// Quantized weights at most this far from zero become zero.
const PRUNE: f64 = 3.0;

/// i8 weights with one step for the model (the largest weight is ±127).
fn quantize(
    labels: Vec<String>,
    buckets: u32,
    w: &[f64],
    b: &[f64],
    seen: Vec<u8>,
    options: &TrainOptions,
) -> TextModel {
    let max = w.iter().fold(0f64, |m, x| m.max(x.abs())).max(1e-9);
    let step = max / 127.0;
    TextModel {
        kind: options.kind.clone(),
        labels,
        buckets,
        step_q16: ((step * 65_536.0).round() as i64).max(1),
        bias: b.iter().map(|x| (x / step).round() as i32).collect(),
        // Weights within ±PRUNE steps of zero are dropped: they barely move a
        // score, and the sparse rows the core scores with skip zeros.
        weights: w
            .iter()
            .map(|x| {
                let q = (x / step).round().clamp(-127.0, 127.0);
                if q.abs() <= PRUNE { 0 } else { q as i8 }
            })
            .collect(),
        seen,
        min_p_permille: options.min_p_permille,
        min_coverage_permille: options.min_coverage_permille,
        provenance: format!("{FORMAT}; {}", options.provenance),
        index: Default::default(),
    }
}
