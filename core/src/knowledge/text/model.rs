//! A linear text classifier over hashed features, stored as text in a pack
//! (`models/*.model`) and evaluated with integer arithmetic only, so its
//! answer is byte-identical in every runtime.
//!
//! The logit of class c is `bias[c] + mean over features f of w[f][c]`.
//! Weights are quantized to i8 with one step for the model; the scores are
//! integer sums (order cannot matter), and the softmax uses a fixed-point
//! exponential (Q16), never platform math.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

#[cfg(test)]
use super::features::tokens;
use super::features::{feature_hashes, spans, token_spans, word_hash};

/// The format line every model file starts with.
pub const FORMAT: &str = "ordex-text-model 1";

/// Bits of the vocabulary set (word unigrams seen in training).
pub const SEEN_BITS: u32 = 1 << 16;

/// A trained classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct TextModel {
    /// What it classifies (`intents`, `carrier_notes`).
    pub kind: String,
    /// Class names, in weight order.
    pub labels: Vec<String>,
    /// Hash buckets (a power of two).
    pub buckets: u32,
    /// Real value of one weight unit, Q16 (65,536 = 1.0).
    pub step_q16: i64,
    /// Per-class bias, in weight units.
    pub bias: Vec<i32>,
    /// Weights, bucket-major: `weights[bucket * labels + class]`.
    pub weights: Vec<i8>,
    /// Bitset of the word-unigram hashes seen in training (mod [`SEEN_BITS`]).
    pub seen: Vec<u8>,
    /// Below this top probability (per mille) the model abstains.
    pub min_p_permille: u32,
    /// Below this share of known words (per mille) the model abstains.
    pub min_coverage_permille: u32,
    /// Where the model came from (data, seed, split, scores): for people.
    pub provenance: String,
    /// The weights packed for scoring, built when a model is read: derived
    /// data, equal for equal weights.
    pub index: PackedRows,
}

/// The weights packed for scoring: each bucket's row as biased 16-bit lanes
/// (`w + 128`, 0–255), four to a `u64`, eight `u64` to a row (models of up
/// to 32 classes), so one feature adds a whole row with eight 64-bit
/// additions instead of one addition per class. A lane holds 255 per
/// feature, so the accumulators are drained into exact integer sums every
/// [`PackedRows::DRAIN_EVERY`] features, before any lane can carry into the
/// next: the scores are the same integers the dense matrix gives.
#[derive(Debug, Clone, Default)]
pub struct PackedRows {
    rows: Vec<[u64; 8]>,
}

impl PartialEq for PackedRows {
    // Derived from the weights: equal weights give equal rows.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PackedRows {
    /// Features added before the lanes are drained (256 × 255 < 65,536).
    pub const DRAIN_EVERY: usize = 256;
    /// Classes a packed row holds; larger models score from the dense matrix.
    pub const MAX_CLASSES: usize = 32;

    /// Packs a bucket-major matrix of `classes` columns (none when there
    /// are more than [`PackedRows::MAX_CLASSES`]).
    pub fn build(weights: &[i8], classes: usize) -> Self {
        if classes == 0 || classes > Self::MAX_CLASSES {
            return Self::default();
        }
        let rows = weights
            .chunks(classes)
            .map(|row| {
                let mut packed = [0u64; 8];
                for (c, w) in row.iter().enumerate() {
                    // Lanes past the last class stay 0 and are never read.
                    packed[c / 4] |= ((i32::from(*w) + 128) as u64) << (16 * (c % 4));
                }
                packed
            })
            .collect();
        Self { rows }
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds the rows of `buckets` into `sums` (one per class).
    fn add(&self, buckets: impl Iterator<Item = usize>, sums: &mut [i32]) {
        let mut acc = [0u64; 8];
        let mut pending = 0usize;
        for b in buckets {
            let r = &self.rows[b];
            // Written out: at the size-optimised level the Wasm build uses,
            // a loop here costs several times the additions.
            acc[0] += r[0];
            acc[1] += r[1];
            acc[2] += r[2];
            acc[3] += r[3];
            acc[4] += r[4];
            acc[5] += r[5];
            acc[6] += r[6];
            acc[7] += r[7];
            pending += 1;
            if pending == Self::DRAIN_EVERY {
                drain(&mut acc, pending, sums);
                pending = 0;
            }
        }
        if pending > 0 {
            drain(&mut acc, pending, sums);
        }
    }
}

/// Moves the lanes' totals into `sums`, less the bias of `pending` features.
fn drain(acc: &mut [u64; 8], pending: usize, sums: &mut [i32]) {
    let bias = 128 * pending as i32;
    for (c, s) in sums.iter_mut().enumerate() {
        let lane = (acc[c / 4] >> (16 * (c % 4))) & 0xFFFF;
        *s += lane as i32 - bias;
    }
    *acc = [0; 8];
}

/// One class and its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Class name.
    pub label: String,
    /// Probability in basis points (0–10,000).
    pub p_bp: u32,
}

