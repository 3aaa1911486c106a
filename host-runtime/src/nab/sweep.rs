//! NAB's scorer: each row gets a weight from its position relative to the
//! anomaly windows (a scaled sigmoid: early in a window is worth most, a
//! detection after a window costs more the closer it is), only the best
//! detection in each window counts, every false positive costs, and one
//! threshold for the whole corpus is chosen to maximise the total.

use super::corpus::Corpus;

/// A cost profile (NAB's `config/profiles.json`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// Profile name as NAB spells it.
    pub name: &'static str,
    /// Weight of a true positive.
    pub tp: f64,
    /// Weight of a false positive.
    pub fp: f64,
    /// Weight of a missed window.
    pub fn_: f64,
}

impl Profile {
    /// NAB's three profiles.
    pub const ALL: [Profile; 3] = [
        Profile {
            name: "standard",
            tp: 1.0,
            fp: 0.11,
            fn_: 1.0,
        },
        Profile {
            name: "reward_low_FP_rate",
            tp: 1.0,
            fp: 0.22,
            fn_: 1.0,
        },
        Profile {
            name: "reward_low_FN_rate",
            tp: 1.0,
            fp: 0.11,
            fn_: 2.0,
        },
    ];
}

/// One profile's result over the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileScore {
    /// The profile.
    pub profile: Profile,
    /// The threshold chosen.
    pub threshold: f64,
    /// The raw total (sum of per-file scores).
    pub raw: f64,
    /// Normalised: null detector 0, perfect detector 100.
    pub normalized: f64,
    /// Counts at the threshold: tp, tn, fp, fn (rows).
    pub counts: [u64; 4],
}

#[derive(Clone, Copy)]
struct Point {
    score: f64,
    weight: f64,
    /// `None` outside windows; `Some(global window id)` inside.
    window: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
struct AtThreshold {
    threshold: f64,
    score: f64,
    counts: [u64; 4],
}

fn scaled_sigmoid(position: f64) -> f64 {
    if position > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * position).exp()) - 1.0
    }
}

fn probation(rows: usize) -> f64 {
    (0.15 * rows as f64).floor().min(0.15 * 5000.0)
}

/// Weights the rows of one file; probationary rows are left out.
fn sweep_file(
    scores: &[f64],
    windows: &[(usize, usize)],
    first_window_id: usize,
    p: &Profile,
) -> Vec<Point> {
    let max_tp = scaled_sigmoid(-1.0);
    let skip = probation(scores.len());
    let mut out = Vec::with_capacity(scores.len());
    let mut next = 0usize;
    let mut current: Option<(usize, usize, f64)> = None; // (id, right, width)
    let mut previous: Option<(usize, f64)> = None; // (right, width)
    for (i, &score) in scores.iter().enumerate() {
        if current.is_none() && next < windows.len() && windows[next].0 == i {
            let (l, r) = windows[next];
            current = Some((first_window_id + next, r, (r - l + 1) as f64));
            next += 1;
        }
        let (weight, window) = match current {
            Some((id, right, width)) => {
                let position = -((right as f64 - i as f64 + 1.0) / width);
                (scaled_sigmoid(position) * p.tp / max_tp, Some(id))
            }
            None => {
                let unweighted = match previous {
                    None => -1.0,
                    Some((right, width)) => {
                        scaled_sigmoid((i as f64 - right as f64).abs() / (width - 1.0))
                    }
                };
                (unweighted * p.fp, None)
            }
        };
        if i as f64 >= skip {
            out.push(Point {
                score,
                weight,
                window,
            });
        }
        if let Some((_, right, width)) = current
            && i == right
        {
            previous = Some((right, width));
            current = None;
        }
    }
    out
}

