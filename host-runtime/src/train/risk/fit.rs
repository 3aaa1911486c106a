//! A logistic regression fitted by Newton's method (iteratively reweighted
//! least squares) with an L2 penalty on standardised features. Sums run in
//! row order, so a fit is reproducible bit for bit on one platform.

use ordex_core::learn::risk::{RiskInput, RiskModel, features};

/// Settings of a fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// L2 penalty per example.
    pub l2: f64,
    /// Newton steps at most.
    pub iterations: usize,
    /// Countries with at least this many training orders get a feature.
    pub min_country_orders: usize,
}

/// Fits a model on `(input, cancelled)` rows; `about` goes in the file.
#[allow(clippy::needless_range_loop)] // index loops read as the algebra they implement
pub fn fit(rows: &[(&RiskInput, bool)], o: &FitOptions, about: Vec<String>) -> RiskModel {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for (x, _) in rows {
        *counts
            .entry(x.country.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let countries: Vec<String> = counts
        .iter()
        .filter(|(c, n)| !c.is_empty() && **n >= o.min_country_orders)
        .map(|(c, _)| (*c).to_owned())
        .collect();
    let xs: Vec<Vec<f64>> = rows.iter().map(|(x, _)| features(x, &countries)).collect();
    let ys: Vec<f64> = rows.iter().map(|(_, y)| f64::from(u8::from(*y))).collect();
    let d = xs.first().map_or(0, Vec::len);
    let n = xs.len().max(1) as f64;
    let mut mean = vec![0.0; d];
    for x in &xs {
        for (m, v) in mean.iter_mut().zip(x) {
            *m += v / n;
        }
    }
    let mut scale = vec![0.0; d];
    for x in &xs {
        for ((s, v), m) in scale.iter_mut().zip(x).zip(&mean) {
            *s += (v - m) * (v - m) / n;
        }
    }
    for s in &mut scale {
        *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
    }
    let zs: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| {
            x.iter()
                .zip(&mean)
                .zip(&scale)
                .map(|((v, m), s)| (v - m) / s)
                .collect()
        })
        .collect();
    // Parameters: bias first, then weights.
    let mut beta = vec![0.0; d + 1];
    let prior = ys.iter().sum::<f64>() / n;
    beta[0] = (prior.clamp(1e-6, 1.0 - 1e-6) / (1.0 - prior.clamp(1e-6, 1.0 - 1e-6))).ln();
    for _ in 0..o.iterations {
        let mut grad = vec![0.0; d + 1];
        let mut hess = vec![vec![0.0; d + 1]; d + 1];
        for (z, y) in zs.iter().zip(&ys) {
            let eta = beta[0] + z.iter().zip(&beta[1..]).map(|(a, b)| a * b).sum::<f64>();
            let p = 1.0 / (1.0 + (-eta).exp());
            let w = (p * (1.0 - p)).max(1e-9);
            let r = y - p;
            grad[0] += r;
            for j in 0..d {
                grad[j + 1] += r * z[j];
            }
            hess[0][0] += w;
            for j in 0..d {
                hess[0][j + 1] += w * z[j];
                for k in j..d {
                    hess[j + 1][k + 1] += w * z[j] * z[k];
                }
            }
        }
        for j in 0..=d {
            for k in 0..j {
                hess[j][k] = hess[k][j];
            }
        }
        for j in 1..=d {
            grad[j] -= o.l2 * n * beta[j];
            hess[j][j] += o.l2 * n;
        }
        let step = solve(hess, grad);
        let mut moved: f64 = 0.0;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
            moved = moved.max(s.abs());
        }
        if moved < 1e-9 {
            break;
        }
    }
    let mut model = RiskModel {
        countries,
        mean,
        scale,
        weights: beta[1..].to_vec(),
        bias: beta[0],
        bands: (0.0, 0.0),
        about,
        currency: None,
    };
    // Bands from the training scores: the top 30% medium, the top 10% high.
    let mut scores: Vec<f64> = rows.iter().map(|(x, _)| model.probability(x)).collect();
    scores.sort_by(f64::total_cmp);
    let at = |q: f64| {
        scores
            .get(((scores.len() as f64) * q) as usize)
            .copied()
            .unwrap_or(1.0)
    };
    model.bands = (at(0.7), at(0.9));
    model
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // index loops read as the algebra they implement
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|i, j| a[*i][c].abs().total_cmp(&a[*j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let pivot = a[c][c];
        if pivot.abs() < 1e-300 {
            continue;
        }
        for r in c + 1..n {
            let f = a[r][c] / pivot;
            if f == 0.0 {
                continue;
            }
            for k in c..n {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-300 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_solver_solves() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]);
        assert!(
            (x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn a_fit_learns_that_cancellers_cancel() {
        let mk = |orders, cancels| RiskInput {
            prior_orders: orders,
            prior_cancellations: cancels,
            lines: vec![(1, 2.0)],
            ..RiskInput::default()
        };
        let (good, bad) = (mk(10, 0), mk(10, 6));
        let mut rows = Vec::new();
        for i in 0..400 {
            rows.push((&good, i % 20 == 0));
            rows.push((&bad, i % 2 == 0));
        }
        let m = fit(
            &rows,
            &FitOptions {
                l2: 1e-4,
                iterations: 30,
                min_country_orders: 1,
            },
            vec![],
        );
        let (pg, pb) = (m.probability(&good), m.probability(&bad));
        assert!(
            (pg - 0.05).abs() < 0.01 && (pb - 0.5).abs() < 0.02,
            "{pg} {pb}"
        );
    }
}
