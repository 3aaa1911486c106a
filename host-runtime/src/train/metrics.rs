//! Scores of a model on held-out texts, measured with the core's own
//! `predict` (the quantized model every runtime runs).

use std::collections::BTreeMap;

use ordex_core::knowledge::text::{Prediction, TextModel};

use super::Example;

/// One class's scores.
#[derive(Debug, Clone)]
pub struct ClassScores {
    /// Class.
    pub label: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Test texts of the class.
    pub support: usize,
}

/// A point of the accuracy / abstention trade-off.
#[derive(Debug, Clone)]
pub struct TradeOff {
    /// Minimum top probability, per mille.
    pub min_p_permille: u32,
    /// Share of texts the model abstains on.
    pub abstained: f64,
    /// Accuracy on the texts it answers.
    pub accuracy_answered: f64,
}

/// What a model scored on a test set.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Share of texts whose top label is right (abstentions counted by their top label).
    pub accuracy: f64,
    /// Mean F1 over classes.
    pub macro_f1: f64,
    /// Per class.
    pub classes: Vec<ClassScores>,
    /// (true, predicted, count), most frequent first.
    pub confusions: Vec<(String, String, usize)>,
    /// Confusion counts: `matrix[true][predicted]`, labels in model order.
    pub matrix: Vec<Vec<usize>>,
    /// Share of texts the model abstains on at its thresholds.
    pub abstained: f64,
    /// Accuracy on the texts it answers at its thresholds.
    pub accuracy_answered: f64,
    /// The trade-off for other probability thresholds.
    pub trade_off: Vec<TradeOff>,
}

/// Scores `model` on `test`.
pub fn evaluate(model: &TextModel, test: &[Example]) -> Evaluation {
    let index: BTreeMap<&str, usize> = model
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let k = model.labels.len();
    let mut matrix = vec![vec![0usize; k]; k];
    let predictions: Vec<(Option<usize>, Prediction)> = test
        .iter()
        .map(|e| (index.get(e.label.as_str()).copied(), model.predict(&e.text)))
        .collect();
    for (truth, p) in &predictions {
        if let (Some(t), Some(&q)) = (truth, index.get(p.label.as_str())) {
            matrix[*t][q] += 1;
        }
    }
    let total = predictions.len().max(1) as f64;
    let right = (0..k).map(|i| matrix[i][i]).sum::<usize>() as f64;
    let classes: Vec<ClassScores> = (0..k)
        .map(|i| {
            let tp = matrix[i][i] as f64;
            let predicted: usize = (0..k).map(|t| matrix[t][i]).sum();
            let support: usize = matrix[i].iter().sum();
            let precision = if predicted == 0 {
                0.0
            } else {
                tp / predicted as f64
            };
            let recall = if support == 0 {
                0.0
            } else {
                tp / support as f64
            };
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            ClassScores {
                label: model.labels[i].clone(),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect();
    let with_support: Vec<&ClassScores> = classes.iter().filter(|c| c.support > 0).collect();
    let macro_f1 =
        with_support.iter().map(|c| c.f1).sum::<f64>() / with_support.len().max(1) as f64;
    let mut confusions: Vec<(String, String, usize)> = Vec::new();
    for (t, row) in matrix.iter().enumerate() {
        for (q, &n) in row.iter().enumerate() {
            if t != q && n > 0 {
                confusions.push((model.labels[t].clone(), model.labels[q].clone(), n));
            }
        }
    }
    confusions.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let answered = |min_bp: u32| {
        let kept: Vec<&(Option<usize>, Prediction)> = predictions
            .iter()
            .filter(|(_, p)| {
                p.confidence_bp >= min_bp && p.coverage_permille >= model.min_coverage_permille
            })
            .collect();
        let ok = kept
            .iter()
            .filter(|(t, p)| t.is_some_and(|t| model.labels[t] == p.label))
            .count();
        (
            1.0 - kept.len() as f64 / total,
            if kept.is_empty() {
                0.0
            } else {
                ok as f64 / kept.len() as f64
            },
        )
    };
    let (abstained, accuracy_answered) = answered(model.min_p_permille * 10);
    let trade_off = (0..=9)
        .map(|i| {
            let (a, acc) = answered(i * 1000);
            TradeOff {
                min_p_permille: i * 100,
                abstained: a,
                accuracy_answered: acc,
            }
        })
        .collect();
    Evaluation {
        accuracy: right / total,
        macro_f1,
        classes,
        confusions,
        matrix,
        abstained,
        accuracy_answered,
        trade_off,
    }
}

/// Share of `texts` the model abstains on.
pub fn abstention_rate(model: &TextModel, texts: &[&str]) -> f64 {
    let n = texts.iter().filter(|t| model.predict(t).abstained).count();
    n as f64 / texts.len().max(1) as f64
}