/// What the model says about one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The most probable class.
    pub label: String,
    /// Its probability, basis points.
    pub confidence_bp: u32,
    /// Share of the text's words seen in training, per mille.
    pub coverage_permille: u32,
    /// True when the model would rather not say (low confidence, unknown words, no words).
    pub abstained: bool,
    /// The three most probable classes.
    pub top: Vec<Scored>,
}

/// A model file that cannot be read: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ModelError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// e^x for x ≤ 0 in Q16, with integers only (2^(x·log2 e), the fraction by a
/// fifth-order series; relative error below 1e-5).
pub fn exp_q16(x: i64) -> i64 {
    if x <= -24 * 65_536 {
        return 0;
    }
    let x = x.min(0);
    let t = x * 94_548 / 65_536; // × log2(e)
    let k = t.div_euclid(65_536);
    let f = t.rem_euclid(65_536);
    let u = f * 45_426 / 65_536; // × ln 2: 2^(f) = e^(u)
    let u2 = (u * u) >> 16;
    let u3 = (u2 * u) >> 16;
    let u4 = (u3 * u) >> 16;
    let u5 = (u4 * u) >> 16;
    let e = 65_536 + u + u2 / 2 + u3 / 6 + u4 / 24 + u5 / 120;
    e >> (-k).min(62)
}

impl TextModel {
    /// Integer class scores of a text: n × logit, in weight units.
    fn scores(&self, feats: &[u32]) -> Vec<i64> {
        let classes = self.labels.len();
        // i32 sums: at most 4,000 features × 127, far inside i32.
        let mut sums = vec![0i32; classes];
        let mask = self.buckets - 1;
        if self.index.is_empty() {
            for f in feats {
                let start = (f & mask) as usize * classes;
                let row = &self.weights[start..start + classes];
                for (s, w) in sums.iter_mut().zip(row) {
                    *s += i32::from(*w);
                }
            }
        } else {
            self.index
                .add(feats.iter().map(|f| (f & mask) as usize), &mut sums);
        }
        let n = feats.len() as i64;
        self.bias
            .iter()
            .zip(&sums)
            .map(|(b, s)| i64::from(*b) * n + i64::from(*s))
            .collect()
    }

    /// Share of the text's words seen in training, per mille.
    fn coverage(&self, words: &[&str]) -> u32 {
        if words.is_empty() {
            return 0;
        }
        let known = words
            .iter()
            .filter(|w| {
                let bit = word_hash(w) % SEEN_BITS;
                self.seen[(bit / 8) as usize] & (1 << (bit % 8)) != 0
            })
            .count();
        (known * 1000 / words.len()) as u32
    }

    /// Classifies `text`.
    pub fn predict(&self, text: &str) -> Prediction {
        let mut buf = String::with_capacity(text.len().min(4 * super::features::MAX_CHARS));
        let mut ends = Vec::new();
        token_spans(text, &mut buf, &mut ends);
        let words: Vec<&str> = spans(&buf, &ends).collect();
        let feats = feature_hashes(&words);
        let coverage_permille = self.coverage(&words);
        let probs: Vec<u32> = if feats.is_empty() {
            // No words: every class alike.
            vec![10_000 / self.labels.len().max(1) as u32; self.labels.len()]
        } else {
            let n = feats.len() as i64;
            let z = self.scores(&feats);
            let top = z.iter().copied().max().unwrap_or(0);
            let e: Vec<i64> = z
                .iter()
                .map(|zc| exp_q16((zc - top) * self.step_q16 / n))
                .collect();
            let sum: i64 = e.iter().sum::<i64>().max(1);
            e.iter().map(|ec| (ec * 10_000 / sum) as u32).collect()
        };
        // The three highest, ties by class order: three passes over the
        // classes cost less than sorting them all (a third of a call's
        // instructions for a short text).
        let mut order: Vec<usize> = Vec::with_capacity(3);
        for _ in 0..3.min(probs.len()) {
            let best = (0..probs.len()).filter(|i| !order.contains(i)).fold(
                None,
                |best: Option<usize>, i| match best {
                    Some(b) if probs[b] >= probs[i] => Some(b),
                    _ => Some(i),
                },
            );
            order.extend(best);
        }
        let top: Vec<Scored> = order
            .iter()
            .map(|i| Scored {
                label: self.labels[*i].clone(),
                p_bp: probs[*i],
            })
            .collect();
        let (label, confidence_bp) = top
            .first()
            .map_or((String::new(), 0), |s| (s.label.clone(), s.p_bp));
        Prediction {
            abstained: feats.is_empty()
                || confidence_bp < self.min_p_permille * 10
                || coverage_permille < self.min_coverage_permille,
            label,
            confidence_bp,
            coverage_permille,
            top,
        }
    }

