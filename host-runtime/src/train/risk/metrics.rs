//! How a risk model is judged: ROC AUC (ties counted half), precision in
//! the top share of scores, and a calibration table.

/// ROC AUC of `scores` against `labels`; ties between a positive and a
/// negative count one half.
pub fn auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let (mut rank_sum, mut i) = (0.0, 0usize);
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in &idx[i..=j] {
            if labels[*k] {
                rank_sum += avg;
            }
        }
        i = j + 1;
    }
    let pos = labels.iter().filter(|l| **l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return 0.5;
    }
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// Share of positives among the `share` highest scores.
pub fn precision_at_top(scores: &[f64], labels: &[bool], share: f64) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    let k = ((scores.len() as f64 * share).ceil() as usize)
        .max(1)
        .min(idx.len());
    idx[..k].iter().filter(|i| labels[**i]).count() as f64 / k as f64
}

/// One row of a calibration table.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Lowest and highest score in the bin.
    pub range: (f64, f64),
    /// Orders in the bin.
    pub count: usize,
    /// Mean predicted probability.
    pub predicted: f64,
    /// Observed cancellation rate.
    pub observed: f64,
}

/// Ten bins of equal size by score.
pub fn calibration(scores: &[f64], labels: &[bool]) -> Vec<Calibration> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let n = idx.len();
    (0..10)
        .filter_map(|b| {
            let part = &idx[b * n / 10..(b + 1) * n / 10];
            if part.is_empty() {
                return None;
            }
            let count = part.len();
            Some(Calibration {
                range: (scores[part[0]], scores[part[count - 1]]),
                count,
                predicted: part.iter().map(|i| scores[*i]).sum::<f64>() / count as f64,
                observed: part.iter().filter(|i| labels[**i]).count() as f64 / count as f64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_a_perfect_a_reversed_and_a_constant_score() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.3, 0.4], &labels), 1.0);
        assert_eq!(auc(&[0.4, 0.3, 0.2, 0.1], &labels), 0.0);
        assert_eq!(auc(&[0.5; 4], &labels), 0.5);
        assert_eq!(precision_at_top(&[0.1, 0.2, 0.3, 0.4], &labels, 0.5), 1.0);
    }
}