/// The score at every distinct threshold, highest threshold first.
fn by_threshold(mut points: Vec<Point>, windows: usize, p: &Profile) -> Vec<AtThreshold> {
    points.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut parts: Vec<Option<f64>> = vec![None; windows];
    let mut window_sum = 0.0;
    for pt in &points {
        if let Some(w) = pt.window
            && parts[w].is_none()
        {
            parts[w] = Some(-p.fn_);
            window_sum -= p.fn_;
        }
    }
    let mut fp_sum = 0.0;
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut tn = points.iter().filter(|x| x.window.is_none()).count() as u64;
    let mut fn_ = points.len() as u64 - tn;
    let mut threshold = 1.1;
    let mut out = Vec::new();
    for pt in &points {
        if pt.score != threshold {
            out.push(AtThreshold {
                threshold,
                score: fp_sum + window_sum,
                counts: [tp, tn, fp, fn_],
            });
            threshold = pt.score;
        }
        match pt.window {
            Some(w) => {
                tp += 1;
                fn_ -= 1;
                let old = parts[w].unwrap_or(-p.fn_);
                if pt.weight > old {
                    parts[w] = Some(pt.weight);
                    window_sum += pt.weight - old;
                }
            }
            None => {
                fp += 1;
                tn -= 1;
                fp_sum += pt.weight;
            }
        }
    }
    out.push(AtThreshold {
        threshold,
        score: fp_sum + window_sum,
        counts: [tp, tn, fp, fn_],
    });
    out
}

/// Scores a detector's per-row scores (one vector per corpus file, in the
/// corpus's order) on one profile, the way NAB's runner does.
pub fn score_corpus(corpus: &Corpus, scores: &[Vec<f64>], p: &Profile) -> ProfileScore {
    let total_windows = corpus.windows();
    let mut all = Vec::new();
    let mut per_file = Vec::new();
    let mut first = 0usize;
    for (file, s) in corpus.files.iter().zip(scores) {
        let pts = sweep_file(s, &file.windows, first, p);
        first += file.windows.len();
        all.extend_from_slice(&pts);
        per_file.push(pts);
    }
    // One threshold for the corpus: the best total; on a tie the higher.
    let sweep = by_threshold(all, total_windows, p);
    let best = sweep
        .iter()
        .fold(None::<AtThreshold>, |b, x| match b {
            Some(b) if b.score >= x.score => Some(b),
            _ => Some(*x),
        })
        .expect("the sweep has the no-detection row");
    let (mut raw, mut base) = (0.0, 0.0);
    let mut counts = [0u64; 4];
    for pts in per_file {
        let rows = by_threshold(pts, total_windows, p);
        base += rows[0].score;
        let mut chosen = rows[0];
        for r in &rows {
            if r.threshold < best.threshold {
                break;
            }
            chosen = *r;
        }
        raw += chosen.score;
        for (c, v) in counts.iter_mut().zip(chosen.counts) {
            *c += v;
        }
    }
    let perfect = total_windows as f64 * p.tp;
    ProfileScore {
        profile: *p,
        threshold: best.threshold,
        raw,
        normalized: 100.0 * (raw - base) / (perfect - base),
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sigmoid_has_nabs_landmarks() {
        assert!((scaled_sigmoid(-1.0) - 0.98661).abs() < 1e-5);
        assert!((scaled_sigmoid(-0.5) - 0.84828).abs() < 1e-5);
        assert!(scaled_sigmoid(0.0).abs() < 1e-12);
        assert_eq!(scaled_sigmoid(3.5), -1.0);
    }

    #[test]
    fn an_early_detection_scores_near_one_and_a_stray_one_costs_the_fp_weight() {
        let p = Profile::ALL[0];
        // 1000 rows, probation 150, one window 500..=599.
        let mut s = vec![0.0; 1000];
        s[500] = 0.9;
        let rows = by_threshold(sweep_file(&s, &[(500, 599)], 0, &p), 1, &p);
        assert_eq!(rows[0].score, -1.0);
        let hit = rows.iter().find(|r| r.threshold == 0.9).unwrap();
        assert!((hit.score - 1.0).abs() < 1e-9, "{hit:?}");
        s[300] = 0.95;
        let rows = by_threshold(sweep_file(&s, &[(500, 599)], 0, &p), 1, &p);
        let both = rows.iter().find(|r| r.threshold == 0.9).unwrap();
        assert!((both.score - (1.0 - 0.11)).abs() < 1e-9, "{both:?}");
    }
}