    /// The model as the text file a pack carries.
    pub fn to_text(&self) -> String {
        let bias: Vec<String> = self.bias.iter().map(i32::to_string).collect();
        let weights: Vec<u8> = self.weights.iter().map(|w| *w as u8).collect();
        format!(
            "{FORMAT}\nkind {}\nlabels {}\nbuckets {}\nstep_q16 {}\nmin_p_permille {}\nmin_coverage_permille {}\nbias {}\nseen {}\nweights {}\nprovenance {}\n",
            self.kind,
            self.labels.join(","),
            self.buckets,
            self.step_q16,
            self.min_p_permille,
            self.min_coverage_permille,
            bias.join(","),
            STANDARD.encode(&self.seen),
            STANDARD.encode(&weights),
            self.provenance.replace('\n', " "),
        )
    }

    /// Reads a model file, naming the line of any problem.
    pub fn from_text(text: &str) -> Result<Self, ModelError> {
        let err = |line: usize, message: String| ModelError { line, message };
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, l)) if l.trim() == FORMAT => {}
            _ => return Err(err(1, format!("the first line must be `{FORMAT}`"))),
        }
        let mut fields: std::collections::BTreeMap<&str, (usize, &str)> = Default::default();
        for (i, l) in lines {
            if l.trim().is_empty() {
                continue;
            }
            let (k, v) = l.split_once(' ').unwrap_or((l, ""));
            fields.insert(k, (i + 1, v.trim()));
        }
        let get = |k: &str| {
            fields
                .get(k)
                .copied()
                .ok_or_else(|| err(1, format!("missing field `{k}`")))
        };
        let num = |k: &str| -> Result<i64, ModelError> {
            let (line, v) = get(k)?;
            v.parse()
                .map_err(|_| err(line, format!("`{k}` must be an integer")))
        };
        let labels: Vec<String> = get("labels")?
            .1
            .split(',')
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
            .collect();
        if labels.len() < 2 {
            return Err(err(
                get("labels")?.0,
                "a model needs two labels or more".into(),
            ));
        }
        let buckets = num("buckets")?;
        if !(2..=1 << 22).contains(&buckets) || buckets & (buckets - 1) != 0 {
            return Err(err(
                get("buckets")?.0,
                "buckets must be a power of two up to 4,194,304".into(),
            ));
        }
        let (bias_line, bias_text) = get("bias")?;
        let bias: Vec<i32> = bias_text
            .split(',')
            .map(|b| b.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                err(
                    bias_line,
                    "bias must be integers separated by commas".into(),
                )
            })?;
        if bias.len() != labels.len() {
            return Err(err(
                bias_line,
                format!("{} biases for {} labels", bias.len(), labels.len()),
            ));
        }
        let decode = |k: &str| -> Result<Vec<u8>, ModelError> {
            let (line, v) = get(k)?;
            STANDARD
                .decode(v)
                .map_err(|e| err(line, format!("`{k}` is not base64: {e}")))
        };
        let seen = decode("seen")?;
        if seen.len() != (SEEN_BITS / 8) as usize {
            return Err(err(
                get("seen")?.0,
                format!("`seen` must hold {} bytes", SEEN_BITS / 8),
            ));
        }
        let weights: Vec<i8> = decode("weights")?.into_iter().map(|b| b as i8).collect();
        if weights.len() != buckets as usize * labels.len() {
            return Err(err(
                get("weights")?.0,
                format!(
                    "{} weights; buckets × labels is {}",
                    weights.len(),
                    buckets as usize * labels.len()
                ),
            ));
        }
        let step_q16 = num("step_q16")?;
        if !(1..=1 << 24).contains(&step_q16) {
            return Err(err(get("step_q16")?.0, "step_q16 out of range".into()));
        }
        let permille = |k: &str| -> Result<u32, ModelError> {
            let v = num(k)?;
            u32::try_from(v)
                .ok()
                .filter(|v| *v <= 1000)
                .ok_or_else(|| err(1, format!("`{k}` must be 0–1000")))
        };
        if labels.len() > 256 {
            return Err(err(
                get("labels")?.0,
                "a model holds at most 256 labels".into(),
            ));
        }
        let index = PackedRows::build(&weights, labels.len());
        Ok(Self {
            index,
            kind: get("kind")?.1.to_owned(),
            labels,
            buckets: buckets as u32,
            step_q16,
            bias,
            weights,
            seen,
            min_p_permille: permille("min_p_permille")?,
            min_coverage_permille: permille("min_coverage_permille")?,
            provenance: fields.get("provenance").map_or("", |f| f.1).to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> TextModel {
        // Two classes; "cancel" pushes class 0, "where" class 1.
        let buckets = 1 << 10;
        let mut weights = vec![0i8; buckets * 2];
        let mut seen = vec![0u8; (SEEN_BITS / 8) as usize];
        for (word, class) in [("cancel", 0usize), ("where", 1)] {
            for f in feature_hashes(&tokens(word)) {
                let row = (f as usize & (buckets - 1)) * 2;
                weights[row + class] = 100;
            }
            let bit = word_hash(word) % SEEN_BITS;
            seen[(bit / 8) as usize] |= 1 << (bit % 8);
        }
        TextModel {
            kind: "intents".into(),
            labels: vec!["cancel_order".into(), "track_order".into()],
            buckets: buckets as u32,
            step_q16: 655, // 0.01 per unit
            bias: vec![0, 0],
            weights,
            seen,
            min_p_permille: 600,
            min_coverage_permille: 500,
            provenance: "toy".into(),
            index: PackedRows::default(),
        }
    }

    #[test]
    fn the_fixed_point_exponential_is_close_to_e() {
        for x in [0.0f64, -0.1, -0.5, -1.0, -2.5, -7.0, -15.0] {
            let got = exp_q16((x * 65_536.0) as i64) as f64 / 65_536.0;
            assert!((got - x.exp()).abs() < 2e-4, "e^{x}: {got} vs {}", x.exp());
        }
        assert_eq!(exp_q16(-30 * 65_536), 0);
    }

    #[test]
    fn predicts_abstains_and_round_trips() {
        let m = toy();
        let p = m.predict("please CANCEL");
        assert_eq!(p.label, "cancel_order");
        assert!(p.confidence_bp > 6000, "{p:?}");
        assert_eq!(p.top.len(), 2);
        assert!(m.predict("where").label == "track_order");
        // Unknown words, no words: abstain.
        assert!(m.predict("quantum chromodynamics lecture").abstained);
        assert!(m.predict("").abstained && m.predict("🙂🙂").abstained);
        let again = TextModel::from_text(&m.to_text()).expect("round trip");
        assert_eq!(again, m);
        // The packed rows of a read model score exactly as the dense matrix.
        for text in [
            "please CANCEL",
            "where",
            "cancel where where",
            "nothing known",
        ] {
            assert_eq!(again.predict(text), m.predict(text), "{text}");
        }
    }

    #[test]
    fn packed_rows_give_the_dense_sums_at_every_weight_and_length() {
        // 27 classes (not a multiple of four), extreme weights, and texts
        // long enough to drain the lanes several times.
        let (buckets, classes) = (64usize, 27usize);
        let mut seed = 7u32;
        let weights: Vec<i8> = (0..buckets * classes)
            .map(|i| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                match i % 5 {
                    0 => -128,
                    1 => 127,
                    _ => (seed >> 16) as i8,
                }
            })
            .collect();
        let dense = TextModel {
            labels: (0..classes).map(|c| format!("c{c}")).collect(),
            buckets: buckets as u32,
            bias: vec![0; classes],
            weights: weights.clone(),
            ..toy()
        };
        let packed = TextModel {
            index: PackedRows::build(&weights, classes),
            ..dense.clone()
        };
        for n in [0usize, 1, 255, 256, 257, 1000, 5000] {
            let feats: Vec<u32> = (0..n as u32)
                .map(|i| i.wrapping_mul(2_654_435_761))
                .collect();
            assert_eq!(packed.scores(&feats), dense.scores(&feats), "{n} features");
        }
    }

    #[test]
    fn broken_files_name_the_line() {
        let text = toy().to_text().replace("bias 0,0", "bias 0,x");
        let e = TextModel::from_text(&text).expect_err("bad bias");
        assert_eq!(e.line, 8, "{e}");
        assert!(TextModel::from_text("nonsense").is_err());
    }
}
